/** The embedded CRM's records role (CrmRecords): the change feed, CRUD and the lookups. */
import type { SQLInputValue } from 'node:sqlite';

import type { CrmAssignee, CrmChangePage, CrmListFilter, CrmModule, CrmPersonModule, CrmRecord, CrmRecordInput, CrmRecords } from '../types';
import { CrmError } from '../types';
import { isBlank, MODULES } from './modules';
import { emailKey, nameKey, notFound, RECORD_COLUMNS, toRecord, type RecordRow } from './rows';
import type { EmbeddedStore } from './store';

const CURSOR_PREFIX = 'c1:';
const DEFAULT_PAGE = 500;
const MAX_PAGE = 10000;

export class EmbeddedRecords implements CrmRecords {
	constructor(private readonly store: EmbeddedStore) {}

	async listChanges(module: CrmModule, cursor: string | undefined, options: { limit?: number } = {}): Promise<CrmChangePage> {
		this.store.assertModule(module);
		const after = parseCursor(cursor);
		const limit = pageSize(options.limit, DEFAULT_PAGE);
		// One read transaction: the rows and the sequence number come from the same snapshot.
		return this.store.readTransaction(() => {
			const changedRows = this.store
				.stmt(`SELECT ${RECORD_COLUMNS} FROM records WHERE module = ? AND change_seq > ? ORDER BY change_seq LIMIT ?`)
				.all(module, after, limit + 1) as unknown as RecordRow[];
			// A first run (no cursor) has never seen the records deleted before it, so it gets none.
			const deletedRows =
				cursor === undefined
					? []
					: (this.store
							.stmt('SELECT record_id, change_seq FROM tombstones WHERE module = ? AND change_seq > ? ORDER BY change_seq LIMIT ?')
							.all(module, after, limit + 1) as unknown as Array<{ record_id: number; change_seq: number }>);

			const changed: CrmRecord[] = [];
			const deletedIds: string[] = [];
			let last = after;
			let ci = 0;
			let di = 0;
			while (changed.length + deletedIds.length < limit && (ci < changedRows.length || di < deletedRows.length)) {
				const takeChanged = di >= deletedRows.length || (ci < changedRows.length && changedRows[ci].change_seq < deletedRows[di].change_seq);
				if (takeChanged) {
					changed.push(toRecord(changedRows[ci]));
					last = changedRows[ci++].change_seq;
				} else {
					deletedIds.push(String(deletedRows[di].record_id));
					last = deletedRows[di++].change_seq;
				}
			}
			const hasMore = ci < changedRows.length || di < deletedRows.length;
			// Caught up: later runs need nothing before the current sequence number (this also
			// skips tombstones a first run had no reason to see).
			if (!hasMore) last = Math.max(last, this.store.currentSeq());
			return { changed, deletedIds, cursor: `${CURSOR_PREFIX}${last}`, hasMore };
		});
	}

	async list(module: CrmModule, filter: CrmListFilter = {}): Promise<CrmRecord[]> {
		this.store.assertModule(module);
		const where = ['module = ?'];
		const params: SQLInputValue[] = [module];
		if (filter.modifiedSince) {
			where.push('modified_at >= ?');
			params.push(toInstant(filter.modifiedSince, 'modified since'));
		}
		if (filter.assignedTo) {
			where.push('assigned_type = ? AND assigned_id = ?');
			params.push(filter.assignedTo.type, filter.assignedTo.id);
		}
		if (filter.type) {
			where.push('record_type = ?');
			params.push(filter.type);
		}
		if (filter.tags && filter.tags.length > 0) {
			where.push(`EXISTS (SELECT 1 FROM json_each(records.tags) WHERE value IN (${filter.tags.map(() => '?').join(', ')}))`);
			params.push(...filter.tags);
		}
		params.push(filter.limit === undefined ? -1 : Math.max(0, Math.floor(filter.limit)));
		params.push(Math.max(0, Math.floor(filter.offset ?? 0)));
		const rows = this.store
			.stmt(`SELECT ${RECORD_COLUMNS} FROM records WHERE ${where.join(' AND ')} ORDER BY id LIMIT ? OFFSET ?`)
			.all(...params) as unknown as RecordRow[];
		return rows.map(toRecord);
	}

	async get(module: CrmModule, id: string): Promise<CrmRecord | undefined> {
		this.store.assertModule(module);
		const row = this.store.getRow(module, id);
		return row ? toRecord(row) : undefined;
	}

	async create(module: CrmModule, input: CrmRecordInput, options: { actingUserId?: string } = {}): Promise<CrmRecord> {
		this.store.assertModule(module);
		this.store.assertMayWrite(options.actingUserId, module);
		return this.store.transaction(() => toRecord(this.store.insertRecord(module, input)));
	}

	async update(module: CrmModule, id: string, patch: Partial<CrmRecordInput>, options: { ifEtag?: string; actingUserId?: string } = {}): Promise<CrmRecord> {
		this.store.assertModule(module);
		this.store.assertMayWrite(options.actingUserId, module);
		return this.store.transaction(() => {
			const row = this.store.getRow(module, id);
			if (!row) throw notFound(module, id);
			if (options.ifEtag !== undefined && options.ifEtag !== String(row.change_seq)) {
				throw new CrmError(
					'conflict',
					`The ${MODULES[module].label} record ${id} was changed by someone else meanwhile`,
					'Read the record again and repeat the change.',
				);
			}
			const fields = JSON.parse(row.fields) as Record<string, unknown>;
			// Only the fields in the patch change; every other column stays as stored (Issue 12 §1). A null,
			// undefined or '' value clears that field, so clearing an empty field leaves the record as it was.
			for (const [key, value] of Object.entries(patch.fields ?? {})) {
				if (value === null || value === undefined || value === '') delete fields[key];
				else fields[key] = value;
			}
			const merged: CrmRecordInput = {
				fields,
				tags: patch.tags ?? (JSON.parse(row.tags) as string[]),
				assignedTo: patch.assignedTo ?? (row.assigned_type ? { type: row.assigned_type as CrmAssignee['type'], id: row.assigned_id ?? '' } : undefined),
				// An empty string removes the ident (the record is no longer paired).
				exchangeIdent: patch.exchangeIdent ?? row.exchange_ident ?? undefined,
			};
			this.store.validate(module, merged);
			const seq = this.store.nextSeq();
			const columns = this.store.derivedColumns(module, merged);
			this.store
				.stmt(
					`UPDATE records SET modified_at = ?, change_seq = ?, assigned_type = ?, assigned_id = ?, tags = ?,
				 exchange_ident = ?, record_type = ?, name_key = ?, message_id = ?, fields = ? WHERE id = ?`,
				)
				.run(
					this.store.timestamp(),
					seq,
					merged.assignedTo?.type ?? null,
					merged.assignedTo?.id ?? null,
					JSON.stringify(merged.tags ?? []),
					merged.exchangeIdent ? merged.exchangeIdent : null,
					columns.recordType,
					columns.nameKey,
					columns.messageId,
					JSON.stringify(fields),
					row.id,
				);
			this.store.stmt('DELETE FROM record_emails WHERE record_id = ?').run(row.id);
			this.store.indexEmails(row.id, module, fields);
			return toRecord(this.store.getRow(module, id) as RecordRow);
		});
	}

	async delete(module: CrmModule, id: string, options: { actingUserId?: string } = {}): Promise<void> {
		this.store.assertModule(module);
		this.store.assertMayWrite(options.actingUserId, module);
		this.store.transaction(() => {
			const row = this.store.getRow(module, id);
			if (!row) throw notFound(module, id);
			this.store.stmt('DELETE FROM records WHERE id = ?').run(row.id);
			this.store
				.stmt('INSERT INTO tombstones (record_id, module, change_seq, deleted_at) VALUES (?, ?, ?, ?)')
				.run(row.id, module, this.store.nextSeq(), this.store.timestamp());
		});
	}

	async findByEmail(email: string, modules: readonly CrmPersonModule[]): Promise<CrmRecord[]> {
		if (modules.length === 0 || isBlank(email)) return [];
		for (const m of modules) this.store.assertModule(m);
		const rows = this.store
			.stmt(
				`SELECT ${RECORD_COLUMNS.split(', ')
					.map((c) => `r.${c}`)
					.join(', ')} FROM record_emails e JOIN records r ON r.id = e.record_id
				 WHERE e.email_lc = ? AND e.module IN (${modules.map(() => '?').join(', ')})
				 ORDER BY r.created_at, r.id`,
			)
			.all(emailKey(email), ...modules) as unknown as RecordRow[];
		return rows.map(toRecord);
	}

	async findAccountByName(name: string): Promise<CrmRecord | undefined> {
		if (isBlank(name)) return undefined;
		const row = this.store
			.stmt(`SELECT ${RECORD_COLUMNS} FROM records WHERE module = 'accounts' AND name_key = ? ORDER BY created_at, id LIMIT 1`)
			.get(nameKey(name)) as unknown as RecordRow | undefined;
		return row ? toRecord(row) : undefined;
	}

	/** Records paired with this Exchange ident (normally one). */
	async findByExchangeIdent(module: CrmModule, ident: string): Promise<CrmRecord[]> {
		this.store.assertModule(module);
		const rows = this.store
			.stmt(`SELECT ${RECORD_COLUMNS} FROM records WHERE exchange_ident = ? AND module = ? ORDER BY id`)
			.all(ident, module) as unknown as RecordRow[];
		return rows.map(toRecord);
	}
}

function parseCursor(cursor: string | undefined): number {
	if (cursor === undefined || cursor === '') return 0;
	const match = /^c1:(\d+)$/.exec(cursor);
	if (!match) {
		throw new CrmError(
			'invalid',
			`"${cursor}" is not a change cursor of the embedded CRM`,
			'Pass the cursor returned by the previous "Get Changes" call, or none to start from the beginning.',
		);
	}
	return Number(match[1]);
}

function pageSize(requested: number | undefined, fallback: number): number {
	if (requested === undefined || !Number.isFinite(requested)) return fallback;
	return Math.min(MAX_PAGE, Math.max(1, Math.floor(requested)));
}

function toInstant(value: string, what: string): string {
	const date = new Date(value);
	if (Number.isNaN(date.getTime())) {
		throw new CrmError('invalid', `"${value}" is not a valid date for "${what}"`, 'Use an ISO date such as 2026-11-23T09:00:00Z.');
	}
	return date.toISOString();
}
