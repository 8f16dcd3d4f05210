/** vtiger values ⇄ CrmRecord: field conventions, times, VTQL literals, ids, versions and assignees. */
import { shortHash, stableStringify } from '../../model/hash';
import type { CrmAssignee, CrmModule, CrmRecord, CrmRecordInput } from '../types';

export type VtValues = Record<string, string | null>;

const USER_PREFIX = '19';
const GROUP_PREFIX = '20';
/** Custom field that holds the sync ident (created by the connector's install step). */
export const IDENT_FIELD = 'cf_crmsync_ident';
export const MESSAGE_ID_FIELD = 'cf_message_id';
/** vtiger bookkeeping fields that are not record content. */
const META_FIELDS = new Set(['id', 'label', 'createdtime', 'modifiedtime', 'modifiedby', 'assigned_user_id', 'tags', 'source', 'starred', IDENT_FIELD]);

/** "2026-11-23 02:17:33" (UTC) ⇄ ISO and unix seconds. */
export function vtToIso(value: string | null | undefined): string {
	if (!value) return new Date(0).toISOString();
	return new Date(`${value.replace(' ', 'T')}Z`).toISOString();
}
export function isoToVt(iso: string): string {
	return iso.slice(0, 19).replace('T', ' ');
}
export function vtToUnix(value: string | null | undefined): number {
	return Math.floor(Date.parse(vtToIso(value)) / 1000);
}
/** VTQL string literal. */
export function lit(value: string): string {
	return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** id@<modifiedtime>.<hash of the values>: changes whenever the record's content changes. */
export function versionKey(v: VtValues): string {
	// Hash without empty values (retrieve answers "" where query and sync answer null) and without the
	// label, which create/retrieve/revise answer but query and sync do not: one version reads the same everywhere.
	const content = Object.fromEntries(Object.entries(v).filter(([k, x]) => k !== 'label' && x !== null && x !== ''));
	return `${v.id}@${String(v.modifiedtime ?? '').replace(/\D/g, '')}.${shortHash(stableStringify(content))}`;
}

export function idNumber(id: string): number {
	return Number(id.split('x')[1] ?? 0);
}

export function toVtAssignee(a: CrmAssignee): string {
	if (/^\d+x\d+$/.test(a.id)) return a.id;
	return `${a.type === 'group' ? GROUP_PREFIX : USER_PREFIX}x${a.id}`;
}

export function toElement(input: Partial<CrmRecordInput>): Record<string, string> {
	const element: Record<string, string> = {};
	for (const [k, v] of Object.entries(input.fields ?? {})) {
		if (v === undefined) continue;
		element[k] = v === null ? '' : typeof v === 'boolean' ? (v ? '1' : '0') : typeof v === 'object' ? JSON.stringify(v) : String(v);
	}
	if (input.tags) element.tags = input.tags.join(',');
	if (input.exchangeIdent !== undefined) element[IDENT_FIELD] = input.exchangeIdent;
	return element;
}

export function toRecord(module: CrmModule, v: VtValues): CrmRecord {
	const fields: Record<string, unknown> = {};
	for (const [k, value] of Object.entries(v)) {
		if (META_FIELDS.has(k) || value === null || value === '') continue;
		fields[k] = value;
	}
	const owner = v.assigned_user_id ?? '';
	return {
		id: String(v.id),
		module,
		createdAt: vtToIso(v.createdtime),
		modifiedAt: vtToIso(v.modifiedtime),
		// modifiedtime has one-second resolution; the content hash tells same-second edits apart.
		etag: versionKey(v).split('@')[1],
		...(owner ? { assignedTo: { type: owner.startsWith(`${GROUP_PREFIX}x`) ? 'group' : 'user', id: owner } } : {}),
		tags: (v.tags ?? '')
			.split(',')
			.map((t) => t.trim())
			.filter((t) => t !== ''),
		...(v[IDENT_FIELD] ? { exchangeIdent: String(v[IDENT_FIELD]) } : {}),
		fields,
	} as CrmRecord;
}
