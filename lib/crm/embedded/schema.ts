import type { DatabaseSync } from 'node:sqlite';

import { CrmError } from '../types';

/**
 * Ordered migrations. Never edit a released entry: append a new one. The database records
 * the number of applied migrations in `schema_version`.
 *
 * Layout: one `records` table for every module (core columns + the module's fields as
 * JSON), with indexed lookup columns for what the sync asks: change sequence per module,
 * modified time, Exchange ident, account name key, Message-ID. E-mail addresses live in
 * `record_emails` so that one index serves findByEmail across modules.
 */
export const MIGRATIONS: readonly string[] = [
	`
	CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
	CREATE TABLE users (
		id TEXT PRIMARY KEY,
		user_name TEXT NOT NULL UNIQUE,
		email TEXT,
		first_name TEXT,
		last_name TEXT,
		active INTEGER NOT NULL DEFAULT 1
	);
	CREATE TABLE groups (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE);
	CREATE TABLE group_members (
		group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		PRIMARY KEY (group_id, user_id)
	) WITHOUT ROWID;
	-- No row: full access. A row restricts the user on one module to 'none' or 'read'.
	CREATE TABLE user_permissions (
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		module TEXT NOT NULL,
		level TEXT NOT NULL CHECK (level IN ('none', 'read', 'write')),
		PRIMARY KEY (user_id, module)
	) WITHOUT ROWID;
	CREATE TABLE event_types (name TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID;
	INSERT INTO event_types (name, position) VALUES ('Call', 1), ('Meeting', 2), ('Mobile Call', 3);

	CREATE TABLE records (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		module TEXT NOT NULL,
		created_at TEXT NOT NULL,
		modified_at TEXT NOT NULL,
		change_seq INTEGER NOT NULL,
		assigned_type TEXT,
		assigned_id TEXT,
		tags TEXT NOT NULL DEFAULT '[]',
		exchange_ident TEXT,
		record_type TEXT,
		name_key TEXT,
		message_id TEXT,
		fields TEXT NOT NULL
	);
	CREATE INDEX records_module_seq ON records (module, change_seq);
	CREATE INDEX records_module_modified ON records (module, modified_at);
	CREATE INDEX records_ident ON records (exchange_ident) WHERE exchange_ident IS NOT NULL;
	CREATE INDEX records_name_key ON records (module, name_key) WHERE name_key IS NOT NULL;
	CREATE UNIQUE INDEX records_message_id ON records (message_id) WHERE message_id IS NOT NULL;
	CREATE INDEX records_assigned ON records (module, assigned_type, assigned_id);

	CREATE TABLE record_emails (
		email_lc TEXT NOT NULL,
		record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
		module TEXT NOT NULL,
		PRIMARY KEY (email_lc, record_id)
	) WITHOUT ROWID;
	CREATE INDEX record_emails_record ON record_emails (record_id);

	CREATE TABLE tombstones (
		record_id INTEGER PRIMARY KEY,
		module TEXT NOT NULL,
		change_seq INTEGER NOT NULL,
		deleted_at TEXT NOT NULL
	);
	CREATE INDEX tombstones_module_seq ON tombstones (module, change_seq);

	CREATE TABLE email_attachments (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		email_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
		file_name TEXT NOT NULL,
		content_type TEXT NOT NULL,
		content_id TEXT,
		inline INTEGER NOT NULL,
		size INTEGER NOT NULL,
		content BLOB NOT NULL
	);
	CREATE INDEX email_attachments_email ON email_attachments (email_id);
	CREATE TABLE email_links (
		email_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
		module TEXT NOT NULL,
		record_id TEXT NOT NULL,
		PRIMARY KEY (email_id, module, record_id)
	) WITHOUT ROWID;
	CREATE INDEX email_links_record ON email_links (module, record_id);
	`,
	// The sync run log (lib/crm/run-log.ts): one row per mailbox and component, its status as JSON.
	`
	CREATE TABLE sync_runs (
		mailbox_key TEXT NOT NULL,
		component TEXT NOT NULL,
		status TEXT NOT NULL,
		PRIMARY KEY (mailbox_key, component)
	) WITHOUT ROWID;
	`,
	// The newest committed sync state per run-log row (docs/decisions.md §17), apart from the status so
	// that listing the status never reads the states.
	`
	CREATE TABLE sync_states (
		mailbox_key TEXT NOT NULL,
		component TEXT NOT NULL,
		generation INTEGER NOT NULL,
		saved_at TEXT NOT NULL,
		data TEXT NOT NULL,
		PRIMARY KEY (mailbox_key, component)
	) WITHOUT ROWID;
	`,
];

/** Applies the missing migrations; safe when several processes open the same file at once. */
export function migrate(db: DatabaseSync): void {
	for (;;) {
		db.exec('BEGIN IMMEDIATE');
		try {
			db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
			const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
			if (!row) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
			const current = row?.version ?? 0;
			if (current > MIGRATIONS.length) {
				throw new CrmError(
					'unavailable',
					`The CRM database was created by a newer version of this package (schema ${current}, this version knows ${MIGRATIONS.length})`,
					'Update the n8n-nodes-exchange-crm-sync package, or point the CRM credential at another database file.',
				);
			}
			if (current === MIGRATIONS.length) {
				db.exec('COMMIT');
				return;
			}
			db.exec(MIGRATIONS[current]);
			db.prepare('UPDATE schema_version SET version = ?').run(current + 1);
			db.exec('COMMIT');
		} catch (error) {
			if (db.isTransaction) db.exec('ROLLBACK');
			throw error;
		}
	}
}
