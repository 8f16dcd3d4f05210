/** The embedded CRM's stored record row and the pure conversions and keys around it. */
import type { CrmAssignee, CrmModule, CrmRecord } from '../types';
import { CrmError } from '../types';
import { MODULES } from './modules';

export interface RecordRow {
	id: number;
	module: string;
	created_at: string;
	modified_at: string;
	change_seq: number;
	assigned_type: string | null;
	assigned_id: string | null;
	tags: string;
	exchange_ident: string | null;
	fields: string;
}

export const RECORD_COLUMNS = 'id, module, created_at, modified_at, change_seq, assigned_type, assigned_id, tags, exchange_ident, fields';

/** Lower-cased key for exact, case-insensitive name lookups (JS folding: umlauts too, S7). */
export function nameKey(name: string): string {
	return name.normalize('NFC').trim().toLowerCase();
}

export function emailKey(email: string): string {
	return email.normalize('NFC').trim().toLowerCase();
}

/** Message-IDs are compared without the surrounding angle brackets. */
export function messageIdKey(messageId: string): string {
	return messageId.trim().replace(/^<(.*)>$/, '$1');
}

export function toRecord(row: RecordRow): CrmRecord {
	return {
		id: String(row.id),
		module: row.module as CrmModule,
		createdAt: row.created_at,
		modifiedAt: row.modified_at,
		etag: String(row.change_seq),
		...(row.assigned_type ? { assignedTo: { type: row.assigned_type as CrmAssignee['type'], id: row.assigned_id ?? '' } } : {}),
		tags: JSON.parse(row.tags) as string[],
		...(row.exchange_ident ? { exchangeIdent: row.exchange_ident } : {}),
		fields: JSON.parse(row.fields) as Record<string, unknown>,
	};
}

export function notFound(module: CrmModule, id: string): CrmError {
	return new CrmError('notFound', `There is no ${MODULES[module].label} record with the id "${id}"`, 'Check the id; the record may have been deleted.');
}

export function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

export function dropBlankValues(fields: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null));
}
