import { shortHash } from '../model/hash';
import type { Side } from './types';

/**
 * Sync state as kept in n8n workflow static data (DESIGN.md §3). Compact by design, because n8n rewrites
 * it after every production execution:
 * - one table per mailbox × component × CRM instance;
 * - one row per pair, keyed by CRM id, as a `|`-joined string:
 *   `exchangeIdSuffix|crmEtagHash|crmContentHash|exchangeEtagHash|exchangeContentHash[|mergeBase]`;
 * - etags are only compared for equality, so a 6-character hash of them is kept;
 * - mergeBase is the pair's per-field base vector (lib/engine/base-vector.ts: `~`, a presence bitmap and
 *   6 characters per field with a value; older state: 2 characters per field);
 * - Exchange ids of one mailbox share a long prefix (Graph immutable ids start with the mailbox's
 *   GUID), so the common prefix is stored once per table.
 * An empty exchange id marks a pair whose Exchange copy was deleted while the CRM record stays (S6).
 */

export const STATE_VERSION = 1;

export interface PendingRun {
	/** Run id of the plan that staged these cursors. */
	run: string;
	/** Retry keys the plan took up (due or superseded by a newer report); commit clears those that did not fail again. */
	q?: string[];
	/** 1: the Exchange feed had more pages to come, so the expected echoes were not checked and stand. */
	e?: 1;
	crm?: string;
	ex?: string;
}

/**
 * A change whose write failed (DESIGN.md §2: it stays pending, retried, never skipped by a moved cursor).
 * The side's cursor moves on, so the record is kept as it was read; a newer report of it replaces it.
 */
export interface RetryEntry {
	/** Side the change was read from. */
	s: Side;
	/** The record as read; absent for a deletion. */
	it?: { id: string; etag: string; ident?: string; modifiedAt?: string; record: object };
	/** The source id, for a deletion. */
	d?: string;
	/** The target's id when an update found it gone: the next run treats it as deleted, so the change re-creates it. */
	g?: string;
	/** Failed attempts so far. */
	n: number;
	/** Runs still to skip before the next attempt (back-off). */
	w: number;
	/** The last error, shown as an open sync conflict. */
	e: string;
	/** CRM sync-conflict entry filed for it, so that it is filed once. */
	cf?: string;
	/**
	 * Fields the failed update had to write. The target's own change was read in that run and its cursor
	 * has moved on, so a retry that compares with the base alone would not see that the target differs
	 * there (e.g. the loser of last-modified-wins keeps its edit).
	 */
	f?: string[];
}

export interface TableData {
	/** Committed cursors. */
	c: { crm?: string; ex?: string };
	/** Cursors staged by the last plan, promoted by its commit. */
	p?: PendingRun;
	/** Common prefix of the Exchange ids. */
	x?: string;
	r: Record<string, string>;
	/** Pending retries, keyed `<side>:<source id>`. */
	q?: Record<string, RetryEntry>;
	/** CRM ids (`<crmId>[|<task day>]`) whose Exchange copy was created after the committed Exchange cursor (its next delta must list it). */
	e?: string[];
	/** Generation: the CRM run log's count of committed states of this sync when this one was committed (docs/decisions.md §17). */
	g?: number;
	/** 1: emptied by Reset State, so the run log's newer copy must not replace it (the reset is deliberate). */
	z?: 1;
	/** The mapping the merge bases were written with: `<field>=<code>` per synced field, in base order (lib/engine/mapping-change.ts). */
	m?: string[];
}

export interface SyncStateRoot {
	v: number;
	tables: Record<string, TableData>;
}

export interface StatusRow {
	exchangeId?: string;
	crmEtag: string;
	crmHash: string;
	exchangeEtag: string;
	exchangeHash: string;
	mergeBase?: string;
}

export function etagHash(etag: string): string {
	return shortHash(etag).slice(0, 6);
}

type Migration = (raw: Record<string, unknown>) => Record<string, unknown>;

/** Ordered migrations: index i upgrades layout version i to i + 1. Version 0 = no or unknown layout. */
const MIGRATIONS: Migration[] = [() => ({ v: 1, tables: {} })];

/** Read the static-data object, upgrading older layouts in place. */
export function migrateState(raw: unknown): SyncStateRoot {
	let state = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
	let version = typeof state.v === 'number' ? state.v : 0;
	if (version > STATE_VERSION) {
		throw new Error(`The sync state was written by a newer version of this package (layout ${version}); update the package.`);
	}
	while (version < STATE_VERSION) {
		state = MIGRATIONS[version](state);
		version += 1;
	}
	if (!state.tables || typeof state.tables !== 'object') state.tables = {};
	return state as unknown as SyncStateRoot;
}

export function tableKey(parts: { mailbox: string; component: string; crmInstance: string; folderId?: string }): string {
	return [parts.mailbox.toLowerCase(), parts.component, parts.crmInstance, parts.folderId ?? ''].join('|');
}

/** Longest common prefix, always shorter than the shortest id so that no suffix is empty. */
function commonPrefix(ids: Iterable<string>): string {
	let prefix: string | undefined;
	let shortest = Infinity;
	for (const id of ids) {
		shortest = Math.min(shortest, id.length);
		if (prefix === undefined) {
			prefix = id;
			continue;
		}
		let i = 0;
		const max = Math.min(prefix.length, id.length);
		while (i < max && prefix.charCodeAt(i) === id.charCodeAt(i)) i++;
		if (i < prefix.length) prefix = prefix.slice(0, i);
		if (prefix === '') break;
	}
	return (prefix ?? '').slice(0, Math.max(0, shortest - 1));
}

function splitMappingEntry(entry: string): [string, string] {
	const at = entry.lastIndexOf('=');
	return at === -1 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
}

/** The in-memory view of one table: rows decoded, with a reverse index from Exchange id to CRM id. */
export class StatusTable {
	private readonly rows = new Map<string, StatusRow>();
	private readonly byExchange = new Map<string, string>();
	cursors: { crm?: string; ex?: string };
	pending?: PendingRun;
	/** Pending retries of failed writes, keyed `<side>:<source id>`. */
	readonly retries = new Map<string, RetryEntry>();
	/** CRM ids whose Exchange copy the connector created after the committed Exchange cursor. */
	echoes = new Set<string>();
	/** Which committed state of this sync this is (0: none recorded); see `TableData.g`. */
	generation: number;
	/** Emptied on purpose by Reset State and not committed since. */
	reset: boolean;
	/** Synced fields (in base order) with the code of their CRM mapping, as the merge bases were written; absent in older state. */
	mapping?: Array<[field: string, code: string]>;

	private constructor(data: TableData | undefined) {
		this.cursors = { ...(data?.c ?? {}) };
		this.pending = data?.p ? { ...data.p } : undefined;
		for (const [key, entry] of Object.entries(data?.q ?? {})) this.retries.set(key, entry);
		for (const crmId of data?.e ?? []) this.echoes.add(crmId);
		this.generation = data?.g ?? 0;
		this.reset = data?.z === 1;
		if (Array.isArray(data?.m)) this.mapping = data.m.map((entry) => splitMappingEntry(entry));
		const prefix = data?.x ?? '';
		for (const [crmId, encoded] of Object.entries(data?.r ?? {})) {
			const [suffix, crmEtag, crmHash, exchangeEtag, exchangeHash, mergeBase] = encoded.split('|');
			const row: StatusRow = { crmEtag, crmHash, exchangeEtag, exchangeHash };
			if (suffix !== '') row.exchangeId = prefix + suffix;
			if (mergeBase) row.mergeBase = mergeBase;
			this.set(crmId, row);
		}
	}

	static load(data?: TableData): StatusTable {
		return new StatusTable(data);
	}

	/** An empty table that stands for a deliberate reset (A4). */
	static emptied(generation: number): StatusTable {
		return new StatusTable({ c: {}, r: {}, ...(generation ? { g: generation } : {}), z: 1 });
	}

	get size(): number {
		return this.rows.size;
	}

	get(crmId: string): StatusRow | undefined {
		return this.rows.get(crmId);
	}

	crmIdForExchange(exchangeId: string): string | undefined {
		return this.byExchange.get(exchangeId);
	}

	/** An Exchange item belongs to one pair only: pairing it anew drops the row of its previous pair. */
	set(crmId: string, row: StatusRow): void {
		const old = this.rows.get(crmId);
		if (old?.exchangeId && this.byExchange.get(old.exchangeId) === crmId) this.byExchange.delete(old.exchangeId);
		if (row.exchangeId) {
			const previous = this.byExchange.get(row.exchangeId);
			if (previous !== undefined && previous !== crmId) this.rows.delete(previous);
			this.byExchange.set(row.exchangeId, crmId);
		}
		this.rows.set(crmId, row);
	}

	delete(crmId: string): void {
		const old = this.rows.get(crmId);
		if (old?.exchangeId && this.byExchange.get(old.exchangeId) === crmId) this.byExchange.delete(old.exchangeId);
		this.rows.delete(crmId);
	}

	entries(): IterableIterator<[string, StatusRow]> {
		return this.rows.entries();
	}

	/** Number of rows that have a live record on the given side. */
	countWith(side: 'crm' | 'exchange'): number {
		if (side === 'crm') return this.rows.size;
		return this.byExchange.size;
	}

	save(): TableData {
		const prefix = commonPrefix(this.byExchange.keys());
		const r: Record<string, string> = {};
		for (const [crmId, row] of this.rows) {
			const parts = [row.exchangeId ? row.exchangeId.slice(prefix.length) : '', row.crmEtag, row.crmHash, row.exchangeEtag, row.exchangeHash];
			if (row.mergeBase) parts.push(row.mergeBase);
			r[crmId] = parts.join('|');
		}
		const data: TableData = { c: { ...this.cursors }, r };
		if (prefix) data.x = prefix;
		if (this.pending) data.p = { ...this.pending };
		if (this.retries.size) data.q = Object.fromEntries(this.retries);
		if (this.echoes.size) data.e = [...this.echoes];
		if (this.generation) data.g = this.generation;
		if (this.reset) data.z = 1;
		if (this.mapping) data.m = this.mapping.map(([field, code]) => `${field}=${code}`);
		return data;
	}
}
