/** Calendar events: CRUD (a series with its exceptions) on a calendar, and its change feed. */
import { randomUUID } from 'node:crypto';

import { DEFAULT_REMINDER_MINUTES } from '../../model/reminder';
import type { CalendarEvent } from '../../model/types';
import type { ExchangeChangePage, ExchangeError, ExchangeItem, WriteOptions } from '../types';
import { readOrUndefined, type BatchedUpdate, type ChangeOptions, type ComponentAdapter } from './adapter';
import { type GraphContext, q } from './context';
import { toExchangeError } from './errors';
import { listEventChanges } from './event-changes';
import { applyExceptions, eventItem, readEvents } from './event-series';
import type { GraphEvent, GraphItemBase } from './graph-types';
import { eventToGraph, identProperty } from './mappers';
import { eventPatch } from './patch';

/**
 * One id per create call: "A custom identifier specified by a client app for the server to avoid
 * redundant POST operations in case of client retries to create the same event"
 * (https://learn.microsoft.com/en-us/graph/api/resources/event?view=graph-rest-1.0#properties). The HTTP
 * layer's retries of that call send the same body, so the same id; a later create of the same record
 * (another run) is a new call: twins are found by their ident (DESIGN.md §2), not swallowed by Graph.
 */
function transactionId(): string {
	return randomUUID();
}

export class EventAdapter implements ComponentAdapter<'event'> {
	readonly createWhat = 'Creating an appointment';

	constructor(private readonly ctx: GraphContext) {}

	itemsPath(folderId: string): string {
		return this.ctx.eventsPath(folderId);
	}

	async get(folderId: string, id: string): Promise<ExchangeItem<'event'> | undefined> {
		const found = (await readEvents(this.ctx, folderId, [id], this.ctx.defaultWindow())).get(id);
		return found ? eventItem(this.ctx, found.event, folderId, found.instances, found.window) : undefined;
	}

	async create(folderId: string, record: CalendarEvent, ident: string | undefined, options: WriteOptions): Promise<ExchangeItem<'event'>> {
		const identBody = ident ? identProperty(ident) : {};
		const body = this.createBody(record, ident, options);
		const created = await this.ctx.request<GraphEvent>('POST', this.itemsPath(folderId), 'Creating an appointment', { body });
		if (record.recurrence?.exceptions?.length) {
			await applyExceptions(this.ctx, folderId, created.id, record);
			const item = await readOrUndefined(() => this.get(folderId, created.id));
			if (item) return item;
		}
		return eventItem(this.ctx, { ...created, ...identBody }, folderId);
	}

	async update(folderId: string, id: string, record: CalendarEvent, ident: string | undefined, options: WriteOptions): Promise<ExchangeItem<'event'>> {
		const identBody = ident ? identProperty(ident) : {};
		const updated = await this.ctx.request<GraphEvent>('PATCH', `${this.itemsPath(folderId)}/${q(id)}`, 'Updating an appointment', {
			body: this.patchBody(record, ident, options),
			headers: options.etag ? { 'If-Match': options.etag } : undefined,
		});
		if (this.writesExceptions(record, options)) {
			await applyExceptions(this.ctx, folderId, id, record);
			const item = await readOrUndefined(() => this.get(folderId, id));
			if (item) return item;
		}
		return eventItem(this.ctx, { ...updated, ...(ident ? identBody : {}) }, folderId);
	}

	/** A series' exceptions are written only when its recurrence is among the changes. */
	private writesExceptions(record: CalendarEvent, options: WriteOptions): boolean {
		const changed = options.changedFields;
		return !!record.recurrence?.exceptions?.length && (!changed || changed.includes('recurrence'));
	}

	private patchBody(record: CalendarEvent, ident: string | undefined, options: WriteOptions): Record<string, unknown> {
		const changed = options.changedFields;
		const fields = changed
			? eventPatch(record, changed, { attendeesInBody: options.attendeesInBody })
			: eventToGraph(record, { create: false, attendeesInBody: options.attendeesInBody });
		return { ...fields, ...(ident ? identProperty(ident) : {}) };
	}

	/**
	 * The PATCH of `update` in a batch. Not batched (undefined): an update that writes a series' exceptions,
	 * which needs the series' instances read after the PATCH and PATCHes/DELETEs on them.
	 */
	batchedUpdate(folderId: string, id: string, record: CalendarEvent, ident: string | undefined, options: WriteOptions): BatchedUpdate<'event'> | undefined {
		if (this.writesExceptions(record, options)) return undefined;
		const identBody = ident ? identProperty(ident) : {};
		return {
			steps: (key) => [
				{
					id: key,
					method: 'PATCH',
					url: `${this.itemsPath(folderId)}/${q(id)}`,
					body: this.patchBody(record, ident, options),
					...(options.etag ? { headers: { 'If-Match': options.etag } } : {}),
				},
			],
			result: async (key, res) => {
				const r = res.get(key);
				if (!r || r.status >= 300) throw this.ctx.batchError(r, 'Updating an appointment');
				return eventItem(this.ctx, { ...(r.body as GraphEvent), ...identBody }, folderId);
			},
		};
	}

	/** Events with their series' instances (readEvents: $batches of 20); a failed read is every id's error. */
	async getMany(folderId: string, ids: string[]): Promise<Array<ExchangeItem<'event'> | undefined | ExchangeError>> {
		try {
			const found = await readEvents(this.ctx, folderId, ids, this.ctx.defaultWindow());
			return ids.map((id) => {
				const f = found.get(id);
				return f ? eventItem(this.ctx, f.event, folderId, f.instances, f.window) : undefined;
			});
		} catch (e) {
			const error = toExchangeError(e, 'Reading appointments', this.ctx.mailbox);
			return ids.map(() => error);
		}
	}

	/** A series with exceptions needs its instances after the create: written one by one, not in $batch. */
	createsAlone(record: CalendarEvent): boolean {
		return !!record.recurrence?.exceptions?.length;
	}

	createBody(record: CalendarEvent, ident: string | undefined, options: WriteOptions): Record<string, unknown> {
		return {
			...eventToGraph(record, {
				create: true,
				attendeesInBody: options.attendeesInBody,
				defaultReminderMinutes: this.ctx.config.defaultReminderMinutes ?? DEFAULT_REMINDER_MINUTES,
			}),
			...(ident ? identProperty(ident) : {}),
			transactionId: transactionId(),
		};
	}

	createdItem(created: GraphItemBase, folderId: string, ident: string | undefined): ExchangeItem<'event'> {
		return eventItem(this.ctx, { ...created, ...(ident ? identProperty(ident) : {}) } as GraphEvent, folderId);
	}

	listChanges(folderId: string, cursor: string | undefined, options: ChangeOptions): Promise<ExchangeChangePage<'event'>> {
		return listEventChanges(this.ctx, folderId, cursor, options);
	}
}
