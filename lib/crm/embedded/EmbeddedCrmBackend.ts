/** The embedded CRM (SQLite through node:sqlite): one store, the four role modules over it, and the sync run log. */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

import type { CrmEmailRecord, CrmGroup, CrmModule, CrmPermission, CrmUser } from '../types';
import { CrmError } from '../types';
import {
	decideFinish,
	decidePause,
	decideStart,
	keepsCommittedState,
	mailboxKey,
	matchesFilter,
	type CrmSyncRunLog,
	type SavedSyncState,
	type SyncRunFilter,
	type SyncRunKey,
	type SyncRunResult,
	type SyncRunStart,
	type SyncRunStatus,
} from '../run-log';
import { ComposedCrmBackend } from '../composed-backend';
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
export class EmbeddedCrmBackend extends ComposedCrmBackend implements CrmSyncRunLog {
	readonly kind = 'embedded';
	readonly instanceId: string;
	private readonly store: EmbeddedStore;
	private readonly directory: EmbeddedDirectory;
	private readonly emails: EmbeddedEmailArchive;
	private readonly now: () => Date;

	private constructor(
		db: DatabaseSync,
		readonly databasePath: string,
		options: EmbeddedCrmOptions,
	) {
		const now = options.now ?? (() => new Date());
		const store = new EmbeddedStore(db, now);
		const records = new EmbeddedRecords(store);
		const roles = {
			records,
			directory: new EmbeddedDirectory(store),
			emails: new EmbeddedEmailArchive(store),
			conflicts: new EmbeddedConflictLog(store, records),
		};
		super(roles);
		this.now = now;
		this.store = store;
		this.instanceId = store.instanceId;
		this.directory = roles.directory;
		this.emails = roles.emails;
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

	// ---- administration of users, groups, permissions (directory.ts) ---------------------

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

	// ---- stored e-mails and attachments (email-archive.ts) ------------------------------

	getEmail(id: string): Promise<CrmEmailRecord | undefined> {
		return this.emails.getEmail(id);
	}

	getEmailAttachmentContent(emailId: string, attachmentId: string): Promise<Buffer | undefined> {
		return this.emails.getEmailAttachmentContent(emailId, attachmentId);
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
		const row = this.stmt('SELECT generation, saved_at, data FROM sync_states WHERE mailbox_key = ? AND component = ?').get(
			syncRunMailboxKey(key),
			key.component,
		) as { generation: number; saved_at: string; data: string } | undefined;
		return row ? { generation: Number(row.generation), savedAt: row.saved_at, data: JSON.parse(row.data) as unknown } : undefined;
	}

	async listSyncRuns(): Promise<SyncRunStatus[]> {
		return this.readSyncRuns();
	}

	async setSyncRunsPaused(filter: SyncRunFilter, pause: { reason: string } | undefined): Promise<SyncRunStatus[]> {
		return this.transaction(() => {
			const changed = this.readSyncRuns()
				.filter((status) => matchesFilter(status, filter))
				.map((status) => decidePause(status, pause, this.now()));
			for (const status of changed) this.writeSyncRun(status);
			return changed;
		});
	}

	private readSyncRuns(): SyncRunStatus[] {
		const rows = this.stmt('SELECT status FROM sync_runs ORDER BY mailbox_key, component').all() as unknown as Array<{ status: string }>;
		return rows.map((row) => JSON.parse(row.status) as SyncRunStatus);
	}

	private syncRunRow(key: SyncRunKey): SyncRunStatus | undefined {
		const row = this.stmt('SELECT status FROM sync_runs WHERE mailbox_key = ? AND component = ?').get(syncRunMailboxKey(key), key.component) as
			| { status: string }
			| undefined;
		return row ? (JSON.parse(row.status) as SyncRunStatus) : undefined;
	}

	private writeSyncRun(status: SyncRunStatus): void {
		this.stmt(
			'INSERT INTO sync_runs (mailbox_key, component, status) VALUES (?, ?, ?) ON CONFLICT (mailbox_key, component) DO UPDATE SET status = excluded.status',
		).run(syncRunMailboxKey(status), status.component, JSON.stringify(status));
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
