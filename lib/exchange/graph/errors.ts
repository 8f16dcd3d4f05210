/** Graph failures → ExchangeError with a hint a non-developer can act on (A7). */
import { GraphClientError, GraphError } from '@microsoft/microsoft-graph-client';

import { ExchangeError } from '../types';

const TLS_CODES = new Set([
	'SELF_SIGNED_CERT_IN_CHAIN',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'CERT_HAS_EXPIRED',
	'ERR_TLS_CERT_ALTNAME_INVALID',
	'CERT_UNTRUSTED',
]);

export const SCOPES_HINT =
	'The app registration needs the Microsoft Graph permissions Contacts.ReadWrite, Calendars.ReadWrite, Tasks.ReadWrite and Mail.ReadWrite (application permissions with admin consent for app-only access).';

export function isSyncStateError(status: number | undefined, code: string | undefined | null): boolean {
	return status === 410 || /syncStateNotFound|syncStateInvalid|resyncRequired|InvalidSyncState/i.test(code ?? '');
}

export interface GraphFailure {
	status?: number;
	code?: string | null;
	message?: string;
	retryAfter?: string;
}

export function exchangeErrorFrom(f: GraphFailure, what: string, mailbox: string): ExchangeError {
	const status = f.status && f.status > 0 ? f.status : undefined;
	const code = f.code ?? '';
	const message = `${what} failed: ${f.message || code || `HTTP ${status ?? 'error'}`}`;
	if (TLS_CODES.has(code)) {
		return new ExchangeError(
			'tls',
			message,
			'The server certificate is not trusted. If the server uses a private CA or a self-signed certificate, add it in the credential (custom CA certificate).',
		);
	}
	if (code === 'ENOTFOUND' || code === 'ECONNREFUSED' || code === 'EAI_AGAIN') {
		return new ExchangeError('badUrl', message, 'The Graph server cannot be reached. Check the Graph base URL in the credential and the network.', status);
	}
	if (!status) {
		return new ExchangeError(
			'unavailable',
			message,
			'The Graph server is unreachable: it did not answer in time or the connection kept failing. Check the network (proxy, firewall) and the Graph base URL in the credential, then run again; the next run starts from the last committed sync state.',
			status,
		);
	}
	if (isSyncStateError(status, code)) {
		return new ExchangeError('syncStateInvalid', message, 'The change cursor expired; a full resynchronisation is needed.', status);
	}
	switch (status) {
		case 400:
			return new ExchangeError('invalid', message, 'Graph rejected the request data. Check the values sent.', status);
		case 401:
			return new ExchangeError('auth', message, 'Authentication failed. Reconnect the credential; check tenant, client ID and secret.', status);
		case 403:
			if (/MailboxNotEnabledForRESTAPI|MailboxNotFound/i.test(code + (f.message ?? ''))) {
				return new ExchangeError(
					'notFound',
					message,
					`The mailbox ${mailbox} was not found or is not an Exchange Online mailbox. Check the mailbox address.`,
					status,
				);
			}
			return new ExchangeError('forbidden', message, SCOPES_HINT, status);
		case 404:
			if (/ErrorInvalidUser|MailboxNotEnabledForRESTAPI|ResourceNotFound.*user|User not found|Request_ResourceNotFound/i.test(`${code} ${f.message ?? ''}`)) {
				return new ExchangeError('notFound', message, `The mailbox ${mailbox} was not found in this tenant. Check the mailbox address and the tenant.`, status);
			}
			return new ExchangeError('notFound', message, 'The item or folder does not exist (any more).', status);
		case 409:
		case 412:
			return new ExchangeError('conflict', message, 'The item was changed in Exchange meanwhile. Read it again and retry.', status);
		case 429:
			return new ExchangeError('throttled', message, 'Microsoft Graph is throttling this mailbox. Run less often or later.', status);
		case 500:
		case 502:
		case 503:
		case 504:
			return new ExchangeError(
				'unavailable',
				message,
				'Microsoft Graph is unreachable (temporarily unavailable) and kept answering so after the retries. Run again later; if it persists, check the Microsoft 365 service health in the admin center.',
				status,
			);
		default:
			return new ExchangeError('invalid', message, undefined, status);
	}
}

export function toExchangeError(err: unknown, what: string, mailbox: string): ExchangeError {
	if (err instanceof ExchangeError) return err;
	if (err instanceof GraphClientError && err.customError instanceof Error) return toExchangeError(err.customError, what, mailbox);
	if (err instanceof GraphError) {
		return exchangeErrorFrom({ status: err.statusCode, code: err.code, message: err.message }, what, mailbox);
	}
	const e = err as Error & { code?: string };
	return exchangeErrorFrom({ code: e.code ?? e.name, message: e.message }, what, mailbox);
}

/** Error of one $batch sub-response body ({ error: { code, message } }). */
export function batchFailure(status: number, body: unknown): GraphFailure {
	const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
	return { status, code: error?.code, message: error?.message };
}
