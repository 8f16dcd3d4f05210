/**
 * The shapes the EWS face exchanges with the sandbox server (structurally the same as
 * sandbox/http/types.ts's SandboxRequest / SandboxReply / status fault), kept here so the
 * face stands on its own and can also run behind standalone.ts.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface EwsRequest {
	method: string;
	path: string;
	headers: IncomingHttpHeaders;
	body: Buffer;
}

export interface EwsReply {
	status: number;
	headers?: Record<string, string>;
	body?: unknown;
}

export interface StatusFault {
	type: 'status';
	status: number;
	retryAfterSeconds?: number;
	code?: string;
	message?: string;
}

/** What the face needs from the sandbox's identity platform (sandbox/auth/tokens.ts TokenService). */
export interface BearerTokenChecker {
	check(authorization: string | undefined): { ok: true; grant: { user?: string; appOnly: boolean } } | { ok: false };
}
