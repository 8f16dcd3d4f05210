/**
 * Delta queries. Folder feeds (messages, contacts, To Do tasks) come from the mailbox
 * journal: the token carries the journal sequence, so changes made through EWS appear here.
 * calendarView/delta compares instance snapshots inside the window, as Graph documents it:
 * instances that leave the window or are deleted come back as @removed.
 */
import { randomBytes } from 'node:crypto';
import { StoreError, type Mailbox, type StoredFolder, type StoredItem } from '../store';
import type { SandboxReply } from '../http/types';
import { ok, preferenceApplied, type GraphContext } from './context';
import { GraphError, badRequest, fromStoreError } from './errors';
import { shape, filterEntries, type Entry } from './collection';

interface FolderToken {
	v: 1;
	/** store epoch */
	e: number;
	/** mailbox id */
	m: string;
	f: string;
	/** journal seq the round started after */
	s: number;
	/** skiptoken: seq of the last change already returned in this round */
	a?: number;
	/** query options of the first request ($select, $expand, $filter) */
	q: string;
}

function encode(token: object): string {
	return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decode<T>(text: string): T {
	try {
		return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as T;
	} catch {
		throw badRequest('The delta token or skip token is not valid.', 'BadRequest');
	}
}

const stale = (): GraphError => fromStoreError(new StoreError('syncStateInvalid', 'stale'));

function optionsQuery(query: URLSearchParams): string {
	const kept = new URLSearchParams();
	for (const key of ['$select', '$expand', '$filter']) {
		const value = query.get(key);
		if (value !== null) kept.set(key, value);
	}
	return kept.toString();
}

function deltaPageSize(ctx: GraphContext): number {
	return Math.min(ctx.prefer.maxPageSize ?? ctx.config.defaultPageSize, ctx.config.maxPageSize);
}

/** GET …/{folder}/{items}/delta for a journal-backed folder. */
export function folderDelta(
	ctx: GraphContext,
	folder: StoredFolder,
	renderItem: (item: StoredItem, query: URLSearchParams) => Entry,
	contextFragment: string,
): SandboxReply {
	const deltaToken = ctx.query.get('$deltatoken');
	const skipToken = ctx.query.get('$skiptoken');
	let token: FolderToken;
	if (deltaToken || skipToken) {
		token = decode<FolderToken>((deltaToken ?? skipToken) as string);
		if (token.e !== ctx.store.epoch || token.m !== ctx.mailbox.owner.id || token.f !== folder.id) throw stale();
	} else {
		token = { v: 1, e: ctx.store.epoch, m: ctx.mailbox.owner.id, f: folder.id, s: 0, q: optionsQuery(ctx.query) };
	}
	const query = new URLSearchParams(token.q);
	let result: ReturnType<Mailbox['changesSince']>;
	try {
		result = ctx.mailbox.changesSince(folder.id, token.s);
	} catch (e) {
		if (e instanceof StoreError) throw fromStoreError(e);
		throw e;
	}
	const remaining = result.changes.filter((c) => token.a === undefined || c.seq > token.a);
	const size = deltaPageSize(ctx);
	const page = remaining.slice(0, size);
	const value: unknown[] = [];
	const entries: Entry[] = [];
	for (const change of page) {
		const item = change.change === 'upsert' ? ctx.mailbox.getItem(change.itemId) : undefined;
		if (item) entries.push(renderItem(item, query));
		else
			value.push({
				'@odata.type': `#microsoft.graph.${contextFragment.includes('message') ? 'message' : contextFragment.includes('contact') ? 'contact' : 'todoTask'}`,
				id: change.itemId,
				'@removed': { reason: change.removedReason ?? 'deleted' },
			});
	}
	const filtered = filterEntries(entries, query.get('$filter'));
	value.unshift(...filtered.map((e) => shape(ctx, e, query)));
	const path = `${ctx.base}/${ctx.userPath}${ctx.resourcePath}`;
	const body: Record<string, unknown> = { '@odata.context': `${ctx.base}/$metadata#${contextFragment}` };
	if (remaining.length > size) body['@odata.nextLink'] = `${path}?$skiptoken=${encode({ ...token, a: page[page.length - 1].seq })}`;
	else body['@odata.deltaLink'] = `${path}?$deltatoken=${encode({ v: 1, e: token.e, m: token.m, f: token.f, s: result.latestSeq, q: token.q })}`;
	body.value = value;
	return ok(body, preferenceApplied(ctx));
}

// ---- calendarView/delta ---------------------------------------------------------------------

export interface CalendarInstance {
	id: string;
	changeKey: string;
	entry: () => Entry;
}

interface Snapshot {
	mailbox: string;
	folderId: string;
	epoch: number;
	/** mailbox journal seq when taken (control API "expire" invalidates older ones) */
	seq: number;
	from: string;
	to: string;
	state: Map<string, string>;
	query: string;
}

interface Round {
	snapshotId: string;
	pending: Array<{ id: string; removed?: 'deleted' | 'changed' }>;
	offset: number;
}

const MAX_SNAPSHOTS = 500;

/** Server-side state of calendarView delta rounds (the tokens are opaque handles to it). */
export class CalendarDeltaState {
	private snapshots = new Map<string, Snapshot>();
	private rounds = new Map<string, Round>();

	reset(): void {
		this.snapshots.clear();
		this.rounds.clear();
	}

	handle(
		ctx: GraphContext,
		folder: StoredFolder,
		instancesIn: (from: string, to: string) => CalendarInstance[],
		removalReason: (instanceId: string) => 'deleted' | 'changed',
	): SandboxReply {
		const skipToken = ctx.query.get('$skiptoken');
		const deltaToken = ctx.query.get('$deltatoken');
		let round: Round | undefined;
		let snapshot: Snapshot | undefined;
		if (skipToken) {
			round = this.rounds.get(skipToken);
			snapshot = round && this.snapshots.get(round.snapshotId);
			if (!round || !snapshot) throw stale();
		} else {
			let previous: Snapshot | undefined;
			let from: string;
			let to: string;
			let query: string;
			if (deltaToken) {
				previous = this.snapshots.get(deltaToken);
				if (
					!previous ||
					previous.epoch !== ctx.store.epoch ||
					previous.mailbox !== ctx.mailbox.address ||
					previous.folderId !== folder.id ||
					!ctx.mailbox.isValidCursor(previous.seq)
				)
					throw stale();
				({ from, to, query } = previous);
			} else {
				const start = ctx.query.get('startDateTime') ?? ctx.query.get('startdatetime');
				const end = ctx.query.get('endDateTime') ?? ctx.query.get('enddatetime');
				if (!start || !end)
					throw badRequest(
						'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
						'ErrorInvalidParameter',
					);
				if (Number.isNaN(Date.parse(start)) || Number.isNaN(Date.parse(end)))
					throw badRequest('The value of StartDateTime or EndDateTime is not a valid date-time.', 'ErrorInvalidParameter');
				from = new Date(start).toISOString();
				to = new Date(end).toISOString();
				query = optionsQuery(ctx.query);
			}
			const current = instancesIn(from, to);
			const state = new Map(current.map((i) => [i.id, i.changeKey]));
			const pending: Round['pending'] = [];
			for (const instance of current) if (!previous || previous.state.get(instance.id) !== instance.changeKey) pending.push({ id: instance.id });
			if (previous) for (const id of previous.state.keys()) if (!state.has(id)) pending.push({ id, removed: removalReason(id) });
			snapshot = { mailbox: ctx.mailbox.address, folderId: folder.id, epoch: ctx.store.epoch, seq: ctx.mailbox.currentSeq, from, to, state, query };
			const snapshotId = this.remember(snapshot);
			round = { snapshotId, pending, offset: 0 };
		}
		const size = Math.min(ctx.prefer.maxPageSize ?? ctx.config.defaultPageSize, ctx.config.maxPageSize);
		const slice = round.pending.slice(round.offset, round.offset + size);
		round.offset += slice.length;
		const query = new URLSearchParams(snapshot.query);
		const byId = new Map(instancesIn(snapshot.from, snapshot.to).map((i) => [i.id, i]));
		const value = slice.map((p) => {
			const instance = p.removed ? undefined : byId.get(p.id);
			if (!instance) return { '@odata.type': '#microsoft.graph.event', id: p.id, '@removed': { reason: p.removed ?? removalReason(p.id) } };
			return { '@odata.type': '#microsoft.graph.event', ...shape(ctx, instance.entry(), query) };
		});
		const path = `${ctx.base}/${ctx.userPath}${ctx.resourcePath}`;
		const body: Record<string, unknown> = { '@odata.context': `${ctx.base}/$metadata#Collection(event)` };
		if (round.offset < round.pending.length) {
			const roundId = randomBytes(12).toString('base64url');
			this.rounds.set(roundId, round);
			if (skipToken) this.rounds.delete(skipToken);
			body['@odata.nextLink'] = `${path}?$skiptoken=${roundId}`;
		} else {
			if (skipToken) this.rounds.delete(skipToken);
			body['@odata.deltaLink'] = `${path}?$deltatoken=${round.snapshotId}`;
		}
		body.value = value;
		return ok(body, preferenceApplied(ctx));
	}

	private remember(snapshot: Snapshot): string {
		const id = randomBytes(12).toString('base64url');
		this.snapshots.set(id, snapshot);
		while (this.snapshots.size > MAX_SNAPSHOTS) {
			const oldest = this.snapshots.keys().next().value as string;
			this.snapshots.delete(oldest);
		}
		return id;
	}
}
