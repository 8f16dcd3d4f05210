import { shortHash, stableStringify } from '../model/hash';

/**
 * The merge base of a pair (issue 12 §2): for each synced field, in `fields` order, a code of the value
 * it had when the pair was last in sync. It tells which side changed a field (merge) and which fields an
 * update sends when the other side was not read in the run. Stored as the last part of a state row, so
 * it never contains `|`.
 *
 * Written format: `~` + presence bitmap + codes.
 * - bitmap: ceil(fields / 6) base64url characters; field i is bit (i % 6) of character floor(i / 6), set
 *   when the field had a value (not undefined);
 * - codes: 6 base64url characters (36 bits of SHA-1 of the value's stable JSON) per present field, in
 *   field order; an absent field has no code, and is compared exactly.
 * Also read: the format before it (state of older versions), 2 characters (12 bits) per field and no
 * marker, undefined coded like null. Its codes are compared at their own length.
 */

export const BASE_MARKER = '~';
/** Characters per present field in the written format. */
export const CODE_LENGTH = 6;
/** Characters per field in the format before it. */
export const LEGACY_CODE_LENGTH = 2;

const FIELDS_PER_CHAR = 6;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const NO_VALUE = stableStringify(undefined);

/** The stored entry of a field that had no value (undefined) when the pair was in sync. */
export const ABSENT: unique symbol = Symbol('absent');

/** A field's entry in a decoded base: its stored code, or `ABSENT`. */
export type BaseCode = string | typeof ABSENT;

/** Code of a field value: the first `length` base64url characters of its stable JSON's SHA-1. */
export function fieldCode(value: unknown, length: number = CODE_LENGTH): string {
	return shortHash(stableStringify(value)).slice(0, length);
}

/** The base of a prepared record, in the written format. */
export function encodeBase(record: object, fields: readonly string[]): string {
	const values = record as Record<string, unknown>;
	return encodeWritten(fields.map((field) => (values[field] === undefined ? ABSENT : fieldCode(values[field]))));
}

/**
 * A base in the written format from its entries (in field order), or `undefined` when an entry is a code
 * of the format before it, which the written format cannot hold.
 */
export function encodeEntries(entries: readonly BaseCode[]): string | undefined {
	return entries.every((entry) => entry === ABSENT || entry.length === CODE_LENGTH) ? encodeWritten(entries) : undefined;
}

function encodeWritten(entries: readonly BaseCode[]): string {
	const bitmap = new Array<number>(Math.ceil(entries.length / FIELDS_PER_CHAR)).fill(0);
	let codes = '';
	for (let i = 0; i < entries.length; i++) {
		const entry = entries[i];
		if (entry === ABSENT) continue;
		bitmap[Math.floor(i / FIELDS_PER_CHAR)] |= 1 << i % FIELDS_PER_CHAR;
		codes += entry;
	}
	let map = '';
	for (const bits of bitmap) map += ALPHABET[bits];
	return BASE_MARKER + map + codes;
}

/**
 * The entry of each field (in `fields` order) of a stored base, or `undefined` when the base is missing
 * or unusable for these fields (wrong length, unknown characters, presence bits beyond the last field).
 */
export function decodeBase(base: string | undefined, fields: readonly string[]): BaseCode[] | undefined {
	if (base === undefined) return undefined;
	if (!base.startsWith(BASE_MARKER)) {
		if (base.length !== fields.length * LEGACY_CODE_LENGTH || !BASE64URL.test(base)) return undefined;
		return fields.map((_, i) => base.slice(i * LEGACY_CODE_LENGTH, (i + 1) * LEGACY_CODE_LENGTH));
	}
	const mapLength = Math.ceil(fields.length / FIELDS_PER_CHAR);
	const bitmap: number[] = [];
	for (let c = 0; c < mapLength; c++) {
		const bits = ALPHABET.indexOf(base.charAt(1 + c));
		if (bits === -1) return undefined;
		bitmap.push(bits);
	}
	const spare = fields.length % FIELDS_PER_CHAR;
	if (spare !== 0 && bitmap[mapLength - 1] >> spare !== 0) return undefined;
	let present = 0;
	for (let i = 0; i < fields.length; i++) if (isPresent(bitmap, i)) present++;
	const codesAt = 1 + mapLength;
	if (base.length !== codesAt + present * CODE_LENGTH || !BASE64URL.test(base.slice(codesAt))) return undefined;
	const out: BaseCode[] = [];
	let at = codesAt;
	for (let i = 0; i < fields.length; i++) {
		if (!isPresent(bitmap, i)) {
			out.push(ABSENT);
			continue;
		}
		out.push(base.slice(at, at + CODE_LENGTH));
		at += CODE_LENGTH;
	}
	return out;
}

function isPresent(bitmap: readonly number[], field: number): boolean {
	return (bitmap[Math.floor(field / FIELDS_PER_CHAR)] & (1 << field % FIELDS_PER_CHAR)) !== 0;
}

/**
 * Whether a value differs from a field's base entry. An absent field is compared exactly (like
 * `changedFields`, undefined and null are the same); a code is compared with the value's code of the
 * same length, so old 2-character bases keep working.
 */
export function differsFromBase(value: unknown, entry: BaseCode): boolean {
	if (entry === ABSENT) return stableStringify(value) !== NO_VALUE;
	return fieldCode(value, entry.length) !== entry;
}
