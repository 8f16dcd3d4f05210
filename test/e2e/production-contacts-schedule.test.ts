/**
 * Guide rule 3, "production is `n8n start`": the contacts template published and driven by its Schedule
 * Trigger in a real n8n server (set to every minute here; the template says 5). In production n8n keeps
 * the sync state (static data) only at the end of each execution, unlike `n8n execute`: the first run
 * pairs both sides, later runs carry edits across both ways, and nothing is ever duplicated.
 */
import type { Contact } from '../../lib/model/types';
import { waitFor as waitUntil, type N8nServer } from './harness';
import { startSyncEnv, type SyncEnv } from './helpers/sync-env';

const SETUP_TIMEOUT = 40 * 60_000;
const WORKFLOW = 'e2eProdContSch01';
const RUN_WAIT_MS = 180_000;

let env: SyncEnv;
let server: N8nServer;
let folderId: string;

const fullName = (first?: unknown, last?: unknown) => `${String(first ?? '')} ${String(last ?? '')}`.trim();

async function outlook(): Promise<Array<{ id: string; record: Contact }>> {
	return (await env.exchange.listChanges('contact', folderId, undefined)).items.map((i) => ({ id: i.id, record: i.record as Contact }));
}

const serverLog = () => `n8n said:\n${server.log().slice(-4000)}`;
const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = RUN_WAIT_MS) =>
	waitUntil(what, probe, { timeoutMs, intervalMs: 3_000, context: serverLog });

beforeAll(async () => {
	env = await startSyncEnv();
	folderId = (await env.exchange.ensureSyncFolders({ components: ['contact'] })).contact as string;
	await env.importTemplate('contacts-sync.json', WORKFLOW, {
		parameters: { 'Every 5 Minutes': { rule: { interval: [{ field: 'minutes', minutesInterval: 1 }] } } },
	});
	await env.n8n.publishWorkflow(WORKFLOW);
	server = await env.n8n.startServer();
}, SETUP_TIMEOUT);

afterAll(async () => {
	await server?.stop();
	await env?.close();
}, 120_000);

it(
	'scheduled runs pair both sides, carry an edit each way, keep their state between executions, and duplicate nothing',
	async () => {
		const crmCount = (await env.crm.list('contacts')).length;
		expect(crmCount).toBeGreaterThan(0);
		// The first scheduled run copies the CRM's contacts into the empty CRM-Sync folder.
		await waitFor('the first scheduled run', async () => ((await outlook()).length === crmCount ? true : undefined));

		const [crmContact] = await env.crm.list('contacts');
		await env.crm.update('contacts', crmContact.id, { fields: { title: 'Scheduled edit' } });
		await env.exchange.create('contact', folderId, { firstName: 'Petra', lastName: 'Produktion', email: 'petra@outlook.example' });

		await waitFor('the edit reaching Outlook and the new contact reaching the CRM', async () => {
			const inCrm = (await env.crm.list('contacts')).some((r) => fullName(r.fields.firstname, r.fields.lastname) === 'Petra Produktion');
			const edited = (await outlook()).some((c) => c.record.jobTitle === 'Scheduled edit');
			return inCrm && edited ? true : undefined;
		});

		// Another scheduled run on the kept state: every contact once on each side, the same number.
		await new Promise((resolve) => setTimeout(resolve, 70_000));
		const crm = (await env.crm.list('contacts')).map((r) => fullName(r.fields.firstname, r.fields.lastname)).sort();
		const ex = (await outlook()).map((c) => fullName(c.record.firstName, c.record.lastName)).sort();
		expect(crm).toHaveLength(crmCount + 1);
		expect(new Set(crm).size).toBe(crm.length);
		expect(ex).toEqual(crm);
		expect(crm.filter((n) => n === 'Petra Produktion')).toHaveLength(1);
		expect((await env.crm.list('contacts')).find((r) => fullName(r.fields.firstname, r.fields.lastname) === 'Petra Produktion')?.fields.email).toBe(
			'petra@outlook.example',
		);

		// The state is in the workflow's static data, saved by the production executions.
		const stored = await env.n8n.exportWorkflow(WORKFLOW);
		expect(JSON.stringify(stored.staticData ?? {})).toContain('contact');
	},
	15 * 60_000,
);
