/**
 * A CRM backend made of its four roles (lib/crm/types.ts): every call goes to the role that does it, so
 * a backend supplies the role modules it has and its own connection handling.
 */
import type {
	CrmBackend,
	CrmChangePage,
	CrmConflictInput,
	CrmConflictLog,
	CrmConflictRecord,
	CrmDirectory,
	CrmEmailArchive,
	CrmEmailInput,
	CrmEmailRecord,
	CrmGroup,
	CrmListFilter,
	CrmModule,
	CrmPermission,
	CrmPersonModule,
	CrmRecord,
	CrmRecordInput,
	CrmRecords,
	CrmUser,
} from './types';

export interface CrmRoles {
	records: CrmRecords;
	directory: CrmDirectory;
	emails: CrmEmailArchive;
	conflicts: CrmConflictLog;
}

export abstract class ComposedCrmBackend implements CrmBackend {
	abstract readonly kind: string;
	abstract readonly instanceId: string;

	protected constructor(private readonly roles: CrmRoles) {}

	abstract close(): Promise<void>;

	// ---- records------------------------------------------------------------------------

	listChanges(module: CrmModule, cursor: string | undefined, options?: { limit?: number }): Promise<CrmChangePage> {
		return this.roles.records.listChanges(module, cursor, options);
	}

	list(module: CrmModule, filter?: CrmListFilter): Promise<CrmRecord[]> {
		return this.roles.records.list(module, filter);
	}

	get(module: CrmModule, id: string): Promise<CrmRecord | undefined> {
		return this.roles.records.get(module, id);
	}

	create(module: CrmModule, input: CrmRecordInput, options?: { actingUserId?: string }): Promise<CrmRecord> {
		return this.roles.records.create(module, input, options);
	}

	update(module: CrmModule, id: string, patch: Partial<CrmRecordInput>, options?: { ifEtag?: string; actingUserId?: string }): Promise<CrmRecord> {
		return this.roles.records.update(module, id, patch, options);
	}

	delete(module: CrmModule, id: string, options?: { actingUserId?: string }): Promise<void> {
		return this.roles.records.delete(module, id, options);
	}

	findByEmail(email: string, modules: readonly CrmPersonModule[]): Promise<CrmRecord[]> {
		return this.roles.records.findByEmail(email, modules);
	}

	findByExchangeIdent(module: CrmModule, ident: string): Promise<CrmRecord[]> {
		return this.roles.records.findByExchangeIdent(module, ident);
	}

	findAccountByName(name: string): Promise<CrmRecord | undefined> {
		return this.roles.records.findAccountByName(name);
	}

	// ---- users, groups, permissions-----------------------------------------------------

	listUsers(): Promise<CrmUser[]> {
		return this.roles.directory.listUsers();
	}

	listGroups(): Promise<CrmGroup[]> {
		return this.roles.directory.listGroups();
	}

	listEventTypes(): Promise<string[]> {
		return this.roles.directory.listEventTypes();
	}

	checkPermission(userId: string, module: CrmModule, permission: CrmPermission): Promise<boolean> {
		return this.roles.directory.checkPermission(userId, module, permission);
	}

	// ---- e-mails------------------------------------------------------------------------

	findEmailByMessageId(messageId: string): Promise<CrmEmailRecord | undefined> {
		return this.roles.emails.findEmailByMessageId(messageId);
	}

	createEmail(input: CrmEmailInput): Promise<CrmEmailRecord> {
		return this.roles.emails.createEmail(input);
	}

	// ---- sync conflicts ---------------------

	recordConflict(input: CrmConflictInput): Promise<CrmConflictRecord> {
		return this.roles.conflicts.recordConflict(input);
	}

	listConflicts(options?: { resolved?: boolean }): Promise<CrmConflictRecord[]> {
		return this.roles.conflicts.listConflicts(options);
	}

	resolveConflict(id: string): Promise<CrmConflictRecord> {
		return this.roles.conflicts.resolveConflict(id);
	}
}
