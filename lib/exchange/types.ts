/**
 * The Exchange interface: what the nodes and the engine need from a mailbox, whichever
 * protocol serves it (Microsoft Graph for Microsoft 365, EWS for on-premises Exchange).
 * Records are canonical (lib/model); protocol objects stay inside the implementations,
 * except `raw` for the nodes' "raw output" option.
 */
import type { Component, ComponentRecordMap } from '../model/types';

export interface ExchangeItem<C extends Component = Component> {
	id: string;
	/** Graph @odata.etag / changeKey; EWS ChangeKey. */
	etag: string;
	/** Sync ident from the CrmSyncKey extended property (DESIGN.md §2), when set. */
	ident?: string;
	/** ISO instant */
	modifiedAt?: string;
	/** ISO instant */
	createdAt?: string;
	folderId?: string;
	record: ComponentRecordMap[C];
	raw?: unknown;
}

export interface ExchangeChangePage<C extends Component = Component> {
	items: Array<ExchangeItem<C>>;
	/** Ids deleted from the folder (or moved out of it, F3). Window exits are not included. */
	deletedIds: string[];
	/** Opaque cursor for the next call; commit it only after the changes were processed. */
	cursor: string;
	/** true: the old cursor was stale (Graph 410 / syncStateNotFound, EWS invalid SyncState):
	 *  `items` is a full listing and absence means deletion. */
	fullResync: boolean;
	/** true: more pages of this run's changes; call again with `cursor`. */
	hasMore: boolean;
	/** Items that could not be mapped (S12: reported, not fatal). */
	invalid?: Array<{ id: string; reason: string }>;
}

export interface SyncWindow {
	/** ISO instant: appointments/tasks ending before this are outside the window (A2). */
	from: string;
	/** ISO instant; calendar views need an end. */
	to: string;
}

export type SyncFolderKind = Component | 'mail';

export interface ExchangeFolder {
	id: string;
	displayName: string;
	kind: SyncFolderKind;
	parentId?: string;
	/** Well-known name when it is one (inbox, sentitems, calendar, contacts, tasks, ...). */
	wellKnownName?: string;
	childFolderCount?: number;
}

export interface SyncFolders {
	contact?: string;
	event?: string;
	task?: string;
	mail?: { root: string; accounts: string; contacts: string; leads: string; partner: string };
}

export interface EnsureSyncFoldersOptions {
	components: SyncFolderKind[];
	/** F2: use the mailbox's default folder instead of a CRM-Sync folder. */
	useDefaultFolder?: Partial<Record<SyncFolderKind, boolean>>;
	/** Display name of the created folders; default "CRM-Sync". */
	folderName?: string;
}

export interface MailMessageSummary {
	id: string;
	folderId: string;
	internetMessageId?: string;
	subject?: string;
	from?: string;
	receivedAt?: string;
	/** When the protocol reports it (EWS MovedEvent OldParentFolderId, or a folder index). */
	previousFolderId?: string;
	/** The message's size in bytes, when the protocol reports it (Graph: PidTagMessageSize in the delta). */
	size?: number;
}

export interface MailChangePage {
	messages: MailMessageSummary[];
	deletedIds: string[];
	cursor: string;
	fullResync: boolean;
	hasMore: boolean;
}

export interface WriteOptions {
	/** If-Match / ChangeKey: fail with ExchangeError 'conflict' when the item changed meanwhile. */
	etag?: string;
	/** S18: write attendees into the body text instead of inviting them. */
	attendeesInBody?: boolean;
	/**
	 * Updates: the canonical fields whose values change (the plan's `changedFields`). When set, the client
	 * writes only these and leaves every other property of the item exactly as it is (categories, a third
	 * e-mail address, the HTML body, ...); a listed field that is absent in the record is cleared. List
	 * properties are merged by slot: `email` is the first address, `otherEmail` the second, the rest stay.
	 * When unset, the whole mapped record is written (creates, and callers that have no diff).
	 */
	changedFields?: readonly string[];
}

/** One write of a batch (ExchangeClient.applyMany): what create, update and delete take, as data. */
export type ExchangeWrite<C extends Component = Component> =
	| { kind: 'create'; component: C; folderId: string; record: ComponentRecordMap[C]; ident?: string; options?: WriteOptions }
	| { kind: 'update'; component: C; folderId: string; id: string; record: ComponentRecordMap[C]; ident?: string; options?: WriteOptions }
	| { kind: 'delete'; component: C; folderId: string; id: string; options?: WriteOptions };

/** The result of one batched write: the written item (undefined for a delete), or the error it got. */
export type ExchangeWriteResult = ExchangeItem | undefined | ExchangeError;

export interface ExchangeClient {
	readonly protocol: 'graph' | 'ews';
	/** Mailbox address (UPN / primary SMTP) this client acts on. */
	readonly mailbox: string;

	listFolders(kind: SyncFolderKind, parentId?: string): Promise<ExchangeFolder[]>;
	ensureSyncFolders(options: EnsureSyncFoldersOptions): Promise<SyncFolders>;
	removeSyncFolders(kinds: SyncFolderKind[], folderName?: string): Promise<void>;
	/** F7: resolve a well-known folder (inbox, sentitems, deleteditems, contacts, calendar, tasks). */
	getWellKnownFolder(name: string): Promise<ExchangeFolder>;

	listChanges<C extends Component>(
		component: C,
		folderId: string,
		cursor: string | undefined,
		options?: { window?: SyncWindow; pageSize?: number },
	): Promise<ExchangeChangePage<C>>;
	get<C extends Component>(component: C, folderId: string, id: string): Promise<ExchangeItem<C> | undefined>;
	create<C extends Component>(component: C, folderId: string, record: ComponentRecordMap[C], ident?: string, options?: WriteOptions): Promise<ExchangeItem<C>>;
	update<C extends Component>(
		component: C,
		folderId: string,
		id: string,
		record: ComponentRecordMap[C],
		ident?: string,
		options?: WriteOptions,
	): Promise<ExchangeItem<C>>;
	delete(component: Component, folderId: string, id: string, options?: WriteOptions): Promise<void>;

	listMessageChanges(folderId: string, cursor: string | undefined, options?: { pageSize?: number }): Promise<MailChangePage>;
	getMessageMime(id: string): Promise<Buffer>;
	/**
	 * Optional: many MIME reads in few requests (Graph: $batch). Results keep the input order; a failed read
	 * yields its ExchangeError and never fails the others. Callers keep the total small (it is held in memory).
	 */
	getMessageMimes?(ids: string[]): Promise<Array<Buffer | ExchangeError>>;
	/** Optional: one message's summary; undefined when it does not exist. */
	getMessage?(id: string): Promise<MailMessageSummary | undefined>;
	/** Optional: many creates in few requests (Graph: $batch). Failed items yield their error. */
	createMany?<C extends Component>(
		component: C,
		folderId: string,
		entries: Array<{ record: ComponentRecordMap[C]; ident?: string }>,
		options?: WriteOptions,
	): Promise<Array<ExchangeItem<C> | ExchangeError>>;
	/**
	 * Optional: many writes in few requests (Graph: $batch of 20). Results keep the input order; a failed
	 * write yields its ExchangeError (as create/update/delete would throw it) and never fails the others.
	 */
	applyMany?(writes: ExchangeWrite[]): Promise<ExchangeWriteResult[]>;
	/** Optional: many reads by id in few requests; undefined where the item does not exist, an error where the read failed. */
	getMany?<C extends Component>(component: C, folderId: string, ids: string[]): Promise<Array<ExchangeItem<C> | undefined | ExchangeError>>;
	/** Optional: a cheap authenticated call to check the connection (A6). */
	ping?(): Promise<void>;
	moveMessage(id: string, destinationFolderId: string): Promise<MailMessageSummary>;
	/**
	 * Optional: many moves in few requests (Graph: $batch of 20). Results keep the input order; a failed
	 * move yields its ExchangeError (as moveMessage would throw it) and never fails the others.
	 */
	moveMessages?(moves: MessageMove[]): Promise<Array<MailMessageSummary | ExchangeError>>;
}

/** One message to move, for moveMessages. */
export interface MessageMove {
	id: string;
	destinationFolderId: string;
}

export type ExchangeErrorCode =
	| 'auth'
	| 'forbidden'
	| 'notFound'
	| 'conflict'
	| 'throttled'
	| 'unavailable'
	| 'syncStateInvalid'
	| 'tls'
	| 'badUrl'
	| 'invalid';

export class ExchangeError extends Error {
	constructor(
		readonly code: ExchangeErrorCode,
		message: string,
		readonly hint?: string,
		readonly status?: number,
	) {
		super(message);
		this.name = 'ExchangeError';
	}
}
