/**
 * Credential → ExchangeClient glue, shared by the Exchange and Exchange Trigger nodes (and
 * any other node that needs a mailbox): `getExchangeClient(ctx, { mailbox })`.
 */
import { createHash } from 'node:crypto';

import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IHookFunctions,
	ILoadOptionsFunctions,
	IPollFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import {
	ClientCredentialsTokenProvider,
	ExchangeError,
	GraphExchangeClient,
	HttpTransport,
	RefreshTokenProvider,
	StaticTokenProvider,
	type GraphClientConfig,
	type TokenProvider,
} from '../../../lib/exchange';

export const GRAPH_CREDENTIAL = 'microsoftGraphOAuth2Api';

export type ExchangeContext = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions | IWebhookFunctions | IHookFunctions;

export interface ClientOptions {
	/** Overrides the credential's mailbox (one app-only credential, many mailboxes). */
	mailbox?: string;
	/** Attach the Graph object to items (the nodes' "raw output" option). */
	includeRaw?: boolean;
}

interface OAuthTokenData {
	access_token?: string;
	refresh_token?: string;
	expires_in?: number;
}

function str(v: unknown): string {
	return typeof v === 'string' ? v.trim() : '';
}

/** The credential's values → a Graph client config (tokens included). */
export function graphConfigFromCredentials(credentials: ICredentialDataDecryptedObject, options: ClientOptions = {}): GraphClientConfig {
	const grant = str(credentials.grantType) || 'authorizationCode';
	const mailbox = str(options.mailbox) || str(credentials.mailbox) || undefined;
	const tls = credentials.useCustomCa === true && str(credentials.caCertificate) ? { ca: str(credentials.caCertificate) } : undefined;
	const transport = new HttpTransport(tls);
	const endpoint = {
		authorityUrl: str(credentials.authorityUrl) || undefined,
		tenantId: str(credentials.tenantId) || 'common',
		clientId: str(credentials.clientId),
		clientSecret: str(credentials.clientSecret),
	};
	const tokenData = (credentials.oauthTokenData ?? {}) as OAuthTokenData;
	const initial = tokenData.access_token ? { accessToken: tokenData.access_token } : undefined;
	let tokens: TokenProvider;
	if (grant === 'clientCredentials') {
		if (!mailbox) {
			throw new ExchangeError('invalid', 'No mailbox given', 'App-only access needs the mailbox address: set it in the credential or in the node.');
		}
		tokens = new ClientCredentialsTokenProvider(endpoint, transport, Date.now, initial);
	} else if (tokenData.refresh_token) {
		tokens = new RefreshTokenProvider(endpoint, transport, tokenData.refresh_token, Date.now, initial);
	} else if (tokenData.access_token) {
		tokens = new StaticTokenProvider(tokenData.access_token);
	} else {
		throw new ExchangeError('auth', 'The Microsoft credential is not connected', 'Open the credential and click "Connect my account".');
	}
	return {
		protocol: 'graph',
		baseUrl: str(credentials.graphBaseUrl) || undefined,
		mailbox,
		tokens,
		transport,
		includeRaw: options.includeRaw,
	};
}

export async function getExchangeClient(ctx: ExchangeContext, options: ClientOptions = {}): Promise<GraphExchangeClient> {
	const credentials = await ctx.getCredentials(GRAPH_CREDENTIAL);
	return new GraphExchangeClient(graphConfigFromCredentials(credentials, options));
}

/** Identifies the credential's secrets without storing them (A5: reset the pause when they change). */
export async function credentialFingerprint(ctx: ExchangeContext): Promise<string> {
	const c = await ctx.getCredentials(GRAPH_CREDENTIAL);
	const token = (c.oauthTokenData ?? {}) as OAuthTokenData;
	return createHash('sha256')
		.update([c.tenantId, c.clientId, c.clientSecret, c.mailbox, c.graphBaseUrl, token.refresh_token].map((v) => String(v ?? '')).join('\n'))
		.digest('base64url')
		.slice(0, 16);
}
