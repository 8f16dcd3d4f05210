/**
 * Starts the Exchange sandbox in-process on an ephemeral loopback port for a test.
 *
 *   const sb = await startTestSandbox();          // seed "default": anna@ / ben@contoso.example
 *   sb.graphUrl     https://localhost:<port>/v1.0  (trust sb.ca; Graph SDK: customHosts ['localhost'])
 *   sb.authorityUrl https://localhost:<port>       (token endpoint: /contoso/oauth2/v2.0/token)
 *   sb.ewsUrl       http://127.0.0.1:<port>/EWS/Exchange.asmx
 *   sb.control      control API client (reset, seed, faults, counters, tokens, …)
 *   await sb.stop();
 */
import * as http from 'node:http';
import { CLIENT_ID, CLIENT_SECRET, TENANT, TENANT_ID, startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/app';
import { DEFAULT_PASSWORD, DEFAULT_USERS, type GenerateRequest } from '../../sandbox/seed/seeds';
import type { FaultAction, FaultRule } from '../../sandbox/http/types';
import type { MeetingMessageCounters } from '../../sandbox/http/services';
import type { GraphExchange } from '../../sandbox/graph/face';

export type { GraphExchange } from '../../sandbox/graph/face';

/** What every sync scenario expects from `control.meetingMessages()` (S18: the sync never invites anyone). */
export const NO_MEETING_MESSAGES: MeetingMessageCounters = { invitations: 0, cancellations: 0 };

export interface ControlClient {
	call<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
	reset(seed?: string): Promise<void>;
	generate(request: GenerateRequest): Promise<Record<string, string[]>>;
	addFault(rule: { match?: FaultRule['match']; action: FaultAction; times?: number; probability?: number }): Promise<void>;
	clearFaults(): Promise<void>;
	counters(): Promise<
		Record<
			string,
			{ total: number; throttled: number; meetingMessages: MeetingMessageCounters; byMethod: Record<string, number>; byRoute: Record<string, number> }
		>
	>;
	/**
	 * S18: meeting requests/updates and cancellations Exchange would have sent (Graph face), for one
	 * mailbox or summed over all. Every sync scenario: `expect(await sb.control.meetingMessages()).toEqual(NO_MEETING_MESSAGES)`.
	 */
	meetingMessages(user?: string): Promise<MeetingMessageCounters>;
	token(user?: string, expiresInSeconds?: number): Promise<string>;
	expireSyncState(user: string): Promise<void>;
	configure(patch: Record<string, unknown>): Promise<void>;
}

export interface TestSandbox {
	sandbox: Sandbox;
	port: number;
	baseHttpUrl: string;
	graphUrl: string;
	authorityUrl: string;
	tokenUrl: string;
	ewsUrl: string;
	ca: string;
	tenant: string;
	tenantId: string;
	clientId: string;
	clientSecret: string;
	users: Array<{ address: string; password: string }>;
	control: ControlClient;
	/** Records every Graph request and reply (also $batch sub-requests) from now until `stop()`. */
	recordGraph(): { exchanges: GraphExchange[]; stop(): void };
	stop(): Promise<void>;
}

function request(baseUrl: string, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
	return new Promise((resolve, reject) => {
		const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
		const req = http.request(
			new URL(path, baseUrl),
			{ method, headers: payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {} },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
				res.on('error', reject);
			},
		);
		req.on('error', reject);
		req.end(payload);
	});
}

export function controlClient(baseHttpUrl: string): ControlClient {
	const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
		const res = await request(baseHttpUrl, method, `/_sandbox${path}`, body);
		if (res.status >= 400) throw new Error(`control ${method} ${path}: ${res.status} ${res.text}`);
		return (res.text ? JSON.parse(res.text) : undefined) as T;
	};
	return {
		call,
		reset: async (seed) => void (await call('POST', '/reset', seed ? { seed } : {})),
		generate: async (req) => (await call<{ created: Record<string, string[]> }>('POST', '/seed', { generate: req })).created,
		addFault: async (rule) => void (await call('POST', '/faults', { rules: [rule] })),
		clearFaults: async () => void (await call('DELETE', '/faults')),
		counters: async () => (await call<{ mailboxes: Awaited<ReturnType<ControlClient['counters']>> }>('GET', '/counters')).mailboxes,
		meetingMessages: async (user) => {
			const mailboxes = (await call<{ mailboxes: Awaited<ReturnType<ControlClient['counters']>> }>('GET', '/counters')).mailboxes;
			const total = { ...NO_MEETING_MESSAGES };
			for (const [address, counters] of Object.entries(mailboxes)) {
				if (user && address !== user.toLowerCase()) continue;
				total.invitations += counters.meetingMessages?.invitations ?? 0;
				total.cancellations += counters.meetingMessages?.cancellations ?? 0;
			}
			return total;
		},
		token: async (user, expiresInSeconds) => (await call<{ access_token: string }>('POST', '/tokens', { user, expiresInSeconds })).access_token,
		expireSyncState: async (user) => void (await call('POST', `/mailboxes/${encodeURIComponent(user)}/expire-sync-state`)),
		configure: async (patch) => void (await call('PATCH', '/config', patch)),
	};
}

export async function startTestSandbox(options: SandboxOptions = {}): Promise<TestSandbox> {
	const sandbox = await startSandbox({ port: 0, host: '127.0.0.1', ...options });
	const port = sandbox.port;
	return {
		sandbox,
		port,
		baseHttpUrl: sandbox.httpUrl,
		graphUrl: `${sandbox.httpsUrl}/v1.0`,
		authorityUrl: sandbox.httpsUrl,
		tokenUrl: `${sandbox.httpsUrl}/${TENANT}/oauth2/v2.0/token`,
		ewsUrl: `${sandbox.httpUrl}/EWS/Exchange.asmx`,
		ca: sandbox.tls.ca,
		tenant: TENANT,
		tenantId: TENANT_ID,
		clientId: CLIENT_ID,
		clientSecret: CLIENT_SECRET,
		users: DEFAULT_USERS.map((u) => ({ address: u.address, password: DEFAULT_PASSWORD })),
		control: controlClient(sandbox.httpUrl),
		recordGraph: () => {
			const exchanges: GraphExchange[] = [];
			return { exchanges, stop: sandbox.graph.recordExchanges((e) => exchanges.push(e)) };
		},
		stop: () => sandbox.stop(),
	};
}
