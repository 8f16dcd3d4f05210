/**
 * The HTTP layer under ews-javascript-api: an IXHRApi on Node's http/https, so that TLS
 * (custom CA, self-signed), timeouts and the reason of a failure (TLS, DNS, refused, 401,
 * 404, a SOAP fault) stay in our hands. ews-javascript-api turns every failure into its own
 * exception types and loses that detail; the transport records it per call (AsyncLocalStorage)
 * so that errors.ts can tell the user which of A7's cases happened.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';

import type { IXHRApi, IXHROptions } from 'ews-javascript-api';

export interface TlsOptions {
	/** PEM certificate(s) of a private CA to trust in addition to the system CAs. */
	ca?: string;
	/** Accept any certificate (self-signed, wrong host). Off by default. */
	allowSelfSigned?: boolean;
}

/** What actually happened on the wire for the last request of a call. */
export interface TransportFailure {
	kind: 'network' | 'tls' | 'http';
	/** Node error code (ECONNREFUSED, ENOTFOUND, DEPTH_ZERO_SELF_SIGNED_CERT, ...). */
	code?: string;
	status?: number;
	contentType?: string;
	body?: string;
	message: string;
}

export interface CallContext {
	failure?: TransportFailure;
	requests: number;
}

/** ews-javascript-api types responses as the DOM's XMLHttpRequest, which Node lacks. */
type XhrResult = Awaited<ReturnType<IXHRApi['xhr']>>;

export const callContext = new AsyncLocalStorage<CallContext>();

/** Shape ews-javascript-api reads from a response (see @ewsjs/xhr's setupXhrResponse). */
export interface XhrLikeResponse {
	status: number;
	statusText: string;
	responseText: string;
	headers: Record<string, string>;
	getResponseHeader(name: string): string | null;
	getAllResponseHeaders(): string;
	message?: string;
}

export function xhrResponse(status: number, body: string, headers: Record<string, string> = {}, message?: string): XhrLikeResponse {
	const lower: Record<string, string> = {};
	for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
	return {
		status,
		statusText: http.STATUS_CODES[status] ?? '',
		responseText: body,
		headers: lower,
		getResponseHeader: (name: string) => lower[name.toLowerCase()] ?? null,
		getAllResponseHeaders: () =>
			Object.entries(lower)
				.map(([k, v]) => `${k}: ${v}\r\n`)
				.join(''),
		message,
	};
}

const TLS_CODES = new Set([
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'CERT_HAS_EXPIRED',
	'CERT_NOT_YET_VALID',
	'ERR_TLS_CERT_ALTNAME_INVALID',
	'CERT_UNTRUSTED',
	'EPROTO',
	'ERR_SSL_WRONG_VERSION_NUMBER',
]);

export function recordFailure(failure: TransportFailure): void {
	const ctx = callContext.getStore();
	if (ctx) ctx.failure = failure;
}

function countRequest(): void {
	const ctx = callContext.getStore();
	if (ctx) {
		ctx.requests += 1;
		ctx.failure = undefined;
	}
}

/** A response that is not a usable EWS answer: record why, then hand it to ews-javascript-api. */
export function noteResponse(res: XhrLikeResponse): XhrLikeResponse {
	if (res.status !== 200) {
		recordFailure({
			kind: 'http',
			status: res.status,
			contentType: res.getResponseHeader('content-type') ?? undefined,
			body: res.responseText.slice(0, 64 * 1024),
			message: `HTTP ${res.status} ${res.statusText}`,
		});
	}
	return res;
}

export interface NodeXhrOptions {
	tls?: TlsOptions;
	/** Per-request timeout in milliseconds (default 100 s, as the EWS Managed API). */
	timeoutMs?: number;
	/** Extra headers on every request (e.g. X-AnchorMailbox for impersonation). */
	headers?: Record<string, string>;
}

export class NodeXhrApi implements IXHRApi {
	readonly apiName = 'n8n-exchange-crm-sync';
	private readonly agent: https.Agent;
	private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });

	constructor(private readonly options: NodeXhrOptions = {}) {
		this.agent = new https.Agent({
			keepAlive: true,
			maxSockets: 4,
			minVersion: 'TLSv1.2',
			ca: options.tls?.ca ? [...tls.rootCertificates, options.tls.ca] : undefined,
			rejectUnauthorized: options.tls?.allowSelfSigned !== true,
		});
	}

	async xhr(xhroptions: IXHROptions): Promise<XhrResult> {
		countRequest();
		const res = await this.send(xhroptions);
		noteResponse(res);
		// ews-javascript-api expects a rejected promise for every non-200 answer.
		if (res.status !== 200) throw res as unknown as XhrResult;
		return res as unknown as XhrResult;
	}

	async xhrStream(xhroptions: IXHROptions): Promise<XhrResult> {
		return this.xhr(xhroptions);
	}

	disconnect(): void {
		this.agent.destroy();
		this.httpAgent.destroy();
	}

	private send(xhroptions: IXHROptions): Promise<XhrLikeResponse> {
		const url = new URL(xhroptions.url);
		const isHttps = url.protocol === 'https:';
		const headers: Record<string, string> = { ...(xhroptions.headers as Record<string, string>), ...this.options.headers };
		const body = typeof xhroptions.data === 'string' ? Buffer.from(xhroptions.data, 'utf8') : undefined;
		if (body) headers['Content-Length'] = String(body.length);
		const timeoutMs = this.options.timeoutMs ?? 100_000;
		return new Promise<XhrLikeResponse>((resolve, reject) => {
			let settled = false;
			// Node's `timeout` only notices an idle socket; the deadline also ends an answer that trickles in.
			const deadline = setTimeout(() => {
				fail(Object.assign(new Error(`no complete answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
				req.destroy();
			}, timeoutMs);
			const req = (isHttps ? https : http).request(
				url,
				{
					method: xhroptions.type ?? 'POST',
					headers,
					agent: isHttps ? this.agent : this.httpAgent,
					timeout: timeoutMs,
				},
				(res) => {
					const chunks: Buffer[] = [];
					res.on('data', (c: Buffer) => chunks.push(c));
					res.on('error', (e) => fail(e));
					res.on('end', () => {
						const flat: Record<string, string> = {};
						for (const [k, v] of Object.entries(res.headers)) {
							if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
						}
						if (settled) return;
						settled = true;
						clearTimeout(deadline);
						resolve(xhrResponse(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), flat));
					});
				},
			);
			const fail = (e: Error & { code?: string }) => {
				if (settled) return;
				settled = true;
				clearTimeout(deadline);
				const code = e.code;
				const kind = code && (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL')) ? 'tls' : 'network';
				recordFailure({ kind, code, message: e.message });
				reject(xhrResponse(0, '', {}, e.message) as unknown as XhrResult);
			};
			req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
			req.on('error', fail);
			if (body) req.write(body);
			req.end();
		});
	}
}
