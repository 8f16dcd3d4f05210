/**
 * ExchangeClient over Microsoft Graph v1.0 (@microsoft/microsoft-graph-client).
 * Every request: immutable ids, times in UTC, text bodies (DESIGN.md §4).
 */
import { randomUUID } from 'node:crypto';

import { Client, ResponseType } from '@microsoft/microsoft-graph-client';

import type { CalendarEvent, Component, ComponentRecordMap, Contact, Task } from '../../model/types';
import { DEFAULT_SYNC_FOLDER_NAME, GRAPH_IDENT_PROPERTY_ID, MAIL_SUBFOLDERS } from '../ident';
import {
	ExchangeError,
	type EnsureSyncFoldersOptions,
	type ExchangeChangePage,
	type ExchangeClient,
	type ExchangeFolder,
	type ExchangeItem,
	type MailChangePage,
	type MailMessageSummary,
	type SyncFolderKind,
	type SyncFolders,
	type SyncWindow,
	type WriteOptions,
} from '../types';
import { batchFailure, exchangeErrorFrom, isSyncStateError, toExchangeError } from './errors';
import type {
	GraphCollection,
	GraphContact,
	GraphEvent,
	GraphItemBase,
	GraphLinkedResource,
	GraphMailFolder,
	GraphMessage,
	GraphTodoTask,
} from './graph-types';
import {
	DEFAULT_RETRY_POLICY,
	HttpTransport,
	ResilientGraphMiddleware,
	backoffDelay,
	limiterFor,
	parseRetryAfter,
	type RequestStats,
	type ResilienceOptions,
	type RetryPolicy,
	type TlsOptions,
	withinRetryBudget,
} from './http';
import {
	contactFromGraph,
	contactToGraph,
	etagOf,
	eventFromGraph,
	eventToGraph,
	exceptionToGraph,
	identFromExtendedProperties,
	identFromLinkedResources,
	identProperty,
	linkedResourceFor,
	messageSummaryFromGraph,
	taskFromGraph,
	taskToGraph,
} from './mappers';
import { CONTACT_LIST_SELECT, contactPatch, contactPatchNeedsLists, eventPatch, taskPatch, type ContactLists } from './patch';
import type { TokenProvider } from './token';

export interface GraphClientConfig {
	protocol: 'graph';
	/** Default https://graph.microsoft.com (the sandbox stands in for it in tests). */
	baseUrl?: string;
	/** Default v1.0 */
	version?: string;
	/** UPN / SMTP address; required for app-only tokens. Absent: the signed-in user (/me). */
	mailbox?: string;
	tokens: TokenProvider;
	tls?: TlsOptions;
	/** Requests in flight per mailbox; default 4 (Exchange Online's concurrency limit). */
	maxInFlight?: number;
	retry?: Partial<RetryPolicy>;
	/** Bound of one HTTP request (sending to the last byte of the answer); default 100 s. */
	requestTimeoutMs?: number;
	/** Default delta page size (Prefer: odata.maxpagesize). */
	pageSize?: number;
	/** Attach the Graph object to every ExchangeItem (`raw`). */
	includeRaw?: boolean;
	/** S19 default reminder for new events (minutes); default 15. */
	defaultReminderMinutes?: number;
	/** Window used for calendar change feeds when the caller passes none. */
	defaultWindowDays?: { past: number; future: number };
	sleep?: (ms: number) => Promise<void>;
	random?: () => number;
	now?: () => number;
	transport?: HttpTransport;
}

export interface BatchStep {
	id: string;
	method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
	/** Relative to the version root, e.g. /users/a@b.c/contacts */
	url: string;
	body?: unknown;
	headers?: Record<string, string>;
	dependsOn?: string[];
}

export interface BatchResult {
	id: string;
	status: number;
	headers: Record<string, string>;
	body: unknown;
}

export interface GraphSubscription {
	id: string;
	resource: string;
	changeType: string;
	clientState?: string;
	notificationUrl: string;
	lifecycleNotificationUrl?: string;
	expirationDateTime: string;
}

const MAX_BATCH = 20;
const IDENT_EXPAND = `singleValueExtendedProperties($filter=id eq '${GRAPH_IDENT_PROPERTY_ID}')`;
/**
 * A series master read by id. cancelledOccurrences is "Returned only on $select in a Get operation which
 * specifies the ID (seriesMasterId property value) of a series master event"
 * (https://learn.microsoft.com/en-us/graph/api/resources/event?view=graph-rest-1.0#properties), so the
 * properties the mapping (and the raw output) need are selected with it.
 */
const EVENT_SELECT = [
	'id', 'createdDateTime', 'lastModifiedDateTime', 'changeKey', 'categories', 'subject', 'body', 'bodyPreview', 'start', 'end',
	'originalStartTimeZone', 'originalEndTimeZone', 'isAllDay', 'isCancelled', 'location', 'locations', 'sensitivity', 'showAs',
	'importance', 'isReminderOn', 'reminderMinutesBeforeStart', 'recurrence', 'type', 'seriesMasterId', 'organizer', 'attendees',
	'webLink', 'cancelledOccurrences',
].join(',');
const MESSAGE_SELECT = 'id,subject,from,receivedDateTime,internetMessageId,parentFolderId';
const INSTANCE_SELECT = 'id,type,start,end,originalStart,originalStartTimeZone,originalEndTimeZone,subject,location,seriesMasterId,isAllDay';
/** Mail folders the product must recognise as default folders (never removed, shown as default). */
const WELL_KNOWN_MAIL_FOLDERS = ['inbox', 'sentitems', 'deleteditems', 'drafts', 'junkemail', 'outbox', 'archive'] as const;
/** Default folder ids that are well-known names rather than Graph ids (F2, F7). */
const DEFAULT_CONTACTS = 'contacts';
const DEFAULT_CALENDAR = 'calendar';

interface Cursor {
	v: 1;
	/** relative URL of the next page / delta link */
	u: string;
	/** this round started without a valid cursor: absence means deletion */
	full: boolean;
	/** calendars: ids of the series seen in the window (a deleted series comes back only as removed occurrences) */
	s?: string[];
	/** calendars: the delta was refused, `u` pages a plain calendarView listing (full every round) */
	l?: 1;
}

/** Series ids kept in a calendar cursor; beyond this, the oldest are dropped (their deletion then shows at the next full resync). */
const MAX_KNOWN_SERIES = 500;

function encodeCursor(c: Cursor): string {
	return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(s: string | undefined): Cursor | undefined {
	if (!s) return undefined;
	try {
		const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
		return c && c.v === 1 && typeof c.u === 'string' ? c : undefined;
	} catch {
		return undefined;
	}
}

function q(value: string): string {
	return encodeURIComponent(value);
}

export class GraphExchangeClient implements ExchangeClient {
	readonly protocol = 'graph' as const;
	readonly mailbox: string;
	readonly stats: RequestStats = { requests: 0, retries: 0, throttled: 0, tokenRefreshes: 0 };

	private readonly sdk: Client;
	private readonly root: string;
	private readonly versionRoot: string;
	private readonly transport: HttpTransport;
	private readonly ownsTransport: boolean;
	private readonly resilience: ResilienceOptions;
	private readonly pageSize: number;
	private readonly now: () => number;

	constructor(private readonly config: GraphClientConfig) {
		const base = (config.baseUrl ?? 'https://graph.microsoft.com').replace(/\/+$/, '');
		const version = config.version ?? 'v1.0';
		this.versionRoot = `${base}/${version}`;
		this.mailbox = config.mailbox ?? 'me';
		this.root = config.mailbox ? `/users/${q(config.mailbox)}` : '/me';
		this.transport = config.transport ?? new HttpTransport(config.tls, config.requestTimeoutMs);
		this.ownsTransport = !config.transport;
		this.pageSize = config.pageSize ?? 100;
		this.now = config.now ?? Date.now;
		this.resilience = {
			transport: this.transport,
			tokens: config.tokens,
			limiter: limiterFor(`${base}|${this.mailbox.toLowerCase()}`, config.maxInFlight ?? 4),
			allowedOrigin: new URL(base).origin,
			retry: { ...DEFAULT_RETRY_POLICY, ...config.retry },
			sleep: config.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
			random: config.random ?? Math.random,
			stats: this.stats,
			now: this.now,
		};
		this.sdk = Client.initWithMiddleware({
			baseUrl: base,
			defaultVersion: version,
			middleware: new ResilientGraphMiddleware(this.resilience),
		});
	}

	close(): void {
		if (this.ownsTransport) this.transport.close();
	}

	// ---------- plumbing ----------

	private preferHeader(extra: string[] = []): string {
		return ['IdType="ImmutableId"', 'outlook.timezone="UTC"', 'outlook.body-content-type="text"', ...extra].join(', ');
	}

	/** Absolute next/delta link → path relative to the version root; refuses foreign hosts. */
	private relative(url: string): string {
		if (!/^https?:\/\//i.test(url)) return url;
		if (!url.startsWith(this.versionRoot)) {
			throw new ExchangeError('invalid', `Graph returned a link outside ${this.versionRoot}: ${url}`);
		}
		return url.slice(this.versionRoot.length);
	}

	async request<T>(
		method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
		path: string,
		what: string,
		options: { body?: unknown; headers?: Record<string, string>; prefer?: string[]; responseType?: ResponseType } = {},
	): Promise<T> {
		let req = this.sdk.api(this.relative(path)).header('Prefer', this.preferHeader(options.prefer));
		if (options.headers) req = req.headers(options.headers);
		if (options.responseType) req = req.responseType(options.responseType);
		try {
			switch (method) {
				case 'GET':
					return (await req.get()) as T;
				case 'POST':
					return (await req.post(options.body ?? {})) as T;
				case 'PATCH':
					return (await req.patch(options.body ?? {})) as T;
				default:
					return (await req.delete()) as T;
			}
		} catch (e) {
			throw toExchangeError(e, what, this.mailbox);
		}
	}

	private async listAll<T>(path: string, what: string): Promise<T[]> {
		const out: T[] = [];
		let next: string | undefined = path;
		while (next) {
			const page: GraphCollection<T> = await this.request<GraphCollection<T>>('GET', next, what);
			out.push(...page.value);
			next = page['@odata.nextLink'];
		}
		return out;
	}

	/**
	 * JSON $batch, at most 20 per call. `groups` keep requests linked by dependsOn in one
	 * call. Sub-responses 429/503/504 (and 424 of their dependents) are sent again after the
	 * longest Retry-After, within the retry bound.
	 */
	async batch(groups: BatchStep[][]): Promise<Map<string, BatchResult>> {
		const results = new Map<string, BatchResult>();
		const chunks: BatchStep[][] = [];
		let current: BatchStep[] = [];
		for (const group of groups) {
			if (group.length > MAX_BATCH) throw new Error('a dependsOn group exceeds 20 requests');
			if (current.length + group.length > MAX_BATCH) {
				chunks.push(current);
				current = [];
			}
			current.push(...group);
		}
		if (current.length) chunks.push(current);
		await Promise.all(chunks.map((chunk) => this.sendBatchChunk(chunk, results)));
		return results;
	}

	private async sendBatchChunk(chunk: BatchStep[], results: Map<string, BatchResult>): Promise<void> {
		let pending = chunk;
		const policy = this.resilience.retry;
		const startedAt = this.now();
		for (let attempt = 0; pending.length > 0; attempt++) {
			const body = {
				requests: pending.map((s) => ({
					id: s.id,
					method: s.method,
					url: s.url,
					headers: {
						Prefer: this.preferHeader(),
						...(s.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
						...s.headers,
					},
					...(s.body !== undefined ? { body: s.body } : {}),
					...(s.dependsOn?.length ? { dependsOn: s.dependsOn.filter((d) => pending.some((p) => p.id === d)) } : {}),
				})),
			};
			const res = await this.request<{ responses: Array<{ id: string; status: number; headers?: Record<string, string>; body?: unknown }> }>(
				'POST',
				'/$batch',
				'Batch request',
				{ body },
			);
			const retry = new Set<string>();
			const last = new Map<string, BatchResult>();
			let wait = 0;
			for (const r of res.responses) {
				const headers: Record<string, string> = {};
				for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v;
				last.set(r.id, { id: r.id, status: r.status, headers, body: r.body });
				const transient = r.status === 429 || r.status === 503 || r.status === 504;
				if (transient && attempt + 1 < policy.maxAttempts) {
					retry.add(r.id);
					if (r.status === 429) this.stats.throttled++;
					wait = Math.max(wait, backoffDelay(attempt, policy, this.resilience.random, parseRetryAfter(headers['retry-after'])));
					continue;
				}
				results.set(r.id, { id: r.id, status: r.status, headers, body: r.body });
			}
			// 424: a step this one depends on failed; retry it when that step is retried.
			for (const s of pending) {
				const r = results.get(s.id);
				if (r?.status === 424 && s.dependsOn?.some((d) => retry.has(d)) && attempt + 1 < policy.maxAttempts) {
					results.delete(s.id);
					retry.add(s.id);
				}
			}
			pending = pending.filter((s) => retry.has(s.id));
			if (pending.length && !withinRetryBudget(startedAt, this.now(), wait, policy)) {
				// Out of the retry budget: the transient answers become the results (429 → throttled, 503 → unavailable).
				for (const s of pending) results.set(s.id, last.get(s.id) ?? { id: s.id, status: 503, headers: {}, body: undefined });
				return;
			}
			if (pending.length) {
				this.stats.retries += pending.length;
				await this.resilience.sleep(wait);
			}
		}
	}

	private batchError(r: BatchResult | undefined, what: string): ExchangeError {
		if (!r) return new ExchangeError('unavailable', `${what} failed: no answer in the batch`);
		return exchangeErrorFrom(batchFailure(r.status, r.body), what, this.mailbox);
	}

	// ---------- folder paths ----------

	private contactsPath(folderId: string): string {
		return folderId === DEFAULT_CONTACTS ? `${this.root}/contacts` : `${this.root}/contactFolders/${q(folderId)}/contacts`;
	}

	private calendarPath(folderId: string): string {
		return folderId === DEFAULT_CALENDAR ? `${this.root}/calendar` : `${this.root}/calendars/${q(folderId)}`;
	}

	private tasksPath(listId: string): string {
		return `${this.root}/todo/lists/${q(listId)}/tasks`;
	}

	private itemPath(component: Component, folderId: string, id?: string): string {
		const base =
			component === 'contact'
				? this.contactsPath(folderId)
				: component === 'event'
					? `${this.calendarPath(folderId)}/events`
					: this.tasksPath(folderId);
		return id === undefined ? base : `${base}/${q(id)}`;
	}

	/** Subscription resource for change notifications on a sync folder. */
	resourceFor(kind: SyncFolderKind, folderId: string): string {
		const path =
			kind === 'mail' ? `${this.root}/mailFolders/${q(folderId)}/messages` : kind === 'event' ? `${this.calendarPath(folderId)}/events` : this.itemPath(kind, folderId);
		return path.replace(/^\//, '');
	}

	// ---------- folders ----------

	async listFolders(kind: SyncFolderKind, parentId?: string): Promise<ExchangeFolder[]> {
		switch (kind) {
			case 'contact': {
				const path = parentId ? `${this.root}/contactFolders/${q(parentId)}/childFolders` : `${this.root}/contactFolders`;
				const folders = await this.listAll<{ id: string; displayName: string; parentFolderId?: string }>(path, 'Listing contact folders');
				return folders.map((f) => ({ id: f.id, displayName: f.displayName, kind, parentId: f.parentFolderId }));
			}
			case 'event': {
				const cals = await this.listAll<{ id: string; name: string; isDefaultCalendar?: boolean }>(`${this.root}/calendars`, 'Listing calendars');
				return cals.map((c) => ({ id: c.id, displayName: c.name, kind, wellKnownName: c.isDefaultCalendar ? 'calendar' : undefined }));
			}
			case 'task': {
				const lists = await this.listAll<{ id: string; displayName: string; wellknownListName?: string }>(`${this.root}/todo/lists`, 'Listing To Do lists');
				return lists.map((l) => ({
					id: l.id,
					displayName: l.displayName,
					kind,
					wellKnownName: l.wellknownListName === 'defaultList' ? 'tasks' : undefined,
				}));
			}
			default: {
				const path = parentId ? `${this.root}/mailFolders/${q(parentId)}/childFolders?$top=100` : `${this.root}/mailFolders?$top=100`;
				const folders = await this.listAll<GraphMailFolder>(path, 'Listing mail folders');
				// Well-known folders are children of the mailbox root; below it no lookup is needed.
				const wellKnown = parentId ? new Map<string, string>() : await this.wellKnownMailFolderNames();
				return folders.map((f) => ({
					id: f.id,
					displayName: f.displayName,
					kind: 'mail',
					parentId: f.parentFolderId,
					childFolderCount: f.childFolderCount,
					...(wellKnown.has(f.id) ? { wellKnownName: wellKnown.get(f.id) } : {}),
				}));
			}
		}
	}

	/**
	 * The default Contacts folder's id, so its delta is read at the documented
	 * /contactFolders/{id}/contacts/delta (https://learn.microsoft.com/en-us/graph/api/contact-delta?view=graph-rest-1.0).
	 * v1.0 documents no well-known name for contact folders; documented are "the contact folders in the
	 * default Contacts folder" (user-list-contactfolders) and "the contacts of the default Contacts folder"
	 * (user-list-contacts), whose parentFolderId is that folder. With neither (an empty mailbox), the
	 * default-folder item paths /contacts are used (documented for list, get and create); its changes:
	 * defaultContactsDelta.
	 */
	private async defaultContactsFolderId(): Promise<string> {
		for (const path of [`${this.root}/contactFolders?$top=1&$select=parentFolderId`, `${this.root}/contacts?$top=1&$select=parentFolderId`]) {
			const page = await this.request<GraphCollection<{ parentFolderId?: string }>>('GET', path, 'Finding the default Contacts folder');
			const id = page.value[0]?.parentFolderId;
			if (id) return id;
		}
		return DEFAULT_CONTACTS;
	}

	private wellKnownMail?: Promise<Map<string, string>>;

	/**
	 * Id → well-known name of the mailbox's well-known mail folders. v1.0's mailFolder has no
	 * wellKnownName property; the documented way is the well-known name in the path
	 * (https://learn.microsoft.com/en-us/graph/api/resources/mailfolder?view=graph-rest-1.0, "Well-known folder names"),
	 * read once per client in one $batch.
	 */
	private wellKnownMailFolderNames(): Promise<Map<string, string>> {
		this.wellKnownMail ??= (async () => {
			const res = await this.batch(
				WELL_KNOWN_MAIL_FOLDERS.map((name) => [{ id: name, method: 'GET' as const, url: `${this.root}/mailFolders/${name}?$select=id` }]),
			);
			const out = new Map<string, string>();
			for (const name of WELL_KNOWN_MAIL_FOLDERS) {
				const r = res.get(name);
				if (r && r.status < 300) out.set((r.body as { id: string }).id, name);
			}
			return out;
		})();
		const pending = this.wellKnownMail;
		pending.catch(() => {
			if (this.wellKnownMail === pending) this.wellKnownMail = undefined;
		});
		return pending;
	}

	async getWellKnownFolder(name: string): Promise<ExchangeFolder> {
		const lower = name.toLowerCase();
		if (lower === 'contacts') return { id: await this.defaultContactsFolderId(), displayName: 'Contacts', kind: 'contact', wellKnownName: 'contacts' };
		if (lower === 'calendar') {
			const cal = await this.request<{ id: string; name: string }>('GET', `${this.root}/calendar`, 'Reading the default calendar');
			return { id: cal.id, displayName: cal.name, kind: 'event', wellKnownName: 'calendar' };
		}
		if (lower === 'tasks') {
			const lists = await this.listFolders('task');
			const list = lists.find((l) => l.wellKnownName === 'tasks');
			if (!list) throw new ExchangeError('notFound', 'The default To Do list was not found', 'Open Microsoft To Do once for this mailbox.');
			return list;
		}
		const f = await this.request<GraphMailFolder>('GET', `${this.root}/mailFolders/${q(lower)}`, `Reading mail folder ${name}`);
		return { id: f.id, displayName: f.displayName, kind: 'mail', parentId: f.parentFolderId, childFolderCount: f.childFolderCount, wellKnownName: lower };
	}

	private async findOrCreate(kind: SyncFolderKind, name: string, parentId?: string): Promise<string> {
		const existing = (await this.listFolders(kind, parentId)).find((f) => f.displayName.toLowerCase() === name.toLowerCase());
		if (existing) return existing.id;
		const path =
			kind === 'contact'
				? `${this.root}/contactFolders`
				: kind === 'event'
					? `${this.root}/calendars`
					: kind === 'task'
						? `${this.root}/todo/lists`
						: parentId
							? `${this.root}/mailFolders/${q(parentId)}/childFolders`
							: `${this.root}/mailFolders`;
		const body = kind === 'event' ? { name } : { displayName: name };
		try {
			const created = await this.request<{ id: string }>('POST', path, `Creating folder ${name}`, { body });
			return created.id;
		} catch (e) {
			// Another run created it meanwhile (ErrorFolderExists): use that one.
			if (e instanceof ExchangeError && (e.code === 'conflict' || e.status === 409)) {
				const again = (await this.listFolders(kind, parentId)).find((f) => f.displayName.toLowerCase() === name.toLowerCase());
				if (again) return again.id;
				// A folder of another type holds the name at the same level (Exchange names are unique per parent).
				throw new ExchangeError(
					'conflict',
					`Cannot create the ${kind === 'event' ? 'calendar' : kind === 'task' ? 'task list' : `${kind} folder`} "${name}": another folder with this name exists at the same level`,
					'Rename or remove that folder in Outlook, or choose another sync folder name.',
					e.status,
				);
			}
			throw e;
		}
	}

	async ensureSyncFolders(options: EnsureSyncFoldersOptions): Promise<SyncFolders> {
		const name = options.folderName ?? DEFAULT_SYNC_FOLDER_NAME;
		const out: SyncFolders = {};
		for (const kind of options.components) {
			const useDefault = options.useDefaultFolder?.[kind] === true;
			if (kind === 'mail') {
				const root = useDefault ? (await this.getWellKnownFolder('inbox')).id : await this.findOrCreate('mail', name);
				const ids: Record<string, string> = {};
				for (const [key, sub] of Object.entries(MAIL_SUBFOLDERS)) ids[key] = await this.findOrCreate('mail', sub, root);
				out.mail = { root, accounts: ids.accounts, contacts: ids.contacts, leads: ids.leads, partner: ids.partner };
				continue;
			}
			if (useDefault) {
				out[kind] = (await this.getWellKnownFolder(kind === 'contact' ? 'contacts' : kind === 'event' ? 'calendar' : 'tasks')).id;
			} else {
				out[kind] = await this.findOrCreate(kind, name);
			}
		}
		return out;
	}

	/** F5/F6: deletes the CRM-Sync folders (with content); never a default folder. */
	async removeSyncFolders(kinds: SyncFolderKind[], folderName = DEFAULT_SYNC_FOLDER_NAME): Promise<void> {
		for (const kind of kinds) {
			const folders = (await this.listFolders(kind)).filter(
				(f) => f.displayName.toLowerCase() === folderName.toLowerCase() && !f.wellKnownName,
			);
			for (const f of folders) {
				const path =
					kind === 'contact'
						? `${this.root}/contactFolders/${q(f.id)}`
						: kind === 'event'
							? `${this.root}/calendars/${q(f.id)}`
							: kind === 'task'
								? `${this.root}/todo/lists/${q(f.id)}`
								: `${this.root}/mailFolders/${q(f.id)}`;
				try {
					await this.request('DELETE', path, `Deleting folder ${folderName}`);
				} catch (e) {
					if (!(e instanceof ExchangeError && e.code === 'notFound')) throw e;
				}
			}
		}
	}

	// ---------- change feeds ----------

	private defaultWindow(): SyncWindow {
		const days = this.config.defaultWindowDays ?? { past: 30, future: 365 };
		const now = this.now();
		return {
			from: new Date(now - days.past * 86_400_000).toISOString(),
			to: new Date(now + days.future * 86_400_000).toISOString(),
		};
	}

	private firstDeltaUrl(component: Component, folderId: string, window?: SyncWindow): string {
		switch (component) {
			case 'contact':
				// The contact delta reference documents only $select; the ident is read per item (withContactIdents).
				return `${this.contactsPath(folderId)}/delta`;
			case 'event': {
				const w = window ?? this.defaultWindow();
				return `${this.calendarPath(folderId)}/calendarView/delta?startDateTime=${q(w.from)}&endDateTime=${q(w.to)}`;
			}
			default:
				return `${this.tasksPath(folderId)}/delta`;
		}
	}

	/**
	 * Contact delta exists only per folder (GET /contactFolders/{id}/contacts/delta, contact-delta reference),
	 * so the default Contacts folder is read by its id. A cursor of the folder-less /contacts/delta that
	 * earlier versions stored is dropped (a full round follows). Undefined: the id cannot be found because
	 * the default folder has no contact and no subfolder; it is empty, and the next round looks again.
	 */
	private async defaultContactsDelta(cursor: string | undefined): Promise<{ firstUrl: string; cursor: string | undefined } | undefined> {
		const decoded = decodeCursor(cursor);
		const folderless = decoded !== undefined && decoded.u.startsWith(`${this.root}/contacts/delta`);
		// The cursor's own delta path (without its token) is where a stale cursor starts over.
		if (decoded && !folderless && decoded.u) return { firstUrl: decoded.u.replace(/\?.*$/, ''), cursor };
		const id = await this.defaultContactsFolderId();
		if (id === DEFAULT_CONTACTS) return undefined;
		return { firstUrl: `${this.root}/contactFolders/${q(id)}/contacts/delta`, cursor: undefined };
	}

	private async deltaPage<T extends GraphItemBase>(
		firstUrl: string,
		cursor: string | undefined,
		pageSize: number,
		what: string,
	): Promise<{ page: GraphCollection<T>; full: boolean }> {
		const decoded = decodeCursor(cursor);
		const prefer = [`odata.maxpagesize=${pageSize}`];
		if (decoded) {
			try {
				return { page: await this.request<GraphCollection<T>>('GET', decoded.u, what, { prefer }), full: decoded.full };
			} catch (e) {
				if (!(e instanceof ExchangeError && (e.code === 'syncStateInvalid' || isSyncStateError(e.status, e.message)))) throw e;
			}
		}
		// No cursor, or a stale one: a full listing; absence means deletion (fullResync).
		return { page: await this.request<GraphCollection<T>>('GET', firstUrl, what, { prefer }), full: true };
	}

	private nextCursor(page: GraphCollection<unknown>, full: boolean, series?: string[]): { cursor: string; hasMore: boolean } {
		const next = page['@odata.nextLink'];
		const delta = page['@odata.deltaLink'];
		const url = next ?? delta;
		if (!url) throw new ExchangeError('invalid', 'Graph delta page has neither nextLink nor deltaLink');
		// Once the round reaches its deltaLink, the next call is incremental.
		const known = series?.length ? { s: series.slice(-MAX_KNOWN_SERIES) } : {};
		return { cursor: encodeCursor({ v: 1, u: this.relative(url), full: next ? full : false, ...known }), hasMore: !!next };
	}

	/**
	 * The CRM-Sync calendar's changes. calendars/{id}/calendarView/delta is used although the event-delta
	 * reference lists only the primary calendar's /calendarView/delta: the delta-query guide
	 * (https://learn.microsoft.com/en-us/graph/delta-query-events) names "the default calendar or some other
	 * specified calendar". Should Graph refuse it (400/501), the documented List calendarView of that
	 * calendar (https://learn.microsoft.com/en-us/graph/api/calendar-list-calendarview?view=graph-rest-1.0)
	 * is read instead: a full listing every round (fullResync: absence in the window means deletion).
	 */
	private async eventPage(
		folderId: string,
		cursor: string | undefined,
		window: SyncWindow | undefined,
		pageSize: number,
		what: string,
	): Promise<{ page: GraphCollection<GraphItemBase>; full: boolean; listing: boolean }> {
		const decoded = decodeCursor(cursor);
		const w = window ?? this.defaultWindow();
		const listingUrl = `${this.calendarPath(folderId)}/calendarView?startDateTime=${q(w.from)}&endDateTime=${q(w.to)}`;
		const prefer = [`odata.maxpagesize=${pageSize}`];
		if (decoded?.l) {
			const page = await this.request<GraphCollection<GraphItemBase>>('GET', decoded.u || listingUrl, what, { prefer });
			return { page, full: true, listing: true };
		}
		try {
			const { page, full } = await this.deltaPage<GraphItemBase>(this.firstDeltaUrl('event', folderId, window), cursor, pageSize, what);
			return { page, full, listing: false };
		} catch (e) {
			const refused = e instanceof ExchangeError && (e.status === 400 || e.status === 501) && folderId !== DEFAULT_CALENDAR;
			if (!refused) throw e;
			const page = await this.request<GraphCollection<GraphItemBase>>('GET', listingUrl, what, { prefer });
			return { page, full: true, listing: true };
		}
	}

	/** Cursor of the calendarView listing fallback: the next page, or (round done) the first page again. */
	private listingCursor(page: GraphCollection<unknown>, series?: string[]): { cursor: string; hasMore: boolean } {
		const next = page['@odata.nextLink'];
		const known = series?.length ? { s: series.slice(-MAX_KNOWN_SERIES) } : {};
		return { cursor: encodeCursor({ v: 1, u: next ? this.relative(next) : '', full: true, l: 1, ...known }), hasMore: !!next };
	}

	async listChanges<C extends Component>(
		component: C,
		folderId: string,
		cursor: string | undefined,
		options: { window?: SyncWindow; pageSize?: number } = {},
	): Promise<ExchangeChangePage<C>> {
		const pageSize = options.pageSize ?? this.pageSize;
		const what = `Reading ${component} changes`;
		let firstUrl = this.firstDeltaUrl(component, folderId, options.window);
		if (component === 'contact' && folderId === DEFAULT_CONTACTS) {
			const start = await this.defaultContactsDelta(cursor);
			if (!start) return { items: [], deletedIds: [], cursor: '', hasMore: false, fullResync: true };
			({ firstUrl, cursor } = start);
		}
		const { page, full, listing } =
			component === 'event'
				? await this.eventPage(folderId, cursor, options.window, pageSize, what)
				: { ...(await this.deltaPage<GraphItemBase>(firstUrl, cursor, pageSize, what)), listing: false };
		const removed = page.value.filter((v) => v['@removed']).map((v) => v.id);
		const present = page.value.filter((v) => !v['@removed']);
		const invalid: Array<{ id: string; reason: string }> = [];
		let items: Array<ExchangeItem<C>>;
		let deletedIds = removed;
		let series: string[] | undefined;
		if (component === 'event') {
			const known = new Set(decodeCursor(cursor)?.s ?? []);
			const r = await this.resolveEventDelta(folderId, present as GraphEvent[], removed, options.window ?? this.defaultWindow(), invalid, known);
			items = r.items as Array<ExchangeItem<C>>;
			deletedIds = r.deletedIds;
			series = [...known];
		} else if (component === 'task') {
			items = (await this.withLinkedResources(folderId, present as GraphTodoTask[])).flatMap((t) =>
				this.safeMap(t, invalid, () => this.taskItem(t, folderId) as ExchangeItem<C>),
			);
		} else {
			items = (await this.withContactIdents(folderId, present as GraphContact[])).flatMap((c) =>
				this.safeMap(c, invalid, () => this.contactItem(c, folderId) as ExchangeItem<C>),
			);
		}
		const next = listing ? this.listingCursor(page, series) : this.nextCursor(page, full, series);
		return { items, deletedIds, cursor: next.cursor, hasMore: next.hasMore, fullResync: full, ...(invalid.length ? { invalid } : {}) };
	}

	private safeMap<T>(item: GraphItemBase, invalid: Array<{ id: string; reason: string }>, map: () => T): T[] {
		try {
			return [map()];
		} catch (e) {
			invalid.push({ id: item.id, reason: (e as Error).message });
			return [];
		}
	}

	/**
	 * calendarView delta reports occurrences; the sync works on series masters. Removals are
	 * checked: an item that still exists only left the window (not a deletion, DESIGN.md §2).
	 */
	private async resolveEventDelta(
		folderId: string,
		present: GraphEvent[],
		removed: string[],
		window: SyncWindow,
		invalid: Array<{ id: string; reason: string }>,
		knownSeries: Set<string>,
	): Promise<{ items: Array<ExchangeItem<'event'>>; deletedIds: string[] }> {
		const singles = present.filter((e) => e.type !== 'occurrence' && e.type !== 'exception' && e.type !== 'seriesMaster');
		const masterIds = new Set<string>();
		for (const e of present) {
			if (e.type === 'seriesMaster') masterIds.add(e.id);
			else if ((e.type === 'occurrence' || e.type === 'exception') && e.seriesMasterId) masterIds.add(e.seriesMasterId);
		}
		const deletedIds: string[] = [];
		if (removed.length) {
			const steps = removed.map((id, i) => [
				{ id: `r${i}`, method: 'GET' as const, url: `${this.calendarPath(folderId)}/events/${q(id)}?$select=id,type,seriesMasterId` },
			]);
			const res = await this.batch(steps);
			let gone = false;
			removed.forEach((id, i) => {
				const r = res.get(`r${i}`);
				if (r?.status === 404) {
					deletedIds.push(id);
					gone ||= !knownSeries.has(id);
				} else if (r && r.status < 300) {
					const ev = r.body as GraphEvent;
					if (ev.seriesMasterId) masterIds.add(ev.seriesMasterId);
					// else: still there, only outside the window → not a deletion.
				} else throw this.batchError(r, 'Checking removed events');
			});
			// A deleted series is reported as its removed occurrences, whose ids are not the series id the
			// pair knows: check the series seen before (one GET each, in $batches of 20).
			const unchecked = [...knownSeries].filter((id) => !removed.includes(id) && !masterIds.has(id));
			if (gone && unchecked.length) {
				const check = await this.batch(
					unchecked.map((id, i) => [{ id: `s${i}`, method: 'GET' as const, url: `${this.calendarPath(folderId)}/events/${q(id)}?$select=id` }]),
				);
				unchecked.forEach((id, i) => {
					const r = check.get(`s${i}`);
					if (r?.status === 404) deletedIds.push(id);
					else if (!r || r.status >= 300) throw this.batchError(r, 'Checking series of removed occurrences');
				});
			}
		}
		const items: Array<ExchangeItem<'event'>> = singles.flatMap((e) => this.safeMap(e, invalid, () => this.eventItem(e, folderId)));
		const needsIdent = items.filter((i) => i.ident === undefined && !(singles.find((s) => s.id === i.id)?.singleValueExtendedProperties));
		await this.addEventIdents(folderId, needsIdent, items);
		const masters = await this.readEvents(folderId, [...masterIds], window);
		for (const [id, m] of masters) {
			const at = items.findIndex((i) => i.id === id);
			if (m === undefined) {
				if (at >= 0) items.splice(at, 1);
				if (masterIds.has(id)) deletedIds.push(id);
				continue;
			}
			const mapped = this.safeMap(m.event, invalid, () => this.eventItem(m.event, folderId, m.instances, m.window));
			if (at >= 0) items.splice(at, 1, ...mapped);
			else items.push(...mapped);
			if (m.event.type === 'seriesMaster') {
				knownSeries.delete(id);
				knownSeries.add(id);
			}
		}
		for (const id of deletedIds) knownSeries.delete(id);
		return { items, deletedIds };
	}

	/**
	 * Single events from the delta carry everything but the pairing ident (calendarView delta takes no
	 * $expand): only that is read, in $batches of 20 (issue 15: no re-read of the whole event). An event
	 * gone meanwhile is left out; the next delta reports its removal.
	 */
	private async addEventIdents(folderId: string, targets: Array<ExchangeItem<'event'>>, items: Array<ExchangeItem<'event'>>): Promise<void> {
		if (!targets.length) return;
		const base = `${this.calendarPath(folderId)}/events`;
		const res = await this.batch(targets.map((t, i) => [{ id: `p${i}`, method: 'GET' as const, url: `${base}/${q(t.id)}?$select=id&$expand=${q(IDENT_EXPAND)}` }]));
		targets.forEach((t, i) => {
			const r = res.get(`p${i}`);
			if (r?.status === 404) {
				items.splice(items.indexOf(t), 1);
				return;
			}
			if (!r || r.status >= 300) throw this.batchError(r, 'Reading the pairing ident of events');
			const ident = identFromExtendedProperties(r.body as GraphEvent);
			if (ident) t.ident = ident;
		});
	}

	/** Reads events (with ident) and, for series, their instances in the window. */
	private async readEvents(
		folderId: string,
		ids: string[],
		window: SyncWindow,
	): Promise<Map<string, { event: GraphEvent; instances?: GraphEvent[]; window?: SyncWindow } | undefined>> {
		const out = new Map<string, { event: GraphEvent; instances?: GraphEvent[]; window?: SyncWindow } | undefined>();
		if (!ids.length) return out;
		const unique = [...new Set(ids)];
		const base = `${this.calendarPath(folderId)}/events`;
		const res = await this.batch(
			unique.map((id, i) => [{ id: `e${i}`, method: 'GET' as const, url: `${base}/${q(id)}?$select=${EVENT_SELECT}&$expand=${q(IDENT_EXPAND)}` }]),
		);
		const series: Array<{ id: string; i: number }> = [];
		unique.forEach((id, i) => {
			const r = res.get(`e${i}`);
			if (r?.status === 404) out.set(id, undefined);
			else if (r && r.status < 300) {
				const ev = r.body as GraphEvent;
				out.set(id, { event: ev });
				if (ev.type === 'seriesMaster') series.push({ id, i });
			} else throw this.batchError(r, 'Reading events');
		});
		if (series.length) {
			const inst = await this.batch(
				series.map(({ id, i }) => [
					{
						id: `i${i}`,
						method: 'GET' as const,
						url: `${base}/${q(id)}/instances?startDateTime=${q(window.from)}&endDateTime=${q(window.to)}&$top=1000&$select=${INSTANCE_SELECT}`,
					},
				]),
			);
			for (const { id, i } of series) {
				const r = inst.get(`i${i}`);
				if (!r || r.status >= 300) throw this.batchError(r, 'Reading occurrences of a series');
				const entry = out.get(id);
				if (entry) {
					entry.instances = (r.body as GraphCollection<GraphEvent>).value;
					entry.window = window;
				}
			}
		}
		return out;
	}

	/**
	 * The changed contacts again, with the pairing ident, in $batches of 20 GETs. Documented shape:
	 * GET .../contactFolders/{id}/contacts/{id}?$expand=singleValueExtendedProperties($filter=id eq '...')
	 * (https://learn.microsoft.com/en-us/graph/api/singlevaluelegacyextendedproperty-get?view=graph-rest-1.0);
	 * the delta reference (contact-delta) lists no $expand. A contact deleted meanwhile is left out: the
	 * next delta page reports its removal.
	 */
	private async withContactIdents(folderId: string, contacts: GraphContact[]): Promise<GraphContact[]> {
		if (!contacts.length) return contacts;
		const res = await this.batch(
			contacts.map((c, i) => [{ id: `c${i}`, method: 'GET' as const, url: `${this.itemPath('contact', folderId, c.id)}?$expand=${q(IDENT_EXPAND)}` }]),
		);
		const out: GraphContact[] = [];
		contacts.forEach((c, i) => {
			const r = res.get(`c${i}`);
			if (r?.status === 404) return;
			if (!r || r.status >= 300) throw this.batchError(r, 'Reading changed contacts');
			out.push(r.body as GraphContact);
		});
		return out;
	}

	/** To Do delta may not expand linkedResources; fetch them where missing. */
	private async withLinkedResources(listId: string, tasks: GraphTodoTask[]): Promise<GraphTodoTask[]> {
		const missing = tasks.filter((t) => t.linkedResources === undefined);
		if (!missing.length) return tasks;
		const res = await this.batch(
			missing.map((t, i) => [{ id: `l${i}`, method: 'GET' as const, url: `${this.tasksPath(listId)}/${q(t.id)}/linkedResources` }]),
		);
		missing.forEach((t, i) => {
			const r = res.get(`l${i}`);
			t.linkedResources = r && r.status < 300 ? (r.body as GraphCollection<GraphLinkedResource>).value : [];
		});
		return tasks;
	}

	// ---------- item mapping ----------

	private base<C extends Component>(g: GraphItemBase, folderId: string, record: ComponentRecordMap[C], ident: string | undefined): ExchangeItem<C> {
		return {
			id: g.id,
			etag: etagOf(g),
			...(ident ? { ident } : {}),
			...(g.lastModifiedDateTime ? { modifiedAt: g.lastModifiedDateTime } : {}),
			...(g.createdDateTime ? { createdAt: g.createdDateTime } : {}),
			folderId,
			record,
			...(this.config.includeRaw ? { raw: g } : {}),
		};
	}

	private contactItem(g: GraphContact, folderId: string): ExchangeItem<'contact'> {
		return this.base<'contact'>(g, folderId, contactFromGraph(g), identFromExtendedProperties(g));
	}

	private eventItem(g: GraphEvent, folderId: string, instances?: GraphEvent[], window?: SyncWindow): ExchangeItem<'event'> {
		return this.base<'event'>(g, folderId, eventFromGraph(g, instances, window), identFromExtendedProperties(g));
	}

	private taskItem(g: GraphTodoTask, folderId: string): ExchangeItem<'task'> {
		return this.base<'task'>(g, folderId, taskFromGraph(g), identFromLinkedResources(g.linkedResources));
	}

	// ---------- CRUD ----------

	async get<C extends Component>(component: C, folderId: string, id: string): Promise<ExchangeItem<C> | undefined> {
		try {
			if (component === 'event') {
				const found = (await this.readEvents(folderId, [id], this.defaultWindow())).get(id);
				return found ? (this.eventItem(found.event, folderId, found.instances, found.window) as ExchangeItem<C>) : undefined;
			}
			if (component === 'task') {
				const t = await this.request<GraphTodoTask>('GET', `${this.itemPath('task', folderId, id)}?$expand=linkedResources`, 'Reading a task');
				return this.taskItem(t, folderId) as ExchangeItem<C>;
			}
			const c = await this.request<GraphContact>('GET', `${this.itemPath('contact', folderId, id)}?$expand=${q(IDENT_EXPAND)}`, 'Reading a contact');
			return this.contactItem(c, folderId) as ExchangeItem<C>;
		} catch (e) {
			if (e instanceof ExchangeError && e.code === 'notFound' && e.status === 404 && !/mailbox/i.test(e.hint ?? '')) return undefined;
			throw e;
		}
	}

	/**
	 * One id per create call: "A custom identifier specified by a client app for the server to avoid
	 * redundant POST operations in case of client retries to create the same event"
	 * (https://learn.microsoft.com/en-us/graph/api/resources/event?view=graph-rest-1.0#properties). The HTTP
	 * layer's retries of that call send the same body, so the same id; a later create of the same record
	 * (another run) is a new call: twins are found by their ident (DESIGN.md §2), not swallowed by Graph.
	 */
	private transactionId(): string {
		return randomUUID();
	}

	async create<C extends Component>(
		component: C,
		folderId: string,
		record: ComponentRecordMap[C],
		ident?: string,
		options: WriteOptions = {},
	): Promise<ExchangeItem<C>> {
		const identBody = ident ? identProperty(ident) : {};
		if (component === 'contact') {
			const body = { ...contactToGraph(record as Contact), ...identBody };
			const c = await this.request<GraphContact>('POST', this.itemPath('contact', folderId), 'Creating a contact', { body });
			return this.contactItem({ ...c, ...identBody }, folderId) as ExchangeItem<C>;
		}
		if (component === 'task') {
			const body = { ...taskToGraph(record as Task, { create: true }), ...(ident ? { linkedResources: [linkedResourceFor(ident)] } : {}) };
			const t = await this.request<GraphTodoTask>('POST', this.itemPath('task', folderId), 'Creating a task', { body });
			return this.taskItem({ ...t, linkedResources: t.linkedResources ?? body.linkedResources ?? [] }, folderId) as ExchangeItem<C>;
		}
		const event = record as CalendarEvent;
		const body = {
			...eventToGraph(event, {
				create: true,
				attendeesInBody: options.attendeesInBody,
				defaultReminderMinutes: this.config.defaultReminderMinutes ?? 15,
			}),
			...identBody,
			transactionId: this.transactionId(),
		};
		const created = await this.request<GraphEvent>('POST', `${this.calendarPath(folderId)}/events`, 'Creating an appointment', { body });
		if (event.recurrence?.exceptions?.length) {
			await this.applyExceptions(folderId, created.id, event);
			const item = await this.get('event', folderId, created.id);
			if (item) return item as ExchangeItem<C>;
		}
		return this.eventItem({ ...created, ...identBody }, folderId) as ExchangeItem<C>;
	}

	async update<C extends Component>(
		component: C,
		folderId: string,
		id: string,
		record: ComponentRecordMap[C],
		ident?: string,
		options: WriteOptions = {},
	): Promise<ExchangeItem<C>> {
		const headers = options.etag ? { 'If-Match': options.etag } : undefined;
		const identBody = ident ? identProperty(ident) : {};
		const path = this.itemPath(component, folderId, id);
		const changed = options.changedFields;
		if (component === 'contact') {
			const contact = record as Contact;
			let fields: Record<string, unknown> = contactToGraph(contact);
			if (changed) {
				const lists = contactPatchNeedsLists(changed)
					? await this.request<ContactLists>('GET', `${path}?$select=${CONTACT_LIST_SELECT}`, 'Reading a contact\'s addresses and phones')
					: {};
				fields = contactPatch(contact, changed, lists);
			}
			const c = await this.request<GraphContact>('PATCH', path, 'Updating a contact', {
				body: { ...fields, ...identBody },
				headers,
			});
			return this.contactItem({ ...c, ...(ident ? identBody : {}) }, folderId) as ExchangeItem<C>;
		}
		if (component === 'task') {
			// One $batch: the PATCH, then (dependsOn) its links, so the links are read after the write.
			const res = await this.batch([
				[
					{ id: 'patch', method: 'PATCH', url: path, body: changed ? taskPatch(record as Task, changed) : taskToGraph(record as Task, { create: false }), headers },
					{ id: 'links', method: 'GET', url: `${path}/linkedResources`, dependsOn: ['patch'] },
				],
			]);
			const patched = res.get('patch');
			if (!patched || patched.status >= 300) throw this.batchError(patched, 'Updating a task');
			const linksRes = res.get('links');
			if (!linksRes || linksRes.status >= 300) throw this.batchError(linksRes, 'Reading task links');
			const t = patched.body as GraphTodoTask;
			const links = (linksRes.body as GraphCollection<GraphLinkedResource>).value;
			if (ident && identFromLinkedResources(links) !== ident) {
				const created = await this.request<GraphLinkedResource>('POST', `${path}/linkedResources`, 'Linking a task to the CRM', { body: linkedResourceFor(ident) });
				links.push(created);
			}
			return this.taskItem({ ...t, linkedResources: links }, folderId) as ExchangeItem<C>;
		}
		const event = record as CalendarEvent;
		const fields = changed
			? eventPatch(event, changed, { attendeesInBody: options.attendeesInBody })
			: eventToGraph(event, { create: false, attendeesInBody: options.attendeesInBody });
		const body = { ...fields, ...identBody };
		const updated = await this.request<GraphEvent>('PATCH', `${this.calendarPath(folderId)}/events/${q(id)}`, 'Updating an appointment', { body, headers });
		// A series' exceptions are written only when its recurrence is among the changes.
		if (event.recurrence?.exceptions?.length && (!changed || changed.includes('recurrence'))) {
			await this.applyExceptions(folderId, id, event);
			const item = await this.get('event', folderId, id);
			if (item) return item as ExchangeItem<C>;
		}
		return this.eventItem({ ...updated, ...(ident ? identBody : {}) }, folderId) as ExchangeItem<C>;
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
		const results: Array<ExchangeItem<C> | ExchangeError> = new Array(entries.length);
		const batched: number[] = [];
		for (let i = 0; i < entries.length; i++) {
			const e = entries[i];
			if (component === 'event' && (e.record as CalendarEvent).recurrence?.exceptions?.length) {
				try {
					results[i] = await this.create(component, folderId, e.record, e.ident, options);
				} catch (error) {
					results[i] = toExchangeError(error, 'Creating an appointment', this.mailbox);
				}
			} else batched.push(i);
		}
		const url = component === 'event' ? `${this.calendarPath(folderId)}/events` : this.itemPath(component, folderId);
		const bodyFor = (i: number): Record<string, unknown> => {
			const { record, ident } = entries[i];
			const identBody = ident ? identProperty(ident) : {};
			if (component === 'contact') return { ...contactToGraph(record as Contact), ...identBody };
			if (component === 'task') return { ...taskToGraph(record as Task, { create: true }), ...(ident ? { linkedResources: [linkedResourceFor(ident)] } : {}) };
			const event = record as CalendarEvent;
			return {
				...eventToGraph(event, { create: true, attendeesInBody: options.attendeesInBody, defaultReminderMinutes: this.config.defaultReminderMinutes ?? 15 }),
				...identBody,
				transactionId: this.transactionId(),
			};
		};
		const res = await this.batch(batched.map((i) => [{ id: String(i), method: 'POST' as const, url, body: bodyFor(i) }]));
		for (const i of batched) {
			const r = res.get(String(i));
			if (!r || r.status >= 300) {
				results[i] = this.batchError(r, `Creating a ${component}`);
				continue;
			}
			const body = { ...(r.body as GraphItemBase), ...(entries[i].ident && component !== 'task' ? identProperty(entries[i].ident as string) : {}) };
			if (component === 'contact') results[i] = this.contactItem(body as GraphContact, folderId) as ExchangeItem<C>;
			else if (component === 'task') {
				const t = body as GraphTodoTask;
				results[i] = this.taskItem({ ...t, linkedResources: t.linkedResources ?? (entries[i].ident ? [linkedResourceFor(entries[i].ident as string)] : []) }, folderId) as ExchangeItem<C>;
			} else results[i] = this.eventItem(body as GraphEvent, folderId) as ExchangeItem<C>;
		}
		return results;
	}

	/** S20: modified and cancelled occurrences are written on the series' instances. */
	private async applyExceptions(folderId: string, masterId: string, event: CalendarEvent): Promise<void> {
		const exceptions = event.recurrence?.exceptions ?? [];
		if (!exceptions.length) return;
		const allDay = event.isAllDay === true;
		const keys = exceptions.map((e) => Date.parse(e.originalStart));
		const from = new Date(Math.min(...keys) - 2 * 86_400_000).toISOString();
		const to = new Date(Math.max(...keys) + 2 * 86_400_000).toISOString();
		const base = `${this.calendarPath(folderId)}/events`;
		const instances = await this.listAll<GraphEvent>(
			`${base}/${q(masterId)}/instances?startDateTime=${q(from)}&endDateTime=${q(to)}&$top=1000&$select=${INSTANCE_SELECT}`,
			'Reading occurrences of a series',
		);
		const steps: BatchStep[][] = [];
		exceptions.forEach((ex, i) => {
			const key = allDay ? ex.originalStart.slice(0, 10) : new Date(ex.originalStart).getTime();
			const match = instances.find((inst) => {
				const original = inst.originalStart ?? (inst.start ? `${inst.start.dateTime.replace(/(\.\d{3})\d*/, '$1')}Z` : undefined);
				if (!original) return false;
				return allDay ? original.slice(0, 10) === key : new Date(original.replace(/Z?$/, 'Z').replace(/([+-]\d\d:\d\d)Z$/, '$1')).getTime() === key;
			});
			if (!match) return;
			if (ex.deleted) steps.push([{ id: `x${i}`, method: 'DELETE', url: `${base}/${q(match.id)}` }]);
			else steps.push([{ id: `x${i}`, method: 'PATCH', url: `${base}/${q(match.id)}`, body: exceptionToGraph(ex, allDay) }]);
		});
		const res = await this.batch(steps);
		for (const [id, r] of res) {
			if (r.status >= 300 && r.status !== 404) throw this.batchError(r, `Writing an exception of a series (${id})`);
		}
	}

	async delete(component: Component, folderId: string, id: string, options: WriteOptions = {}): Promise<void> {
		const headers = options.etag ? { 'If-Match': options.etag } : undefined;
		const path = component === 'event' ? `${this.calendarPath(folderId)}/events/${q(id)}` : this.itemPath(component, folderId, id);
		try {
			await this.request('DELETE', path, `Deleting a ${component}`, { headers });
		} catch (e) {
			// Already gone: the goal of a delete is reached.
			if (e instanceof ExchangeError && e.code === 'notFound' && e.status === 404) return;
			throw e;
		}
	}

	// ---------- mail ----------

	async listMessageChanges(folderId: string, cursor: string | undefined, options: { pageSize?: number } = {}): Promise<MailChangePage> {
		const first = `${this.root}/mailFolders/${q(folderId)}/messages/delta?$select=${MESSAGE_SELECT}`;
		const { page, full } = await this.deltaPage<GraphMessage>(first, cursor, options.pageSize ?? this.pageSize, 'Reading mail changes');
		const messages = page.value.filter((m) => !m['@removed']).map((m) => messageSummaryFromGraph(m, folderId));
		const deletedIds = page.value.filter((m) => m['@removed']).map((m) => m.id);
		const next = this.nextCursor(page, full);
		return { messages, deletedIds, cursor: next.cursor, hasMore: next.hasMore, fullResync: full };
	}

	async getMessage(id: string): Promise<MailMessageSummary | undefined> {
		try {
			const m = await this.request<GraphMessage>('GET', `${this.root}/messages/${q(id)}?$select=${MESSAGE_SELECT}`, 'Reading a message');
			return messageSummaryFromGraph(m);
		} catch (e) {
			if (e instanceof ExchangeError && e.code === 'notFound' && e.status === 404) return undefined;
			throw e;
		}
	}

	async getMessageMime(id: string): Promise<Buffer> {
		const data = await this.request<ArrayBuffer>('GET', `${this.root}/messages/${q(id)}/$value`, 'Downloading a message', {
			responseType: ResponseType.ARRAYBUFFER,
		});
		return Buffer.from(data);
	}

	async moveMessage(id: string, destinationFolderId: string): Promise<MailMessageSummary> {
		const m = await this.request<GraphMessage>('POST', `${this.root}/messages/${q(id)}/move`, 'Moving a message', {
			body: { destinationId: destinationFolderId },
		});
		return messageSummaryFromGraph(m, destinationFolderId);
	}

	// ---------- change notifications ----------

	async createSubscription(s: Omit<GraphSubscription, 'id'>): Promise<GraphSubscription> {
		return this.request<GraphSubscription>('POST', '/subscriptions', 'Creating a change-notification subscription', { body: s });
	}

	async renewSubscription(id: string, expirationDateTime: string): Promise<GraphSubscription> {
		return this.request<GraphSubscription>('PATCH', `/subscriptions/${q(id)}`, 'Renewing a change-notification subscription', {
			body: { expirationDateTime },
		});
	}

	async deleteSubscription(id: string): Promise<void> {
		try {
			await this.request('DELETE', `/subscriptions/${q(id)}`, 'Deleting a change-notification subscription');
		} catch (e) {
			if (!(e instanceof ExchangeError && e.code === 'notFound')) throw e;
		}
	}

	/** Cheap authenticated call for connection tests. */
	async ping(): Promise<void> {
		await this.request('GET', `${this.root}/mailFolders/inbox?$select=id`, 'Connecting to the mailbox');
	}
}
