/**
 * Polling logic of the Exchange Trigger, without n8n: change feeds per folder with cursors
 * kept in a small state object (the node stores it in workflow static data), created /
 * updated / deleted classification, "e-mail moved into a CRM-Sync folder" with the folder
 * it came from when an earlier delta saw it (folder index), and the A5 auth pause.
 */
import type { Component } from '../model/types';
import { ExchangeError, type ExchangeClient, type MailMessageSummary, type SyncFolders, type SyncWindow } from './types';

export type ItemChangeType = 'created' | 'updated' | 'deleted';

export interface TriggerState {
	v: 1;
	cursors: Record<string, string>;
	/** ISO instant of the last completed poll: items created after it are "created". */
	lastPollAt?: string;
	/** Sync folder ids resolved earlier (saves requests on every poll). */
	folders?: SyncFolders;
	/** Well-known folder name → id, resolved earlier (origin folders of the mail trigger). */
	wellKnown?: Record<string, string>;
	/** E9: the watched origin folders with their subfolders, and when that tree was last listed. */
	originTree?: { roots: string[]; ids: string[]; listedAt: string };
	/** message id → folder id it was last seen in (bounded, newest last). */
	folderIndex?: Record<string, string>;
	auth?: AuthPauseState;
}

/** A5: failed sign-ins in a row for one credential (fingerprint), and since when the account is paused. */
export interface AuthPauseState {
	failures: number;
	fingerprint?: string;
	pausedAt?: string;
	lastError?: string;
}

export function emptyTriggerState(): TriggerState {
	return { v: 1, cursors: {} };
}

/** Reads whatever is stored; unknown layouts start over (the cursors are only a cache). */
export function migrateTriggerState(raw: unknown): TriggerState {
	const s = raw as Partial<TriggerState> | undefined;
	if (!s || s.v !== 1 || typeof s.cursors !== 'object' || s.cursors === null) return emptyTriggerState();
	return { ...s, v: 1, cursors: { ...s.cursors } } as TriggerState;
}

export interface ItemChangeEvent {
	changeType: ItemChangeType;
	component: Component;
	folderId: string;
	id: string;
	etag?: string;
	ident?: string;
	modifiedAt?: string;
	record?: unknown;
	raw?: unknown;
}

export interface ItemPollOptions {
	folders: Array<{ component: Component; folderId: string }>;
	changeTypes: ItemChangeType[];
	window?: SyncWindow;
	/** First run: emit every existing item as "created" instead of only starting the cursor. */
	emitExisting?: boolean;
	now?: number;
	/** Stop after this many events (manual mode sample). */
	limit?: number;
}

export async function pollItemChanges(
	client: ExchangeClient,
	state: TriggerState,
	options: ItemPollOptions,
): Promise<{ events: ItemChangeEvent[]; state: TriggerState }> {
	const next: TriggerState = { ...state, cursors: { ...state.cursors } };
	const events: ItemChangeEvent[] = [];
	const since = state.lastPollAt ? Date.parse(state.lastPollAt) : undefined;
	for (const { component, folderId } of options.folders) {
		const key = `${component}:${folderId}`;
		let cursor = next.cursors[key];
		const firstRun = cursor === undefined;
		let hasMore = true;
		while (hasMore) {
			const page = await client.listChanges(component, folderId, cursor, { window: component === 'event' ? options.window : undefined });
			if (!firstRun || options.emitExisting) {
				for (const item of page.items) {
					const created = firstRun || (since !== undefined && item.createdAt !== undefined && Date.parse(item.createdAt) > since);
					events.push({
						changeType: created ? 'created' : 'updated',
						component,
						folderId,
						id: item.id,
						etag: item.etag,
						ident: item.ident,
						modifiedAt: item.modifiedAt,
						record: item.record,
						...(item.raw !== undefined ? { raw: item.raw } : {}),
					});
				}
				for (const id of page.deletedIds) events.push({ changeType: 'deleted', component, folderId, id });
			}
			cursor = page.cursor;
			hasMore = page.hasMore;
			if (options.limit !== undefined && events.length >= options.limit) break;
		}
		next.cursors[key] = cursor as string;
	}
	next.lastPollAt = new Date(options.now ?? Date.now()).toISOString();
	const wanted = new Set(options.changeTypes);
	const filtered = events.filter((e) => wanted.has(e.changeType));
	return { events: options.limit !== undefined ? filtered.slice(0, options.limit) : filtered, state: next };
}

export type SyncMailFolderName = 'root' | 'accounts' | 'contacts' | 'leads' | 'partner';

export interface MailMovedEvent {
	/** Which CRM-Sync folder (E1: root searches every module, a subfolder only its module). */
	folder: SyncMailFolderName;
	folderId: string;
	message: MailMessageSummary;
	/** Folder the message was seen in before, when an earlier delta saw it (E9: move back there). */
	previousFolderId?: string;
}

export interface MailPollOptions {
	syncFolders: NonNullable<SyncFolders['mail']>;
	/** Folders watched only to learn where messages come from (default: Inbox, Sent Items). */
	originFolderIds: string[];
	emitExisting?: boolean;
	limit?: number;
	/** Max entries of the folder index kept in the state. */
	indexSize?: number;
	/** Max origin folders watched, subfolders included (default 200). */
	maxOriginFolders?: number;
	/** How often the subfolders of the origin folders are listed again (default 15 min); idle polls in between cost no folder listing. */
	originTreeRefreshMs?: number;
	now?: () => number;
}

/**
 * The origin folders and their subfolders (E9: a mail moved from Inbox/Projekte/Alpha goes back to
 * Alpha). A message delta covers one folder only (Graph message-delta: "changes in a specified
 * folder"), so a subfolder that is not watched is a folder the index never learns. Sync folders found
 * below an origin are left out (with the Inbox as sync root they are its subfolders).
 */
async function withSubfolders(client: ExchangeClient, roots: string[], exclude: Set<string>, max: number): Promise<string[]> {
	const out: string[] = [];
	const seen = new Set<string>();
	const queue = roots.map((id) => ({ id, children: undefined as number | undefined }));
	while (queue.length && out.length < max) {
		const next = queue.shift() as { id: string; children: number | undefined };
		if (seen.has(next.id) || (exclude.has(next.id) && !roots.includes(next.id))) continue;
		seen.add(next.id);
		out.push(next.id);
		if (next.children === 0) continue;
		for (const f of await client.listFolders('mail', next.id)) queue.push({ id: f.id, children: f.childFolderCount });
	}
	return out;
}

export async function pollMailMoves(
	client: ExchangeClient,
	state: TriggerState,
	options: MailPollOptions,
): Promise<{ events: MailMovedEvent[]; state: TriggerState }> {
	const next: TriggerState = { ...state, cursors: { ...state.cursors } };
	const index = new Map(Object.entries(state.folderIndex ?? {}));
	const remember = (id: string, folderId: string) => {
		index.delete(id);
		index.set(id, folderId);
	};
	const readFolder = async (folderId: string): Promise<{ messages: MailMessageSummary[]; firstRun: boolean }> => {
		const key = `mail:${folderId}`;
		let cursor = next.cursors[key];
		const firstRun = cursor === undefined;
		const messages: MailMessageSummary[] = [];
		let hasMore = true;
		while (hasMore) {
			const page = await client.listMessageChanges(folderId, cursor);
			messages.push(...page.messages);
			cursor = page.cursor;
			hasMore = page.hasMore;
		}
		next.cursors[key] = cursor as string;
		return { messages, firstRun };
	};

	const syncFolderIds = new Set(Object.values(options.syncFolders));
	const now = (options.now ?? Date.now)();
	const tree = state.originTree;
	const fresh =
		tree !== undefined &&
		tree.roots.join('|') === options.originFolderIds.join('|') &&
		now - Date.parse(tree.listedAt) < (options.originTreeRefreshMs ?? 15 * 60_000);
	const originIds = fresh ? tree.ids : await withSubfolders(client, options.originFolderIds, syncFolderIds, options.maxOriginFolders ?? 200);
	if (!fresh) next.originTree = { roots: [...options.originFolderIds], ids: originIds, listedAt: new Date(now).toISOString() };
	for (const folderId of originIds) {
		for (const m of (await readFolder(folderId)).messages) remember(m.id, m.folderId || folderId);
	}
	const events: MailMovedEvent[] = [];
	const names: SyncMailFolderName[] = ['root', 'accounts', 'contacts', 'leads', 'partner'];
	for (const name of names) {
		const folderId = options.syncFolders[name];
		const { messages, firstRun } = await readFolder(folderId);
		for (const m of messages) {
			// The protocol's own report (EWS OldParentFolderId) is exact; else the folder index.
			const previous = m.previousFolderId ?? index.get(m.id);
			// Already seen in this folder: a flag or read-state change, not a new arrival.
			if (previous !== folderId && (!firstRun || options.emitExisting)) {
				events.push({ folder: name, folderId, message: { ...m, previousFolderId: previous }, previousFolderId: previous });
			}
			remember(m.id, folderId);
		}
	}
	const size = options.indexSize ?? 5000;
	const entries = [...index.entries()];
	next.folderIndex = Object.fromEntries(entries.slice(Math.max(0, entries.length - size)));
	return { events: options.limit !== undefined ? events.slice(0, options.limit) : events, state: next };
}

export class AccountPausedError extends ExchangeError {
	constructor(
		failures: number,
		lastError?: string,
		hint = 'Fix the credential (password, secret, consent). The pause ends as soon as the credential changes, or run the trigger manually once to retry.',
	) {
		super('auth', `The Exchange account is paused after ${failures} failed sign-ins in a row${lastError ? ` (last: ${lastError})` : ''}`, hint);
		this.name = 'AccountPausedError';
	}
}

/**
 * A5: stop calling Exchange after `maxFailures` authentication failures in a row, so a
 * wrong password does not lock the account. A changed credential (fingerprint) or a manual
 * retry (`force`) lifts the pause; any success resets the count.
 */
export async function withAuthPause<T, S extends { auth?: AuthPauseState }>(
	state: S,
	options: { maxFailures: number; fingerprint: string; force?: boolean; now?: number; hint?: string },
	run: () => Promise<T>,
): Promise<{ result: T; state: S }> {
	let auth = state.auth ?? { failures: 0 };
	if (auth.fingerprint !== options.fingerprint) auth = { failures: 0, fingerprint: options.fingerprint };
	if (!options.force && options.maxFailures > 0 && auth.failures >= options.maxFailures) {
		throw Object.assign(new AccountPausedError(auth.failures, auth.lastError, options.hint), { state: { ...state, auth } });
	}
	try {
		const result = await run();
		return { result, state: { ...state, auth: { failures: 0, fingerprint: options.fingerprint } } };
	} catch (e) {
		if (e instanceof ExchangeError && e.code === 'auth') {
			const failures = auth.failures + 1;
			const paused = options.maxFailures > 0 && failures >= options.maxFailures;
			const nextAuth = {
				failures,
				fingerprint: options.fingerprint,
				lastError: e.message,
				...(paused ? { pausedAt: new Date(options.now ?? Date.now()).toISOString() } : {}),
			};
			throw Object.assign(paused ? new AccountPausedError(failures, e.message, options.hint) : e, { state: { ...state, auth: nextAuth } });
		}
		throw e;
	}
}

/** The state to store after a failed poll (withAuthPause attaches it to the error). */
export function stateFromError(error: unknown): TriggerState | undefined {
	return (error as { state?: TriggerState } | undefined)?.state;
}

/**
 * After an import: a mail that failed (CRM unreachable, unreadable MIME) must be read again by the next
 * poll, so its folder's cursor goes back to where this poll started and the folder index forgets that it
 * arrived there (else the next poll would take it for a mail already seen). Mails that went through stay
 * done: they were moved back out, or their Message-ID is in the CRM (E6).
 */
export function keepFailedForRetry(before: TriggerState, after: TriggerState, failed: readonly MailMovedEvent[]): TriggerState {
	if (failed.length === 0) return after;
	const cursors = { ...after.cursors };
	const folderIndex = { ...(after.folderIndex ?? {}) };
	for (const event of failed) {
		const key = `mail:${event.folderId}`;
		if (before.cursors[key] === undefined) delete cursors[key];
		else cursors[key] = before.cursors[key];
		if (event.previousFolderId === undefined) delete folderIndex[event.message.id];
		else folderIndex[event.message.id] = event.previousFolderId;
	}
	return { ...after, cursors, folderIndex };
}
