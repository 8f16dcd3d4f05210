/**
 * ExchangeClient over EWS (on-premises Exchange 2016/2019/SE), on ews-javascript-api.
 * Same canonical results as the Graph client for the same item (lib/exchange/types.ts).
 *
 * The entry point of lib/exchange/ews: the work is done per concern in the modules beside it
 * (context, folders, sync, items with the contact/event/task adapters, calendar, mail); connection
 * and impersonation in service.ts and transport.ts, error classification and back-off in errors.ts.
 */
import './compat';

import type { ExchangeService } from 'ews-javascript-api';

import { hashRecord } from '../../model/hash';
import type { Component, ComponentRecordMap } from '../../model/types';
import type {
	EnsureSyncFoldersOptions,
	ExchangeChangePage,
	ExchangeClient,
	ExchangeFolder,
	ExchangeItem,
	MailChangePage,
	MailMessageSummary,
	SyncFolderKind,
	SyncFolders,
	SyncWindow,
	WriteOptions,
} from '../types';
import type { ComponentAdapters, EwsComponentAdapter } from './adapter';
import { EventAdapter, listOccurrences } from './calendar';
import { ContactAdapter } from './contacts';
import { EwsContext, type EwsClientOptions } from './context';
import type { CallStats } from './errors';
import { EwsFolders } from './folders';
import { createItem, deleteItem, findItemIds, getItem, listChanges, updateItem } from './items';
import { EwsMail } from './mail';
import { TaskAdapter } from './tasks';

export { GET_ITEM_BATCH, IDENT_PROPERTY } from './adapter';
export type { EwsClientOptions } from './context';
export { MAX_SYNC_CHANGES } from './sync';

export class EwsExchangeClient implements ExchangeClient {
	readonly protocol = 'ews' as const;
	readonly mailbox: string;
	readonly service: ExchangeService;
	/** Requests sent and back-off waited, for the benchmarks and O2. */
	readonly stats: CallStats;

	private readonly ctx: EwsContext;
	private readonly folders: EwsFolders;
	private readonly adapters: ComponentAdapters;
	private readonly mail: EwsMail;

	constructor(options: EwsClientOptions) {
		this.ctx = new EwsContext(options);
		this.mailbox = this.ctx.mailbox;
		this.service = this.ctx.service;
		this.stats = this.ctx.stats;
		this.folders = new EwsFolders(this.ctx);
		this.adapters = { contact: new ContactAdapter(this.ctx), event: new EventAdapter(this.ctx), task: new TaskAdapter(this.ctx) };
		this.mail = new EwsMail(this.ctx);
	}

	private adapter<C extends Component>(component: C): EwsComponentAdapter<C> {
		return this.adapters[component];
	}

	/** One EWS operation with back-off and error classification. */
	call<T>(fn: () => Promise<T>): Promise<T> {
		return this.ctx.call(fn);
	}

	// ---------------------------------------------------------------- folders (F1, F2, F5–F8)

	getWellKnownFolder(name: string): Promise<ExchangeFolder> {
		return this.folders.getWellKnownFolder(name);
	}

	getFolder(id: string): Promise<ExchangeFolder> {
		return this.folders.getFolder(id);
	}

	listFolders(kind: SyncFolderKind, parentId?: string): Promise<ExchangeFolder[]> {
		return this.folders.listFolders(kind, parentId);
	}

	ensureSyncFolders(options: EnsureSyncFoldersOptions): Promise<SyncFolders> {
		return this.folders.ensureSyncFolders(options);
	}

	removeSyncFolders(kinds: SyncFolderKind[], folderName?: string): Promise<void> {
		return this.folders.removeSyncFolders(kinds, folderName);
	}

	// ---------------------------------------------------------------- items (C2–C4)

	listChanges<C extends Component>(
		component: C,
		folderId: string,
		cursor: string | undefined,
		options: { window?: SyncWindow; pageSize?: number } = {},
	): Promise<ExchangeChangePage<C>> {
		return listChanges(this.ctx, this.adapter(component), folderId, cursor, options);
	}

	/** Ids of every item in a folder (FindItem, paged); for full listings and clean-up. */
	findItemIds(folderId: string, pageSize = 1000): Promise<string[]> {
		return findItemIds(this.ctx, folderId, pageSize);
	}

	/** CalendarView (FindItem) over a window: single items, occurrences and exceptions. */
	listOccurrences(folderId: string, window: SyncWindow): Promise<Array<ExchangeItem<'event'>>> {
		return listOccurrences(this.ctx, folderId, window);
	}

	/** undefined only when the server says there is no such item; any other refusal is an error, not a deletion. */
	get<C extends Component>(component: C, _folderId: string, id: string): Promise<ExchangeItem<C> | undefined> {
		return getItem(this.ctx, this.adapter(component), id);
	}

	create<C extends Component>(component: C, folderId: string, record: ComponentRecordMap[C], ident?: string, options?: WriteOptions): Promise<ExchangeItem<C>> {
		return createItem(this.ctx, this.adapter(component), folderId, record, ident, options);
	}

	update<C extends Component>(
		component: C,
		_folderId: string,
		id: string,
		record: ComponentRecordMap[C],
		ident?: string,
		options?: WriteOptions,
	): Promise<ExchangeItem<C>> {
		return updateItem(this.ctx, this.adapter(component), id, record, ident, options);
	}

	delete(component: Component, _folderId: string, id: string, options?: WriteOptions): Promise<void> {
		return deleteItem(this.ctx, this.adapter(component), id, options);
	}

	// ---------------------------------------------------------------- mail (C1, E9)

	listMessageChanges(folderId: string, cursor: string | undefined, options: { pageSize?: number } = {}): Promise<MailChangePage> {
		return this.mail.listMessageChanges(folderId, cursor, options);
	}

	/** One message's summary (GetItem), as the Graph client's; undefined when it does not exist. */
	getMessage(id: string): Promise<MailMessageSummary | undefined> {
		return this.mail.getMessage(id);
	}

	getMessageMime(id: string): Promise<Buffer> {
		return this.mail.getMessageMime(id);
	}

	moveMessage(id: string, destinationFolderId: string): Promise<MailMessageSummary> {
		return this.mail.moveMessage(id, destinationFolderId);
	}

	/** Content hash of a canonical record (the engine's change detection; exposed for parity tests). */
	static hash(record: object): string {
		return hashRecord(record);
	}
}
