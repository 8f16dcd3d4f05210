/**
 * Exchange Trigger (polling) and Exchange Notification Trigger (Graph webhooks) against the
 * sandbox: created/updated/deleted, cursors in static data, manual sample without moving
 * the cursor, e-mail moved into CRM-Sync with its origin folder, A5 pause, validation
 * handshake, wrong clientState rejected, notifications followed by a delta read.
 */
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';

import type { ICredentialDataDecryptedObject, IDataObject, IHookFunctions, INode, IPollFunctions, IWebhookFunctions } from 'n8n-workflow';

import { ClientCredentialsTokenProvider, GraphExchangeClient, HttpTransport } from '../../lib/exchange';
import { ExchangeNotificationTrigger } from '../../nodes/ExchangeTrigger/ExchangeNotificationTrigger.node';
import { ExchangeTrigger } from '../../nodes/ExchangeTrigger/ExchangeTrigger.node';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';

type Params = Record<string, unknown>;
const ANNA = 'anna@contoso.example';
const NODE: INode = {
	id: 'trigger-test',
	name: 'Exchange Trigger',
	type: 'n8n-nodes-exchange-crm-sync.exchangeTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

let sb: TestSandbox;
let credentials: ICredentialDataDecryptedObject;
let client: GraphExchangeClient;

function pollContext(params: Params, staticData: IDataObject, mode: 'trigger' | 'manual' = 'trigger', creds = () => credentials): IPollFunctions {
	return {
		getNode: () => NODE,
		getMode: () => mode,
		getWorkflowStaticData: () => staticData,
		getCredentials: async () => creds(),
		getNodeParameter(name: string, fallback?: unknown) {
			if (name in params) return params[name];
			if (fallback !== undefined) return fallback;
			throw new Error(`test did not set parameter "${name}"`);
		},
	} as unknown as IPollFunctions;
}

const itemParams: Params = {
	mailbox: '',
	event: 'itemChanged',
	components: ['contact', 'task'],
	changeTypes: ['created', 'updated', 'deleted'],
	folderSource: 'crmSync',
	pastDays: 30,
	folderName: 'CRM-Sync',
	options: {},
};

beforeAll(async () => {
	sb = await startTestSandbox();
	credentials = {
		grantType: 'clientCredentials',
		tenantId: sb.tenant,
		clientId: sb.clientId,
		clientSecret: sb.clientSecret,
		mailbox: ANNA,
		authorityUrl: sb.authorityUrl,
		graphBaseUrl: sb.authorityUrl,
		useCustomCa: true,
		caCertificate: sb.ca,
	};
	const transport = new HttpTransport({ ca: sb.ca });
	client = new GraphExchangeClient({
		protocol: 'graph',
		baseUrl: sb.authorityUrl,
		mailbox: ANNA,
		transport,
		tokens: new ClientCredentialsTokenProvider(
			{ authorityUrl: sb.authorityUrl, tenantId: sb.tenant, clientId: sb.clientId, clientSecret: sb.clientSecret },
			transport,
		),
	});
});

afterAll(async () => {
	client.close();
	await sb.stop();
});

beforeEach(async () => {
	await sb.control.reset();
});

describe('Exchange Trigger (polling)', () => {
	const trigger = new ExchangeTrigger();

	it('first run starts the cursors; then created, updated and deleted items; manual runs do not move the cursor', async () => {
		const staticData: IDataObject = {};
		expect(await trigger.poll.call(pollContext(itemParams, staticData))).toBeNull();
		const folders = (staticData.exchange as { folders: { contact: string; task: string } }).folders;
		const c = await client.create('contact', folders.contact, { lastName: 'Neu' }, 'crm1:contacts:1');
		const t = await client.create('task', folders.task, { subject: 'Aufgabe' });
		const created = (await trigger.poll.call(pollContext(itemParams, staticData))) ?? [[]];
		expect(created[0].map((i) => [i.json.changeType, i.json.component, i.json.id]).sort()).toEqual(
			[
				['created', 'contact', c.id],
				['created', 'task', t.id],
			].sort(),
		);
		expect(created[0].find((i) => i.json.id === c.id)?.json.ident).toBe('crm1:contacts:1');
		expect(await trigger.poll.call(pollContext(itemParams, staticData))).toBeNull();

		await client.update('contact', folders.contact, c.id, { lastName: 'Geändert' });
		const before = JSON.stringify(staticData);
		const sample = (await trigger.poll.call(pollContext(itemParams, staticData, 'manual'))) ?? [[]];
		expect(sample[0].length).toBeGreaterThan(0);
		expect(JSON.stringify(staticData)).toBe(before);

		await client.delete('task', folders.task, t.id);
		const next = (await trigger.poll.call(pollContext(itemParams, staticData))) ?? [[]];
		expect(next[0].map((i) => [i.json.changeType, i.json.id]).sort()).toEqual(
			[
				['deleted', t.id],
				['updated', c.id],
			].sort(),
		);
		const onlyDeleted = { ...itemParams, changeTypes: ['deleted'] };
		await client.update('contact', folders.contact, c.id, { lastName: 'Nochmal' });
		expect(await trigger.poll.call(pollContext(onlyDeleted, staticData))).toBeNull();
	});

	it('e-mail moved into a CRM-Sync subfolder: which folder and where it came from', async () => {
		const staticData: IDataObject = {};
		const params: Params = { mailbox: '', event: 'mailMoved', originFolders: ['inbox'], folderName: 'CRM-Sync', options: {} };
		await sb.control.generate({ mailbox: ANNA, messages: 2, seed: 5 });
		expect(await trigger.poll.call(pollContext(params, staticData))).toBeNull();
		const mail = (staticData.exchange as { folders: { mail: { leads: string; root: string } } }).folders.mail;
		const inbox = (await client.getWellKnownFolder('inbox')).id;
		const [first] = (await client.listMessageChanges(inbox, undefined)).messages;
		await client.moveMessage(first.id, mail.leads);
		const out = (await trigger.poll.call(pollContext(params, staticData))) ?? [[]];
		expect(out[0]).toHaveLength(1);
		expect(out[0][0].json).toMatchObject({ folder: 'leads', folderId: mail.leads, previousFolderId: inbox, message: { id: first.id } });
		// a second poll does not report it again; an idle poll costs one delta request per folder
		const before = (await sb.control.counters())[ANNA].total;
		expect(await trigger.poll.call(pollContext(params, staticData))).toBeNull();
		expect((await sb.control.counters())[ANNA].total - before).toBe(6); // 5 CRM-Sync folders + Inbox
	});

	it('A5: after 2 failed sign-ins the account is paused and Exchange is not called; a changed credential resumes', async () => {
		const staticData: IDataObject = {};
		let creds: ICredentialDataDecryptedObject = { ...credentials, clientSecret: 'wrong' };
		const ctx = () => pollContext(itemParams, staticData, 'trigger', () => creds);
		await expect(trigger.poll.call(ctx())).rejects.toThrow(/sign-in failed/i);
		await expect(trigger.poll.call(ctx())).rejects.toThrow(/paused after 2 failed sign-ins/);
		await sb.control.addFault({ match: { protocol: 'oauth' }, action: { type: 'delay', ms: 0 } });
		expect(await trigger.poll.call(ctx())).toBeNull();
		const rules = (await sb.control.call<{ rules: Array<{ hits: number }> } | Array<{ hits: number }>>('GET', '/faults')) as {
			rules?: Array<{ hits: number }>;
		};
		const list = Array.isArray(rules) ? (rules as Array<{ hits: number }>) : (rules.rules ?? []);
		expect(list[0].hits).toBe(0); // no sign-in attempt while paused
		creds = { ...credentials };
		expect(await trigger.poll.call(ctx())).toBeNull(); // resumes: first run starts the cursors
		expect((staticData.exchange as { auth: { failures: number } }).auth.failures).toBe(0);
		await sb.control.clearFaults();
	});
});

describe('Exchange Notification Trigger (webhooks)', () => {
	const trigger = new ExchangeNotificationTrigger();
	const staticData: IDataObject = {};
	const params: Params = { ...itemParams, components: ['contact'], options: {} };
	const received: IDataObject[][] = [];
	const statuses: number[] = [];
	let server: https.Server;
	let url: string;

	function hookContext(): IHookFunctions {
		return {
			getNode: () => NODE,
			getWorkflowStaticData: () => staticData,
			getCredentials: async () => credentials,
			getNodeWebhookUrl: () => url,
			getWorkflow: () => ({ id: 'wfNotify1', active: true }),
			getNodeParameter: (name: string, fallback?: unknown) => (name in params ? params[name] : fallback),
		} as unknown as IHookFunctions;
	}

	beforeAll(async () => {
		// https like Graph requires; the sandbox trusts its own certificate.
		server = https.createServer({ key: sb.sandbox.tls.key, cert: sb.sandbox.tls.cert }, (req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const u = new URL(req.url ?? '/', 'http://127.0.0.1');
				const text = Buffer.concat(chunks).toString('utf8');
				let body: unknown = {};
				try {
					body = text ? JSON.parse(text) : {};
				} catch {
					body = {};
				}
				const response = {
					status(code: number) {
						res.statusCode = code;
						statuses.push(code);
						return response;
					},
					type(t: string) {
						res.setHeader('content-type', t);
						return response;
					},
					send(b?: string) {
						res.end(b ?? '');
						return response;
					},
				};
				const ctx = {
					...hookContext(),
					getResponseObject: () => response,
					getQueryData: () => Object.fromEntries(u.searchParams),
					getBodyData: () => body,
				} as unknown as IWebhookFunctions;
				trigger.webhook
					.call(ctx)
					.then((r) => {
						if (r.workflowData) received.push(r.workflowData[0].map((i) => i.json));
					})
					.catch(() => undefined);
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		url = `https://localhost:${(server.address() as AddressInfo).port}/webhook`;
	});

	afterAll(async () => {
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});

	function postJson(target: string, body: unknown): Promise<number> {
		return new Promise((resolve, reject) => {
			const req = https.request(target, { method: 'POST', ca: sb.ca, headers: { 'content-type': 'application/json' } }, (res) => {
				res.resume();
				res.on('end', () => resolve(res.statusCode ?? 0));
			});
			req.on('error', reject);
			req.end(JSON.stringify(body));
		});
	}

	async function waitFor<T>(check: () => T | undefined, ms = 8000): Promise<T> {
		const until = Date.now() + ms;
		for (;;) {
			const v = check();
			if (v !== undefined) return v;
			if (Date.now() > until) throw new Error('timed out');
			await new Promise((r) => setTimeout(r, 50));
		}
	}

	it('subscribes (validation handshake), reads the delta on a notification, rejects a wrong clientState, unsubscribes', async () => {
		const methods = trigger.webhookMethods.default;
		expect(await methods.checkExists.call(hookContext())).toBe(false);
		expect(await methods.create.call(hookContext())).toBe(true);
		expect(await methods.checkExists.call(hookContext())).toBe(true);
		const state = staticData.exchange as { clientState: string; subscriptions: Array<{ id: string }>; folders: { contact: string } };
		expect(state.subscriptions).toHaveLength(1);
		expect(statuses).toContain(200); // the validation token was echoed

		const c = await client.create('contact', state.folders.contact, { lastName: 'Webhook' }, 'crm1:contacts:w');
		const items = await waitFor(() => received.find((batch) => batch.some((i) => i.id === c.id)));
		expect(items.find((i) => i.id === c.id)).toMatchObject({ changeType: 'created', ident: 'crm1:contacts:w' });

		const forged = await postJson(url, {
			value: [{ subscriptionId: state.subscriptions[0].id, clientState: 'guessed', changeType: 'updated', resource: 'x' }],
		});
		expect(forged).toBe(403);
		const countBefore = received.length;
		await new Promise((r) => setTimeout(r, 200));
		expect(received.length).toBe(countBefore);

		// lifecycle: reauthorizationRequired renews, subscriptionRemoved subscribes anew
		const before = state.subscriptions[0];
		await sb.control.call('POST', `/subscriptions/${before.id}/lifecycle`, { lifecycleEvent: 'reauthorizationRequired' });
		const renewed = await waitFor(() => {
			const s = (staticData.exchange as { subscriptions: Array<{ id: string; expirationDateTime: string }> }).subscriptions[0];
			return s.expirationDateTime !== (before as { expirationDateTime?: string }).expirationDateTime ? s : undefined;
		});
		expect(renewed.id).toBe(before.id);
		await sb.control.call('POST', `/subscriptions/${before.id}/lifecycle`, { lifecycleEvent: 'subscriptionRemoved' });
		const recreated = await waitFor(() => {
			const s = (staticData.exchange as { subscriptions: Array<{ id: string }> }).subscriptions[0];
			return s.id !== before.id ? s : undefined;
		});
		expect(recreated.id).not.toBe(before.id);

		expect(await methods.delete.call(hookContext())).toBe(true);
	});

	it('"Start a Sync" output: a burst of 25 Outlook changes is one item after the collect window, and the trigger reads no delta itself', async () => {
		Object.assign(params, { output: 'signal', collectSeconds: 1.5 });
		// The sandbox starts each test afresh: the folders the trigger remembered are gone.
		for (const key of Object.keys(staticData)) delete staticData[key];
		try {
			const methods = trigger.webhookMethods.default;
			expect(await methods.create.call(hookContext())).toBe(true);
			const state = staticData.exchange as { subscriptions: Array<{ id: string }>; folders: { contact: string } };
			const deltaBefore = (await sb.control.counters())[ANNA]?.total ?? 0;
			received.length = 0;
			for (let i = 0; i < 25; i++) await client.create('contact', state.folders.contact, { lastName: `Burst ${i}` }, `crm1:contacts:burst${i}`);
			const [signal] = await waitFor(() => received[0]);
			expect(signal).toMatchObject({ changed: true, notifications: 25, components: ['contact'], missed: false });
			await new Promise((r) => setTimeout(r, 2_000));
			expect(received).toHaveLength(1);
			// 25 creates by "Outlook" (the test's client); the trigger itself read nothing (no delta, no GET).
			const byTrigger = ((await sb.control.counters())[ANNA]?.total ?? 0) - deltaBefore - 25;
			expect(byTrigger).toBeLessThanOrEqual(1);
			expect(await methods.delete.call(hookContext())).toBe(true);
		} finally {
			delete params.output;
			delete params.collectSeconds;
		}
	});
});
