/**
 * A merge base holds, per synced field, a code of the value the field had when the pair was last in sync
 * (base-vector.ts); it means something only for the mapping it was written with. When the builder remaps
 * a field (jobTitle from the CRM's `title` to `cf_position`), the new CRM field is empty, and read
 * against the old base that looks like a CRM user cleared it: the next CRM edit of the record would
 * clear the job title in Outlook. When fields are added to or dropped from the mapping, the entries no
 * longer line up with the fields at all.
 *
 * So the table keeps the mapping its bases were written with, and a run with another mapping first
 * re-keys every base: a field mapped as before keeps its entry; a remapped or newly synced one gets
 * "had no value" (ABSENT). From there the usual rules hold: a value on one side only is a change of that
 * side and fills the other (merge; an update from it); an empty side is no change, so it never clears
 * the other (content.ts `withoutUnheldClears`); values on both sides that differ go to the policy.
 */
import { ABSENT, decodeBase, encodeEntries } from './base-vector';
import type { StatusTable } from './state';

/** Two codes name the same mapping; an unknown code (a run that did not send one) matches any. */
function sameMapping(before: string, now: string): boolean {
	return before === '' || now === '' || before === now;
}

/**
 * Re-key the table's merge bases from the mapping they were written with to this run's `fields` and
 * `codes` (field → code of its CRM mapping, lib/mapping `mappingCodes`), and remember the new mapping.
 * State of older versions has no mapping recorded: its bases are taken as written for this one.
 */
export function adoptMapping(table: StatusTable, fields: readonly string[], codes: Readonly<Record<string, string>> | undefined): void {
	const now = fields.map((field): [string, string] => [field, codes?.[field] ?? '']);
	const before = table.mapping;
	table.mapping = now;
	if (!before) return;
	const position = new Map(before.map(([field, code], i) => [field, { i, code }]));
	const kept = now.map(([field, code]) => {
		const old = position.get(field);
		return old !== undefined && sameMapping(old.code, code) ? old.i : undefined;
	});
	if (before.length === now.length && kept.every((i, at) => i === at)) return;
	const oldFields = before.map(([field]) => field);
	for (const [crmId, row] of [...table.entries()]) {
		if (!row.mergeBase) continue;
		const entries = decodeBase(row.mergeBase, oldFields);
		const rebased = entries && encodeEntries(kept.map((i) => (i === undefined ? ABSENT : entries[i])));
		const { mergeBase: _old, ...rest } = row;
		// A base that cannot be re-keyed (unusable, or of the 2-character format) is dropped: no base is safer than a misread one.
		table.set(crmId, rebased ? { ...rest, mergeBase: rebased } : rest);
	}
}
