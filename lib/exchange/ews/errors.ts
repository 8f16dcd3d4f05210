/**
 * Turns whatever ews-javascript-api or the transport threw into an ExchangeError with a
 * message a user understands (A7), and runs calls with ErrorServerBusy back-off (O4).
 */
import { DOMParser, ServiceError } from 'ews-javascript-api';

import { ExchangeError, type ExchangeErrorCode } from '../types';
import { callContext, type CallContext, type TransportFailure } from './transport';

export interface SoapFault {
	/** EWS ResponseCode (ErrorServerBusy, ErrorIrresolvableConflict, ...) or the faultcode. */
	code: string;
	message: string;
	backOffMs?: number;
}

function localName(name: string): string {
	const i = name.indexOf(':');
	return i < 0 ? name : name.slice(i + 1);
}

interface DomNode {
	nodeType: number;
	nodeName: string;
	textContent: string | null;
	childNodes: ArrayLike<DomNode> | null;
	getAttribute?(name: string): string | null;
}

function walk(node: DomNode, visit: (n: DomNode) => void): void {
	visit(node);
	const children = node.childNodes;
	if (!children) return;
	for (let i = 0; i < children.length; i++) walk(children[i], visit);
}

/**
 * Reads a SOAP fault or an error response message from a raw body. Tolerates any envelope
 * prefix (Gromox answers with `SOAP:`) and whitespace around the code (real servers send it).
 */
export function parseSoapFault(body: string | undefined): SoapFault | undefined {
	if (!body || !body.includes('<')) return undefined;
	let doc: DomNode;
	try {
		doc = new DOMParser({ errorHandler: { warning: () => {}, error: () => {}, fatalError: () => {} } }).parseFromString(body, 'text/xml') as unknown as DomNode;
	} catch {
		return undefined;
	}
	let faultcode: string | undefined;
	let faultstring: string | undefined;
	let responseCode: string | undefined;
	let messageText: string | undefined;
	let backOffMs: number | undefined;
	walk(doc, (n) => {
		if (n.nodeType !== 1) return;
		const name = localName(n.nodeName);
		const value = (n.textContent ?? '').trim();
		if (name === 'faultcode') faultcode = localName(value);
		else if (name === 'faultstring') faultstring = value;
		else if (name === 'ResponseCode' && value !== 'NoError' && !responseCode) responseCode = value;
		else if ((name === 'Message' || name === 'MessageText') && !messageText) messageText = value;
		else if (name === 'Value' && n.getAttribute?.('Name') === 'BackOffMilliseconds') backOffMs = Number(value);
	});
	const code = responseCode ?? faultcode;
	if (!code) return undefined;
	return { code, message: messageText ?? faultstring ?? code, backOffMs: Number.isFinite(backOffMs) ? backOffMs : undefined };
}

interface EwsLikeError {
	message?: string;
	ErrorCode?: number;
	responseCode?: number;
	Response?: { ErrorCode?: number; ErrorMessage?: string; ErrorDetails?: { get(key: string): string } };
	HttpStatusCode?: number;
}

/** Fault code + back-off from an ews-javascript-api error, falling back to the raw body. */
export function faultOf(error: unknown, failure: TransportFailure | undefined): SoapFault | undefined {
	const fromBody = parseSoapFault(failure?.body);
	if (fromBody) return fromBody;
	const e = (error ?? {}) as EwsLikeError;
	const numeric = e.Response?.ErrorCode ?? e.ErrorCode ?? e.responseCode;
	if (typeof numeric === 'number' && numeric !== ServiceError.NoError && ServiceError[numeric]) {
		let backOffMs: number | undefined;
		try {
			backOffMs = Number(e.Response?.ErrorDetails?.get('BackOffMilliseconds')) || undefined;
		} catch {
			backOffMs = undefined;
		}
		return { code: ServiceError[numeric], message: e.Response?.ErrorMessage ?? e.message ?? ServiceError[numeric], backOffMs };
	}
	return undefined;
}

const FAULT_CODES: Record<string, ExchangeErrorCode> = {
	ErrorServerBusy: 'throttled',
	ErrorTooManyObjectsOpened: 'throttled',
	ErrorIrresolvableConflict: 'conflict',
	ErrorChangeKeyRequiredForWriteOperations: 'conflict',
	ErrorStaleObject: 'conflict',
	ErrorItemNotFound: 'notFound',
	ErrorCalendarOccurrenceIsDeletedFromRecurrence: 'notFound',
	ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange: 'notFound',
	ErrorFolderNotFound: 'notFound',
	ErrorInvalidId: 'notFound',
	ErrorInvalidIdMalformed: 'notFound',
	ErrorInvalidSyncStateData: 'syncStateInvalid',
	ErrorInvalidWatermark: 'syncStateInvalid',
	ErrorSubscriptionNotFound: 'syncStateInvalid',
	ErrorExpiredSubscription: 'syncStateInvalid',
	ErrorAccessDenied: 'forbidden',
	ErrorImpersonateUserDenied: 'forbidden',
	ErrorNonExistentMailbox: 'notFound',
	ErrorMailboxMoveInProgress: 'unavailable',
	ErrorMailboxStoreUnavailable: 'unavailable',
	ErrorInternalServerTransientError: 'unavailable',
	ErrorInvalidRequest: 'invalid',
	ErrorSchemaValidation: 'invalid',
	ErrorInvalidOperation: 'invalid',
};

const HINTS: Partial<Record<ExchangeErrorCode, string>> = {
	auth: 'Check the user name and password (or token) in the "Exchange (EWS)" credential. Repeated failures can lock the account.',
	forbidden: 'The account lacks permission on this mailbox; grant it full access or ApplicationImpersonation.',
	tls: 'The server certificate is not trusted. Add your CA certificate to the credential, or allow self-signed certificates if you trust this server.',
	badUrl: 'Check the EWS URL in the credential; it usually ends in /EWS/Exchange.asmx.',
	unavailable: 'The server could not be reached. Check the host name, port and firewall, then try again.',
	throttled: 'Exchange asked the connector to slow down; the run will continue later.',
	conflict: 'The item was changed in Exchange meanwhile; it will be re-read and synced on the next run.',
};

export function ewsError(code: ExchangeErrorCode, message: string, status?: number): ExchangeError {
	return new ExchangeError(code, message, HINTS[code], status);
}

/** Classify a failed call (A7): wrong password, wrong URL, TLS, unreachable, throttling, ... */
export function toExchangeError(error: unknown, ctx: CallContext | undefined): ExchangeError {
	if (error instanceof ExchangeError) return error;
	const failure = ctx?.failure;
	const fault = faultOf(error, failure);
	if (fault) {
		const code = FAULT_CODES[fault.code] ?? (fault.code === 'Server' || fault.code === 'Client' ? 'invalid' : 'invalid');
		return ewsError(code, `Exchange answered ${fault.code}: ${fault.message}`, failure?.status);
	}
	if (failure?.kind === 'tls') return ewsError('tls', `TLS connection to the Exchange server failed: ${failure.message}`);
	if (failure?.kind === 'network') {
		if (failure.code === 'ENOTFOUND' || failure.code === 'EAI_AGAIN' || failure.code === 'ERR_INVALID_URL')
			return ewsError('badUrl', `The host in the EWS URL could not be found (${failure.code}).`);
		return ewsError('unavailable', `The Exchange server could not be reached: ${failure.message}`);
	}
	if (failure?.kind === 'http') {
		const s = failure.status ?? 0;
		if (s === 401) return ewsError('auth', 'Exchange rejected the credentials (HTTP 401): wrong user name, password or token.', s);
		if (s === 403) return ewsError('forbidden', 'Exchange refused access (HTTP 403).', s);
		if (s === 404 || s === 405) return ewsError('badUrl', `There is no EWS endpoint at this URL (HTTP ${s}).`, s);
		if (s === 429) return ewsError('throttled', 'Exchange is throttling requests (HTTP 429).', s);
		if (s === 502 || s === 503 || s === 504) return ewsError('unavailable', `The Exchange server is unavailable (HTTP ${s}).`, s);
		if (s >= 300 && s < 400) return ewsError('badUrl', `The EWS URL redirects elsewhere (HTTP ${s}); use the final URL.`, s);
		return ewsError('invalid', `Exchange answered HTTP ${s} without a SOAP fault.`, s);
	}
	const message = error instanceof Error ? error.message : String((error as EwsLikeError)?.message ?? error);
	if (/xml|parse|unexpected/i.test(message) && ctx?.requests) {
		return ewsError('badUrl', `The server at this URL did not answer like an EWS endpoint: ${message}`);
	}
	return ewsError('invalid', `EWS call failed: ${message}`);
}

export interface RetryPolicy {
	/** How often a throttled or transiently failed call is retried (default 3). */
	maxRetries: number;
	/** Longest back-off the client waits in-process; longer ones fail as 'throttled' (default 5 min). */
	maxBackOffMs: number;
	/** Back-off when the server gives none (ms, doubled per attempt; default 1000). */
	defaultBackOffMs: number;
	sleep: (ms: number) => Promise<void>;
}

export const defaultRetryPolicy: RetryPolicy = {
	maxRetries: 3,
	maxBackOffMs: 5 * 60_000,
	defaultBackOffMs: 1000,
	sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface CallStats {
	calls: number;
	waitedMs: number;
}

/** Run one EWS operation: classify failures, honour ErrorServerBusy/BackOffMilliseconds. */
export async function runCall<T>(fn: () => Promise<T>, policy: RetryPolicy, stats?: CallStats): Promise<T> {
	for (let attempt = 0; ; attempt++) {
		const ctx: CallContext = { requests: 0 };
		try {
			return await callContext.run(ctx, fn);
		} catch (error) {
			const failure = ctx.failure;
			const fault = faultOf(error, failure);
			const transient =
				fault?.code === 'ErrorServerBusy' ||
				fault?.code === 'ErrorTooManyObjectsOpened' ||
				fault?.code === 'ErrorInternalServerTransientError' ||
				(failure?.kind === 'http' && (failure.status === 503 || failure.status === 429)) ||
				(failure?.kind === 'network' && (failure.code === 'ECONNRESET' || failure.code === 'EPIPE'));
			const wait = fault?.backOffMs ?? policy.defaultBackOffMs * 2 ** attempt;
			if (!transient || attempt >= policy.maxRetries || wait > policy.maxBackOffMs) {
				const err = toExchangeError(error, ctx);
				if (err.code === 'throttled' && wait > policy.maxBackOffMs) {
					throw new ExchangeError('throttled', `${err.message} (back-off ${Math.round(wait / 1000)} s)`, err.hint, err.status);
				}
				throw err;
			}
			if (stats) stats.waitedMs += wait;
			await policy.sleep(wait);
			continue;
		} finally {
			if (stats) stats.calls += ctx.requests;
		}
	}
}
