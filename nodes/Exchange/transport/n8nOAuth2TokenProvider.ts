/**
 * Access tokens of a signed-in Microsoft credential, renewed through n8n's own OAuth2 handling
 * (`helpers.refreshOAuth2Token`), so that Microsoft's rotated refresh token and the new access token
 * with its expiry are saved back into the n8n credential (issue 12 §3): a credential keeps working
 * after the 90 days a refresh token lives. n8n serialises concurrent refreshes of one credential
 * (also across queue-mode workers) and re-reads the stored token first, so two executions never
 * redeem the same refresh token twice.
 */
import { ExchangeError, type TokenProvider } from '../../../lib/exchange';

export interface N8nOAuthTokenData {
	access_token?: string;
	refresh_token?: string;
	expires_in?: number | string;
	/** Set by n8n when it stores a token: epoch milliseconds, as a string. */
	n8n_expires_at?: number | string;
}

/** Renew a token a minute before it expires, not on the first 401. */
const EXPIRY_MARGIN_MS = 60_000;

function expiresAtOf(data: N8nOAuthTokenData, now: number): number {
	const stored = Number(data.n8n_expires_at);
	if (Number.isFinite(stored) && stored > 0) return stored;
	const seconds = Number(data.expires_in);
	// Without either, the expiry is unknown: the token is used until Graph answers 401.
	return Number.isFinite(seconds) && seconds > 0 ? now + seconds * 1000 : Number.MAX_SAFE_INTEGER;
}

export class N8nOAuth2TokenProvider implements TokenProvider {
	private token?: string;
	private expiresAt = 0;
	private pending?: Promise<string>;

	constructor(
		private readonly refresh: () => Promise<N8nOAuthTokenData>,
		initial: N8nOAuthTokenData,
		private readonly now: () => number = Date.now,
	) {
		if (initial.access_token) {
			this.token = initial.access_token;
			this.expiresAt = expiresAtOf(initial, now());
		}
	}

	async getToken(forceRefresh = false): Promise<string> {
		if (!forceRefresh && this.token && this.now() < this.expiresAt - EXPIRY_MARGIN_MS) return this.token;
		// Callers that find the token expired at the same time share one renewal.
		this.pending ??= this.renew().finally(() => {
			this.pending = undefined;
		});
		return await this.pending;
	}

	private async renew(): Promise<string> {
		let data: N8nOAuthTokenData;
		try {
			data = await this.refresh();
		} catch (error) {
			const description = (error as { description?: unknown }).description;
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- lib's withAuthPause (A5) counts ExchangeError code 'auth'; the router turns it into a NodeApiError
			throw new ExchangeError(
				'auth',
				`Microsoft sign-in could not be renewed: ${error instanceof Error ? error.message : String(error)}`,
				typeof description === 'string' && description ? description : 'Open the Microsoft credential and click "Reconnect" (sign in again).',
			);
		}
		if (!data?.access_token) {
			throw new ExchangeError(
				'auth',
				'Microsoft sign-in could not be renewed: no access token came back',
				'Open the Microsoft credential and click "Reconnect" (sign in again).',
			);
		}
		this.token = data.access_token;
		this.expiresAt = expiresAtOf(data, this.now());
		return this.token;
	}
}
