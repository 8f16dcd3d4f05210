/**
 * Issue 14 "changes across in seconds", in a real `n8n start`: the contacts template published with its
 * "On Change in Outlook" trigger enabled (Graph change notifications from the sandbox to n8n's real
 * webhook URL on loopback: validation handshake, clientState, batched deliveries), its "On Change in the
 * CRM" trigger looking every 3 s, and its schedule set to once an hour, so only those two drive it.
 * A CRM edit reaches Outlook within seconds, keeping what the mapping does not sync. An Outlook change reaches the CRM within seconds; a
 * burst of 100 Outlook changes becomes a few runs, not 100, and every contact arrives once; a removed
 * subscription is created again by the trigger (lifecycle event) and changes keep flowing; changes whose
 * notifications were lost arrive on Graph's `missed` lifecycle event.
 */
import type { Contact } from '../../lib/model/types';
import { waitFor as waitUntil, type N8nServer } from './harness';
import { executionCount, sandboxSubscriptions, startPushServer } from './helpers/push-env';
import { startSyncEnv, type SyncEnv } from './helpers/sync-env';

const SETUP_TIMEOUT = 40 * 60_000;
const WORKFLOW = 'e2eProdContPush1';
const WEBHOOK_ID = '5b0d6a52-6a1e-4e64-9f7a-3c2f4d1e0a11';

let env: SyncEnv;
let server: N8nServer;
let folderId: string;

const fullName = (first?: unknown, last?: unknown) => `${String(first ?? '')} ${String(last ?? '')}`.trim();
const serverLog = () => `n8n said:\n${server.log().slice(-4000)}`;
const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number) =>
	waitUntil(what, probe, { timeoutMs, intervalMs: 1_000, context: serverLog });

async function crmNames(): Promise<string[]> {
	return (await env.crm.list('contacts')).map((r) => fullName(r.fields.firstname, r.fields.lastname));
}

/** Every contact in the CRM-Sync folder, all pages (after the burst there are more than one page). */
async function outlookContacts(): Promise<Contact[]> {
	const all: Contact[] = [];
	let cursor: string | undefined;
	for (;;) {
		const page = await env.exchange.listChanges('contact', folderId, cursor);
		all.push(...page.items.map((i) => i.record as Contact));
		cursor = page.cursor;
		if (!page.hasMore) return all;
	}
}

const subscriptions = () => sandboxSubscriptions(env);
const executions = () => executionCount(server, WORKFLOW);
const quiet = () =>
	waitFor(
		'quiet (no run for 10 s)',
		async () => {
			const seen = await executions();
			await new Promise((resolve) => setTimeout(resolve, 10_000));
			return (await executions()) === seen ? true : undefined;
		},
		180_000,
	);

beforeAll(async () => {
	env = await startSyncEnv();
	folderId = (await env.exchange.ensureSyncFolders({ components: ['contact'] })).contact as string;
	server = await startPushServer(env, { workflowId: WORKFLOW, webhookId: WEBHOOK_ID });
}, SETUP_TIMEOUT);

afterAll(async () => {
	await server?.stop();
	await env?.close();
}, 120_000);

it(
	'a contact created in Outlook reaches the CRM within seconds, and the pairs of the first run are kept',
	async () => {
		const started = Date.now();
		await env.exchange.create('contact', folderId, {
			firstName: 'Paula',
			lastName: 'Push',
			email: 'paula.push@outlook.example',
			categories: ['Kunde'],
		} as Contact);
		await waitFor('Paula Push in the CRM', async () => ((await crmNames()).includes('Paula Push') ? true : undefined), 90_000);
		const seconds = (Date.now() - started) / 1000;
		console.log(`push: Outlook → CRM in ${seconds.toFixed(1)} s`);
		expect(seconds).toBeLessThan(60);
		const crm = await env.crm.list('contacts');
		expect(crm.filter((r) => fullName(r.fields.firstname, r.fields.lastname) === 'Paula Push')).toHaveLength(1);
		expect(crm.find((r) => r.fields.lastname === 'Push')?.fields.email).toBe('paula.push@outlook.example');
		// The CRM's contacts went to Outlook in the same run (the first run pairs both sides).
		await waitFor('every CRM contact in Outlook', async () => ((await outlookContacts()).length === crm.length ? true : undefined), 90_000);
		expect((await outlookContacts()).find((c) => c.lastName === 'Push')).toMatchObject({ categories: ['Kunde'] });
	},
	10 * 60_000,
);

it(
	'a burst of 100 Outlook changes is a few runs, not 100, and every contact arrives once',
	async () => {
		await quiet();
		const before = await executions();
		for (let i = 0; i < 100; i++) await env.exchange.create('contact', folderId, { firstName: 'Burst', lastName: `Nr ${String(i).padStart(3, '0')}` });
		await waitFor('all 100 in the CRM', async () => ((await crmNames()).filter((n) => n.startsWith('Burst Nr ')).length >= 100 ? true : undefined), 5 * 60_000);
		const names = (await crmNames()).filter((n) => n.startsWith('Burst Nr '));
		expect(names).toHaveLength(100);
		expect(new Set(names).size).toBe(100);
		await quiet();
		const runs = (await executions()) - before;
		console.log(`push: 100 Outlook changes → ${runs} executions`);
		// The burst's own runs plus the ones the CRM Trigger starts for the writes they made (idle runs).
		expect(runs).toBeLessThanOrEqual(15);
	},
	10 * 60_000,
);

it(
	'a subscription Microsoft removes is created again by the trigger, and changes keep arriving',
	async () => {
		const [old] = (await subscriptions()).filter((s) => s.notificationUrl.includes(WEBHOOK_ID));
		await env.sb.control.call('POST', `/subscriptions/${old.id}/lifecycle`, { lifecycleEvent: 'subscriptionRemoved' });
		await waitFor(
			'a new subscription',
			async () => ((await subscriptions()).some((s) => s.notificationUrl.includes(WEBHOOK_ID) && s.id !== old.id) ? true : undefined),
			120_000,
		);
		await env.exchange.create('contact', folderId, { firstName: 'Lara', lastName: 'Lifecycle' });
		await waitFor('Lara Lifecycle in the CRM', async () => ((await crmNames()).includes('Lara Lifecycle') ? true : undefined), 90_000);
		expect((await crmNames()).filter((n) => n === 'Lara Lifecycle')).toHaveLength(1);
	},
	10 * 60_000,
);

it(
	"notifications Graph could not deliver are caught up on its 'missed' lifecycle event, each change once",
	async () => {
		await quiet();
		await env.sb.control.configure({ loseNotifications: true });
		await env.exchange.create('contact', folderId, { firstName: 'Mia', lastName: 'Missed', email: 'mia.missed@outlook.example' });
		// Nothing tells n8n (the schedule is hourly): the contact must not arrive on its own.
		await new Promise((resolve) => setTimeout(resolve, 15_000));
		expect(await crmNames()).not.toContain('Mia Missed');
		await env.sb.control.configure({ loseNotifications: false });
		const [subscription] = (await subscriptions()).filter((s) => s.notificationUrl.includes(WEBHOOK_ID));
		await env.sb.control.call('POST', `/subscriptions/${subscription.id}/lifecycle`, { lifecycleEvent: 'missed' });
		await waitFor('Mia Missed in the CRM', async () => ((await crmNames()).includes('Mia Missed') ? true : undefined), 90_000);
		expect((await crmNames()).filter((n) => n === 'Mia Missed')).toHaveLength(1);
		expect((await env.crm.list('contacts')).find((r) => r.fields.lastname === 'Missed')?.fields.email).toBe('mia.missed@outlook.example');
	},
	10 * 60_000,
);

it(
	'a CRM edit reaches Outlook within seconds, and what the mapping does not sync stays in Outlook',
	async () => {
		const paula = (await env.crm.list('contacts')).find((r) => r.fields.lastname === 'Push')!;
		const started = Date.now();
		await env.crm.update('contacts', paula.id, { fields: { title: 'Einkauf' } });
		const outlookPaula = async () => (await outlookContacts()).find((c) => c.lastName === 'Push');
		await waitFor('the CRM edit in Outlook', async () => ((await outlookPaula())?.jobTitle === 'Einkauf' ? true : undefined), 90_000);
		const seconds = (Date.now() - started) / 1000;
		console.log(`push: CRM → Outlook in ${seconds.toFixed(1)} s`);
		expect(seconds).toBeLessThan(60);
		expect(await outlookPaula()).toMatchObject({ categories: ['Kunde'], email: 'paula.push@outlook.example' });
	},
	10 * 60_000,
);
