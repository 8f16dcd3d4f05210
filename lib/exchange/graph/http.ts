/**
 * HTTP underneath the Graph SDK: a node:https transport (own agent, so a private CA can be
 * trusted without touching the process; TLS verification stays on) and a middleware that
 * limits requests in flight per mailbox, honours 429/503 Retry-After, retries transient
 * failures with bounded back-off and refreshes the token once on 401.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { rootCertificates } from 'node:tls';

import { GraphClientError, type Context, type Middleware } from '@microsoft/microsoft-graph-client';

import type { TokenProvider } from './token';

export interface RawRequest {
	method: string;
	url: string;
	headers: Record<string, string>;
	body?: string | Buffer;
}

export interface RawResponse {
	status: number;
	headers: Record<string, string>;
	body: Buffer;
}

export interface TlsOptions {
	/** PEM of an extra CA (private CA or the sandbox's self-signed certificate). Off by default. */
	ca?: string;
}

/** Network errors carry their errno code as `name`, so the SDK's GraphError.code shows it. */
export class NetworkError extends Error {
	constructor(
		readonly code: string,
		message: string,
	) {
		super(message);
		this.name = code;
	}
}

export class HttpTransport {
	private readonly httpsAgent: https.Agent;
	private readonly httpAgent: http.Agent;

	/**
	 * `timeoutMs` bounds one request from sending to the last byte of the answer (not only socket
	 * idleness: a server that trickles bytes or never answers ends the same way).
	 */
	constructor(
		tls: TlsOptions = {},
		readonly timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
	) {
		this.httpsAgent = new https.Agent({ keepAlive: true, ca: tls.ca ? [...tlsRootCertificates(), tls.ca] : undefined, minVersion: 'TLSv1.2' });
		this.httpAgent = new http.Agent({ keepAlive: true });
	}

	send(request: RawRequest): Promise<RawResponse> {
		const url = new URL(request.url);
		const isHttps = url.protocol === 'https:';
		const lib = isHttps ? https : http;
		return new Promise<RawResponse>((resolve, reject) => {
			const req = lib.request(
				url,
				{
					method: request.method,
					headers: request.body !== undefined ? { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) } : request.headers,
					agent: isHttps ? this.httpsAgent : this.httpAgent,
					timeout: this.timeoutMs,
				},
				(res) => {
					const chunks: Buffer[] = [];
					res.on('data', (c: Buffer) => chunks.push(c));
					res.on('error', (e) => reject(toNetworkError(e)));
					res.on('end', () => {
						clearTimeout(deadline);
						const headers: Record<string, string> = {};
						for (const [k, v] of Object.entries(res.headers)) {
							if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
						}
						resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
					});
				},
			);
			const timedOut = (): void => {
				req.destroy(new NetworkError('ETIMEDOUT', `No answer from ${url.host} within ${formatMs(this.timeoutMs)}`));
			};
			const deadline = setTimeout(timedOut, this.timeoutMs);
			req.on('close', () => clearTimeout(deadline));
			req.on('timeout', timedOut);
			req.on('error', (e) => {
				clearTimeout(deadline);
				reject(toNetworkError(e));
			});
			if (request.body !== undefined) req.write(request.body);
			req.end();
		});
	}

	close(): void {
		this.httpsAgent.destroy();
		this.httpAgent.destroy();
	}
}

function formatMs(ms: number): string {
	return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

function tlsRootCertificates(): string[] {
	return [...rootCertificates];
}

function toNetworkError(e: Error & { code?: string }): Error {
	if (e instanceof NetworkError) return e;
	return new NetworkError(e.code ?? 'ENETWORK', e.message);
}

/** A counting semaphore: at most `limit` holders. */
export class Semaphore {
	private active = 0;
	private readonly waiting: Array<() => void> = [];
	constructor(readonly limit: number) {}

	async acquire(): Promise<void> {
		if (this.active < this.limit) {
			this.active++;
			return;
		}
		await new Promise<void>((resolve) => this.waiting.push(resolve));
	}

	release(): void {
		const next = this.waiting.shift();
		if (next) next();
		else this.active--;
	}

	get inFlight(): number {
		return this.active;
	}
}

const mailboxLimiters = new Map<string, Semaphore>();

/** One limiter per mailbox and service, shared by every client in the process. */
export function limiterFor(key: string, limit: number): Semaphore {
	let s = mailboxLimiters.get(key);
	if (!s) {
		s = new Semaphore(limit);
		mailboxLimiters.set(key, s);
	}
	return s;
}

export interface RetryPolicy {
	/** Total attempts per request, including the first. Default 6. */
	maxAttempts: number;
	/** First back-off delay without Retry-After. Default 500 ms. */
	baseDelayMs: number;
	/** Upper bound of one wait, also for Retry-After. Default 60 s. */
	maxDelayMs: number;
	/**
	 * Upper bound of one call including its retries and waits: no retry starts when its wait would end
	 * after it. Default 5 min, so a server that keeps answering 503/429 or never answers ends the run.
	 */
	maxTotalMs: number;
}

/** One request, from sending to the end of the answer. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 100_000;

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 60_000, maxTotalMs: 300_000 };

/** Whether a retry that waits `waitMs` still ends within the policy's total bound. */
export function withinRetryBudget(startedAt: number, now: number, waitMs: number, policy: RetryPolicy): boolean {
	return now - startedAt + waitMs < policy.maxTotalMs;
}

export interface RequestStats {
	requests: number;
	retries: number;
	throttled: number;
	tokenRefreshes: number;
}

export interface ResilienceOptions {
	transport: HttpTransport;
	tokens: TokenProvider;
	limiter: Semaphore;
	/** Only URLs under this origin get the bearer token. */
	allowedOrigin: string;
	retry: RetryPolicy;
	sleep: (ms: number) => Promise<void>;
	random: () => number;
	stats: RequestStats;
	/** Clock for the retry budget; default Date.now. */
	now?: () => number;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'EAI_AGAIN', 'ENETWORK', 'UND_ERR_SOCKET']);

/** Seconds (possibly fractional, e.g. Graph's "2.128") or an HTTP date → milliseconds. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
	if (!value) return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
	if (retryAfterMs !== undefined) return Math.min(policy.maxDelayMs, retryAfterMs);
	const exp = policy.baseDelayMs * 2 ** attempt;
	return Math.min(policy.maxDelayMs, exp / 2 + (random() * exp) / 2);
}

/**
 * Sends one request with the mailbox limit, retries and the 401 refresh. Returns the last
 * response (the caller turns an error status into an error); throws only network errors
 * that outlived the retries.
 */
export async function sendResilient(request: RawRequest, o: ResilienceOptions): Promise<RawResponse> {
	const attachToken = new URL(request.url).origin === o.allowedOrigin;
	let refreshed = false;
	const now = o.now ?? Date.now;
	const startedAt = now();
	for (let attempt = 0; ; attempt++) {
		const headers = { ...request.headers };
		if (attachToken) headers.authorization = `Bearer ${await o.tokens.getToken(false)}`;
		await o.limiter.acquire();
		let response: RawResponse | undefined;
		let failure: Error | undefined;
		try {
			o.stats.requests++;
			response = await o.transport.send({ ...request, headers });
		} catch (e) {
			failure = e as Error;
		} finally {
			o.limiter.release();
		}
		const last = attempt + 1 >= o.retry.maxAttempts;
		if (failure) {
			if (last || !(failure instanceof NetworkError) || !RETRYABLE_NETWORK.has(failure.code)) throw withAttempts(failure, attempt + 1);
			const wait = backoffDelay(attempt, o.retry, o.random);
			if (!withinRetryBudget(startedAt, now(), wait, o.retry)) throw withAttempts(failure, attempt + 1);
			o.stats.retries++;
			await o.sleep(wait);
			continue;
		}
		const res = response as RawResponse;
		if (res.status === 401 && attachToken && !refreshed) {
			refreshed = true;
			o.stats.tokenRefreshes++;
			await o.tokens.getToken(true);
			attempt--; // the refresh is not a retry of a transient failure
			continue;
		}
		if (RETRYABLE_STATUS.has(res.status) && !last) {
			const wait = backoffDelay(attempt, o.retry, o.random, parseRetryAfter(res.headers['retry-after']));
			if (withinRetryBudget(startedAt, now(), wait, o.retry)) {
				if (res.status === 429) o.stats.throttled++;
				o.stats.retries++;
				await o.sleep(wait);
				continue;
			}
		}
		return res;
	}
}

/** The message says how often it was tried, so the user sees it was not a single hiccup. */
function withAttempts(failure: Error, attempts: number): Error {
	if (!(failure instanceof NetworkError) || attempts < 2) return failure;
	return new NetworkError(failure.code, `${failure.message} (${attempts} attempts)`);
}

type HeaderBag = Headers | Array<[string, string]> | Record<string, string>;

function headersToRecord(h: HeaderBag | undefined): Record<string, string> {
	const out: Record<string, string> = {};
	if (!h) return out;
	if (h instanceof Headers) h.forEach((v, k) => (out[k.toLowerCase()] = v));
	else if (Array.isArray(h)) for (const [k, v] of h) out[k.toLowerCase()] = v;
	else for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = String(v);
	return out;
}

/** The Graph SDK's final middleware: our resilient transport instead of global fetch. */
export class ResilientGraphMiddleware implements Middleware {
	constructor(private readonly options: ResilienceOptions) {}

	async execute(context: Context): Promise<void> {
		const url = typeof context.request === 'string' ? context.request : context.request.url;
		const init = context.options ?? {};
		const body = init.body;
		let payload: string | Buffer | undefined;
		if (typeof body === 'string') payload = body;
		else if (body instanceof ArrayBuffer) payload = Buffer.from(body);
		else if (Buffer.isBuffer(body)) payload = body;
		else if (body !== undefined && body !== null) payload = String(body);
		let res: RawResponse;
		try {
			res = await sendResilient(
				{ method: (init.method ?? 'GET').toUpperCase(), url, headers: headersToRecord(init.headers as HeaderBag | undefined), body: payload },
				this.options,
			);
		} catch (e) {
			// The SDK passes GraphClientError through untouched; the caller unwraps `customError`.
			const wrapped = new GraphClientError((e as Error).message);
			wrapped.customError = e;
			throw wrapped;
		}
		const noBody = res.status === 204 || res.status === 304 || res.body.length === 0;
		context.response = new Response(noBody ? null : new Uint8Array(res.body), {
			status: res.status,
			headers: res.headers,
		});
	}
}
