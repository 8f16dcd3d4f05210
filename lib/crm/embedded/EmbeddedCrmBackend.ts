/** The embedded CRM (SQLite through node:sqlite): one store, the four role modules over it, and the sync run log. */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

import type {
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
import { EmbeddedConflictLog } from './conflict-log';
import { EmbeddedDirectory } from './directory';
import { EmbeddedEmailArchive } from './email-archive';
import { EmbeddedRecords } from './records';
import { openSqlite } from './sqlite';
import { EmbeddedStore } from './store';

export { emailKey, messageIdKey, nameKey } from './rows';

export interface EmbeddedCrmOptions {
	/** Clock for created/modified timestamps (tests). */
	now?: () => Date;
}

/**
 * The embedded CRM: a SQLite database file through node:sqlite. Each role of CrmBackend is its own
 * module over the shared EmbeddedStore (store.ts); this class composes them.
 *
 * All SQLite calls are synchronous, so a method never yields between BEGIN and COMMIT and
 * concurrent executions in one process cannot interleave inside a transaction.
 */
export class EmbeddedCrmBackend implements CrmBackend, CrmSyncRunLog {
	readonly kind = 'embedded';
	readonly instanceId: string;
	private readonly store: EmbeddedStore;
	private readonly records: EmbeddedRecords;
	private readonly directory: EmbeddedDirectory;
	private readonly emails: EmbeddedEmailArchive;
	private readonly conflicts: EmbeddedConflictLog;
	private readonly now: () => Date;

	private constructor(
		db: DatabaseSync,
		readonly databasePath: string,
		options: EmbeddedCrmOptions,
	) {
		this.now = options.now ?? (() => new Date());
		this.store = new EmbeddedStore(db, this.now);
		this.instanceId = this.store.instanceId;
		this.records = new EmbeddedRecords(this.store);
		this.directory = new EmbeddedDirectory(this.store);
		this.emails = new EmbeddedEmailArchive(this.store);
		this.conflicts = new EmbeddedConflictLog(this.store, this.records);
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

	// ---- records (records.ts) ------------------------------------------------------------

	listChanges(module: CrmModule, cursor: string | undefined, options?: { limit?: number }): Promise<CrmChangePage> {
		return this.records.listChanges(module, cursor, options);
	}

	list(module: CrmModule, filter?: CrmListFilter): Promise<CrmRecord[]> {
		return this.records.list(module, filter);
	}

	get(module: CrmModule, id: string): Promise<CrmRecord | undefined> {
		return this.records.get(module, id);
	}

	create(module: CrmModule, input: CrmRecordInput, options?: { actingUserId?: string }): Promise<CrmRecord> {
		return this.records.create(module, input, options);
	}

	update(
		module: CrmModule,
		id: string,
		patch: Partial<CrmRecordInput>,
		options?: { ifEtag?: string; actingUserId?: string },
	): Promise<CrmRecord> {
		return this.records.update(module, id, patch, options);
	}

	delete(module: CrmModule, id: string, options?: { actingUserId?: string }): Promise<void> {
		return this.records.delete(module, id, options);
	}

	findByEmail(email: string, modules: readonly CrmPersonModule[]): Promise<CrmRecord[]> {
		return this.records.findByEmail(email, modules);
	}

	findAccountByName(name: string): Promise<CrmRecord | undefined> {
		return this.records.findAccountByName(name);
	}

	/** Records paired with this Exchange ident (normally one). */
	findByExchangeIdent(module: CrmModule, ident: string): Promise<CrmRecord[]> {
		return this.records.findByExchangeIdent(module, ident);
	}

	// ---- users, groups, permissions (directory.ts) ---------------------------------------

	listUsers(): Promise<CrmUser[]> {
		return this.directory.listUsers();
	}

	listGroups(): Promise<CrmGroup[]> {
		return this.directory.listGroups();
	}

	listEventTypes(): Promise<string[]> {
		return this.directory.listEventTypes();
	}

	checkPermission(userId: string, module: CrmModule, permission: CrmPermission): Promise<boolean> {
		return this.directory.checkPermission(userId, module, permission);
	}

	/** Creates or replaces a user (administration, seed). */
	saveUser(user: Omit<CrmUser, 'groupIds'> & { groupIds?: string[] }): void {
		this.directory.saveUser(user);
	}

	saveGroup(group: CrmGroup): void {
		this.directory.saveGroup(group);
	}

	/** O5: restrict (or, with 'write', un-restrict) one user on one module. */
	setPermission(userId: string, module: CrmModule, level: 'none' | CrmPermission): void {
		this.directory.setPermission(userId, module, level);
	}

	setEventTypes(names: readonly string[]): void {
		this.directory.setEventTypes(names);
	}

	// ---- e-mails (email-archive.ts) ------------------------------------------------------

	findEmailByMessageId(messageId: string): Promise<CrmEmailRecord | undefined> {
		return this.emails.findEmailByMessageId(messageId);
	}

	getEmail(id: string): Promise<CrmEmailRecord | undefined> {
		return this.emails.getEmail(id);
	}

	getEmailAttachmentContent(emailId: string, attachmentId: string): Promise<Buffer | undefined> {
		return this.emails.getEmailAttachmentContent(emailId, attachmentId);
	}

	/** E6/E7: the e-mail, its attachments and its links are written all-or-nothing. */
	createEmail(input: CrmEmailInput): Promise<CrmEmailRecord> {
		return this.emails.createEmail(input);
	}

	// ---- sync conflicts (conflict-log.ts) ------------------------------------------------

	recordConflict(input: CrmConflictInput): Promise<CrmConflictRecord> {
		return this.conflicts.recordConflict(input);
	}

	listConflicts(options?: { resolved?: boolean }): Promise<CrmConflictRecord[]> {
		return this.conflicts.listConflicts(options);
	}

	resolveConflict(id: string): Promise<CrmConflictRecord> {
		return this.conflicts.resolveConflict(id);
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
		this.store.close();
	}

	// ---- the store, for the sync run log above -------------------------------------------

	private stmt(sql: string): StatementSync {
		return this.store.stmt(sql);
	}

	private transaction<T>(work: () => T): T {
		return this.store.transaction(work);
	}
}

/** Mailbox addresses compare case-insensitively; the scope keeps every user's "me" apart. */
function syncRunMailboxKey(key: SyncRunKey): string {
	const mailbox = mailboxKey(key.mailbox);
	return key.scope ? `${mailbox}\u0000${key.scope}` : mailbox;
}
