/** What every protocol face of the sandbox (Graph, EWS, OAuth, control) works with. */
import type { IncomingHttpHeaders } from 'node:http';

export interface SandboxRequest {
	method: string;
	url: URL;
	/** url.pathname, decoded */
	path: string;
	headers: IncomingHttpHeaders;
	body: Buffer;
	/** true when the request came over TLS */
	secure: boolean;
	requestId: string;
}

export interface SandboxReply {
	status: number;
	headers?: Record<string, string>;
	/** JSON-serialised unless a Buffer or string */
	body?: unknown;
}

export type Protocol = 'graph' | 'ews' | 'oauth' | 'control';

export type FaultAction =
	| { type: 'status'; status: number; retryAfterSeconds?: number; code?: string; message?: string }
	| { type: 'reset' }
	| { type: 'delay'; ms: number };

export interface FaultRule {
	id: string;
	/** all given conditions must hold */
	match: {
		protocol?: Protocol;
		method?: string;
		/** regular expression tested against the path (and query) */
		path?: string;
	};
	action: FaultAction;
	/** scripted: applies to the next N matching requests, then expires */
	times?: number;
	/** by chance: applies with this probability (seeded random), 0..1 */
	probability?: number;
	/** requests that matched and got the fault so far */
	hits: number;
}

/** A protocol face: handles requests under its paths and renders injected status faults its own way. */
export interface ProtocolFace {
	readonly protocol: Protocol;
	matches(path: string): boolean;
	handle(request: SandboxRequest): Promise<SandboxReply>;
	renderFault(fault: Extract<FaultAction, { type: 'status' }>, request: SandboxRequest): SandboxReply;
}
