import { stableStringify } from '../model/hash';
import { decodeBase, differsFromBase } from './base-vector';
import { fieldVector } from './content';
import type { MergeFallback, Side } from './types';

export interface MergeResult {
	record: Record<string, unknown>;
	/** Fields changed on both sides to different values. */
	contested: string[];
	/** Fields decided by the fallback policy, and for which side. */
	decided: Array<{ field: string; winner: Side }>;
}

/**
 * Field-level three-way merge against the base vector stored with the pair (lib/engine/base-vector.ts):
 * two sides agree only when their values are equal; a field changed on one side only (its value differs
 * from the base entry) is taken from that side; a field changed on both sides to different values goes
 * to `pickWinner` (null = leave it contested, for policy "none").
 */
export function mergeRecords(
	crm: Record<string, unknown>,
	exchange: Record<string, unknown>,
	base: string | undefined,
	fields: readonly string[],
	pickWinner: (field: string) => Side | null,
): MergeResult {
	const record: Record<string, unknown> = {};
	const contested: string[] = [];
	const decided: MergeResult['decided'] = [];
	const entries = decodeBase(base, fields);
	fields.forEach((field, i) => {
		const c = crm[field];
		const e = exchange[field];
		let value: unknown;
		// Equality of the two sides is decided on the real values, never on the short codes (issue 12 §2).
		if (stableStringify(c) === stableStringify(e)) {
			value = c;
		} else {
			// Without a usable base both sides count as changed.
			const entry = entries?.[i];
			const crmChanged = entry === undefined || differsFromBase(c, entry);
			const exchangeChanged = entry === undefined || differsFromBase(e, entry);
			if (crmChanged && !exchangeChanged) value = c;
			else if (exchangeChanged && !crmChanged) value = e;
			else {
				const winner = pickWinner(field);
				if (winner === null) {
					contested.push(field);
					value = c;
				} else {
					decided.push({ field, winner });
					value = winner === 'crm' ? c : e;
				}
			}
		}
		if (value !== undefined) record[field] = value;
	});
	return { record, contested, decided };
}

export function winnerFor(policy: MergeFallback, crmModified?: string, exchangeModified?: string): Side | null {
	switch (policy) {
		case 'crmWins':
			return 'crm';
		case 'exchangeWins':
			return 'exchange';
		case 'none':
			return null;
		default:
			// lastModifiedWins; ties and unknown times go to the CRM, the system of record.
			if (crmModified && exchangeModified && exchangeModified > crmModified) return 'exchange';
			return 'crm';
	}
}

export { fieldVector };

/** `fields` of `incoming` over `current`: a field absent in `incoming` is removed. */
export function mergeFields<T>(current: T, incoming: T, fields: readonly string[]): T {
	const merged = { ...(current as Record<string, unknown>) };
	for (const field of fields) {
		const value = (incoming as Record<string, unknown>)[field];
		if (value === undefined) delete merged[field];
		else merged[field] = value;
	}
	return merged as T;
}
