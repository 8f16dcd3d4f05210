/**
 * Credential → ExchangeClient glue, shared by the Exchange, Exchange Trigger and E-mail to Lead
 * nodes: `getExchangeClient(ctx, { mailbox })` reads the node's `authentication` parameter and
 * connects through Microsoft Graph (Microsoft 365) or EWS (Exchange Server on-premises).
 */
import { createHash } from 'node:crypto';

import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IHookFunctions,
	ILoadOptionsFunctions,
	INodeCredentialDescription,
	INodeProperties,
	IPollFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import {
	ClientCredentialsTokenProvider,
	createExchangeClient,
	ewsOptionsFromCredential,
	ExchangeError,
	FallbackTokenProvider,
	GraphExchangeClient,
	HttpTransport,
	RefreshTokenProvider,
	StaticTokenProvider,
	type ClosableExchangeClient,
	type EwsClientConfig,
	type EwsCredentialData,
	type GraphClientConfig,
	type TokenProvider,
} from '../../../lib/exchange';
import { N8nOAuth2TokenProvider, type N8nOAuthTokenData } from './n8nOAuth2TokenProvider';

export const GRAPH_CREDENTIAL = 'microsoftGraphOAuth2Api';
export const EWS_CREDENTIAL = 'exchangeEwsApi';

/** The credential types an Exchange connection can use; also the values of the `authentication` parameter. */
export type ExchangeCredentialType = typeof GRAPH_CREDENTIAL | typeof EWS_CREDENTIAL;

/**
 * The "Authentication" parameter of the nodes that open a mailbox. The default keeps workflows
 * saved before EWS existed on Graph.
 */
export const authenticationParameter: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Microsoft 365 (Graph)', value: GRAPH_CREDENTIAL, description: 'Exchange Online through Microsoft Graph' },
		{
			name: 'Exchange Server (EWS)',
			value: EWS_CREDENTIAL,
			description: 'Exchange 2016, 2019 or Subscription Edition on-premises through Exchange Web Services',
		},
	],
	default: GRAPH_CREDENTIAL,
};

/** `credentials` entries of a node description: each credential type shown for its `authentication` value. */
export const exchangeCredentials: INodeCredentialDescription[] = [
	{ name: GRAPH_CREDENTIAL, required: true, testedBy: 'microsoftGraphConnectionTest', displayOptions: { show: { authentication: [GRAPH_CREDENTIAL] } } },
	{ name: EWS_CREDENTIAL, required: true, testedBy: 'exchangeEwsConnectionTest', displayOptions: { show: { authentication: [EWS_CREDENTIAL] } } },
];

export type ExchangeContext = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions | IWebhookFunctions | IHookFunctions;

export interface ClientOptions {
	/** Overrides the credential's mailbox (one app-only credential, many mailboxes). */
	mailbox?: string;
	/** Attach the Graph object to items (the nodes' "raw output" option; EWS items carry none). */
	includeRaw?: boolean;
	/** Use this credential type instead of reading the node's `authentication` parameter. */
	credentialType?: ExchangeCredentialType;
}

type OAuthTokenData = N8nOAuthTokenData;

/** n8n's OAuth2 renewal (saves the rotated tokens into the credential), where the context offers it. */
type RefreshOAuth2 = (this: ExchangeContext, credentialsType: string) => Promise<N8nOAuthTokenData>;

function n8nRefresh(ctx: ExchangeContext | undefined): (() => Promise<N8nOAuthTokenData>) | undefined {
	const helper = (ctx?.helpers as { refreshOAuth2Token?: RefreshOAuth2 } | undefined)?.refreshOAuth2Token;
	return ctx && typeof helper === 'function' ? () => helper.call(ctx, GRAPH_CREDENTIAL) : undefined;
}

function str(v: unknown): string {
	return typeof v === 'string' ? v.trim() : '';
}

/**
 * The credential's values → a Graph client config (tokens included). With `ctx` (a node's context), a
 * signed-in credential's tokens are renewed through n8n, which saves Microsoft's rotated refresh token
 * into the credential; without it (credential test, tests, bench) they are renewed here, for this
 * process only. A credential with its own CA certificate is renewed through n8n too, which works when
 * n8n trusts that CA (NODE_EXTRA_CA_CERTS) or the sign-in server has a public certificate; where n8n's
 * OAuth2 client cannot reach it, the run renews here and goes on, but the rotated token is not saved.
 */
export function graphConfigFromCredentials(credentials: ICredentialDataDecryptedObject, options: ClientOptions = {}, ctx?: ExchangeContext): GraphClientConfig {
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
	const viaN8n = n8nRefresh(ctx);
	let tokens: TokenProvider;
	if (grant === 'clientCredentials') {
		if (!mailbox) {
			throw new ExchangeError('invalid', 'No mailbox given', 'App-only access needs the mailbox address: set it in the credential or in the node.');
		}
		tokens = new ClientCredentialsTokenProvider(endpoint, transport, Date.now, initial);
	} else if (tokenData.refresh_token && viaN8n) {
		const saved = new N8nOAuth2TokenProvider(viaN8n, tokenData);
		tokens = tls ? new FallbackTokenProvider(saved, new RefreshTokenProvider(endpoint, transport, tokenData.refresh_token, Date.now)) : saved;
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

/** The "Exchange (EWS)" credential's values → an EWS client config. */
export function ewsConfigFromCredentials(credentials: ICredentialDataDecryptedObject, options: ClientOptions = {}): EwsClientConfig {
	const data = credentials as unknown as EwsCredentialData;
	if (!str(data.url)) {
		throw new ExchangeError(
			'badUrl',
			'The Exchange (EWS) credential has no EWS URL',
			'Open the credential and enter the address, e.g. https://mail.example.com/EWS/Exchange.asmx.',
		);
	}
	const own = (str(data.mailbox) || str(data.username)).toLowerCase();
	const requested = str(options.mailbox);
	// Without impersonation EWS acts on the signed-in user's mailbox whatever address is named.
	if (requested && requested.toLowerCase() !== own && data.impersonate !== true) {
		throw new ExchangeError(
			'forbidden',
			`The mailbox ${requested} cannot be opened with this Exchange (EWS) credential`,
			'Leave the node\'s Mailbox empty to work on the credential\'s mailbox, or turn on "Use Impersonation" in the credential for a service account with the ApplicationImpersonation role.',
		);
	}
	return { protocol: 'ews', ...ewsOptionsFromCredential(data, requested || undefined) };
}

function isExecuteContext(ctx: ExchangeContext): ctx is IExecuteFunctions {
	return typeof (ctx as Partial<IExecuteFunctions>).getInputData === 'function';
}

/** Graph or EWS, from the node's `authentication` parameter (absent in nodes saved before EWS: Graph). */
export function credentialTypeOf(ctx: ExchangeContext, options: ClientOptions = {}): ExchangeCredentialType {
	if (options.credentialType) return options.credentialType;
	const value = isExecuteContext(ctx)
		? ctx.getNodeParameter('authentication', 0, GRAPH_CREDENTIAL)
		: (ctx as IPollFunctions).getNodeParameter('authentication', GRAPH_CREDENTIAL);
	return value === EWS_CREDENTIAL ? EWS_CREDENTIAL : GRAPH_CREDENTIAL;
}

/** The mailbox through the credential the node is set to; the caller closes it. */
export async function getExchangeClient(ctx: ExchangeContext, options: ClientOptions = {}): Promise<ClosableExchangeClient> {
	const type = credentialTypeOf(ctx, options);
	const credentials = await ctx.getCredentials(type);
	return createExchangeClient(type === EWS_CREDENTIAL ? ewsConfigFromCredentials(credentials, options) : graphConfigFromCredentials(credentials, options, ctx));
}

/** Graph only (webhook subscriptions exist only there). */
export async function getGraphClient(ctx: ExchangeContext, options: ClientOptions = {}): Promise<GraphExchangeClient> {
	const credentials = await ctx.getCredentials(GRAPH_CREDENTIAL);
	return new GraphExchangeClient(graphConfigFromCredentials(credentials, options, ctx));
}

/** Identifies the credential's secrets without storing them (A5: reset the pause when they change). */
export async function credentialFingerprint(ctx: ExchangeContext): Promise<string> {
	const type = credentialTypeOf(ctx);
	const c = await ctx.getCredentials(type);
	const parts =
		type === EWS_CREDENTIAL
			? [type, c.url, c.authentication, c.username, c.password, c.domain, c.token, c.mailbox, c.impersonate]
			: [c.tenantId, c.clientId, c.clientSecret, c.mailbox, c.graphBaseUrl, ((c.oauthTokenData ?? {}) as OAuthTokenData).refresh_token];
	return createHash('sha256')
		.update(parts.map((v) => String(v ?? '')).join('\n'))
		.digest('base64url')
		.slice(0, 16);
}
