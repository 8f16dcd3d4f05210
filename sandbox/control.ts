/**
 * The control API under /_sandbox/ (plain JSON, no auth; loopback only):
 *   POST   /_sandbox/reset              {seed?}        wipe everything, apply a named seed (default "default")
 *   POST   /_sandbox/seed               {name} | {generate: GenerateRequest}
 *   GET    /_sandbox/mailboxes                          users and folder/item counts
 *   GET    /_sandbox/mailboxes/{user}                   folders with items (stored form)
 *   POST   /_sandbox/mailboxes/{user}/expire-sync-state every delta token / SyncState becomes stale
 *   GET|POST|DELETE /_sandbox/faults    {rules: [...], seed?}
 *   GET|DELETE /_sandbox/counters
 *   GET|PATCH  /_sandbox/config         {latencyMs, throttle, tokenLifetimeSeconds, …}
 *   POST   /_sandbox/tokens             {user?, appOnly?, expiresInSeconds?}  issue an access token
 *   POST   /_sandbox/tokens/expire                     every access token expires now
 *   GET    /_sandbox/subscriptions, /_sandbox/notifications
 *   POST   /_sandbox/subscriptions/{id}/lifecycle {lifecycleEvent}
 *   GET    /_sandbox/ca.pem                            the certificate to trust for HTTPS
 *   POST   /_sandbox/save                              write the persistence file now
 */
import type { Sandbox } from './app';
import type { FaultRule, ProtocolFace, SandboxReply, SandboxRequest } from './http/types';
import { applySeed, generate, type GenerateRequest } from './seed/seeds';
import { StoreError } from './store';
import type { LifecycleEvent } from './graph/subscriptions';

const json = (status: number, body: unknown): SandboxReply => ({ status, headers: { 'content-type': 'application/json; charset=utf-8' }, body });

export class ControlFace implements ProtocolFace {
	readonly protocol = 'control' as const;

	constructor(private readonly sandbox: Sandbox) {}

	matches(path: string): boolean {
		return path.startsWith('/_sandbox/') || path === '/_sandbox';
	}

	renderFault(fault: { status: number }): SandboxReply {
		return json(fault.status, { error: 'injected fault' });
	}

	async handle(request: SandboxRequest): Promise<SandboxReply> {
		try {
			return await this.route(request);
		} catch (e) {
			if (e instanceof StoreError) return json(e.code === 'notFound' ? 404 : 400, { error: e.message, code: e.code });
			return json(400, { error: (e as Error).message });
		}
	}

	private body(request: SandboxRequest): Record<string, unknown> {
		return request.body.length ? (JSON.parse(request.body.toString('utf8')) as Record<string, unknown>) : {};
	}

	private async route(request: SandboxRequest): Promise<SandboxReply> {
		const s = this.sandbox;
		const parts = request.path.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
		const [a, b, c] = parts;
		const m = request.method;
		if (a === 'ca.pem' && m === 'GET') return { status: 200, headers: { 'content-type': 'application/x-pem-file' }, body: s.tls.ca };
		if (a === 'reset' && m === 'POST') {
			const seed = (this.body(request).seed as string | undefined) ?? 'default';
			await s.reset(seed);
			return json(200, { ok: true, seed });
		}
		if (a === 'seed' && m === 'POST') {
			const body = this.body(request);
			if (body.generate) return json(200, { created: await generate(s.store, body.generate as GenerateRequest) });
			await applySeed(s.store, String(body.name ?? 'default'));
			return json(200, { ok: true });
		}
		if (a === 'mailboxes' && !b && m === 'GET') {
			return json(200, {
				users: s.store.listUsers().map((u) => {
					const mailbox = s.store.mailbox(u.address);
					return {
						id: u.id,
						address: u.address,
						displayName: u.displayName,
						seq: mailbox.currentSeq,
						folders: mailbox.listFolders().map((f) => ({
							id: f.id,
							displayName: f.displayName,
							kind: f.kind,
							wellKnownName: f.wellKnownName ?? null,
							parentId: f.parentId ?? null,
							itemCount: mailbox.countItems(f.id),
						})),
					};
				}),
			});
		}
		if (a === 'mailboxes' && b && !c && m === 'GET') {
			const mailbox = s.store.mailbox(b);
			const folder = request.url.searchParams.get('folder');
			const folders = folder ? [mailbox.requireFolder(folder)] : mailbox.listFolders();
			return json(200, {
				address: mailbox.address,
				seq: mailbox.currentSeq,
				folders: folders.map((f) => ({
					...f,
					items: mailbox
						.listItems(f.id)
						.map((item) =>
							item.kind === 'message' ? { ...item, data: { ...item.data, mime: `(${(item.data as { mime: string }).mime.length} base64 chars)` } } : item,
						),
				})),
			});
		}
		if (a === 'mailboxes' && b && c === 'expire-sync-state' && m === 'POST') {
			s.store.mailbox(b).expireCursors();
			return json(200, { ok: true });
		}
		if (a === 'faults') {
			if (m === 'GET') return json(200, { rules: s.faults.list() });
			if (m === 'DELETE') {
				if (b) return json(s.faults.remove(b) ? 200 : 404, { ok: true });
				s.faults.clear();
				return json(200, { ok: true });
			}
			if (m === 'POST') {
				const body = this.body(request) as { rules?: Array<Omit<FaultRule, 'id' | 'hits'> & { id?: string }>; seed?: number };
				if (body.seed !== undefined) s.faults.seed(body.seed);
				const added = (body.rules ?? []).map((rule) =>
					s.faults.add({ match: rule.match ?? {}, action: rule.action, times: rule.times, probability: rule.probability, id: rule.id }),
				);
				return json(200, { rules: added });
			}
		}
		if (a === 'counters') {
			if (m === 'DELETE') {
				s.counters.reset();
				return json(200, { ok: true });
			}
			return json(200, { mailboxes: s.counters.snapshot() });
		}
		if (a === 'config') {
			if (m === 'PATCH' || m === 'POST') s.configure(this.body(request) as Parameters<Sandbox['configure']>[0]);
			return json(200, s.config);
		}
		if (a === 'tokens' && b === 'expire' && m === 'POST') {
			s.tokens.expireAll();
			return json(200, { ok: true });
		}
		if (a === 'tokens' && m === 'POST') {
			const body = this.body(request) as { user?: string; appOnly?: boolean; expiresInSeconds?: number; clientId?: string };
			const user = body.user ? s.store.findUser(body.user) : undefined;
			if (body.user && !user) return json(404, { error: `no such user ${body.user}` });
			const { token, expiresIn } = s.tokens.issueAccessToken(
				{
					user: user?.address,
					appOnly: !user || body.appOnly === true,
					clientId: body.clientId ?? 'sandbox-client',
					scope: 'https://graph.microsoft.com/.default',
				},
				body.expiresInSeconds,
			);
			return json(200, { token_type: 'Bearer', access_token: token, expires_in: expiresIn });
		}
		if (a === 'subscriptions' && !b && m === 'GET') return json(200, { subscriptions: s.subscriptions.list() });
		if (a === 'subscriptions' && b && c === 'lifecycle' && m === 'POST') {
			const event = String(this.body(request).lifecycleEvent ?? '') as LifecycleEvent;
			if (!['reauthorizationRequired', 'subscriptionRemoved', 'missed'].includes(event))
				return json(400, { error: 'lifecycleEvent must be reauthorizationRequired, subscriptionRemoved or missed' });
			return json(200, { delivered: await s.subscriptions.lifecycle(b, event) });
		}
		if (a === 'notifications' && m === 'GET') return json(200, { deliveries: s.subscriptions.deliveries });
		if (a === 'save' && m === 'POST') {
			s.store.save();
			return json(200, { ok: true });
		}
		return json(404, { error: `unknown control route ${m} ${request.path}` });
	}
}
