/**
 * Access tokens for Graph. In n8n the OAuth2 credential supplies the token; outside n8n
 * (tests, bench, demo) the client-credentials or refresh-token grant is run here.
 */
import { ExchangeError } from '../types';
import type { HttpTransport } from './http';

export interface TokenProvider {
	/** `forceRefresh`: the last token was rejected (401); fetch a new one. */
	getToken(forceRefresh?: boolean): Promise<string>;
}

export class StaticTokenProvider implements TokenProvider {
	constructor(private readonly token: string) {}
	async getToken(): Promise<string> {
		return this.token;
	}
}

/**
 * Tokens from `primary`; once it fails, from `fallback` for the rest of this provider's life. For a
 * renewal that n8n should do (it saves Microsoft's rotated refresh token into the credential) but may not
 * be able to: n8n's OAuth2 client trusts only the system CAs and NODE_EXTRA_CA_CERTS, not a credential's
 * own CA. The fallback is asked for a fresh token, since the primary fails only when one is needed.
 */
export class FallbackTokenProvider implements TokenProvider {
	private primaryFailed = false;

	constructor(
		private readonly primary: TokenProvider,
		private readonly fallback: TokenProvider,
		/** Told once when the fallback takes over (with the primary's error), e.g. to log a hint. */
		private readonly onFallback?: (error: unknown) => void,
	) {}

	async getToken(forceRefresh = false): Promise<string> {
		if (this.primaryFailed) return this.fallback.getToken(forceRefresh);
		try {
			return await this.primary.getToken(forceRefresh);
		} catch (error) {
			const token = await this.fallback.getToken(true);
			this.primaryFailed = true;
			this.onFallback?.(error);
			return token;
		}
	}
}

export interface OAuthTokenEndpointConfig {
	/** Default https://login.microsoftonline.com; the sandbox stands in for it in tests. */
	authorityUrl?: string;
	tenantId: string;
	clientId: string;
	clientSecret: string;
	/** Default https://graph.microsoft.com/.default (client credentials) */
	scope?: string;
}

interface TokenResponse {
	access_token?: string;
	refresh_token?: string;
	expires_in?: number | string;
	error?: string;
	error_description?: string;
}

const EXPIRY_MARGIN_MS = 60_000;

/** Runs an OAuth2 grant against the Microsoft identity platform's v2.0 token endpoint. */
abstract class GrantTokenProvider implements TokenProvider {
	private token?: string;
	private expiresAt = 0;
	private pending?: Promise<string>;

	constructor(
		protected readonly config: OAuthTokenEndpointConfig,
		private readonly transport: HttpTransport,
		private readonly now: () => number = Date.now,
		initialToken?: { accessToken: string; expiresAt?: number },
	) {
		if (initialToken?.accessToken) {
			this.token = initialToken.accessToken;
			this.expiresAt = initialToken.expiresAt ?? Number.MAX_SAFE_INTEGER;
		}
	}

	protected abstract grantParameters(): Record<string, string>;
	protected onTokenResponse(_response: TokenResponse): void {}

	async getToken(forceRefresh = false): Promise<string> {
		if (!forceRefresh && this.token && this.now() < this.expiresAt - EXPIRY_MARGIN_MS) return this.token;
		this.pending ??= this.fetchToken().finally(() => (this.pending = undefined));
		return this.pending;
	}

	get tokenEndpoint(): string {
		const authority = (this.config.authorityUrl ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
		return `${authority}/${encodeURIComponent(this.config.tenantId)}/oauth2/v2.0/token`;
	}

	private async fetchToken(): Promise<string> {
		const body = new URLSearchParams({
			client_id: this.config.clientId,
			client_secret: this.config.clientSecret,
			...this.grantParameters(),
		}).toString();
		const res = await this.transport.send({
			method: 'POST',
			url: this.tokenEndpoint,
			headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
			body,
		});
		let parsed: TokenResponse = {};
		try {
			parsed = JSON.parse(res.body.toString('utf8')) as TokenResponse;
		} catch {
			// not JSON: reported below with the status
		}
		if (res.status !== 200 || !parsed.access_token) {
			throw tokenError(res.status, parsed);
		}
		this.token = parsed.access_token;
		this.expiresAt = this.now() + Number(parsed.expires_in ?? 3600) * 1000;
		this.onTokenResponse(parsed);
		return this.token;
	}
}

function tokenError(status: number, body: TokenResponse): ExchangeError {
	const description = body.error_description ?? body.error ?? `HTTP ${status}`;
	const first = description.split(/\r?\n/)[0];
	if (/AADSTS90002|AADSTS900023|tenant/i.test(description)) {
		return new ExchangeError('auth', `Microsoft sign-in failed: ${first}`, 'Check the tenant (directory) ID or domain in the credential.', status);
	}
	if (/AADSTS7000215|AADSTS7000222|invalid_client/i.test(`${body.error} ${description}`)) {
		return new ExchangeError(
			'auth',
			`Microsoft sign-in failed: ${first}`,
			'The client secret is wrong or expired. Create a new secret in the app registration and update the credential.',
			status,
		);
	}
	if (/AADSTS700016|unauthorized_client/i.test(`${body.error} ${description}`)) {
		return new ExchangeError(
			'auth',
			`Microsoft sign-in failed: ${first}`,
			'The client (application) ID is not known in this tenant. Check the credential.',
			status,
		);
	}
	if (/invalid_grant/i.test(`${body.error}`)) {
		return new ExchangeError('auth', `Microsoft sign-in failed: ${first}`, 'The sign-in has expired or was revoked. Reconnect the credential.', status);
	}
	return new ExchangeError('auth', `Microsoft sign-in failed: ${first}`, 'Check tenant, client ID and client secret of the credential.', status);
}

/** App-only access (A1: one service identity for every mailbox). */
export class ClientCredentialsTokenProvider extends GrantTokenProvider {
	protected grantParameters(): Record<string, string> {
		return { grant_type: 'client_credentials', scope: this.config.scope ?? 'https://graph.microsoft.com/.default' };
	}
}

/** Delegated access: refreshes with the refresh token from the authorization-code flow. */
export class RefreshTokenProvider extends GrantTokenProvider {
	constructor(
		config: OAuthTokenEndpointConfig,
		transport: HttpTransport,
		private refreshToken: string,
		now?: () => number,
		initialToken?: { accessToken: string; expiresAt?: number },
		/** Called with a rotated refresh token so the caller can persist it. */
		private readonly onRefreshToken?: (refreshToken: string) => void,
	) {
		super(config, transport, now, initialToken);
	}

	protected grantParameters(): Record<string, string> {
		return {
			grant_type: 'refresh_token',
			refresh_token: this.refreshToken,
			scope: this.config.scope ?? 'offline_access https://graph.microsoft.com/.default',
		};
	}

	protected onTokenResponse(response: TokenResponse): void {
		if (response.refresh_token && response.refresh_token !== this.refreshToken) {
			this.refreshToken = response.refresh_token;
			this.onRefreshToken?.(response.refresh_token);
		}
	}
}
