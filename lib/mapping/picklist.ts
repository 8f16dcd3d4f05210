import type { PicklistTable } from './types';

function same(a: string, b: string): boolean {
	return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** CRM value → canonical value (case-insensitive); the fallback for values not in the table. */
export function picklistToCanonical(table: PicklistTable, crmValue: string): string | undefined {
	const entry = table.entries.find((e) => same(e.crm, crmValue));
	return entry ? entry.canonical : table.fallbackCanonical;
}

/** Canonical value → CRM value: the first entry, unless `current` (the CRM's value) means the same. */
export function picklistToCrm(table: PicklistTable, canonicalValue: string, current?: string): string | undefined {
	if (current !== undefined && picklistToCanonical(table, current) === canonicalValue) return current;
	const entry = table.entries.find((e) => same(e.canonical, canonicalValue));
	return entry ? entry.crm : table.fallbackCrm;
}
