/**
 * One user's mailbox: folders, items, and the journal every write appends to.
 * Both protocol faces (Graph, EWS) read and write only through this class, so an item
 * written through one is seen, with the same change tracking, through the other.
 */
import { EventEmitter } from 'node:events';
import { changeKey, newId } from './ids';
import { messageFromMime } from './mime';
import {
	StoreError,
	type EventData,
	type EventException,
	type EventOverridable,
	type EventTimes,
	type ExtendedProperties,
	type FolderChange,
	type FolderKind,
	type ItemKind,
	type ItemPayloads,
	type JournalEntry,
	type StoredFolder,
	type StoredItem,
	type WellKnownFolderName,
} from './types';

export interface MailboxOwner {
	/** directory object id (GUID) */
	id: string;
	address: string;
	displayName: string;
}

const FOLDER_KIND_OF_ITEM: Record<ItemKind, FolderKind> = { message: 'mail', contact: 'contacts', event: 'calendar', task: 'tasks' };

/** extended property changes: a value sets, null removes */
export type ExtendedPropertyPatch = Record<string, string | null>;

export interface WriteOptions {
	/** If-Match / ChangeKey: the write fails with StoreError 'conflict' when the item changed since. */
	ifMatch?: string;
	extendedProperties?: ExtendedPropertyPatch;
}

export interface MailboxSnapshot {
	owner: MailboxOwner;
	seq: number;
	idCounter: number;
	minValidSeq: number;
	folders: StoredFolder[];
	items: StoredItem[];
	journal: JournalEntry[];
}

function clone<T>(value: T): T {
	return structuredClone(value);
}

function applyExtendedProperties(target: ExtendedProperties, patch: ExtendedPropertyPatch | undefined): void {
	if (!patch) return;
	for (const [id, value] of Object.entries(patch)) {
		if (value === null) delete target[id];
		else target[id] = value;
	}
}

export class Mailbox extends EventEmitter {
	private readonly folders = new Map<string, StoredFolder>();
	private readonly items = new Map<string, StoredItem>();
	private readonly folderItems = new Map<string, Set<string>>();
	private readonly journal: JournalEntry[] = [];
	/** journal entries per folder they touch (folderId or oldFolderId), ascending seq */
	private readonly feeds = new Map<string, JournalEntry[]>();
	private seq = 0;
	private idCounter = 0;
	/** delta tokens / sync states older than this are rejected (control API "expire") */
	private minValidSeq = 0;

	constructor(
		readonly owner: MailboxOwner,
		private readonly clock: () => Date = () => new Date(),
	) {
		super();
		this.setMaxListeners(100);
	}

	get address(): string {
		return this.owner.address;
	}

	/** Sequence number of the latest write (0 when nothing was written). */
	get currentSeq(): number {
		return this.seq;
	}

	now(): string {
		return this.clock().toISOString();
	}

	newId(kind: 'folder' | ItemKind | 'attachment' | 'linkedResource'): string {
		return newId(this.owner.address, kind, ++this.idCounter);
	}

	// ---- folders -------------------------------------------------------------------------

	getFolder(id: string): StoredFolder | undefined {
		return this.folders.get(id);
	}

	/** A folder by id or by well-known name (inbox, sentitems, calendar, ...). */
	resolveFolder(idOrWellKnownName: string): StoredFolder | undefined {
		return this.folders.get(idOrWellKnownName) ?? this.wellKnownFolder(idOrWellKnownName.toLowerCase());
	}

	wellKnownFolder(name: string): StoredFolder | undefined {
		for (const folder of this.folders.values()) if (folder.wellKnownName === name) return folder;
		return undefined;
	}

	requireFolder(idOrWellKnownName: string): StoredFolder {
		const folder = this.resolveFolder(idOrWellKnownName);
		if (!folder) throw new StoreError('notFound', `The specified folder could not be found in the store: ${idOrWellKnownName}`);
		return folder;
	}

	listFolders(filter?: { kind?: FolderKind; parentId?: string }): StoredFolder[] {
		return [...this.folders.values()].filter(
			(f) => (filter?.kind === undefined || f.kind === filter.kind) && (filter?.parentId === undefined || f.parentId === filter.parentId),
		);
	}

	childFolders(parentId: string): StoredFolder[] {
		return this.listFolders({ parentId });
	}

	/** Ids of the folder and all folders below it. */
	subtree(folderId: string): string[] {
		const result = [folderId];
		for (let i = 0; i < result.length; i++) for (const child of this.childFolders(result[i])) result.push(child.id);
		return result;
	}

	createFolder(input: {
		parentId?: string;
		displayName: string;
		kind: FolderKind;
		wellKnownName?: WellKnownFolderName;
		isHidden?: boolean;
		extendedProperties?: ExtendedPropertyPatch;
	}): StoredFolder {
		const displayName = input.displayName.trim();
		if (!displayName) throw new StoreError('invalid', 'The folder name must not be empty.');
		if (input.parentId !== undefined) {
			this.requireFolder(input.parentId);
			const clash = this.childFolders(input.parentId).find((f) => f.displayName.toLowerCase() === displayName.toLowerCase());
			if (clash) throw new StoreError('folderExists', `A folder with the specified name already exists: ${displayName}`);
		}
		const seq = this.nextSeq();
		const folder: StoredFolder = {
			id: this.newId('folder'),
			kind: input.kind,
			displayName,
			parentId: input.parentId,
			wellKnownName: input.wellKnownName,
			isHidden: input.isHidden,
			changeKey: changeKey(this.address, seq),
			createdAt: this.now(),
			modifiedAt: this.now(),
			extendedProperties: {},
		};
		applyExtendedProperties(folder.extendedProperties, input.extendedProperties);
		this.folders.set(folder.id, folder);
		this.folderItems.set(folder.id, new Set());
		this.record({ seq, type: 'created', targetId: folder.id, targetKind: 'folder', folderId: input.parentId ?? folder.id });
		return clone(folder);
	}

	updateFolder(id: string, patch: { displayName?: string; extendedProperties?: ExtendedPropertyPatch }): StoredFolder {
		const folder = this.requireFolder(id);
		if (patch.displayName !== undefined) {
			const name = patch.displayName.trim();
			const clash = folder.parentId && this.childFolders(folder.parentId).find((f) => f.id !== folder.id && f.displayName.toLowerCase() === name.toLowerCase());
			if (clash) throw new StoreError('folderExists', `A folder with the specified name already exists: ${name}`);
			folder.displayName = name;
		}
		applyExtendedProperties(folder.extendedProperties, patch.extendedProperties);
		const seq = this.nextSeq();
		folder.changeKey = changeKey(this.address, seq);
		folder.modifiedAt = this.now();
		this.record({ seq, type: 'modified', targetId: folder.id, targetKind: 'folder', folderId: folder.parentId ?? folder.id });
		return clone(folder);
	}

	/** Deletes a folder, its subfolders and everything in them. Distinguished folders cannot be deleted. */
	deleteFolder(id: string): void {
		const folder = this.requireFolder(id);
		if (folder.wellKnownName) throw new StoreError('forbidden', `Distinguished folders cannot be deleted: ${folder.wellKnownName}`);
		for (const folderId of this.subtree(folder.id).reverse()) {
			for (const itemId of [...(this.folderItems.get(folderId) ?? [])]) this.deleteItem(itemId);
			const doomed = this.folders.get(folderId);
			if (!doomed) continue;
			this.folders.delete(folderId);
			this.folderItems.delete(folderId);
			this.record({ seq: this.nextSeq(), type: 'deleted', targetId: folderId, targetKind: 'folder', folderId: doomed.parentId ?? folderId });
		}
	}

	// ---- items ---------------------------------------------------------------------------

	getItem(id: string): StoredItem | undefined {
		const item = this.items.get(id);
		return item ? clone(item) : undefined;
	}

	requireItem<K extends ItemKind>(id: string, kind?: K): StoredItem<K> {
		const item = this.items.get(id);
		if (!item || (kind && item.kind !== kind)) throw new StoreError('notFound', `The specified object was not found in the store: ${id}`);
		return clone(item) as StoredItem<K>;
	}

	/** Items in a folder in the order they entered it. */
	listItems<K extends ItemKind>(folderId: string, kind?: K): Array<StoredItem<K>> {
		const ids = this.folderItems.get(folderId);
		if (!ids) throw new StoreError('notFound', `The specified folder could not be found in the store: ${folderId}`);
		const result: Array<StoredItem<K>> = [];
		for (const id of ids) {
			const item = this.items.get(id);
			if (item && (!kind || item.kind === kind)) result.push(clone(item) as StoredItem<K>);
		}
		return result;
	}

	countItems(folderId: string): number {
		return this.folderItems.get(folderId)?.size ?? 0;
	}

	createItem<K extends ItemKind>(
		folderId: string,
		kind: K,
		data: ItemPayloads[K],
		options: { extendedProperties?: ExtendedPropertyPatch } = {},
	): StoredItem<K> {
		const folder = this.requireFolder(folderId);
		if (FOLDER_KIND_OF_ITEM[kind] !== folder.kind) throw new StoreError('invalid', `A ${kind} cannot be stored in a ${folder.kind} folder.`);
		const seq = this.nextSeq();
		const item: StoredItem<K> = {
			id: this.newId(kind),
			kind,
			folderId: folder.id,
			changeKey: changeKey(this.address, seq),
			createdAt: this.now(),
			modifiedAt: this.now(),
			extendedProperties: {},
			data: clone(data),
		};
		applyExtendedProperties(item.extendedProperties, options.extendedProperties);
		this.items.set(item.id, item as StoredItem);
		this.folderItems.get(folder.id)?.add(item.id);
		this.record({ seq, type: 'created', targetId: item.id, targetKind: kind, folderId: folder.id });
		if (kind === 'message' && folder.wellKnownName === 'inbox') {
			this.record({ seq: this.nextSeq(), type: 'newMail', targetId: item.id, targetKind: kind, folderId: folder.id });
		}
		return clone(item);
	}

	/** Stores a message from its MIME source; properties are derived from the MIME. */
	async createMessage(
		folderId: string,
		mime: Buffer,
		options: { isRead?: boolean; isDraft?: boolean; receivedAt?: string; extendedProperties?: ExtendedPropertyPatch } = {},
	): Promise<StoredItem<'message'>> {
		this.requireFolder(folderId);
		const data = await messageFromMime(mime, {
			receivedAt: options.receivedAt ?? this.now(),
			isRead: options.isRead,
			isDraft: options.isDraft,
			newAttachmentId: () => this.newId('attachment'),
		});
		return this.createItem(folderId, 'message', data, { extendedProperties: options.extendedProperties });
	}

	/**
	 * Changes an item. `mutate` edits a copy of the payload in place; the write is one
	 * journal entry and one new change key.
	 */
	updateItem<K extends ItemKind>(id: string, mutate: ((data: ItemPayloads[K]) => void) | undefined, options: WriteOptions = {}): StoredItem<K> {
		const item = this.requireLive(id, options.ifMatch) as StoredItem<K>;
		const data = clone(item.data);
		mutate?.(data);
		item.data = data;
		applyExtendedProperties(item.extendedProperties, options.extendedProperties);
		this.touch(item as StoredItem, 'modified');
		return clone(item);
	}

	/**
	 * Deletes an item. soft: it moves to Deleted Items (EWS MoveToDeletedItems, Graph DELETE on
	 * a message); an item already there, or hard, is purged.
	 */
	deleteItem(id: string, options: { ifMatch?: string; soft?: boolean } = {}): void {
		const item = this.requireLive(id, options.ifMatch);
		const deletedItems = this.wellKnownFolder('deleteditems');
		if (options.soft && item.kind === 'message' && deletedItems && item.folderId !== deletedItems.id) {
			this.moveItem(id, deletedItems.id, { soft: true });
			return;
		}
		this.items.delete(id);
		this.folderItems.get(item.folderId)?.delete(id);
		this.record({ seq: this.nextSeq(), type: 'deleted', targetId: id, targetKind: item.kind, folderId: item.folderId, soft: options.soft });
	}

	/** Moves an item; its id stays (Graph immutable ids), its change key changes. */
	moveItem(id: string, destinationFolderId: string, options: { ifMatch?: string; soft?: boolean } = {}): { item: StoredItem; oldFolderId: string } {
		const item = this.requireLive(id, options.ifMatch);
		const destination = this.requireFolder(destinationFolderId);
		if (FOLDER_KIND_OF_ITEM[item.kind] !== destination.kind)
			throw new StoreError('invalid', `A ${item.kind} cannot be moved into a ${destination.kind} folder.`);
		const oldFolderId = item.folderId;
		if (oldFolderId === destination.id) return { item: clone(item), oldFolderId };
		this.folderItems.get(oldFolderId)?.delete(id);
		this.folderItems.get(destination.id)?.add(id);
		item.folderId = destination.id;
		const seq = this.nextSeq();
		item.changeKey = changeKey(this.address, seq);
		item.modifiedAt = this.now();
		this.record({ seq, type: 'moved', targetId: id, targetKind: item.kind, folderId: destination.id, oldFolderId, soft: options.soft });
		return { item: clone(item), oldFolderId };
	}

	copyItem(id: string, destinationFolderId: string): StoredItem {
		const item = this.requireLive(id);
		return this.createItem(destinationFolderId, item.kind, item.data, { extendedProperties: { ...item.extendedProperties } }) as StoredItem;
	}

	// ---- recurring series ---------------------------------------------------------------

	/**
	 * Creates or changes the exception for one occurrence of a series. The master's change
	 * key changes too (Exchange stores exceptions inside the master).
	 */
	updateOccurrence(
		masterId: string,
		originalStart: string,
		patch: Partial<EventOverridable> & { times?: EventTimes },
		options: WriteOptions = {},
	): EventException {
		const master = this.requireLive(masterId) as StoredItem<'event'>;
		if (master.kind !== 'event' || !master.data.recurrence) throw new StoreError('invalid', 'The item is not a recurring series.');
		const exceptions = (master.data.exceptions ??= []);
		let exception = exceptions.find((e) => e.originalStart === originalStart);
		if (exception?.deleted) throw new StoreError('notFound', 'The occurrence was cancelled.');
		if (options.ifMatch && exception && options.ifMatch !== exception.changeKey && options.ifMatch !== master.changeKey) {
			throw new StoreError('conflict', 'The change key passed in the request does not match the current change key for the item.');
		}
		if (!exception) {
			exception = { originalStart, changeKey: '', createdAt: this.now(), modifiedAt: this.now() };
			exceptions.push(exception);
		}
		Object.assign(exception, clone(patch));
		if (options.extendedProperties) applyExtendedProperties((exception.extendedProperties ??= {}), options.extendedProperties);
		const touched = this.touch(master, 'modified');
		exception.changeKey = touched.changeKey;
		exception.modifiedAt = touched.modifiedAt;
		return clone(exception);
	}

	/** Cancels (deletes) one occurrence of a series. */
	cancelOccurrence(masterId: string, originalStart: string): void {
		const master = this.requireLive(masterId) as StoredItem<'event'>;
		if (master.kind !== 'event' || !master.data.recurrence) throw new StoreError('invalid', 'The item is not a recurring series.');
		const exceptions = (master.data.exceptions ??= []);
		const existing = exceptions.find((e) => e.originalStart === originalStart);
		if (existing) {
			existing.deleted = true;
		} else {
			exceptions.push({ originalStart, deleted: true, changeKey: '', createdAt: this.now(), modifiedAt: this.now() });
		}
		this.touch(master, 'modified');
	}

	// ---- change tracking -----------------------------------------------------------------

	/**
	 * Changes in one folder after `sinceSeq` (0: everything in it now), oldest change first.
	 * An item that entered and left within the range is not reported. Moving out counts as
	 * removal from this folder (F3). Throws 'syncStateInvalid' for an expired cursor.
	 */
	changesSince(folderId: string, sinceSeq: number): { changes: FolderChange[]; latestSeq: number } {
		this.requireFolder(folderId);
		this.assertValidCursor(sinceSeq);
		const feed = this.feeds.get(folderId) ?? [];
		const perItem = new Map<string, { lastSeq: number; enteredAfter: boolean }>();
		for (let i = this.firstAfter(feed, sinceSeq); i < feed.length; i++) {
			const entry = feed[i];
			if (entry.targetKind === 'folder' || entry.type === 'newMail') continue;
			const state = perItem.get(entry.targetId) ?? { lastSeq: 0, enteredAfter: false };
			state.lastSeq = entry.seq;
			const entered = entry.type === 'created' || entry.type === 'copied' || (entry.type === 'moved' && entry.folderId === folderId);
			if (entered) state.enteredAfter = true;
			perItem.delete(entry.targetId);
			perItem.set(entry.targetId, state);
		}
		const changes: FolderChange[] = [];
		for (const [itemId, state] of perItem) {
			const item = this.items.get(itemId);
			const inFolder = item?.folderId === folderId;
			if (inFolder) changes.push({ seq: state.lastSeq, itemId, change: 'upsert', isNew: sinceSeq === 0 || state.enteredAfter });
			else if (!state.enteredAfter && sinceSeq !== 0)
				changes.push({ seq: state.lastSeq, itemId, change: 'removed', removedReason: item ? 'changed' : 'deleted' });
		}
		changes.sort((a, b) => a.seq - b.seq);
		return { changes, latestSeq: this.seq };
	}

	/** Folder hierarchy changes after `sinceSeq` (folders created, changed, deleted). */
	folderChangesSince(sinceSeq: number): { changes: Array<{ seq: number; folderId: string; change: 'upsert' | 'removed'; isNew: boolean }>; latestSeq: number } {
		this.assertValidCursor(sinceSeq);
		const perFolder = new Map<string, { lastSeq: number; isNew: boolean }>();
		for (let i = this.firstAfter(this.journal, sinceSeq); i < this.journal.length; i++) {
			const entry = this.journal[i];
			if (entry.targetKind !== 'folder') continue;
			const state = perFolder.get(entry.targetId) ?? { lastSeq: 0, isNew: false };
			state.lastSeq = entry.seq;
			if (entry.type === 'created') state.isNew = true;
			perFolder.delete(entry.targetId);
			perFolder.set(entry.targetId, state);
		}
		const changes: Array<{ seq: number; folderId: string; change: 'upsert' | 'removed'; isNew: boolean }> = [];
		for (const [folderId, state] of perFolder) {
			if (this.folders.has(folderId)) changes.push({ seq: state.lastSeq, folderId, change: 'upsert', isNew: sinceSeq === 0 || state.isNew });
			else if (!state.isNew) changes.push({ seq: state.lastSeq, folderId, change: 'removed', isNew: false });
		}
		return { changes, latestSeq: this.seq };
	}

	/** Journal entries after `sinceSeq` (EWS GetEvents, Graph change notifications). */
	journalSince(sinceSeq: number): JournalEntry[] {
		return this.journal.slice(this.firstAfter(this.journal, sinceSeq)).map(clone);
	}

	isValidCursor(seq: number): boolean {
		return seq === 0 || (seq >= this.minValidSeq && seq <= this.seq);
	}

	/** Makes every existing delta token / SyncState stale (Graph 410, EWS ErrorInvalidSyncStateData). */
	expireCursors(): void {
		this.minValidSeq = this.seq + 1;
	}

	// ---- persistence ---------------------------------------------------------------------

	snapshot(): MailboxSnapshot {
		return clone({
			owner: this.owner,
			seq: this.seq,
			idCounter: this.idCounter,
			minValidSeq: this.minValidSeq,
			folders: [...this.folders.values()],
			items: [...this.items.values()],
			journal: this.journal,
		});
	}

	static restore(snapshot: MailboxSnapshot, clock?: () => Date): Mailbox {
		const mailbox = new Mailbox(snapshot.owner, clock);
		mailbox.seq = snapshot.seq;
		mailbox.idCounter = snapshot.idCounter;
		mailbox.minValidSeq = snapshot.minValidSeq;
		for (const folder of snapshot.folders) {
			mailbox.folders.set(folder.id, folder);
			mailbox.folderItems.set(folder.id, new Set());
		}
		for (const item of snapshot.items) {
			mailbox.items.set(item.id, item);
			mailbox.folderItems.get(item.folderId)?.add(item.id);
		}
		for (const entry of snapshot.journal) mailbox.index(entry);
		return mailbox;
	}

	// ---- internals -----------------------------------------------------------------------

	private nextSeq(): number {
		return ++this.seq;
	}

	private requireLive(id: string, ifMatch?: string): StoredItem {
		const item = this.items.get(id);
		if (!item) throw new StoreError('notFound', `The specified object was not found in the store: ${id}`);
		if (ifMatch !== undefined && ifMatch !== item.changeKey) {
			throw new StoreError('conflict', 'The change key passed in the request does not match the current change key for the item.');
		}
		return item;
	}

	private touch(item: StoredItem, type: 'modified'): StoredItem {
		const seq = this.nextSeq();
		item.changeKey = changeKey(this.address, seq);
		item.modifiedAt = this.now();
		this.record({ seq, type, targetId: item.id, targetKind: item.kind, folderId: item.folderId });
		return item;
	}

	private record(entry: Omit<JournalEntry, 'at'>): void {
		const full: JournalEntry = { ...entry, at: this.now() };
		this.index(full);
		this.emit('change', clone(full), this);
	}

	private index(entry: JournalEntry): void {
		this.journal.push(entry);
		for (const folderId of new Set([entry.folderId, entry.oldFolderId])) {
			if (folderId === undefined) continue;
			let feed = this.feeds.get(folderId);
			if (!feed) this.feeds.set(folderId, (feed = []));
			feed.push(entry);
		}
	}

	private assertValidCursor(sinceSeq: number): void {
		if (!this.isValidCursor(sinceSeq)) throw new StoreError('syncStateInvalid', 'The sync state is no longer valid; start a full synchronisation.');
	}

	/** index of the first entry with seq > sinceSeq (entries ascending) */
	private firstAfter(entries: JournalEntry[], sinceSeq: number): number {
		let lo = 0;
		let hi = entries.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (entries[mid].seq <= sinceSeq) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}
}

export type { EventData };
