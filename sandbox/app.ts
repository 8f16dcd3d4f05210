/**
 * The sandbox server: one loopback port serving HTTP and HTTPS; routes to the OAuth,
 * Graph, EWS (sandbox/ews, when present) and control faces; applies the fixed latency
 * and injected faults before a face sees the request.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { OAuthFace } from './auth/oauthFace';
import { TokenService } from './auth/tokens';
import { ControlFace } from './control';
import { GraphFace } from './graph/face';
import { SubscriptionService } from './graph/subscriptions';
import { listenDual, type DualServer } from './http/dualServer';
import { DEFAULT_CONFIG, FaultInjector, MailboxThrottle, RequestCounters, type SandboxConfig, type ThrottleConfig } from './http/services';
import { selfSignedCertificate, type TlsMaterial } from './http/tls';
import type { ProtocolFace, SandboxReply, SandboxRequest } from './http/types';
import { applySeed } from './seed/seeds';
import { SandboxStore } from './store';

export const TENANT = 'contoso';
export const TENANT_ID = '6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b';
export const CLIENT_ID = 'sandbox-client';
export const CLIENT_SECRET = 'sandbox-secret';

export interface SandboxOptions {
	port?: number;
	host?: string;
	/** named seed applied at start (and on reset without a name); default "default" */
	seed?: string;
	/** JSON file to persist the mailboxes in (demo) */
	persistPath?: string;
	config?: Partial<Omit<SandboxConfig, 'throttle'>> & {
		throttle?: Partial<ThrottleConfig>;
		requireHttpsNotificationUrl?: boolean;
		loseNotifications?: boolean;
	};
	clock?: () => Date;
}

/**
 * `loseNotifications`: change notifications are not delivered (lifecycle notifications still are), as
 * when Graph could not reach the endpoint; a test then sends the `missed` lifecycle event Graph sends.
 */
export type FullConfig = SandboxConfig & { requireHttpsNotificationUrl: boolean; loseNotifications: boolean };

/** The EWS face lives in sandbox/ews (another module); it is loaded when present. */
type EwsFactory = (sandbox: Sandbox) => ProtocolFace;

function loadEwsFactory(): EwsFactory | undefined {
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- optional module, loaded when present
		const mod = require('./ews') as { createEwsFace?: EwsFactory };
		return mod.createEwsFace;
	} catch (e) {
		if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && /['"]\.\/ews['"]/.test((e as Error).message)) return undefined;
		throw e;
	}
}

export class Sandbox {
	readonly store: SandboxStore;
	readonly tokens: TokenService;
	readonly faults = new FaultInjector();
	readonly counters = new RequestCounters();
	readonly throttle: MailboxThrottle;
	readonly subscriptions: SubscriptionService;
	readonly graph: GraphFace;
	readonly tls: TlsMaterial;
	config: FullConfig;
	private faces: ProtocolFace[];
	private server?: DualServer;

	constructor(private readonly options: SandboxOptions = {}) {
		const { throttle, ...rest } = options.config ?? {};
		this.config = {
			...DEFAULT_CONFIG,
			requireHttpsNotificationUrl: true,
			loseNotifications: false,
			...rest,
			throttle: { ...DEFAULT_CONFIG.throttle, ...throttle },
		};
		this.tls = selfSignedCertificate();
		this.store = new SandboxStore({ clock: options.clock, persistPath: options.persistPath });
		const now = (): number => this.store.clock().getTime();
		this.tokens = new TokenService(() => this.config.tokenLifetimeSeconds, now);
		this.tokens.addTenant(TENANT);
		this.tokens.addTenant(TENANT_ID);
		this.tokens.addClient({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
		this.throttle = new MailboxThrottle(() => this.config.throttle, now);
		this.subscriptions = new SubscriptionService(this.store, () => this.config, TENANT_ID, this.tls.ca);
		this.graph = new GraphFace({
			store: this.store,
			tokens: this.tokens,
			config: () => this.config,
			throttle: this.throttle,
			counters: this.counters,
			faults: this.faults,
			subscriptions: this.subscriptions,
		});
		this.faces = [new ControlFace(this), new OAuthFace(this.tokens, this.store), this.graph];
		const ews = loadEwsFactory();
		if (ews) this.faces.push(ews(this));
	}

	get port(): number {
		if (!this.server) throw new Error('sandbox not started');
		return this.server.port;
	}

	/** http://127.0.0.1:<port> (EWS, control API) */
	get httpUrl(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/** https://localhost:<port> (Graph and the token endpoint; trust `tls.ca`) */
	get httpsUrl(): string {
		return `https://localhost:${this.port}`;
	}

	async start(): Promise<this> {
		if (this.store.listUsers().length === 0) await applySeed(this.store, this.options.seed ?? 'default');
		this.server = await listenDual((req, res) => void this.onRequest(req, res), this.tls, { port: this.options.port, host: this.options.host });
		return this;
	}

	async stop(): Promise<void> {
		this.subscriptions.close();
		await this.server?.close();
		this.server = undefined;
		this.store.close();
	}

	async reset(seed = this.options.seed ?? 'default'): Promise<void> {
		this.store.reset();
		this.tokens.reset();
		this.faults.clear();
		this.counters.reset();
		this.throttle.reset();
		this.subscriptions.reset();
		this.graph.calendarDelta.reset();
		await applySeed(this.store, seed);
	}

	configure(patch: Partial<Omit<FullConfig, 'throttle'>> & { throttle?: Partial<ThrottleConfig> }): void {
		const { throttle, ...rest } = patch;
		this.config = { ...this.config, ...rest, throttle: { ...this.config.throttle, ...(throttle ?? {}) } };
	}

	/** Handles one request as the server would (used by the server and by in-process callers). */
	async dispatch(request: SandboxRequest): Promise<SandboxReply | 'reset'> {
		const face = this.faces.find((f) => f.matches(request.path));
		if (!face)
			return {
				status: 404,
				headers: { 'content-type': 'application/json' },
				body: { error: { code: 'NotFound', message: `No sandbox endpoint at ${request.path}` } },
			};
		if (face.protocol !== 'control') {
			if (this.config.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.config.latencyMs));
			const fault = this.faults.take({ protocol: face.protocol, method: request.method, pathAndQuery: request.url.pathname + request.url.search });
			if (fault?.type === 'reset') return 'reset';
			if (fault?.type === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
			if (fault?.type === 'status') return face.renderFault(fault, request);
		}
		return face.handle(request);
	}

	private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const secure = Boolean((req.socket as TLSSocket).encrypted);
		const url = new URL(req.url ?? '/', `${secure ? 'https' : 'http'}://${req.headers.host ?? '127.0.0.1'}`);
		let path: string;
		try {
			path = decodeURIComponent(url.pathname);
		} catch {
			path = url.pathname;
		}
		const request: SandboxRequest = {
			method: req.method ?? 'GET',
			url,
			path,
			headers: req.headers,
			body: Buffer.concat(chunks),
			secure,
			requestId: randomUUID(),
		};
		let reply: SandboxReply | 'reset';
		try {
			reply = await this.dispatch(request);
		} catch (e) {
			reply = { status: 500, headers: { 'content-type': 'application/json' }, body: { error: { code: 'generalException', message: (e as Error).message } } };
		}
		if (reply === 'reset') {
			req.socket.destroy();
			return;
		}
		const headers = { ...(reply.headers ?? {}) };
		let payload: Buffer | undefined;
		if (reply.body !== undefined && reply.status !== 204) {
			if (Buffer.isBuffer(reply.body)) payload = reply.body;
			else if (typeof reply.body === 'string') payload = Buffer.from(reply.body);
			else {
				payload = Buffer.from(JSON.stringify(reply.body));
				headers['content-type'] ??= 'application/json; charset=utf-8';
			}
		}
		if (payload) headers['content-length'] = String(payload.length);
		res.writeHead(reply.status, headers);
		res.end(payload);
	}
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	return new Sandbox(options).start();
}
