/**
 * ExchangeClient over Microsoft Graph v1.0 (@microsoft/microsoft-graph-client).
 * Every request: immutable ids, times in UTC, text bodies (DESIGN.md §4).
 *
 * The entry point of lib/exchange/graph: the work is done per concern in the modules beside it
 * (context, batch, delta, folders, contacts, events, tasks, mail, subscriptions).
 */
import type { ResponseType } from '@microsoft/microsoft-graph-client';

import type { Component, ComponentRecordMap } from '../../model/types';
import {
	ExchangeError,
	type EnsureSyncFoldersOptions,
	type ExchangeWrite,
	type ExchangeWriteResult,
	type ExchangeChangePage,
	type ExchangeClient,
	type ExchangeFolder,
	type ExchangeItem,
	type MailChangePage,
	type MailMessageSummary,
	type MessageMove,
	type SyncFolderKind,
	type SyncFolders,
	type SyncWindow,
	type WriteOptions,
} from '../types';
import { readOrUndefined, type ComponentAdapter, type ComponentAdapters } from './adapter';
import type { BatchResult, BatchStep } from './batch';
import { ContactAdapter } from './contacts';
import { GraphContext, q, type GraphClientConfig } from './context';
import { toExchangeError } from './errors';
import { EventAdapter } from './events';
import { GraphFolders } from './folders';
import type { GraphItemBase } from './graph-types';
import type { RequestStats } from './http';
import * as mail from './mail';
import * as subscriptions from './subscriptions';
import type { GraphSubscription } from './subscriptions';
import { TaskAdapter } from './tasks';
import { applyMany } from './write-batch';

export type { BatchResult, BatchStep } from './batch';
export type { GraphClientConfig } from './context';
export type { GraphSubscription } from './subscriptions';

export class GraphExchangeClient implements ExchangeClient {
	readonly protocol = 'graph' as const;
	readonly mailbox: string;
	readonly stats: RequestStats;

	private readonly ctx: GraphContext;
	private readonly folders: GraphFolders;
	private readonly adapters: ComponentAdapters;

	constructor(config: GraphClientConfig) {
		this.ctx = new GraphContext(config);
		this.mailbox = this.ctx.mailbox;
		this.stats = this.ctx.stats;
		this.folders = new GraphFolders(this.ctx);
		this.adapters = { contact: new ContactAdapter(this.ctx), event: new EventAdapter(this.ctx), task: new TaskAdapter(this.ctx) };
	}

	close(): void {
		this.ctx.close();
	}

	private adapter<C extends Component>(component: C): ComponentAdapter<C> {
		return this.adapters[component];
	}

	// ---------- plumbing ----------

	request<T>(
		method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
		path: string,
		what: string,
		options: { body?: unknown; headers?: Record<string, string>; prefer?: string[]; responseType?: ResponseType } = {},
	): Promise<T> {
		return this.ctx.request<T>(method, path, what, options);
	}

	/**
	 * JSON $batch, at most 20 per call. `groups` keep requests linked by dependsOn in one
	 * call. Sub-responses 429/503/504 (and 424 of their dependents) are sent again after the
	 * longest Retry-After, within the retry bound.
	 */
	batch(groups: BatchStep[][]): Promise<Map<string, BatchResult>> {
		return this.ctx.batch(groups);
	}

	/** Subscription resource for change notifications on a sync folder. */
	resourceFor(kind: SyncFolderKind, folderId: string): string {
		return subscriptions.resourceFor(this.ctx, kind, folderId);
	}

	// ---------- folders ----------

	listFolders(kind: SyncFolderKind, parentId?: string): Promise<ExchangeFolder[]> {
		return this.folders.listFolders(kind, parentId);
	}

	getWellKnownFolder(name: string): Promise<ExchangeFolder> {
		return this.folders.getWellKnownFolder(name);
	}

	ensureSyncFolders(options: EnsureSyncFoldersOptions): Promise<SyncFolders> {
		return this.folders.ensureSyncFolders(options);
	}

	/** F5/F6: deletes the CRM-Sync folders (with content); never a default folder. */
	removeSyncFolders(kinds: SyncFolderKind[], folderName?: string): Promise<void> {
		return this.folders.removeSyncFolders(kinds, folderName);
	}

	// ---------- items ----------

	listChanges<C extends Component>(
		component: C,
		folderId: string,
		cursor: string | undefined,
		options: { window?: SyncWindow; pageSize?: number } = {},
	): Promise<ExchangeChangePage<C>> {
		return this.adapter(component).listChanges(folderId, cursor, options);
	}

	get<C extends Component>(component: C, folderId: string, id: string): Promise<ExchangeItem<C> | undefined> {
		return readOrUndefined(() => this.adapter(component).get(folderId, id));
	}

	create<C extends Component>(
		component: C,
		folderId: string,
		record: ComponentRecordMap[C],
		ident?: string,
		options: WriteOptions = {},
	): Promise<ExchangeItem<C>> {
		return this.adapter(component).create(folderId, record, ident, options);
	}

	update<C extends Component>(
		component: C,
		folderId: string,
		id: string,
		record: ComponentRecordMap[C],
		ident?: string,
		options: WriteOptions = {},
	): Promise<ExchangeItem<C>> {
		return this.adapter(component).update(folderId, id, record, ident, options);
	}

	/**
	 * Creates many items through $batch (20 per call, calls limited per mailbox like every
	 * request). Series with exceptions are written one by one. Results keep the input order;
	 * a failed item yields its ExchangeError instead of throwing.
	 */
	async createMany<C extends Component>(
		component: C,
		folderId: string,
		entries: Array<{ record: ComponentRecordMap[C]; ident?: string }>,
		options: WriteOptions = {},
	): Promise<Array<ExchangeItem<C> | ExchangeError>> {
		const adapter = this.adapter(component);
		const results: Array<ExchangeItem<C> | ExchangeError> = new Array(entries.length);
		const batched: number[] = [];
		for (let i = 0; i < entries.length; i++) {
			const e = entries[i];
			if (adapter.createsAlone(e.record)) {
				try {
					results[i] = await adapter.create(folderId, e.record, e.ident, options);
				} catch (error) {
					results[i] = toExchangeError(error, adapter.createWhat, this.mailbox);
				}
			} else batched.push(i);
		}
		const url = adapter.itemsPath(folderId);
		const res = await this.ctx.batch(
			batched.map((i) => [{ id: String(i), method: 'POST' as const, url, body: adapter.createBody(entries[i].record, entries[i].ident, options) }]),
		);
		for (const i of batched) {
			const r = res.get(String(i));
			if (!r || r.status >= 300) {
				results[i] = this.ctx.batchError(r, `Creating a ${component}`);
				continue;
			}
			results[i] = adapter.createdItem(r.body as GraphItemBase, folderId, entries[i].ident);
		}
		return results;
	}

	/** Creates, updates and deletes in $batches of 20 (write-batch.ts); results in input order, failures as errors. */
	applyMany(writes: ExchangeWrite[]): Promise<ExchangeWriteResult[]> {
		return applyMany(this.ctx, this.adapters, writes);
	}

	/** Items by id in $batches of 20: undefined where gone, the error where a read failed. */
	getMany<C extends Component>(component: C, folderId: string, ids: string[]): Promise<Array<ExchangeItem<C> | undefined | ExchangeError>> {
		return this.adapter(component).getMany(folderId, ids);
	}

	async delete(component: Component, folderId: string, id: string, options: WriteOptions = {}): Promise<void> {
		const headers = options.etag ? { 'If-Match': options.etag } : undefined;
		const path = `${this.adapter(component).itemsPath(folderId)}/${q(id)}`;
		try {
			await this.ctx.request('DELETE', path, `Deleting a ${component}`, { headers });
		} catch (e) {
			// Already gone: the goal of a delete is reached.
			if (e instanceof ExchangeError && e.code === 'notFound' && e.status === 404) return;
			throw e;
		}
	}

	// ---------- mail ----------

	listMessageChanges(folderId: string, cursor: string | undefined, options: { pageSize?: number } = {}): Promise<MailChangePage> {
		return mail.listMessageChanges(this.ctx, folderId, cursor, options);
	}

	getMessage(id: string): Promise<MailMessageSummary | undefined> {
		return mail.getMessage(this.ctx, id);
	}

	getMessageMime(id: string): Promise<Buffer> {
		return mail.getMessageMime(this.ctx, id);
	}

	moveMessage(id: string, destinationFolderId: string): Promise<MailMessageSummary> {
		return mail.moveMessage(this.ctx, id, destinationFolderId);
	}

	getMessageMimes(ids: string[]): Promise<Array<Buffer | ExchangeError>> {
		return mail.getMessageMimes(this.ctx, ids);
	}

	moveMessages(moves: MessageMove[]): Promise<Array<MailMessageSummary | ExchangeError>> {
		return mail.moveMessages(this.ctx, moves);
	}

	// ---------- change notifications ----------

	createSubscription(s: Omit<GraphSubscription, 'id'>): Promise<GraphSubscription> {
		return subscriptions.createSubscription(this.ctx, s);
	}

	renewSubscription(id: string, expirationDateTime: string): Promise<GraphSubscription> {
		return subscriptions.renewSubscription(this.ctx, id, expirationDateTime);
	}

	deleteSubscription(id: string): Promise<void> {
		return subscriptions.deleteSubscription(this.ctx, id);
	}

	/** Cheap authenticated call for connection tests. */
	async ping(): Promise<void> {
		await this.ctx.request('GET', `${this.ctx.root}/mailFolders/inbox?$select=id`, 'Connecting to the mailbox');
	}
}
