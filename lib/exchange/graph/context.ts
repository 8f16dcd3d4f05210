/**
 * What every Graph module shares: the configured SDK client, the mailbox root, the request
 * plumbing (Prefer header, relative links, error mapping) and the folder paths.
 */
import { Client, ResponseType } from '@microsoft/microsoft-graph-client';

import { ExchangeError, type SyncWindow } from '../types';
import { sendBatch, type BatchResult, type BatchStep } from './batch';
import { batchFailure, exchangeErrorFrom, toExchangeError } from './errors';
import type { GraphCollection } from './graph-types';
import {
	DEFAULT_RETRY_POLICY,
	HttpTransport,
	ResilientGraphMiddleware,
	limiterFor,
	type RequestStats,
	type ResilienceOptions,
	type RetryPolicy,
	type TlsOptions,
} from './http';
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

export type RequestMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RequestOptions {
	body?: unknown;
	headers?: Record<string, string>;
	prefer?: string[];
	responseType?: ResponseType;
}

/** Default folder ids that are well-known names rather than Graph ids (F2, F7). */
export const DEFAULT_CONTACTS = 'contacts';
export const DEFAULT_CALENDAR = 'calendar';

export function q(value: string): string {
	return encodeURIComponent(value);
}

export class GraphContext {
	readonly mailbox: string;
	readonly stats: RequestStats = { requests: 0, retries: 0, throttled: 0, tokenRefreshes: 0 };
	/** Path of the mailbox: /users/{upn} or /me. */
	readonly root: string;
	readonly pageSize: number;
	readonly now: () => number;
	readonly resilience: ResilienceOptions;

	private readonly sdk: Client;
	private readonly versionRoot: string;
	private readonly transport: HttpTransport;
	private readonly ownsTransport: boolean;

	constructor(readonly config: GraphClientConfig) {
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

	preferHeader(extra: string[] = []): string {
		return ['IdType="ImmutableId"', 'outlook.timezone="UTC"', 'outlook.body-content-type="text"', ...extra].join(', ');
	}

	/** Absolute next/delta link → path relative to the version root; refuses foreign hosts. */
	relative(url: string): string {
		if (!/^https?:\/\//i.test(url)) return url;
		if (!url.startsWith(this.versionRoot)) {
			throw new ExchangeError('invalid', `Graph returned a link outside ${this.versionRoot}: ${url}`);
		}
		return url.slice(this.versionRoot.length);
	}

	async request<T>(method: RequestMethod, path: string, what: string, options: RequestOptions = {}): Promise<T> {
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

	async listAll<T>(path: string, what: string): Promise<T[]> {
		const out: T[] = [];
		let next: string | undefined = path;
		while (next) {
			const page: GraphCollection<T> = await this.request<GraphCollection<T>>('GET', next, what);
			out.push(...page.value);
			next = page['@odata.nextLink'];
		}
		return out;
	}

	batch(groups: BatchStep[][]): Promise<Map<string, BatchResult>> {
		return sendBatch(this, groups);
	}

	batchError(r: BatchResult | undefined, what: string): ExchangeError {
		if (!r) return new ExchangeError('unavailable', `${what} failed: no answer in the batch`);
		return exchangeErrorFrom(batchFailure(r.status, r.body), what, this.mailbox);
	}

	contactsPath(folderId: string): string {
		return folderId === DEFAULT_CONTACTS ? `${this.root}/contacts` : `${this.root}/contactFolders/${q(folderId)}/contacts`;
	}

	calendarPath(folderId: string): string {
		return folderId === DEFAULT_CALENDAR ? `${this.root}/calendar` : `${this.root}/calendars/${q(folderId)}`;
	}

	eventsPath(folderId: string): string {
		return `${this.calendarPath(folderId)}/events`;
	}

	tasksPath(listId: string): string {
		return `${this.root}/todo/lists/${q(listId)}/tasks`;
	}

	/** The calendar window used when the caller passes none. */
	defaultWindow(): SyncWindow {
		const days = this.config.defaultWindowDays ?? { past: 30, future: 365 };
		const now = this.now();
		return {
			from: new Date(now - days.past * 86_400_000).toISOString(),
			to: new Date(now + days.future * 86_400_000).toISOString(),
		};
	}
}
