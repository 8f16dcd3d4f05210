/**
 * Items of the three components (C2–C4): read, change feed, create, update, delete, each the same
 * for every component apart from what its adapter (contacts.ts, calendar.ts, tasks.ts) supplies.
 */
import {
	BasePropertySet,
	ConflictResolutionMode,
	DeleteMode,
	Item,
	ItemId,
	ItemSchema,
	ItemView,
	PropertySet,
	ServiceError,
	ServiceResult,
} from 'ews-javascript-api';

import type { Component, ComponentRecordMap } from '../../model/types';
import { ExchangeError, type ExchangeChangePage, type ExchangeItem, type SyncWindow, type WriteOptions } from '../types';
import { chunks, GET_ITEM_BATCH, IDENT_PROPERTY, toExchangeItem, type EwsComponentAdapter } from './adapter';
import { folderIdOf, type EwsContext } from './context';
import { ewsError } from './errors';
import { CHANGE_CREATE, CHANGE_DELETE, CHANGE_UPDATE, syncFolderItems, syncPageSize } from './sync';

/** Answers to reading an item that mean there is no such item (a malformed id names none either). */
const ITEM_GONE = new Set(['ErrorItemNotFound', 'ErrorInvalidIdMalformed']);

function propertySet<C extends Component>(adapter: EwsComponentAdapter<C>): PropertySet {
	return new PropertySet(BasePropertySet.FirstClassProperties, [
		IDENT_PROPERTY,
		ItemSchema.ParentFolderId,
		ItemSchema.LastModifiedTime,
		ItemSchema.DateTimeCreated,
		...adapter.extraProperties(),
	]);
}

/** GetItem in batches; ids that vanished meanwhile are left out. */
async function loadItems<C extends Component>(
	ctx: EwsContext,
	adapter: EwsComponentAdapter<C>,
	ids: string[],
	options: { failOnError?: boolean } = {},
): Promise<Array<ExchangeItem<C>>> {
	const loaded: Item[] = [];
	for (const batch of chunks(ids, GET_ITEM_BATCH)) {
		const responses = await ctx.call(() =>
			ctx.service.BindToItems(
				batch.map((id) => new ItemId(id)),
				propertySet(adapter),
			),
		);
		for (const r of responses.Responses) {
			if (r.Result === ServiceResult.Success && r.Item) loaded.push(r.Item);
			else if (options.failOnError && !ITEM_GONE.has(ServiceError[r.ErrorCode]))
				throw ewsError('unavailable', `Reading an item failed: ${r.ErrorMessage ?? ServiceError[r.ErrorCode]}`);
		}
	}
	const related = await adapter.related(loaded);
	return loaded.map((item) => toExchangeItem<C>(item, adapter.toRecord(item, related)));
}

export async function listChanges<C extends Component>(
	ctx: EwsContext,
	adapter: EwsComponentAdapter<C>,
	folderId: string,
	cursor: string | undefined,
	options: { window?: SyncWindow; pageSize?: number },
): Promise<ExchangeChangePage<C>> {
	const { changes, fullResync } = await syncFolderItems(ctx, folderId, () => PropertySet.IdOnly, syncPageSize(options.pageSize), cursor);
	const changed: string[] = [];
	const deletedIds: string[] = [];
	for (const change of changes.GetEnumerator()) {
		const id = change.ItemId?.UniqueId;
		if (!id) continue;
		const type = change.ChangeType;
		if (type === CHANGE_DELETE) deletedIds.push(id);
		else if (type === CHANGE_CREATE || type === CHANGE_UPDATE) changed.push(id);
	}
	const window = options.window;
	let items = await loadItems(ctx, adapter, [...new Set(changed)]);
	if (window) items = items.filter((i) => adapter.inWindow(i, window));
	return { items, deletedIds, cursor: changes.SyncState, fullResync, hasMore: changes.MoreChangesAvailable };
}

/** Ids of every item in a folder (FindItem, paged); for full listings and clean-up. */
export async function findItemIds(ctx: EwsContext, folderId: string, pageSize: number): Promise<string[]> {
	const ids: string[] = [];
	for (let offset = 0; ; ) {
		const view = new ItemView(pageSize, offset);
		view.PropertySet = PropertySet.IdOnly;
		const page = await ctx.call(() => ctx.service.FindItems(folderIdOf(folderId), view));
		for (const item of page.Items) ids.push(item.Id.UniqueId);
		if (!page.MoreAvailable || page.Items.length === 0) return ids;
		offset = page.NextPageOffset ?? offset + page.Items.length;
	}
}

/** undefined only when the server says there is no such item; any other refusal is an error, not a deletion. */
export async function getItem<C extends Component>(ctx: EwsContext, adapter: EwsComponentAdapter<C>, id: string): Promise<ExchangeItem<C> | undefined> {
	const [item] = await loadItems(ctx, adapter, [id], { failOnError: true });
	return item;
}

/** Updates with changedFields touch only those fields' properties (WriteOptions.changedFields). */
function apply<C extends Component>(adapter: EwsComponentAdapter<C>, item: Item, record: ComponentRecordMap[C], isNew: boolean, options?: WriteOptions): void {
	const changed = !isNew && options?.changedFields ? new Set(options.changedFields) : undefined;
	adapter.apply(item, record, isNew, options, changed);
}

export async function createItem<C extends Component>(
	ctx: EwsContext,
	adapter: EwsComponentAdapter<C>,
	folderId: string,
	record: ComponentRecordMap[C],
	ident?: string,
	options?: WriteOptions,
): Promise<ExchangeItem<C>> {
	const item = adapter.newItem();
	apply(adapter, item, record, true, options);
	if (ident) item.SetExtendedProperty(IDENT_PROPERTY, ident);
	await ctx.call(() => adapter.save(item, folderIdOf(folderId)));
	await adapter.afterWrite(item.Id.UniqueId, record);
	const created = await getItem(ctx, adapter, item.Id.UniqueId);
	if (!created) throw ewsError('notFound', 'The item Exchange just created could not be read back.');
	return created;
}

export async function updateItem<C extends Component>(
	ctx: EwsContext,
	adapter: EwsComponentAdapter<C>,
	id: string,
	record: ComponentRecordMap[C],
	ident?: string,
	options?: WriteOptions,
): Promise<ExchangeItem<C>> {
	const itemId = new ItemId(id);
	// Loaded properties let ews-javascript-api turn a cleared field into DeleteItemField.
	const props = propertySet(adapter);
	const item = await ctx.call(() => adapter.bind(itemId, props));
	// With the engine's ChangeKey, a change made meanwhile fails the update instead of being overwritten.
	// Checked here too: Gromox ignores ChangeKey and ConflictResolution on UpdateItem (it overwrote
	// with a stale key, sandbox/ews/recorded/gromox/updateitem-stale-changekey.*); Exchange refuses
	// with ErrorIrresolvableConflict, which NeverOverwrite below still relies on for the race window.
	if (options?.etag && item.Id.ChangeKey !== options.etag) {
		throw ewsError('conflict', 'The item was changed in Exchange since the last sync; not updated.');
	}
	if (options?.etag) item.Id.ChangeKey = options.etag;
	apply(adapter, item, record, false, options);
	if (ident) item.SetExtendedProperty(IDENT_PROPERTY, ident);
	const mode = options?.etag ? ConflictResolutionMode.NeverOverwrite : ConflictResolutionMode.AlwaysOverwrite;
	await ctx.call(() => adapter.saveChanges(item, mode));
	await adapter.afterWrite(id, record);
	const updated = await getItem(ctx, adapter, id);
	if (!updated) throw ewsError('notFound', 'The item was deleted in Exchange while it was being updated.');
	return updated;
}

export async function deleteItem<C extends Component>(ctx: EwsContext, adapter: EwsComponentAdapter<C>, id: string, options?: WriteOptions): Promise<void> {
	if (options?.etag) {
		const current = await ctx
			.call(() => Item.Bind(ctx.service, new ItemId(id), PropertySet.IdOnly))
			.catch((e: unknown) => {
				if (e instanceof ExchangeError && e.code === 'notFound') return undefined;
				throw e;
			});
		if (!current) return;
		if (current.Id.ChangeKey !== options.etag) throw ewsError('conflict', 'The item was changed in Exchange since the last sync; not deleted.');
	}
	try {
		await ctx.call(() => ctx.service.DeleteItems([new ItemId(id)], DeleteMode.MoveToDeletedItems, adapter.sendCancellations, adapter.affectedTaskOccurrences));
	} catch (e) {
		if (e instanceof ExchangeError && e.code === 'notFound') return;
		throw e;
	}
}
