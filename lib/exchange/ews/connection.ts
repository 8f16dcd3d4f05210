/**
 * From the "Exchange (EWS)" credential to client options, and the credential test that tells
 * A7's cases apart (wrong password, wrong URL, TLS, unreachable, permission, throttling).
 */
import { EwsExchangeClient, type EwsClientOptions } from './client';
import type { EwsAuth } from './service';
import { ExchangeError } from '../types';

/** Field names of credentials/ExchangeEwsApi.credentials.ts. */
export interface EwsCredentialData {
	url: string;
	authentication: 'basic' | 'ntlm' | 'bearer';
	username?: string;
	password?: string;
	domain?: string;
	token?: string;
	/** mailbox to act on; empty: the user's own */
	mailbox?: string;
	impersonate?: boolean;
	ca?: string;
	allowSelfSigned?: boolean;
}

export function ewsOptionsFromCredential(c: EwsCredentialData, mailboxOverride?: string): EwsClientOptions {
	const auth: EwsAuth =
		c.authentication === 'bearer'
			? { type: 'bearer', token: c.token ?? '' }
			: c.authentication === 'ntlm'
				? { type: 'ntlm', username: c.username ?? '', password: c.password ?? '', domain: c.domain || undefined }
				: { type: 'basic', username: c.username ?? '', password: c.password ?? '' };
	const mailbox = (mailboxOverride || c.mailbox || c.username || '').trim();
	return {
		url: c.url.trim(),
		auth,
		mailbox,
		impersonate: c.impersonate ? mailbox : undefined,
		tls: { ca: c.ca?.trim() || undefined, allowSelfSigned: c.allowSelfSigned === true },
	};
}

export interface ConnectionTestResult {
	status: 'OK' | 'Error';
	message: string;
	code?: ExchangeError['code'];
}

/** n8n credential test: bind the inbox (GetFolder) and explain any failure in user terms. */
export async function testEwsConnection(c: EwsCredentialData, overrides: Partial<EwsClientOptions> = {}): Promise<ConnectionTestResult> {
	let url: URL;
	try {
		url = new URL(c.url);
	} catch {
		return { status: 'Error', code: 'badUrl', message: 'The EWS URL is not a valid URL. It usually looks like https://mail.example.com/EWS/Exchange.asmx.' };
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		return { status: 'Error', code: 'badUrl', message: 'The EWS URL must start with https:// (or http:// on a trusted network).' };
	}
	const client = new EwsExchangeClient({ ...ewsOptionsFromCredential(c), retry: { maxRetries: 0 }, timeoutMs: 20_000, ...overrides });
	try {
		const inbox = await client.getWellKnownFolder('inbox');
		return { status: 'OK', message: `Connected: mailbox ${client.mailbox || 'of the user'}, inbox "${inbox.displayName}".` };
	} catch (e) {
		const error = e instanceof ExchangeError ? e : new ExchangeError('invalid', String(e));
		const lead: Partial<Record<ExchangeError['code'], string>> = {
			auth: 'Wrong user name or password (or token): Exchange rejected the sign-in.',
			badUrl: 'Wrong EWS URL: there is no Exchange Web Services endpoint at this address.',
			tls: 'TLS/certificate problem: the server certificate is not trusted.',
			unavailable: 'The Exchange server could not be reached.',
			forbidden: 'The account may not open this mailbox (missing permission or impersonation right).',
			notFound: 'The mailbox was not found.',
			throttled: 'Exchange is busy and asked to retry later.',
		};
		return { status: 'Error', code: error.code, message: [lead[error.code] ?? error.message, error.hint].filter(Boolean).join(' ') };
	} finally {
		client.service.XHRApi.disconnect();
	}
}
