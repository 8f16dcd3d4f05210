import type { Component, ComponentRecordMap } from '../../lib/model/types';
import {
	mergeFields,
	type ActionOutcome,
	type CommitReport,
	type SyncPlan,
	type PlannedAction,
	type Side,
	type SideChanges,
	type SideItem,
} from '../../lib/engine';

/**
 * An in-memory record store with a change feed, standing in for one side of a sync. It behaves like the
 * real feeds: a cursor is a sequence number, changes report current state, deletions are explicit, and the
 * connector's own writes show up in the feed like anyone else's. Used by the engine's property tests, the
 * benchmark and the offline demo; no part of the product depends on it.
 */
export class MemorySide<C extends Component> {
	private readonly items = new Map<string, SideItem<C> & { seq: number }>();
	private readonly tombstones = new Map<string, number>();
	private seq = 0;
	private nextId = 1;

	/** `clock` returns the modification time of each write; share one between two sides for lastModifiedWins. */
	constructor(
		readonly side: Side,
		private readonly idPrefix: string,
		private readonly clock: () => string = MemorySide.clock(),
	) {}

	/** A clock that advances one second per reading, from 2026-01-01. */
	static clock(startMs = Date.UTC(2026, 0, 1)): () => string {
		let now = startMs;
		return () => {
			now += 1000;
			return new Date(now).toISOString();
		};
	}

	private tick(): string {
		return this.clock();
	}

	get size(): number {
		return this.items.size;
	}

	all(): Array<SideItem<C>> {
		return [...this.items.values()].map(({ seq: _seq, ...item }) => item);
	}

	getItem(id: string): SideItem<C> | undefined {
		const item = this.items.get(id);
		if (!item) return undefined;
		const { seq: _seq, ...rest } = item;
		return rest;
	}

	/** A user (or the connector) creates a record. */
	create(record: ComponentRecordMap[C], ident?: string, id?: string): SideItem<C> {
		const newId = id ?? `${this.idPrefix}${String(this.nextId++).padStart(6, '0')}`;
		const item = { id: newId, etag: `v1-${newId}`, ident, modifiedAt: this.tick(), record: structuredClone(record), seq: ++this.seq };
		this.items.set(newId, item);
		this.tombstones.delete(newId);
		return this.getItem(newId) as SideItem<C>;
	}

	update(id: string, record: ComponentRecordMap[C]): SideItem<C> | undefined {
		const item = this.items.get(id);
		if (!item) return undefined;
		const version = Number(item.etag.split('-')[0].slice(1)) + 1;
		Object.assign(item, { etag: `v${version}-${id}`, modifiedAt: this.tick(), record: structuredClone(record), seq: ++this.seq });
		return this.getItem(id);
	}

	/**
	 * Bump the etag without changing content or modification time, as a server does when it re-stamps an
	 * item (the engine must not see this as a change).
	 */
	touch(id: string): void {
		const item = this.items.get(id);
		if (!item) return;
		const modifiedAt = item.modifiedAt;
		this.update(id, item.record);
		item.modifiedAt = modifiedAt;
	}

	remove(id: string): boolean {
		if (!this.items.delete(id)) return false;
		this.tombstones.set(id, ++this.seq);
		return true;
	}

	/** Changes since `cursor`; without a cursor a complete listing. */
	changes(cursor?: string): SideChanges<C> {
		const since = cursor === undefined ? undefined : Number(cursor);
		const items = [...this.items.values()]
			.filter((item) => since === undefined || item.seq > since)
			.map(({ seq: _seq, ...item }) => ({ ...item, record: structuredClone(item.record) }));
		const deletedIds = since === undefined ? [] : [...this.tombstones.entries()].filter(([, seq]) => seq > since).map(([id]) => id);
		return { complete: since === undefined, items, deletedIds, cursor: String(this.seq) };
	}

	/** Apply a planned write to this side, the way the CRM/Exchange nodes do. */
	apply(action: PlannedAction<C>): ActionOutcome<C> {
		const fail = (code: ActionOutcome['code'], error: string): ActionOutcome<C> => ({ seq: action.seq, ok: false, code, error });
		if (action.kind === 'create') {
			const item = this.create(action.record as ComponentRecordMap[C], action.writeIdent);
			return { seq: action.seq, ok: true, id: item.id, etag: item.etag, record: item.record };
		}
		const current = action.targetId ? this.items.get(action.targetId) : undefined;
		if (!current) return fail('notFound', 'The record no longer exists.');
		if (action.targetEtag && action.targetEtag !== current.etag) return fail('conflict', 'The record changed meanwhile.');
		if (action.kind === 'update') {
			// Like the real writers: only the fields the plan says changed (issue 12 §1), or `onlyFields`.
			const fields = action.onlyFields ?? action.changedFields;
			const record = fields ? mergeFields(current.record, action.record as ComponentRecordMap[C], fields) : action.record;
			const item = this.update(current.id, record as ComponentRecordMap[C]) as SideItem<C>;
			return { seq: action.seq, ok: true, id: item.id, etag: item.etag, record: item.record };
		}
		this.remove(current.id);
		return { seq: action.seq, ok: true, id: current.id };
	}
}

export interface MemoryRunHooks<C extends Component> {
	/** Return false to make the action fail as a transient error (not applied). */
	beforeApply?: (action: PlannedAction<C>, index: number) => boolean;
	/** Stop after this many applied writes, without committing (a crash). */
	crashAfter?: number;
}

export interface MemoryRunResult<C extends Component> {
	plan: SyncPlan<C>;
	report?: CommitReport;
	crashed: boolean;
}
