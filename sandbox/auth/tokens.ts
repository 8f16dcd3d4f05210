/**
 * The sandbox's identity platform: OAuth clients, authorization codes, access and refresh
 * tokens. Tokens are opaque random strings; the sandbox remembers what each one grants.
 */
import { randomBytes } from 'node:crypto';

export interface OAuthClient {
	clientId: string;
	clientSecret: string;
}

export interface AccessGrant {
	/** delegated: the signed-in user's address; app-only tokens have none */
	user?: string;
	appOnly: boolean;
	clientId: string;
	scope: string;
	expiresAt: number;
}

export type TokenCheck = { ok: true; grant: AccessGrant } | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

export class TokenService {
	readonly tenants = new Set<string>();
	private clients = new Map<string, OAuthClient>();
	private accessTokens = new Map<string, AccessGrant>();
	private refreshTokens = new Map<string, { user: string; clientId: string; scope: string }>();
	private codes = new Map<string, { user: string; clientId: string; redirectUri: string; scope: string; expiresAt: number }>();

	constructor(
		private readonly lifetimeSeconds: () => number,
		private readonly now: () => number = Date.now,
	) {}

	addTenant(name: string): void {
		this.tenants.add(name.toLowerCase());
	}

	isKnownTenant(name: string): boolean {
		const t = name.toLowerCase();
		return this.tenants.has(t) || t === 'common' || t === 'organizations';
	}

	addClient(client: OAuthClient): void {
		this.clients.set(client.clientId, client);
	}

	checkClient(clientId: string | undefined, secret: string | undefined): 'ok' | 'unknownClient' | 'badSecret' {
		const client = clientId ? this.clients.get(clientId) : undefined;
		if (!client) return 'unknownClient';
		return client.clientSecret === secret ? 'ok' : 'badSecret';
	}

	issueAccessToken(grant: Omit<AccessGrant, 'expiresAt'>, lifetimeSeconds = this.lifetimeSeconds()): { token: string; expiresIn: number } {
		const token = 'eyJ0eXAiOiJKV1QiLCJzYW5kYm94Ijp0cnVlfQ.' + randomBytes(24).toString('base64url');
		this.accessTokens.set(token, { ...grant, expiresAt: this.now() + lifetimeSeconds * 1000 });
		return { token, expiresIn: lifetimeSeconds };
	}

	issueRefreshToken(user: string, clientId: string, scope: string): string {
		const token = '0.AAAA' + randomBytes(32).toString('base64url');
		this.refreshTokens.set(token, { user, clientId, scope });
		return token;
	}

	/** One-time refresh: the old refresh token is consumed (as the identity platform rotates them). */
	redeemRefreshToken(token: string, clientId: string): { user: string; scope: string } | undefined {
		const entry = this.refreshTokens.get(token);
		if (!entry || entry.clientId !== clientId) return undefined;
		this.refreshTokens.delete(token);
		return { user: entry.user, scope: entry.scope };
	}

	issueCode(user: string, clientId: string, redirectUri: string, scope: string): string {
		const code = '0.AQ' + randomBytes(24).toString('base64url');
		this.codes.set(code, { user, clientId, redirectUri, scope, expiresAt: this.now() + 10 * 60 * 1000 });
		return code;
	}

	redeemCode(code: string, clientId: string, redirectUri: string | undefined): { user: string; scope: string } | undefined {
		const entry = this.codes.get(code);
		this.codes.delete(code);
		if (!entry || entry.clientId !== clientId || entry.expiresAt < this.now()) return undefined;
		if (redirectUri !== undefined && redirectUri !== entry.redirectUri) return undefined;
		return { user: entry.user, scope: entry.scope };
	}

	check(authorization: string | undefined): TokenCheck {
		const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
		if (!match) return { ok: false, reason: 'missing' };
		const grant = this.accessTokens.get(match[1].trim());
		if (!grant) return { ok: false, reason: 'invalid' };
		if (grant.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
		return { ok: true, grant };
	}

	/** Lets every issued access token expire now (control API). */
	expireAll(): void {
		for (const grant of this.accessTokens.values()) grant.expiresAt = 0;
	}

	reset(): void {
		this.accessTokens.clear();
		this.refreshTokens.clear();
		this.codes.clear();
	}
}
