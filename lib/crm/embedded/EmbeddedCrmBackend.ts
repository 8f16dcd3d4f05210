import { randomUUID } from 'node:crypto';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';

import type {
	CrmAssignee,
	CrmBackend,
	CrmChangePage,
	CrmConflictInput,
	CrmConflictRecord,
	CrmEmailInput,
	CrmEmailRecord,
	CrmGroup,
	CrmListFilter,
	CrmModule,
	CrmPermission,
	CrmPersonModule,
	CrmRecord,
	CrmRecordInput,
	CrmUser,
} from '../types';
import { CrmError } from '../types';
import { decideFinish, decidePause, decideStart, keepsCommittedState, mailboxKey, matchesFilter, type CrmSyncRunLog, type SavedSyncState, type SyncRunFilter, type SyncRunKey, type SyncRunResult, type SyncRunStart, type SyncRunStatus } from '../run-log';
import { isBlank, isCrmModule, MODULES } from './modules';
import { migrate } from './schema';
import { openSqlite } from './sqlite';

export interface EmbeddedCrmOptions {
	/** Clock for created/modified timestamps (tests). */
	now?: () => Date;
}

interface RecordRow {
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

interface AttachmentRow {
	id: number;
	file_name: string;
	content_type: string;
	content_id: string | null;
	inline: number;
	size: number;
}

const RECORD_COLUMNS =
	'id, module, created_at, modified_at, change_seq, assigned_type, assigned_id, tags, exchange_ident, fields';
const CURSOR_PREFIX = 'c1:';
const DEFAULT_PAGE = 500;
const MAX_PAGE = 10000;

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

/**
 * The embedded CRM: a SQLite database file through node:sqlite.
 *
 * All SQLite calls are synchronous, so a method never yields between BEGIN and COMMIT and
 * concurrent executions in one process cannot interleave inside a transaction.
 */
export class EmbeddedCrmBackend implements CrmBackend, CrmSyncRunLog {
	readonly kind = 'embedded';
	readonly instanceId: string;
	private readonly statements = new Map<string, StatementSync>();
	private readonly now: () => Date;
	private closed = false;

	private constructor(
		private readonly db: DatabaseSync,
		readonly databasePath: string,
		options: EmbeddedCrmOptions,
	) {
		this.now = options.now ?? (() => new Date());
		migrate(db);
		db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('instance_id', ?), ('change_seq', '0')").run(
			randomUUID(),
		);
		this.instanceId = (db.prepare("SELECT value FROM meta WHERE key = 'instance_id'").get() as { value: string })
			.value;
	}

	/** Opens (and creates or migrates) the database file. */
	static open(databasePath: string, options: EmbeddedCrmOptions = {}): EmbeddedCrmBackend {
		const db = openSqlite(databasePath);
		try {
			db.exec('PRAGMA busy_timeout = 5000');
			db.exec('PRAGMA journal_mode = WAL');
			db.exec('PRAGMA synchronous = NORMAL');
			db.exec('PRAGMA foreign_keys = ON');
			return new EmbeddedCrmBackend(db, databasePath, options);
		} catch (error) {
			db.close();
			if (error instanceof CrmError) throw error;
			throw new CrmError(
				'unavailable',
				`The file "${databasePath}" is not a usable CRM database: ${(error as Error).message}`,
				'Point the CRM credential at a new file name (it is created) or at a database this package created.',
			);
		}
	}

	// ---- records -------------------------------------------------------------------------

	async listChanges(
		module: CrmModule,
		cursor: string | undefined,
		options: { limit?: number } = {},
	): Promise<CrmChangePage> {
		this.assertModule(module);
		const after = parseCursor(cursor);
		const limit = pageSize(options.limit, DEFAULT_PAGE);
		// One read transaction: the rows and the sequence number come from the same snapshot.
		return this.readTransaction(() => {
			const changedRows = this.stmt(
				`SELECT ${RECORD_COLUMNS} FROM records WHERE module = ? AND change_seq > ? ORDER BY change_seq LIMIT ?`,
			).all(module, after, limit + 1) as unknown as RecordRow[];
			// A first run (no cursor) has never seen the records deleted before it, so it gets none.
			const deletedRows =
				cursor === undefined
					? []
					: (this.stmt(
							'SELECT record_id, change_seq FROM tombstones WHERE module = ? AND change_seq > ? ORDER BY change_seq LIMIT ?',
						).all(module, after, limit + 1) as unknown as Array<{ record_id: number; change_seq: number }>);

			const changed: CrmRecord[] = [];
			const deletedIds: string[] = [];
			let last = after;
			let ci = 0;
			let di = 0;
			while (changed.length + deletedIds.length < limit && (ci < changedRows.length || di < deletedRows.length)) {
				const takeChanged =
					di >= deletedRows.length || (ci < changedRows.length && changedRows[ci].change_seq < deletedRows[di].change_seq);
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
			if (!hasMore) last = Math.max(last, this.currentSeq());
			return { changed, deletedIds, cursor: `${CURSOR_PREFIX}${last}`, hasMore };
		});
	}

	async list(module: CrmModule, filter: CrmListFilter = {}): Promise<CrmRecord[]> {
		this.assertModule(module);
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
		const rows = this.stmt(
			`SELECT ${RECORD_COLUMNS} FROM records WHERE ${where.join(' AND ')} ORDER BY id LIMIT ? OFFSET ?`,
		).all(...params) as unknown as RecordRow[];
		return rows.map(toRecord);
	}

	async get(module: CrmModule, id: string): Promise<CrmRecord | undefined> {
		this.assertModule(module);
		const row = this.getRow(module, id);
		return row ? toRecord(row) : undefined;
	}

	async create(
		module: CrmModule,
		input: CrmRecordInput,
		options: { actingUserId?: string } = {},
	): Promise<CrmRecord> {
		this.assertModule(module);
		this.assertMayWrite(options.actingUserId, module);
		return this.transaction(() => toRecord(this.insertRecord(module, input)));
	}

	async update(
		module: CrmModule,
		id: string,
		patch: Partial<CrmRecordInput>,
		options: { ifEtag?: string; actingUserId?: string } = {},
	): Promise<CrmRecord> {
		this.assertModule(module);
		this.assertMayWrite(options.actingUserId, module);
		return this.transaction(() => {
			const row = this.getRow(module, id);
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
				assignedTo:
					patch.assignedTo ??
					(row.assigned_type ? { type: row.assigned_type as CrmAssignee['type'], id: row.assigned_id ?? '' } : undefined),
				// An empty string removes the ident (the record is no longer paired).
				exchangeIdent: patch.exchangeIdent ?? row.exchange_ident ?? undefined,
			};
			this.validate(module, merged);
			const seq = this.nextSeq();
			const columns = this.derivedColumns(module, merged);
			this.stmt(
				`UPDATE records SET modified_at = ?, change_seq = ?, assigned_type = ?, assigned_id = ?, tags = ?,
				 exchange_ident = ?, record_type = ?, name_key = ?, message_id = ?, fields = ? WHERE id = ?`,
			).run(
				this.timestamp(),
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
			this.stmt('DELETE FROM record_emails WHERE record_id = ?').run(row.id);
			this.indexEmails(row.id, module, fields);
			return toRecord(this.getRow(module, id) as RecordRow);
		});
	}

	async delete(module: CrmModule, id: string, options: { actingUserId?: string } = {}): Promise<void> {
		this.assertModule(module);
		this.assertMayWrite(options.actingUserId, module);
		this.transaction(() => {
			const row = this.getRow(module, id);
			if (!row) throw notFound(module, id);
			this.stmt('DELETE FROM records WHERE id = ?').run(row.id);
			this.stmt('INSERT INTO tombstones (record_id, module, change_seq, deleted_at) VALUES (?, ?, ?, ?)').run(
				row.id,
				module,
				this.nextSeq(),
				this.timestamp(),
			);
		});
	}

	async findByEmail(email: string, modules: readonly CrmPersonModule[]): Promise<CrmRecord[]> {
		if (modules.length === 0 || isBlank(email)) return [];
		for (const m of modules) this.assertModule(m);
		const rows = this.stmt(
				`SELECT ${RECORD_COLUMNS.split(', ')
					.map((c) => `r.${c}`)
					.join(', ')} FROM record_emails e JOIN records r ON r.id = e.record_id
				 WHERE e.email_lc = ? AND e.module IN (${modules.map(() => '?').join(', ')})
				 ORDER BY r.created_at, r.id`,
		).all(emailKey(email), ...modules) as unknown as RecordRow[];
		return rows.map(toRecord);
	}

	async findAccountByName(name: string): Promise<CrmRecord | undefined> {
		if (isBlank(name)) return undefined;
		const row = this.stmt(
			`SELECT ${RECORD_COLUMNS} FROM records WHERE module = 'accounts' AND name_key = ? ORDER BY created_at, id LIMIT 1`,
		).get(nameKey(name)) as unknown as RecordRow | undefined;
		return row ? toRecord(row) : undefined;
	}

	/** Records paired with this Exchange ident (normally one). */
	async findByExchangeIdent(module: CrmModule, ident: string): Promise<CrmRecord[]> {
		this.assertModule(module);
		const rows = this.stmt(
			`SELECT ${RECORD_COLUMNS} FROM records WHERE exchange_ident = ? AND module = ? ORDER BY id`,
		).all(ident, module) as unknown as RecordRow[];
		return rows.map(toRecord);
	}

	// ---- users, groups, permissions ------------------------------------------------------

	async listUsers(): Promise<CrmUser[]> {
		const users = this.stmt(
			'SELECT id, user_name, email, first_name, last_name, active FROM users ORDER BY user_name',
		).all() as unknown as Array<{
			id: string;
			user_name: string;
			email: string | null;
			first_name: string | null;
			last_name: string | null;
			active: number;
		}>;
		const memberships = this.stmt('SELECT group_id, user_id FROM group_members ORDER BY group_id').all() as unknown as Array<{
			group_id: string;
			user_id: string;
		}>;
		return users.map((u) => ({
			id: u.id,
			userName: u.user_name,
			...(u.email ? { email: u.email } : {}),
			...(u.first_name ? { firstName: u.first_name } : {}),
			...(u.last_name ? { lastName: u.last_name } : {}),
			active: u.active === 1,
			groupIds: memberships.filter((m) => m.user_id === u.id).map((m) => m.group_id),
		}));
	}

	async listGroups(): Promise<CrmGroup[]> {
		return this.stmt('SELECT id, name FROM groups ORDER BY name').all() as unknown as CrmGroup[];
	}

	async listEventTypes(): Promise<string[]> {
		return (this.stmt('SELECT name FROM event_types ORDER BY position, name').all() as unknown as Array<{ name: string }>).map(
			(r) => r.name,
		);
	}

	async checkPermission(userId: string, module: CrmModule, permission: CrmPermission): Promise<boolean> {
		return this.permissionOf(userId, module, permission);
	}

	/** Creates or replaces a user (administration, seed). */
	saveUser(user: Omit<CrmUser, 'groupIds'> & { groupIds?: string[] }): void {
		this.transaction(() => {
			this.stmt(
				`INSERT INTO users (id, user_name, email, first_name, last_name, active) VALUES (?, ?, ?, ?, ?, ?)
				 ON CONFLICT (id) DO UPDATE SET user_name = excluded.user_name, email = excluded.email,
				 first_name = excluded.first_name, last_name = excluded.last_name, active = excluded.active`,
			).run(user.id, user.userName, user.email ?? null, user.firstName ?? null, user.lastName ?? null, user.active ? 1 : 0);
			if (user.groupIds) {
				this.stmt('DELETE FROM group_members WHERE user_id = ?').run(user.id);
				for (const groupId of user.groupIds) {
					this.stmt('INSERT INTO group_members (group_id, user_id) VALUES (?, ?)').run(groupId, user.id);
				}
			}
		});
	}

	saveGroup(group: CrmGroup): void {
		this.stmt('INSERT INTO groups (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name').run(
			group.id,
			group.name,
		);
	}

	/** O5: restrict (or, with 'write', un-restrict) one user on one module. */
	setPermission(userId: string, module: CrmModule, level: 'none' | CrmPermission): void {
		this.assertModule(module);
		this.stmt(
			'INSERT INTO user_permissions (user_id, module, level) VALUES (?, ?, ?) ON CONFLICT (user_id, module) DO UPDATE SET level = excluded.level',
		).run(userId, module, level);
	}

	setEventTypes(names: readonly string[]): void {
		this.transaction(() => {
			this.stmt('DELETE FROM event_types').run();
			names.forEach((name, i) => this.stmt('INSERT INTO event_types (name, position) VALUES (?, ?)').run(name, i + 1));
		});
	}

	// ---- e-mails -------------------------------------------------------------------------

	async findEmailByMessageId(messageId: string): Promise<CrmEmailRecord | undefined> {
		const row = this.stmt(`SELECT ${RECORD_COLUMNS} FROM records WHERE message_id = ?`).get(messageIdKey(messageId)) as unknown as RecordRow | undefined;
		return row ? this.toEmailRecord(row) : undefined;
	}

	async getEmail(id: string): Promise<CrmEmailRecord | undefined> {
		const row = this.getRow('emails', id);
		return row ? this.toEmailRecord(row) : undefined;
	}

	async getEmailAttachmentContent(emailId: string, attachmentId: string): Promise<Buffer | undefined> {
		const row = this.stmt('SELECT content FROM email_attachments WHERE email_id = ? AND id = ?').get(
			Number(emailId),
			Number(attachmentId),
		) as { content: Uint8Array } | undefined;
		return row ? Buffer.from(row.content) : undefined;
	}

	/** E6/E7: the e-mail, its attachments and its links are written all-or-nothing. */
	async createEmail(input: CrmEmailInput): Promise<CrmEmailRecord> {
		if (isBlank(input.messageId)) {
			throw new CrmError(
				'mandatoryField',
				'E-mails: the field "messageId" is mandatory',
				'Every imported e-mail needs its Message-ID header.',
				'messageId',
			);
		}
		const id = this.transaction(() => {
			if (this.stmt('SELECT 1 FROM records WHERE message_id = ?').get(messageIdKey(input.messageId))) {
				throw new CrmError(
					'duplicate',
					`The e-mail ${input.messageId} has already been imported`,
					'Nothing to do: each e-mail is imported once.',
				);
			}
			const { attachments, links, assignedTo, ...rest } = input;
			const row = this.insertRecord('emails', { assignedTo, fields: dropUndefined({ ...rest }) });
			for (const link of links) {
				if (!this.getRow(link.module, link.id)) throw notFound(link.module, link.id);
				this.stmt('INSERT OR IGNORE INTO email_links (email_id, module, record_id) VALUES (?, ?, ?)').run(
					row.id,
					link.module,
					link.id,
				);
			}
			for (const a of attachments) {
				if (!(a.content instanceof Uint8Array)) {
					throw new CrmError('invalid', `The attachment "${a.fileName}" has no content`, 'Pass the attachment as a Buffer.');
				}
				this.stmt(
					`INSERT INTO email_attachments (email_id, file_name, content_type, content_id, inline, size, content)
					 VALUES (?, ?, ?, ?, ?, ?, ?)`,
				).run(
					row.id,
					a.fileName,
					a.contentType,
					a.contentId ?? null,
					a.inline ? 1 : 0,
					a.content.byteLength,
					a.content,
				);
			}
			return row.id;
		});
		return (await this.getEmail(String(id))) as CrmEmailRecord;
	}

	// ---- sync conflicts ------------------------------------------------------------------

	async recordConflict(input: CrmConflictInput): Promise<CrmConflictRecord> {
		const fields = dropUndefined({
			module: input.module,
			recordId: input.recordId,
			side: input.side,
			reason: input.reason,
			payload: input.payload,
			mailbox: input.mailbox,
			resolved: false,
		});
		const row = this.transaction(() => this.insertRecord('conflicts', { fields }));
		return toConflict(toRecord(row));
	}

	async listConflicts(options: { resolved?: boolean } = {}): Promise<CrmConflictRecord[]> {
		const rows =
			options.resolved === undefined
				? this.stmt(`SELECT ${RECORD_COLUMNS} FROM records WHERE module = 'conflicts' ORDER BY id`).all()
				: this.stmt(
						`SELECT ${RECORD_COLUMNS} FROM records WHERE module = 'conflicts' AND json_extract(fields, '$.resolved') = ? ORDER BY id`,
					).all(options.resolved ? 1 : 0);
		return (rows as unknown as RecordRow[]).map((r) => toConflict(toRecord(r)));
	}

	async resolveConflict(id: string): Promise<CrmConflictRecord> {
		const record = await this.update('conflicts', id, { fields: { resolved: true, resolvedAt: this.timestamp() } });
		return toConflict(record);
	}

	// ---- sync run log (lease and account status, lib/crm/run-log.ts) ----------------------

	async startSyncRun(key: SyncRunKey, holder: string, leaseMs: number, options: { countRefusal?: boolean } = {}): Promise<SyncRunStart> {
		// BEGIN IMMEDIATE takes SQLite's write lock first, so two processes cannot both see a free lease.
		return this.transaction(() => {
			const { start, next } = decideStart(this.syncRunRow(key), key, holder, leaseMs, this.now(), options.countRefusal ?? true);
			this.writeSyncRun(next);
			return start;
		});
	}

	async finishSyncRun(key: SyncRunKey, holder: string, result: SyncRunResult): Promise<SyncRunStatus & { stateKept: boolean }> {
		return this.transaction(() => {
			const current = this.syncRunRow(key);
			const next = decideFinish(current, key, holder, result, this.now());
			this.writeSyncRun(next);
			const stateKept = keepsCommittedState(current, holder, result);
			if (stateKept) {
				this.stmt(
					'INSERT INTO sync_states (mailbox_key, component, generation, saved_at, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT (mailbox_key, component) DO UPDATE SET generation = excluded.generation, saved_at = excluded.saved_at, data = excluded.data',
				).run(syncRunMailboxKey(key), key.component, next.stateGeneration ?? 0, next.stateSavedAt ?? '', JSON.stringify(result.state));
			}
			return { ...next, stateKept };
		});
	}

	async loadSyncState(key: SyncRunKey): Promise<SavedSyncState | undefined> {
		const row = this.stmt('SELECT generation, saved_at, data FROM sync_states WHERE mailbox_key = ? AND component = ?').get(syncRunMailboxKey(key), key.component) as
			| { generation: number; saved_at: string; data: string }
			| undefined;
		return row ? { generation: Number(row.generation), savedAt: row.saved_at, data: JSON.parse(row.data) as unknown } : undefined;
	}

	async listSyncRuns(): Promise<SyncRunStatus[]> {
		return this.readSyncRuns();
	}

	async setSyncRunsPaused(filter: SyncRunFilter, pause: { reason: string } | undefined): Promise<SyncRunStatus[]> {
		return this.transaction(() => {
			const changed = this.readSyncRuns().filter((status) => matchesFilter(status, filter)).map((status) => decidePause(status, pause, this.now()));
			for (const status of changed) this.writeSyncRun(status);
			return changed;
		});
	}

	private readSyncRuns(): SyncRunStatus[] {
		const rows = this.stmt('SELECT status FROM sync_runs ORDER BY mailbox_key, component').all() as unknown as Array<{ status: string }>;
		return rows.map((row) => JSON.parse(row.status) as SyncRunStatus);
	}

	private syncRunRow(key: SyncRunKey): SyncRunStatus | undefined {
		const row = this.stmt('SELECT status FROM sync_runs WHERE mailbox_key = ? AND component = ?').get(syncRunMailboxKey(key), key.component) as { status: string } | undefined;
		return row ? (JSON.parse(row.status) as SyncRunStatus) : undefined;
	}

	private writeSyncRun(status: SyncRunStatus): void {
		this.stmt('INSERT INTO sync_runs (mailbox_key, component, status) VALUES (?, ?, ?) ON CONFLICT (mailbox_key, component) DO UPDATE SET status = excluded.status').run(
			syncRunMailboxKey(status),
			status.component,
			JSON.stringify(status),
		);
	}

	async close(): Promise<void> {
		this.closeSync();
	}

	/** For process-exit handlers, which cannot wait. */
	closeSync(): void {
		if (this.closed) return;
		this.closed = true;
		this.statements.clear();
		this.db.close();
	}

	// ---- internals -----------------------------------------------------------------------

	private stmt(sql: string): StatementSync {
		if (this.closed) throw new CrmError('unavailable', 'The CRM database has been closed', 'Open the CRM again.');
		let statement = this.statements.get(sql);
		if (!statement) {
			statement = this.db.prepare(sql);
			this.statements.set(sql, statement);
		}
		return statement;
	}

	private transaction<T>(work: () => T): T {
		this.stmt('BEGIN IMMEDIATE').run();
		try {
			const result = work();
			this.stmt('COMMIT').run();
			return result;
		} catch (error) {
			if (this.db.isTransaction) this.db.exec('ROLLBACK');
			throw error;
		}
	}

	private readTransaction<T>(work: () => T): T {
		this.stmt('BEGIN').run();
		try {
			return work();
		} finally {
			if (this.db.isTransaction) this.stmt('COMMIT').run();
		}
	}

	private currentSeq(): number {
		return Number((this.stmt("SELECT value FROM meta WHERE key = 'change_seq'").get() as { value: string }).value);
	}

	private timestamp(): string {
		return this.now().toISOString();
	}

	private nextSeq(): number {
		const row = this.stmt(
			"UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'change_seq' RETURNING CAST(value AS INTEGER) AS seq",
		).get() as { seq: number };
		return row.seq;
	}

	private getRow(module: CrmModule, id: string): RecordRow | undefined {
		if (!/^\d+$/.test(String(id))) return undefined;
		return this.stmt(`SELECT ${RECORD_COLUMNS} FROM records WHERE id = ? AND module = ?`).get(Number(id), module) as unknown as RecordRow | undefined;
	}

	private insertRecord(module: CrmModule, input: CrmRecordInput): RecordRow {
		const fields = dropBlankValues(input.fields ?? {});
		const record: CrmRecordInput = { ...input, fields };
		this.validate(module, record);
		const seq = this.nextSeq();
		const now = this.timestamp();
		const columns = this.derivedColumns(module, record);
		const { id } = this.stmt(
			`INSERT INTO records (module, created_at, modified_at, change_seq, assigned_type, assigned_id, tags,
			 exchange_ident, record_type, name_key, message_id, fields)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		).get(
			module,
			now,
			now,
			seq,
			record.assignedTo?.type ?? null,
			record.assignedTo?.id ?? null,
			JSON.stringify(record.tags ?? []),
			record.exchangeIdent ? record.exchangeIdent : null,
			columns.recordType,
			columns.nameKey,
			columns.messageId,
			JSON.stringify(fields),
		) as { id: number };
		this.indexEmails(id, module, fields);
		return {
			id,
			module,
			created_at: now,
			modified_at: now,
			change_seq: seq,
			assigned_type: record.assignedTo?.type ?? null,
			assigned_id: record.assignedTo?.id ?? null,
			tags: JSON.stringify(record.tags ?? []),
			exchange_ident: record.exchangeIdent ? record.exchangeIdent : null,
			fields: JSON.stringify(fields),
		};
	}

	private derivedColumns(
		module: CrmModule,
		input: CrmRecordInput,
	): { recordType: string | null; nameKey: string | null; messageId: string | null } {
		const definition = MODULES[module];
		const type = definition.typeField ? input.fields[definition.typeField] : undefined;
		const name = definition.nameField ? input.fields[definition.nameField] : undefined;
		const messageId = module === 'emails' ? input.fields.messageId : undefined;
		return {
			recordType: typeof type === 'string' && type !== '' ? type : null,
			nameKey: typeof name === 'string' ? nameKey(name) : null,
			messageId: typeof messageId === 'string' ? messageIdKey(messageId) : null,
		};
	}

	private indexEmails(recordId: number, module: CrmModule, fields: Record<string, unknown>): void {
		for (const field of MODULES[module].emailFields) {
			const value = fields[field];
			if (typeof value !== 'string' || isBlank(value)) continue;
			this.stmt('INSERT OR IGNORE INTO record_emails (email_lc, record_id, module) VALUES (?, ?, ?)').run(
				emailKey(value),
				recordId,
				module,
			);
		}
	}

	private validate(module: CrmModule, input: CrmRecordInput): void {
		const definition = MODULES[module];
		for (const field of definition.mandatory) {
			if (isBlank(input.fields[field])) {
				throw new CrmError(
					'mandatoryField',
					`${definition.label}: the field "${field}" is mandatory but has no value`,
					`Fill in "${field}" (map a value to it), then run again.`,
					field,
				);
			}
		}
		if (input.assignedTo) this.assertAssignee(input.assignedTo);
		const accountId = input.fields.account_id;
		if (!isBlank(accountId) && module !== 'accounts' && !this.getRow('accounts', String(accountId))) {
			throw new CrmError(
				'invalid',
				`The account ${String(accountId)} referenced in "account_id" does not exist`,
				'Link the record to an existing account, or leave "account_id" empty.',
				'account_id',
			);
		}
	}

	private assertAssignee(assignee: CrmAssignee): void {
		const exists =
			assignee.type === 'user'
				? this.stmt('SELECT 1 FROM users WHERE id = ?').get(assignee.id)
				: assignee.type === 'group'
					? this.stmt('SELECT 1 FROM groups WHERE id = ?').get(assignee.id)
					: undefined;
		if (!exists) {
			throw new CrmError(
				'invalid',
				`The record cannot be assigned to ${assignee.type} "${assignee.id}": no such ${assignee.type} in the CRM`,
				'Choose an existing user or group.',
				'assignedTo',
			);
		}
	}

	private permissionOf(userId: string, module: CrmModule, permission: CrmPermission): boolean {
		const user = this.stmt('SELECT active FROM users WHERE id = ?').get(userId) as { active: number } | undefined;
		if (!user || user.active !== 1) return false;
		const row = this.stmt('SELECT level FROM user_permissions WHERE user_id = ? AND module = ?').get(userId, module) as
			| { level: string }
			| undefined;
		const level = row?.level ?? 'write';
		return level === 'write' || (level === 'read' && permission === 'read');
	}

	private assertMayWrite(userId: string | undefined, module: CrmModule): void {
		if (userId === undefined || this.permissionOf(userId, module, 'write')) return;
		throw new CrmError(
			'permission',
			`The CRM user "${userId}" has no write permission on ${MODULES[module].label}`,
			`Ask a CRM administrator to grant "${userId}" write access to ${MODULES[module].label}, or sync that module in one direction only.`,
		);
	}

	private assertModule(module: string): asserts module is CrmModule {
		if (!isCrmModule(module)) {
			throw new CrmError('invalid', `"${module}" is not a CRM module`, `Use one of: ${Object.keys(MODULES).join(', ')}.`);
		}
	}

	private toEmailRecord(row: RecordRow): CrmEmailRecord {
		const record = toRecord(row);
		const f = record.fields;
		const attachments = this.stmt(
			'SELECT id, file_name, content_type, content_id, inline, size FROM email_attachments WHERE email_id = ? ORDER BY id',
		).all(row.id) as unknown as AttachmentRow[];
		const links = this.stmt('SELECT module, record_id FROM email_links WHERE email_id = ? ORDER BY module, record_id').all(
			row.id,
		) as unknown as Array<{ module: CrmPersonModule; record_id: string }>;
		return {
			id: record.id,
			createdAt: record.createdAt,
			messageId: String(f.messageId),
			...(f.subject !== undefined ? { subject: String(f.subject) } : {}),
			...(f.from !== undefined ? { from: String(f.from) } : {}),
			to: asStrings(f.to),
			cc: asStrings(f.cc),
			bcc: asStrings(f.bcc),
			...(f.sentAt !== undefined ? { sentAt: String(f.sentAt) } : {}),
			...(f.bodyText !== undefined ? { bodyText: String(f.bodyText) } : {}),
			headers: (f.headers ?? {}) as Record<string, string | string[]>,
			links: links.map((l) => ({ module: l.module, id: l.record_id })),
			...(record.assignedTo ? { assignedTo: record.assignedTo } : {}),
			...(f.importedBy !== undefined ? { importedBy: String(f.importedBy) } : {}),
			attachments: attachments.map((a) => ({
				id: String(a.id),
				fileName: a.file_name,
				contentType: a.content_type,
				...(a.content_id ? { contentId: a.content_id } : {}),
				inline: a.inline === 1,
				size: a.size,
			})),
		};
	}
}

/** Mailbox addresses compare case-insensitively; the scope keeps every user's "me" apart. */
function syncRunMailboxKey(key: SyncRunKey): string {
	const mailbox = mailboxKey(key.mailbox);
	return key.scope ? `${mailbox}\u0000${key.scope}` : mailbox;
}

function toRecord(row: RecordRow): CrmRecord {
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

function toConflict(record: CrmRecord): CrmConflictRecord {
	const f = record.fields;
	return {
		id: record.id,
		createdAt: record.createdAt,
		module: f.module as CrmModule,
		...(f.recordId !== undefined ? { recordId: String(f.recordId) } : {}),
		side: f.side as CrmConflictRecord['side'],
		reason: String(f.reason),
		payload: f.payload,
		...(f.mailbox !== undefined ? { mailbox: String(f.mailbox) } : {}),
		resolved: f.resolved === true,
	};
}

function notFound(module: CrmModule, id: string): CrmError {
	return new CrmError(
		'notFound',
		`There is no ${MODULES[module].label} record with the id "${id}"`,
		'Check the id; the record may have been deleted.',
	);
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

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

function dropBlankValues(fields: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null));
}

function asStrings(value: unknown): string[] {
	return Array.isArray(value) ? value.map(String) : [];
}
