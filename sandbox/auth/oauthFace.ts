/**
 * Microsoft identity platform v2.0 endpoints for the sandbox tenant(s):
 * POST /{tenant}/oauth2/v2.0/token (client_credentials, authorization_code, refresh_token,
 * password) and GET/POST /{tenant}/oauth2/v2.0/authorize (code flow; a tiny sign-in form,
 * or straight through with login_hint). Errors in the AADSTS JSON shape.
 */
import { randomUUID } from 'node:crypto';
import type { SandboxStore } from '../store';
import type { ProtocolFace, SandboxReply, SandboxRequest } from '../http/types';
import type { TokenService } from './tokens';

const PATH = /^\/([^/]+)\/oauth2\/v2\.0\/(token|authorize)$/;

function oauthError(status: number, error: string, aadsts: number, description: string): SandboxReply {
	return {
		status,
		headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store, no-cache' },
		body: {
			error,
			error_description: `AADSTS${aadsts}: ${description}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString().replace('T', ' ').slice(0, 19)}Z`,
			error_codes: [aadsts],
			timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z',
			trace_id: randomUUID(),
			correlation_id: randomUUID(),
		},
	};
}

function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class OAuthFace implements ProtocolFace {
	readonly protocol = 'oauth' as const;

	constructor(
		private readonly tokens: TokenService,
		private readonly store: SandboxStore,
	) {}

	matches(path: string): boolean {
		return PATH.test(path);
	}

	renderFault(fault: { status: number; retryAfterSeconds?: number }): SandboxReply {
		const reply = oauthError(fault.status, 'temporarily_unavailable', 50196, 'The server is temporarily unavailable.');
		if (fault.retryAfterSeconds !== undefined) reply.headers = { ...reply.headers, 'retry-after': String(fault.retryAfterSeconds) };
		return reply;
	}

	async handle(request: SandboxRequest): Promise<SandboxReply> {
		const [, tenant, endpoint] = PATH.exec(request.path) ?? [];
		if (!this.tokens.isKnownTenant(tenant)) {
			return oauthError(
				400,
				'invalid_tenant',
				90002,
				`Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
			);
		}
		const form = new URLSearchParams(request.method === 'POST' ? request.body.toString('utf8') : request.url.search);
		if (endpoint === 'authorize') return this.authorize(request, form);
		if (request.method !== 'POST') return oauthError(405, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
		return this.token(form, request);
	}

	private token(form: URLSearchParams, request: SandboxRequest): SandboxReply {
		let clientId = form.get('client_id') ?? undefined;
		let secret = form.get('client_secret') ?? undefined;
		const basic = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? '');
		if (basic) {
			const [id, pass] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
			clientId = decodeURIComponent(id);
			secret = decodeURIComponent(pass ?? '');
		}
		const clientCheck = this.tokens.checkClient(clientId, secret);
		if (clientCheck === 'unknownClient') {
			return oauthError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId ?? ''}' was not found in the directory.`);
		}
		if (clientCheck === 'badSecret') {
			return oauthError(
				401,
				'invalid_client',
				7000215,
				'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
			);
		}
		const scope = form.get('scope') ?? 'https://graph.microsoft.com/.default';
		const grantType = form.get('grant_type');
		const id = clientId as string;
		switch (grantType) {
			case 'client_credentials': {
				const { token, expiresIn } = this.tokens.issueAccessToken({ appOnly: true, clientId: id, scope });
				return { status: 200, body: { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: token } };
			}
			case 'authorization_code': {
				const redeemed = this.tokens.redeemCode(form.get('code') ?? '', id, form.get('redirect_uri') ?? undefined);
				if (!redeemed) return oauthError(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired or is invalid.');
				return this.delegated(redeemed.user, id, redeemed.scope);
			}
			case 'refresh_token': {
				const redeemed = this.tokens.redeemRefreshToken(form.get('refresh_token') ?? '', id);
				if (!redeemed) return oauthError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
				return this.delegated(redeemed.user, id, redeemed.scope);
			}
			case 'password': {
				const user = this.store.checkPassword(form.get('username') ?? '', form.get('password') ?? '');
				if (!user) return oauthError(400, 'invalid_grant', 50126, 'Error validating credentials due to invalid username or password.');
				return this.delegated(user.address, id, scope);
			}
			default:
				return oauthError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType ?? ''}'.`);
		}
	}

	private delegated(user: string, clientId: string, scope: string): SandboxReply {
		const { token, expiresIn } = this.tokens.issueAccessToken({ appOnly: false, user, clientId, scope });
		const body: Record<string, unknown> = { token_type: 'Bearer', scope, expires_in: expiresIn, ext_expires_in: expiresIn, access_token: token };
		body.refresh_token = this.tokens.issueRefreshToken(user, clientId, scope);
		return { status: 200, body };
	}

	/** Code flow. GET shows a sign-in form unless login_hint names a user; POST checks the password. */
	private authorize(request: SandboxRequest, form: URLSearchParams): SandboxReply {
		const clientId = form.get('client_id') ?? '';
		const redirectUri = form.get('redirect_uri') ?? '';
		if (this.tokens.checkClient(clientId, undefined) === 'unknownClient') {
			return oauthError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory.`);
		}
		if (!/^https?:\/\//.test(redirectUri)) return oauthError(400, 'invalid_request', 900971, 'No reply address provided.');
		let user = request.method === 'GET' && form.get('login_hint') ? this.store.findUser(form.get('login_hint') ?? '') : undefined;
		if (request.method === 'POST') user = this.store.checkPassword(form.get('username') ?? '', form.get('password') ?? '');
		if (!user) {
			const hidden = ['client_id', 'redirect_uri', 'scope', 'state', 'response_type']
				.map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(form.get(k) ?? '')}">`)
				.join('');
			return {
				status: 200,
				headers: { 'content-type': 'text/html; charset=utf-8' },
				body: `<!doctype html><title>Sign in (Exchange sandbox)</title><form method="post">${hidden}<label>User <input name="username"></label><label>Password <input name="password" type="password"></label><button>Sign in</button></form>`,
			};
		}
		const code = this.tokens.issueCode(user.address, clientId, redirectUri, form.get('scope') ?? 'https://graph.microsoft.com/.default offline_access');
		const target = new URL(redirectUri);
		target.searchParams.set('code', code);
		const state = form.get('state');
		if (state !== null) target.searchParams.set('state', state);
		return { status: 302, headers: { location: target.toString() } };
	}
}
