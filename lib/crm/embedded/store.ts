/** The embedded CRM's SQLite store: the handle, the statement cache, transactions and the generic record writes every role shares. */
import { randomUUID } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';

import type { CrmAssignee, CrmModule, CrmPermission, CrmRecordInput } from '../types';
import { CrmError } from '../types';
import { isBlank, isCrmModule, MODULES } from './modules';
import { dropBlankValues, emailKey, messageIdKey, nameKey, RECORD_COLUMNS, type RecordRow } from './rows';
import { migrate } from './schema';

/**
 * All SQLite calls are synchronous, so a method never yields between BEGIN and COMMIT and
 * concurrent executions in one process cannot interleave inside a transaction.
 */
export class EmbeddedStore {
	readonly instanceId: string;
	private readonly statements = new Map<string, StatementSync>();
	private closed = false;

	constructor(
		private readonly db: DatabaseSync,
		/** Clock for created/modified timestamps. */
		readonly now: () => Date,
	) {
		migrate(db);
		db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('instance_id', ?), ('change_seq', '0')").run(randomUUID());
		this.instanceId = (db.prepare("SELECT value FROM meta WHERE key = 'instance_id'").get() as { value: string }).value;
	}

	close(): void {
		if (this.closed) return;
		this.closed = true;
		this.statements.clear();
		this.db.close();
	}

	stmt(sql: string): StatementSync {
		if (this.closed) throw new CrmError('unavailable', 'The CRM database has been closed', 'Open the CRM again.');
		let statement = this.statements.get(sql);
		if (!statement) {
			statement = this.db.prepare(sql);
			this.statements.set(sql, statement);
		}
		return statement;
	}

	transaction<T>(work: () => T): T {
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

	readTransaction<T>(work: () => T): T {
		this.stmt('BEGIN').run();
		try {
			return work();
		} finally {
			if (this.db.isTransaction) this.stmt('COMMIT').run();
		}
	}

	currentSeq(): number {
		return Number((this.stmt("SELECT value FROM meta WHERE key = 'change_seq'").get() as { value: string }).value);
	}

	timestamp(): string {
		return this.now().toISOString();
	}

	nextSeq(): number {
		const row = this.stmt("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'change_seq' RETURNING CAST(value AS INTEGER) AS seq").get() as {
			seq: number;
		};
		return row.seq;
	}

	getRow(module: CrmModule, id: string): RecordRow | undefined {
		if (!/^\d+$/.test(String(id))) return undefined;
		return this.stmt(`SELECT ${RECORD_COLUMNS} FROM records WHERE id = ? AND module = ?`).get(Number(id), module) as unknown as RecordRow | undefined;
	}

	insertRecord(module: CrmModule, input: CrmRecordInput): RecordRow {
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

	derivedColumns(module: CrmModule, input: CrmRecordInput): { recordType: string | null; nameKey: string | null; messageId: string | null } {
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

	indexEmails(recordId: number, module: CrmModule, fields: Record<string, unknown>): void {
		for (const field of MODULES[module].emailFields) {
			const value = fields[field];
			if (typeof value !== 'string' || isBlank(value)) continue;
			this.stmt('INSERT OR IGNORE INTO record_emails (email_lc, record_id, module) VALUES (?, ?, ?)').run(emailKey(value), recordId, module);
		}
	}

	validate(module: CrmModule, input: CrmRecordInput): void {
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

	permissionOf(userId: string, module: CrmModule, permission: CrmPermission): boolean {
		const user = this.stmt('SELECT active FROM users WHERE id = ?').get(userId) as { active: number } | undefined;
		if (!user || user.active !== 1) return false;
		const row = this.stmt('SELECT level FROM user_permissions WHERE user_id = ? AND module = ?').get(userId, module) as { level: string } | undefined;
		const level = row?.level ?? 'write';
		return level === 'write' || (level === 'read' && permission === 'read');
	}

	assertMayWrite(userId: string | undefined, module: CrmModule): void {
		if (userId === undefined || this.permissionOf(userId, module, 'write')) return;
		throw new CrmError(
			'permission',
			`The CRM user "${userId}" has no write permission on ${MODULES[module].label}`,
			`Ask a CRM administrator to grant "${userId}" write access to ${MODULES[module].label}, or sync that module in one direction only.`,
		);
	}

	assertModule(module: string): asserts module is CrmModule {
		if (!isCrmModule(module)) {
			throw new CrmError('invalid', `"${module}" is not a CRM module`, `Use one of: ${Object.keys(MODULES).join(', ')}.`);
		}
	}
}
