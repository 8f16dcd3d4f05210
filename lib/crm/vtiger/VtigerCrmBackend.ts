/** The vtiger CRM backend: the four role modules over one shared VtigerContext. */
import type { VtigerCrmConfig } from '../config';
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
import { VtigerConflictLog } from './conflict-log';
import { VtigerContext } from './context';
import { VtigerDirectory } from './directory';
import { VtigerEmailArchive } from './email-archive';
import { VtigerRecords } from './records';

/**
 * vtiger CRM 7/8 through webservice.php. Values are strings in vtiger: empty strings and
 * nulls are dropped so that "" (retrieve) and null (query/sync) read the same.
 * Each role of CrmBackend is its own module; they share the client and the describe cache
 * through one VtigerContext (context.ts).
 */
export class VtigerCrmBackend implements CrmBackend {
	readonly kind = 'vtiger';
	readonly instanceId: string;
	private readonly records: VtigerRecords;
	private readonly directory: VtigerDirectory;
	private readonly emails: VtigerEmailArchive;
	private readonly conflicts: VtigerConflictLog;

	constructor(config: VtigerCrmConfig, options: { warn?: (message: string) => void } = {}) {
		const context = new VtigerContext(config, options);
		this.instanceId = `vtiger:${config.url.trim().replace(/\/+$/, '').replace(/\/webservice\.php$/, '')}`;
		this.directory = new VtigerDirectory(context);
		this.records = new VtigerRecords(context, this.directory);
		this.emails = new VtigerEmailArchive(context);
		this.conflicts = new VtigerConflictLog(context);
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

	findByExchangeIdent(module: CrmModule, ident: string): Promise<CrmRecord[]> {
		return this.records.findByExchangeIdent(module, ident);
	}

	findAccountByName(name: string): Promise<CrmRecord | undefined> {
		return this.records.findAccountByName(name);
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

	// ---- e-mails (email-archive.ts) ------------------------------------------------------

	findEmailByMessageId(messageId: string): Promise<CrmEmailRecord | undefined> {
		return this.emails.findEmailByMessageId(messageId);
	}

	createEmail(input: CrmEmailInput): Promise<CrmEmailRecord> {
		return this.emails.createEmail(input);
	}

	// ---- sync conflicts (conflict-log.ts: ModComments on the record) ---------------------

	recordConflict(input: CrmConflictInput): Promise<CrmConflictRecord> {
		return this.conflicts.recordConflict(input);
	}

	listConflicts(options?: { resolved?: boolean }): Promise<CrmConflictRecord[]> {
		return this.conflicts.listConflicts(options);
	}

	resolveConflict(id: string): Promise<CrmConflictRecord> {
		return this.conflicts.resolveConflict(id);
	}

	async close(): Promise<void> {
		// vtiger sessions expire on their own; stock 8.x answers logout with HTTP 500.
	}
}
