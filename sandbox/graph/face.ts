/**
 * The Microsoft Graph v1.0 face: authentication, /me and /users/{id|upn}, per-mailbox
 * throttling and counting, routing to the resource modules, Graph-shaped errors, $batch.
 */
import { randomUUID } from 'node:crypto';
import type { AccessGrant, TokenService } from '../auth/tokens';
import type { FaultInjector, MailboxThrottle, RequestCounters, SandboxConfig } from '../http/services';
import type { ProtocolFace, SandboxReply, SandboxRequest } from '../http/types';
import { StoreError, type SandboxStore, type SandboxUser } from '../store';
import { registerCalendar } from './calendar';
import { registerContacts } from './contacts';
import { ok, type GraphContext } from './context';
import { CalendarDeltaState } from './delta';
import { GraphError, badRequest, fromStoreError, graphErrorBody } from './errors';
import { registerMail } from './mail';
import { parsePrefer } from './odata';
import { parseJsonBody } from './parse';
import { GraphRouter, splitResourcePath } from './router';
import { checkRequestRules } from './strictRules';
import type { SubscriptionService } from './subscriptions';
import { registerTodo } from './todo';

export interface GraphFaceDeps {
	store: SandboxStore;
	tokens: TokenService;
	config: () => SandboxConfig;
	throttle: MailboxThrottle;
	counters: RequestCounters;
	faults: FaultInjector;
	subscriptions: SubscriptionService;
}

const MAX_BATCH = 20;
const BATCH_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** One Graph request and the sandbox's answer, as a recorder sees it (sub-requests of a $batch are their own exchanges). */
export interface GraphExchange {
	method: string;
	/** path after /v1.0, e.g. /users/anna@contoso.example/contacts */
	path: string;
	query: URLSearchParams;
	requestContentType?: string;
	/** parsed JSON request body, undefined when there is none or it is not JSON */
	requestBody?: unknown;
	status: number;
	/** the reply body as sent (JSON value; Buffers and strings are left out) */
	responseBody?: unknown;
	inBatch: boolean;
	/** the matched route after the user segment, e.g. "/contactFolders/{id}/contacts/delta" */
	route?: string;
}

export type GraphExchangeListener = (exchange: GraphExchange) => void;

function jsonOf(body: Buffer, contentType: string | undefined): unknown {
	if (!body.length || !/json/i.test(contentType ?? 'application/json')) return undefined;
	try {
		return JSON.parse(body.toString('utf8')) as unknown;
	} catch {
		return undefined;
	}
}

function userEntity(user: SandboxUser): Record<string, unknown> {
	const [given, ...rest] = user.displayName.split(' ');
	return {
		businessPhones: [],
		displayName: user.displayName,
		givenName: given ?? null,
		jobTitle: null,
		mail: user.address,
		mobilePhone: null,
		officeLocation: null,
		preferredLanguage: user.locale === 'de' ? 'de-DE' : 'en-US',
		surname: rest.join(' ') || null,
		userPrincipalName: user.address,
		id: user.id,
	};
}

export class GraphFace implements ProtocolFace {
	readonly protocol = 'graph' as const;
	readonly calendarDelta = new CalendarDeltaState();
	private readonly router = new GraphRouter();
	private readonly listeners = new Set<GraphExchangeListener>();
	private readonly batchRequests = new WeakSet<SandboxRequest>();
	private readonly routes = new WeakMap<SandboxRequest, string>();

	constructor(private readonly deps: GraphFaceDeps) {
		registerMail(this.router);
		registerContacts(this.router);
		registerCalendar(this.router, this.calendarDelta);
		registerTodo(this.router);
	}

	matches(path: string): boolean {
		return path === '/v1.0' || path.startsWith('/v1.0/');
	}

	renderFault(fault: { status: number; retryAfterSeconds?: number; code?: string; message?: string }, request: SandboxRequest): SandboxReply {
		const headers: Record<string, string> = { 'content-type': 'application/json', 'request-id': request.requestId };
		if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
		if (fault.status === 429) {
			return {
				status: 429,
				headers,
				body: {
					error: {
						code: fault.code ?? 'TooManyRequests',
						innerError: {
							code: '429',
							date: new Date().toISOString().slice(0, 19),
							message: 'Please retry after',
							'request-id': request.requestId,
							status: '429',
						},
						message: fault.message ?? 'Please retry again later.',
					},
				},
			};
		}
		const defaults: Record<number, [string, string]> = {
			412: ['ErrorIrresolvableConflict', 'The change key passed in the request does not match the current change key for the item.'],
			503: ['ServiceUnavailable', 'The service is temporarily unavailable. Please retry later.'],
			504: ['GatewayTimeout', 'The gateway did not receive a response in time.'],
		};
		const [code, message] = defaults[fault.status] ?? ['generalException', 'An unexpected error occurred.'];
		return { status: fault.status, headers, body: graphErrorBody(fault.code ?? code, fault.message ?? message, request.requestId) };
	}

	/** Every request and reply from now on goes to the listener (tests: schema checks); returns the unsubscribe. */
	recordExchanges(listener: GraphExchangeListener): () => void {
		this.listeners.add(listener);
		return () => void this.listeners.delete(listener);
	}

	async handle(request: SandboxRequest): Promise<SandboxReply> {
		let reply: SandboxReply;
		try {
			reply = await this.dispatch(request);
		} catch (e) {
			reply = this.errorReply(e, request);
		}
		if (this.listeners.size) this.record(request, reply);
		return reply;
	}

	private record(request: SandboxRequest, reply: SandboxReply): void {
		const contentType = request.headers['content-type'] as string | undefined;
		const exchange: GraphExchange = {
			method: request.method,
			path: request.path.slice('/v1.0'.length),
			query: new URLSearchParams(request.url.searchParams),
			requestContentType: contentType,
			requestBody: jsonOf(request.body, contentType),
			status: reply.status,
			responseBody: Buffer.isBuffer(reply.body) || typeof reply.body === 'string' ? undefined : structuredClone(reply.body),
			inBatch: this.batchRequests.has(request),
			route: this.routes.get(request),
		};
		for (const listener of this.listeners) listener(exchange);
	}

	private errorReply(e: unknown, request: SandboxRequest): SandboxReply {
		const error =
			e instanceof GraphError
				? e
				: e instanceof StoreError
					? fromStoreError(e)
					: new GraphError(500, 'generalException', `An internal server error occurred: ${(e as Error).message}`);
		return {
			status: error.status,
			headers: { 'content-type': 'application/json', 'request-id': request.requestId, ...error.headers },
			body: graphErrorBody(error.code, error.message, request.requestId, request.headers['client-request-id'] as string | undefined),
		};
	}

	private authenticate(request: SandboxRequest): AccessGrant {
		const check = this.deps.tokens.check(request.headers.authorization);
		if (check.ok) return check.grant;
		const messages = {
			missing: 'Access token is empty.',
			invalid: 'IDX14100: JWT is not well formed, there are no dots (.). The token needs to be in JWS or JWE Compact Serialization Format.',
			expired: 'Lifetime validation failed, the token is expired.',
		};
		throw new GraphError(401, 'InvalidAuthenticationToken', messages[check.reason], {
			'www-authenticate':
				'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
		});
	}

	private async dispatch(request: SandboxRequest): Promise<SandboxReply> {
		const grant = this.authenticate(request);
		const origin = `${request.secure ? 'https' : 'http'}://${request.headers.host ?? 'localhost'}`;
		const base = `${origin}/v1.0`;
		const segments = splitResourcePath(request.path.slice('/v1.0'.length));
		const first = segments[0]?.toLowerCase();

		if (first === '$batch' && segments.length === 1) {
			if (request.method !== 'POST') throw new GraphError(405, 'Request_BadRequest', 'The $batch endpoint only accepts POST.');
			return this.batch(request);
		}
		if (first === 'subscriptions') return this.subscriptionRoute(request, segments, grant, base);
		if (first === 'users' && segments.length === 1) {
			if (!grant.appOnly) throw new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
			return ok({ '@odata.context': `${base}/$metadata#users`, value: this.deps.store.listUsers().map(userEntity) });
		}

		let user: SandboxUser | undefined;
		let userPath: string;
		let rest: string[];
		if (first === 'me') {
			if (grant.appOnly || !grant.user) throw badRequest('/me request is only valid with delegated authentication flow.', 'BadRequest');
			user = this.deps.store.findUser(grant.user);
			userPath = 'me';
			rest = segments.slice(1);
		} else if (first === 'users' && segments[1]) {
			user = this.deps.store.findUser(segments[1]);
			if (!user) throw new GraphError(404, 'ErrorInvalidUser', `The requested user '${segments[1]}' is invalid.`);
			if (!grant.appOnly && grant.user?.toLowerCase() !== user.address)
				throw new GraphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
			userPath = `users/${segments[1]}`;
			rest = segments.slice(2);
		} else {
			throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${segments[0] ?? ''}'.`);
		}
		if (!user) throw new GraphError(404, 'ErrorInvalidUser', 'The requested user is invalid.');
		if (rest.length === 0) {
			if (request.method !== 'GET') throw new GraphError(405, 'Request_BadRequest', 'Method not allowed.');
			return ok({ '@odata.context': `${base}/$metadata#users/$entity`, ...userEntity(user) });
		}

		const matched = this.router.match(request.method, rest);
		if (matched === undefined) throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${rest[rest.length - 1]}'.`);
		if (matched === 'methodNotAllowed')
			throw new GraphError(405, 'ErrorInvalidRequest', `The OData request is not supported: ${request.method} is not allowed on this resource.`);

		this.routes.set(request, matched.label);
		const config = this.deps.config();
		checkRequestRules(matched.label, request.url.searchParams);
		const throttle = this.deps.throttle.enter(user.address);
		if (!throttle.ok) {
			this.deps.counters.countThrottled(user.address);
			const message =
				throttle.reason === 'concurrency' ? 'Application is over its MailboxConcurrency limit.' : 'Application is over its request limit. Please retry later.';
			throw new GraphError(429, 'ApplicationThrottled', message, { 'retry-after': String(throttle.retryAfterSeconds) });
		}
		try {
			this.deps.counters.count(user.address, request.method, (userPath === 'me' ? '/me' : '/users/{id}') + matched.label);
			const prefer = parsePrefer(request.headers.prefer);
			const mailbox = this.deps.store.mailbox(user.address);
			let parsed: Record<string, unknown> | undefined;
			const ctx: GraphContext = {
				request,
				store: this.deps.store,
				mailbox,
				grant,
				config,
				prefer,
				query: request.url.searchParams,
				params: matched.params,
				body: () => (parsed ??= parseJsonBody(request.body)),
				origin,
				base,
				userPath,
				resourcePath: '/' + rest.map((s) => encodeURIComponent(s)).join('/'),
				render: { prefer, mailbox, origin },
				meetingMessage: (kind) => this.deps.counters.countMeetingMessage(user.address, kind),
			};
			const reply = await matched.handler(ctx);
			reply.headers = {
				'request-id': request.requestId,
				'client-request-id': String(request.headers['client-request-id'] ?? request.requestId),
				...(reply.headers ?? {}),
			};
			return reply;
		} finally {
			throttle.release();
		}
	}

	private async subscriptionRoute(request: SandboxRequest, segments: string[], grant: AccessGrant, base: string): Promise<SandboxReply> {
		const subs = this.deps.subscriptions;
		const caller = { user: grant.appOnly ? undefined : grant.user, clientId: grant.clientId };
		const id = segments[1];
		if (segments.length === 1 && request.method === 'POST') return subs.create(parseJsonBody(request.body), caller, base);
		if (segments.length === 1 && request.method === 'GET')
			return ok({
				'@odata.context': `${base}/$metadata#subscriptions`,
				value: subs
					.list()
					.filter((s) => s.applicationId === grant.clientId)
					.map((s) => subs.render(s)),
			});
		if (segments.length === 2 && request.method === 'GET')
			return ok({ '@odata.context': `${base}/$metadata#subscriptions/$entity`, ...subs.render(subs.get(id)) });
		if (segments.length === 2 && request.method === 'PATCH') return subs.renew(id, parseJsonBody(request.body), base);
		if (segments.length === 2 && request.method === 'DELETE') return subs.remove(id);
		if (segments.length === 3 && segments[2].toLowerCase() === 'reauthorize' && request.method === 'POST') {
			subs.get(id);
			return { status: 200 };
		}
		throw new GraphError(400, 'BadRequest', 'Unsupported subscriptions request.');
	}

	/**
	 * JSON batching (https://learn.microsoft.com/en-us/graph/json-batching): at most 20 requests, ids unique,
	 * urls relative to the version root, a body only with its Content-Type header, dependsOn on ids of the
	 * same batch (run in order; a failed dependency gives 424), no $batch inside a $batch. What Graph
	 * refuses fails the whole batch with 400; each request otherwise has its own status, headers and body.
	 * Sub-requests carry only their own headers (If-Match, Prefer, ...) plus the outer authorization.
	 */
	private async batch(request: SandboxRequest): Promise<SandboxReply> {
		const body = parseJsonBody(request.body) as {
			requests?: Array<{ id?: unknown; method?: unknown; url?: unknown; headers?: unknown; body?: unknown; dependsOn?: unknown }>;
		};
		const requests = body.requests;
		if (!Array.isArray(requests) || requests.length === 0) throw badRequest('Invalid batch payload format.', 'BadRequest');
		if (requests.length > MAX_BATCH) throw badRequest(`Number of batch requests exceeds limit of ${MAX_BATCH}.`, 'BadRequest');
		const ids = new Set<string>();
		for (const r of requests) {
			if (typeof r.id !== 'string' || r.id === '' || typeof r.method !== 'string' || typeof r.url !== 'string')
				throw badRequest('Each batch request needs id, method and url.', 'BadRequest');
			if (ids.has(r.id)) throw badRequest(`Batch request id '${r.id}' is not unique.`, 'BadRequest');
			ids.add(r.id);
			if (!BATCH_METHODS.has(r.method.toUpperCase())) throw badRequest(`Invalid method '${r.method}' in batch request '${r.id}'.`, 'BadRequest');
			if (/^[a-z][a-z0-9+.-]*:/i.test(r.url) || r.url.startsWith('//'))
				throw badRequest(`Invalid request URL '${r.url}': batch request urls must be relative.`, 'BadRequest');
			if (/^\/?\$batch(\?|$)/i.test(r.url)) throw badRequest('Nested batch requests are not supported.', 'BadRequest');
			if (r.headers !== undefined && (typeof r.headers !== 'object' || r.headers === null || Array.isArray(r.headers)))
				throw badRequest(`The headers of batch request '${r.id}' must be an object.`, 'BadRequest');
			const headerNames = Object.keys((r.headers ?? {}) as Record<string, unknown>).map((h) => h.toLowerCase());
			if (r.body !== undefined && r.body !== null && !headerNames.includes('content-type'))
				throw badRequest(`Write request id : ${r.id} does not contain Content-Type header or body.`, 'BadRequest');
			if (r.dependsOn !== undefined && (!Array.isArray(r.dependsOn) || r.dependsOn.some((d) => typeof d !== 'string')))
				throw badRequest(`The dependsOn of batch request '${r.id}' must be an array of ids.`, 'BadRequest');
		}
		for (const r of requests) {
			for (const dep of Array.isArray(r.dependsOn) ? (r.dependsOn as string[]) : [])
				if (!ids.has(dep)) throw badRequest(`Batch request '${String(r.id)}' depends on an unknown request '${dep}'.`, 'BadRequest');
		}
		const statuses = new Map<string, number>();
		const responses: Array<{ id: string; status: number; headers: Record<string, string>; body: unknown }> = [];
		for (const r of requests) {
			const id = r.id as string;
			const dependsOn = Array.isArray(r.dependsOn) ? (r.dependsOn as string[]) : [];
			if (dependsOn.some((d) => (statuses.get(d) ?? 424) >= 400)) {
				statuses.set(id, 424);
				responses.push({
					id,
					status: 424,
					headers: { 'content-type': 'application/json' },
					body: graphErrorBody('FailedDependency', 'The request could not be completed because a request it depends on failed.', request.requestId),
				});
				continue;
			}
			const reply = await this.runBatchRequest(request, r as { method: string; url: string; headers?: Record<string, string>; body?: unknown });
			statuses.set(id, reply.status);
			let replyBody: unknown = reply.body ?? null;
			if (Buffer.isBuffer(replyBody)) replyBody = replyBody.toString('base64');
			responses.push({ id, status: reply.status, headers: reply.headers ?? {}, body: reply.status === 204 ? null : replyBody });
		}
		return ok({ responses });
	}

	private async runBatchRequest(
		outer: SandboxRequest,
		r: { method: string; url: string; headers?: Record<string, string>; body?: unknown },
	): Promise<SandboxReply> {
		const relative = r.url.startsWith('/') ? r.url : `/${r.url}`;
		const url = new URL(`/v1.0${relative}`, outer.url);
		// A sub-request has its own headers; of the outer request only the credentials and the host apply.
		const headers: SandboxRequest['headers'] = { host: outer.headers.host, authorization: outer.headers.authorization };
		for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v;
		const body = r.body === undefined ? Buffer.alloc(0) : typeof r.body === 'string' ? Buffer.from(r.body) : Buffer.from(JSON.stringify(r.body));
		const sub: SandboxRequest = {
			method: r.method.toUpperCase(),
			url,
			path: decodeURIComponent(url.pathname),
			headers,
			body,
			secure: outer.secure,
			requestId: randomUUID(),
		};
		this.batchRequests.add(sub);
		const fault = this.deps.faults.take({ protocol: 'graph', method: sub.method, pathAndQuery: url.pathname + url.search });
		if (fault?.type === 'status') return this.renderFault(fault, sub);
		if (fault?.type === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
		return this.handle(sub);
	}
}
