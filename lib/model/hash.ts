import { createHash } from 'node:crypto';

/** JSON with sorted keys and no undefined members, so equal records give equal text. */
export function stableStringify(value: unknown): string {
	if (value === undefined) return 'null';
	if (value === null || typeof value !== 'object') return JSON.stringify(value);
	if (Array.isArray(value)) {
		let out = '[';
		for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + stableStringify(value[i]);
		return `${out}]`;
	}
	const record = value as Record<string, unknown>;
	let out = '{';
	let first = true;
	for (const key of Object.keys(record).sort()) {
		const member = record[key];
		if (member === undefined) continue;
		out += `${first ? '' : ','}${JSON.stringify(key)}:${stableStringify(member)}`;
		first = false;
	}
	return `${out}}`;
}

/** Short content hash: 64 bits of SHA-1, base64url (11 characters). */
export function shortHash(text: string): string {
	return createHash('sha1').update(text).digest('base64url').slice(0, 11);
}

/**
 * Hash over the fields a mapping syncs. `fields` lists top-level canonical field names; a
 * record that differs only in fields outside the list hashes the same (so a change to an
 * unsynced field is not a change for the engine).
 */
export function hashRecord(record: object, fields?: readonly string[]): string {
	let subset: Record<string, unknown> = record as Record<string, unknown>;
	if (fields) {
		subset = {};
		for (const f of fields) subset[f] = (record as Record<string, unknown>)[f];
	}
	return shortHash(stableStringify(subset));
}
