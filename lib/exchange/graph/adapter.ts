/**
 * One adapter per component (contact, event, task): what the client does differently for each.
 * The client looks its adapter up in a Record<Component, …> table instead of branching on the component.
 */
import type { Component, ComponentRecordMap } from '../../model/types';
import { ExchangeError, type ExchangeChangePage, type ExchangeItem, type SyncWindow, type WriteOptions } from '../types';
import type { BatchResult, BatchStep } from './batch';
import type { GraphContext } from './context';
import type { GraphItemBase } from './graph-types';
import { etagOf } from './mappers';

export interface ChangeOptions {
	window?: SyncWindow;
	pageSize?: number;
}

export type InvalidItems = Array<{ id: string; reason: string }>;

export interface ComponentAdapter<C extends Component> {
	/** What a create is called in errors, e.g. 'Creating an appointment'. */
	readonly createWhat: string;
	/** The folder's item collection, e.g. /me/contactFolders/{id}/contacts. */
	itemsPath(folderId: string): string;
	/** A missing item: undefined, or ExchangeError notFound (which the client turns into undefined). */
	get(folderId: string, id: string): Promise<ExchangeItem<C> | undefined>;
	create(folderId: string, record: ComponentRecordMap[C], ident: string | undefined, options: WriteOptions): Promise<ExchangeItem<C>>;
	update(folderId: string, id: string, record: ComponentRecordMap[C], ident: string | undefined, options: WriteOptions): Promise<ExchangeItem<C>>;
	listChanges(folderId: string, cursor: string | undefined, options: ChangeOptions): Promise<ExchangeChangePage<C>>;
	/** createMany: true when this record cannot go through $batch and is created on its own. */
	createsAlone(record: ComponentRecordMap[C]): boolean;
	/** createMany: the POST body of one batched create. */
	createBody(record: ComponentRecordMap[C], ident: string | undefined, options: WriteOptions): Record<string, unknown>;
	/** createMany: the item of one batched create's answer. */
	createdItem(created: GraphItemBase, folderId: string, ident: string | undefined): ExchangeItem<C>;
	/** applyMany: one update as $batch steps; undefined when it cannot go in a batch and is written alone. */
	batchedUpdate(folderId: string, id: string, record: ComponentRecordMap[C], ident: string | undefined, options: WriteOptions): BatchedUpdate<C> | undefined;
	/** getMany: items read by id in $batches of 20; undefined where the item is gone. */
	getMany(folderId: string, ids: string[]): Promise<Array<ExchangeItem<C> | undefined | ExchangeError>>;
}

/** An update written through $batch (GraphExchangeClient.applyMany). */
export interface BatchedUpdate<C extends Component> {
	/** A GET to send first, in a read batch (contacts: the collections a slot merge needs); its body goes to `steps`. */
	preread?: string;
	/** The steps of the update, ids starting with `key` (one dependsOn group). */
	steps(key: string, preread: unknown): BatchStep[];
	/** The written item from the steps' answers; throws the ExchangeError of a failed step. */
	result(key: string, res: Map<string, BatchResult>): Promise<ExchangeItem<C>>;
}

/** getMany for components read with one GET per item: $batches of 20; 404 → undefined, other failures → their error. */
export async function readManyByUrl<C extends Component>(
	ctx: GraphContext,
	ids: string[],
	url: (id: string) => string,
	map: (body: unknown) => ExchangeItem<C>,
	what: string,
): Promise<Array<ExchangeItem<C> | undefined | ExchangeError>> {
	if (!ids.length) return [];
	const res = await ctx.batch(ids.map((id, i) => [{ id: `g${i}`, method: 'GET' as const, url: url(id) }]));
	return ids.map((_, i) => {
		const r = res.get(`g${i}`);
		if (r?.status === 404) return undefined;
		if (!r || r.status >= 300) return ctx.batchError(r, what);
		return map(r.body);
	});
}

export type ComponentAdapters = { [C in Component]: ComponentAdapter<C> };

export function toItem<C extends Component>(
	ctx: GraphContext,
	g: GraphItemBase,
	folderId: string,
	record: ComponentRecordMap[C],
	ident: string | undefined,
): ExchangeItem<C> {
	return {
		id: g.id,
		etag: etagOf(g),
		...(ident ? { ident } : {}),
		...(g.lastModifiedDateTime ? { modifiedAt: g.lastModifiedDateTime } : {}),
		...(g.createdDateTime ? { createdAt: g.createdDateTime } : {}),
		folderId,
		record,
		...(ctx.config.includeRaw ? { raw: g } : {}),
	};
}

/** Maps one item; a mapping error is reported in `invalid` (S12) instead of failing the page. */
export function safeMap<T>(item: GraphItemBase, invalid: InvalidItems, map: () => T): T[] {
	try {
		return [map()];
	} catch (e) {
		invalid.push({ id: item.id, reason: (e as Error).message });
		return [];
	}
}

/** A read of one item: undefined when the item (not the mailbox) is not found. */
export async function readOrUndefined<T>(read: () => Promise<T | undefined>): Promise<T | undefined> {
	try {
		return await read();
	} catch (e) {
		if (e instanceof ExchangeError && e.code === 'notFound' && e.status === 404 && !/mailbox/i.test(e.hint ?? '')) return undefined;
		throw e;
	}
}

export function changePage<C extends Component>(
	items: Array<ExchangeItem<C>>,
	deletedIds: string[],
	next: { cursor: string; hasMore: boolean },
	fullResync: boolean,
	invalid: InvalidItems,
): ExchangeChangePage<C> {
	return { items, deletedIds, cursor: next.cursor, hasMore: next.hasMore, fullResync, ...(invalid.length ? { invalid } : {}) };
}
