import { createHash } from 'node:crypto';

/** JSON with sorted keys and no undefined members, so equal records give equal text. */
export function stableStringify(value: unknown): string {
	if (value === undefined) return 'null';
	if (value === null || typeof value !== 'object') return JSON.stringify(value);
	if (Array.isArray(value)) return `[${value.map((v) => stableStringify(v)).join(',')}]`;
	const entries = Object.entries(value as Record<string, unknown>)
		.filter(([, v]) => v !== undefined)
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
	return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
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
