/**
 * The CRM backend interface (DESIGN.md §5). The engine and the nodes only talk to this;
 * each CRM (embedded SQLite, vtiger webservice, ...) implements it.
 *
 * Field names inside `fields` follow vtiger CRM's field names (firstname, lastname,
 * account_id, date_start, activitytype, taskstatus, ...), so one Field Mapping preset
 * serves the embedded CRM and vtiger alike. A backend may know more fields than the preset
 * maps; unknown fields are kept as they are.
 */
import type { Component } from '../model/types';

export type CrmModule = 'accounts' | 'contacts' | 'leads' | 'partners' | 'events' | 'tasks' | 'emails' | 'conflicts';

/** The CRM module each synced component lives in. */
export const COMPONENT_MODULE: Readonly<Record<Component, CrmModule>> = { contact: 'contacts', event: 'events', task: 'tasks' };

/** Modules a person's e-mail address can be found in (E1 search order: leads, contacts, accounts, partners). */
export type CrmPersonModule = 'leads' | 'contacts' | 'accounts' | 'partners';

export interface CrmAssignee {
	type: 'user' | 'group';
	id: string;
}

export interface CrmRecord {
	id: string;
	module: CrmModule;
	/** ISO UTC instant */
	createdAt: string;
	/** ISO UTC instant; bumps on every write. */
	modifiedAt: string;
	/** Opaque version for optimistic concurrency and the engine's changed-test. */
	etag: string;
	assignedTo?: CrmAssignee;
	tags: string[];
	/** The sync ident written on the Exchange side (DESIGN.md §2), if the record is paired. */
	exchangeIdent?: string;
	fields: Record<string, unknown>;
}

export interface CrmRecordInput {
	assignedTo?: CrmAssignee;
	tags?: string[];
	exchangeIdent?: string;
	fields: Record<string, unknown>;
}

export interface CrmChangePage {
	changed: CrmRecord[];
	/** Ids deleted since the cursor, so the engine can tell "deleted" from "not changed". */
	deletedIds: string[];
	/** Pass back to get the next page / the next run's changes. */
	cursor: string;
	/** true: call again with `cursor` for more of this run's changes. */
	hasMore: boolean;
}

export interface CrmUser {
	id: string;
	userName: string;
	email?: string;
	firstName?: string;
	lastName?: string;
	active: boolean;
	groupIds: string[];
}

export interface CrmGroup {
	id: string;
	name: string;
}

export interface CrmEmailAttachment {
	fileName: string;
	contentType: string;
	/** Content-ID for inline parts (without angle brackets). */
	contentId?: string;
	inline: boolean;
	content: Buffer;
}

export interface CrmEmailInput {
	messageId: string;
	subject?: string;
	from?: string;
	to: string[];
	cc: string[];
	bcc: string[];
	/** ISO instant */
	sentAt?: string;
	bodyText?: string;
	/** Raw header lines, name → value(s). */
	headers: Record<string, string | string[]>;
	attachments: CrmEmailAttachment[];
	/** Records the e-mail is linked to. */
	links: Array<{ module: CrmPersonModule; id: string }>;
	assignedTo?: CrmAssignee;
	/** Mailbox that imported it. */
	importedBy?: string;
}

export interface CrmEmailRecord extends Omit<CrmEmailInput, 'attachments'> {
	id: string;
	createdAt: string;
	attachments: Array<Omit<CrmEmailAttachment, 'content'> & { id: string; size: number }>;
}

export interface CrmConflictInput {
	module: CrmModule;
	recordId?: string;
	/** Which side the offending data came from. */
	side: 'crm' | 'exchange';
	reason: string;
	payload: unknown;
	mailbox?: string;
}

export interface CrmConflictRecord extends CrmConflictInput {
	id: string;
	createdAt: string;
	resolved: boolean;
}

export type CrmPermission = 'read' | 'write';

export interface CrmListFilter {
	modifiedSince?: string;
	assignedTo?: CrmAssignee;
	tags?: string[];
	/** Event type (events) or record type. */
	type?: string;
	limit?: number;
	offset?: number;
}

/** Records of the synced and looked-up modules: the change feed, CRUD and the lookups. */
export interface CrmRecords {
	listChanges(module: CrmModule, cursor: string | undefined, options?: { limit?: number }): Promise<CrmChangePage>;
	list(module: CrmModule, filter?: CrmListFilter): Promise<CrmRecord[]>;
	get(module: CrmModule, id: string): Promise<CrmRecord | undefined>;
	create(module: CrmModule, input: CrmRecordInput, options?: { actingUserId?: string }): Promise<CrmRecord>;
	/** Partial update. `ifEtag`: fail with CrmError 'conflict' when the record changed meanwhile. */
	update(module: CrmModule, id: string, patch: Partial<CrmRecordInput>, options?: { ifEtag?: string; actingUserId?: string }): Promise<CrmRecord>;
	delete(module: CrmModule, id: string, options?: { actingUserId?: string }): Promise<void>;

	/** E2/E10: records with this address in the given modules, earliest created first. */
	findByEmail(email: string, modules: readonly CrmPersonModule[]): Promise<CrmRecord[]>;
	/** S7: exact, case-insensitive account name. */
	findAccountByName(name: string): Promise<CrmRecord | undefined>;
	/** Records carrying this Exchange ident (normally none or one); makes creates from Exchange idempotent. */
	findByExchangeIdent(module: CrmModule, ident: string): Promise<CrmRecord[]>;
}

/** Users, groups, event types and permissions (O5). */
export interface CrmDirectory {
	listUsers(): Promise<CrmUser[]>;
	listGroups(): Promise<CrmGroup[]>;
	listEventTypes(): Promise<string[]>;
	/** O5 */
	checkPermission(userId: string, module: CrmModule, permission: CrmPermission): Promise<boolean>;
}

/** Archived e-mails (E6) and their attachments. */
export interface CrmEmailArchive {
	/** E6 */
	findEmailByMessageId(messageId: string): Promise<CrmEmailRecord | undefined>;
	createEmail(input: CrmEmailInput): Promise<CrmEmailRecord>;
	/** The stored bytes of one attachment; optional for backends that cannot serve them. */
	getEmailAttachmentContent?(emailId: string, attachmentId: string): Promise<Buffer | undefined>;
}

/** Conflicts and invalid items for a person to resolve (S12/E11). */
export interface CrmConflictLog {
	/** S12/E11 */
	recordConflict(input: CrmConflictInput): Promise<CrmConflictRecord>;
	listConflicts(options?: { resolved?: boolean }): Promise<CrmConflictRecord[]>;
	resolveConflict(id: string): Promise<CrmConflictRecord>;
}

/**
 * A whole CRM: every role above. Code that needs one role takes that role's interface
 * (or a Pick of it), so a CRM that has only some of the parts can serve it.
 */
export interface CrmBackend extends CrmRecords, CrmDirectory, CrmEmailArchive, CrmConflictLog {
	/** Stable id of this CRM instance; part of every sync ident (S25). */
	readonly instanceId: string;
	readonly kind: string;

	close(): Promise<void>;
}

export type CrmErrorCode = 'notFound' | 'mandatoryField' | 'permission' | 'conflict' | 'duplicate' | 'auth' | 'unavailable' | 'invalid';

/** Errors a backend throws; `message` is for an end user, `hint` says what to do. */
export class CrmError extends Error {
	constructor(
		readonly code: CrmErrorCode,
		message: string,
		readonly hint?: string,
		readonly field?: string,
	) {
		super(message);
		this.name = 'CrmError';
	}
}
