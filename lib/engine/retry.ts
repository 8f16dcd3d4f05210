import type { Component } from '../model/types';
import type { RetryEntry, StatusTable } from './state';
import type { PlannedAction, Side, SideChanges, SideItem, SourceRef } from './types';

/**
 * Pending retries (DESIGN.md §2: a failed action keeps its source change pending, it is never skipped by a
 * moved cursor). A side's cursor moves on after every run, so a change whose write failed is kept in the
 * table as it was read and comes back into the next plans as a change of its side, until a write of it
 * succeeds, a newer report of the record replaces it, or the record is gone.
 */

/** More pending retries than this and the run holds its cursors instead (the state stays compact). */
export const MAX_RETRIES = 1000;
/** Back-off bound: a failing write is attempted at least every this many runs + 1. */
export const MAX_WAIT_RUNS = 31;

export function sourceKey(source: Pick<SourceRef, 'side' | 'id'>): string {
	return `${source.side}:${source.id}`;
}

/** Runs to skip after the n-th failed attempt: 0, 1, 3, 7, 15, 31, 31, … */
export function backoffRuns(attempts: number): number {
	return Math.min(2 ** Math.max(0, attempts - 1) - 1, MAX_WAIT_RUNS);
}

export interface TakenUpRetries<C extends Component> {
	crm: SideChanges<C>;
	exchange: SideChanges<C>;
	/** Keys attempted in this run; commit clears those that did not fail again. */
	taken: string[];
	due: Map<string, RetryEntry>;
	/** Keys still in back-off: their idents are held (no write) and shown as pending conflicts. */
	waiting: Map<string, RetryEntry>;
}

function copyFeed<C extends Component>(feed: SideChanges<C>): SideChanges<C> & { deletedIds: string[] } {
	return { ...feed, items: [...feed.items], deletedIds: [...(feed.deletedIds ?? [])] };
}

/**
 * Puts every pending retry back into its side's changes. Entries in back-off are put back too, so that a
 * change of the other side of the same pair is decided against them (and held), never over them.
 */
export function takeUpRetries<C extends Component>(table: StatusTable, crmFeed: SideChanges<C>, exchangeFeed: SideChanges<C>): TakenUpRetries<C> {
	const feeds = { crm: copyFeed(crmFeed), exchange: copyFeed(exchangeFeed) };
	const reported = {
		crm: new Set([...crmFeed.items.map((i) => i.id), ...(crmFeed.deletedIds ?? [])]),
		exchange: new Set([...exchangeFeed.items.map((i) => i.id), ...(exchangeFeed.deletedIds ?? [])]),
	};
	const taken: string[] = [];
	const due = new Map<string, RetryEntry>();
	const waiting = new Map<string, RetryEntry>();
	for (const [key, entry] of table.retries) {
		const feed = feeds[entry.s];
		const id = entry.it?.id ?? entry.d ?? '';
		const fresh = reported[entry.s].has(id);
		if (entry.w > 0 && !fresh) {
			entry.w -= 1;
			waiting.set(key, entry);
		} else {
			taken.push(key);
			due.set(key, entry);
		}
		// A newer report of the record replaces the kept one; a complete listing without it means it is gone.
		if (!fresh && entry.it && !feed.complete) feed.items.push(entry.it as SideItem<C>);
		if (!fresh && entry.d) feed.deletedIds.push(entry.d);
		const other: Side = entry.s === 'crm' ? 'exchange' : 'crm';
		if (entry.g && !reported[other].has(entry.g)) feeds[other].deletedIds.push(entry.g);
	}
	return { crm: feeds.crm, exchange: feeds.exchange, taken, due, waiting };
}

function pendingConflict<C extends Component>(action: PlannedAction<C>, entry: RetryEntry): PlannedAction<C> {
	const record = (entry.it?.record ?? action.record) as PlannedAction<C>['record'];
	return {
		seq: action.seq,
		ident: action.ident,
		...(action.crmId !== undefined ? { crmId: action.crmId } : {}),
		kind: 'conflict',
		target: null,
		reason:
			`Not written yet: attempt ${entry.n} failed (${entry.e}). ` +
			`It is tried again in ${entry.w + 1} run${entry.w === 0 ? '' : 's'}, or at once when the record changes.`,
		rowEffect: 'keep',
		crm: action.crm,
		exchange: action.exchange,
		source: action.source,
		conflict: { kind: 'pending', side: entry.s, [entry.s === 'crm' ? 'crmRecord' : 'exchangeRecord']: record },
		retry: { attempts: entry.n, lastError: entry.e, waitRuns: entry.w, ...(entry.cf ? { conflictId: entry.cf } : {}) },
	};
}

/**
 * Writes of a pair whose failed change is in back-off wait (shown as a pending conflict); writes that
 * repeat a failed one carry its history, so its sync-conflict entry is filed once.
 */
export function holdWaitingRetries<C extends Component>(
	actions: Array<PlannedAction<C>>,
	waiting: Map<string, RetryEntry>,
	due: Map<string, RetryEntry>,
): Array<PlannedAction<C>> {
	if (waiting.size === 0 && due.size === 0) return actions;
	const held = new Map<string, RetryEntry>();
	for (const action of actions) {
		const entry = action.source && waiting.get(sourceKey(action.source));
		if (entry) held.set(action.ident, entry);
	}
	return actions.map((action) => {
		const heldBy = held.get(action.ident);
		if (heldBy && action.target !== null) return pendingConflict(action, heldBy);
		const entry = action.source && due.get(sourceKey(action.source));
		if (!entry) return action;
		const retry = { attempts: entry.n, lastError: entry.e, waitRuns: 0, ...(entry.cf ? { conflictId: entry.cf } : {}) };
		return { ...action, ...withFailedFields(action, entry), retry };
	});
}

/** An update that repeats a failed one writes the fields the failed one had to write, too. */
function withFailedFields<C extends Component>(action: PlannedAction<C>, entry: RetryEntry): Partial<PlannedAction<C>> {
	if (action.kind !== 'update' || !action.changedFields || !entry.f?.length) return {};
	return { changedFields: [...new Set([...action.changedFields, ...entry.f])] };
}

export interface FailedChange {
	action: PlannedAction;
	error: string;
	code?: string;
	/** CRM sync-conflict entry filed for this change in this run. */
	conflictId?: string;
}

/**
 * Commit's half: every failed change becomes (or stays) a pending retry with back-off; retries taken up by
 * this run that did not fail again are done. Returns false when a failure could not be kept (no source, or
 * the retry set is full): then the run must hold its cursors so that the change is read again.
 */
export function rememberFailures(table: StatusTable, failed: FailedChange[], taken: readonly string[]): boolean {
	let allKept = true;
	const failedNow = new Set<string>();
	for (const { action, error, code, conflictId } of failed) {
		const source = action.source;
		if (!source) {
			allKept = false;
			continue;
		}
		const key = sourceKey(source);
		const old = table.retries.get(key);
		if (!old && table.retries.size >= MAX_RETRIES) {
			allKept = false;
			continue;
		}
		const attempts = (old?.n ?? action.retry?.attempts ?? 0) + 1;
		const entry: RetryEntry = {
			s: source.side,
			n: attempts,
			// An invalid record is checked again for free on every run; a refused write backs off.
			w: code === 'invalid' && action.kind === 'conflict' ? 0 : backoffRuns(attempts),
			e: error,
		};
		if (source.deleted) entry.d = source.id;
		else {
			const record = action.record ?? (source.side === 'crm' ? action.conflict?.crmRecord : action.conflict?.exchangeRecord);
			if (!record) {
				allKept = false;
				continue;
			}
			entry.it = {
				id: source.id,
				etag: source.etag ?? '',
				...(source.ident !== undefined ? { ident: source.ident } : {}),
				...(source.modifiedAt !== undefined ? { modifiedAt: source.modifiedAt } : {}),
				record,
			};
		}
		// The update found its target gone: the next run sees it deleted, and the change re-creates it.
		if (code === 'notFound' && action.kind === 'update' && action.targetId) entry.g = action.targetId;
		const cf = conflictId ?? action.retry?.conflictId ?? old?.cf;
		if (cf) entry.cf = cf;
		const fields = action.kind === 'update' ? [...new Set([...(old?.f ?? []), ...(action.changedFields ?? [])])] : [];
		if (fields.length) entry.f = fields;
		table.retries.set(key, entry);
		failedNow.add(key);
	}
	for (const key of taken) if (!failedNow.has(key)) table.retries.delete(key);
	return allKept;
}
