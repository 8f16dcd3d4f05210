/**
 * Issue 12 §2 "runs that overlap never create duplicates or lose updates", in a real n8n 2.40.7: two
 * executions of the contacts template started together (two `n8n execute` processes on one n8n
 * database, as a 5-minute schedule overlaps a first sync that runs longer). Issue 14: Sync State's lease
 * in the CRM lets one work at a time; the other waits for it and works after it. Afterwards, and after
 * ordinary runs, every contact exists once on each side, the edits of both sides have arrived and data
 * the mapping does not sync is kept.
 */
import type { CrmRecord } from '../../lib/crm';
import type { Contact } from '../../lib/model/types';
import { nodeOutput, type N8nRun } from './harness';
import { ANNA, report, startSyncEnv, type SyncEnv } from './helpers/sync-env';

const SETUP_TIMEOUT = 40 * 60_000;
const STEP_TIMEOUT = 10 * 60_000;
const WORKFLOW = 'e2eOverlapCont01';

let env: SyncEnv;
let folderId: string;

async function exchangeContacts(): Promise<Array<{ id: string; ident?: string; record: Contact }>> {
	const page = await env.exchange.listChanges('contact', folderId, undefined);
	return page.items.map((i) => ({ id: i.id, ident: i.ident, record: i.record }));
}
const fullName = (first?: unknown, last?: unknown) => `${String(first ?? '')} ${String(last ?? '')}`.trim();
const counted = (names: string[]) => names.reduce<Record<string, number>>((acc, n) => ({ ...acc, [n]: (acc[n] ?? 0) + 1 }), {});

beforeAll(async () => {
	env = await startSyncEnv();
	folderId = (await env.exchange.ensureSyncFolders({ components: ['contact'] })).contact as string;
	await env.importTemplate('contacts-sync.json', WORKFLOW);
}, SETUP_TIMEOUT);

afterAll(async () => {
	await env?.close();
}, 120_000);

it(
	'two executions started together, then ordinary runs: no duplicate on either side, no lost edit',
	async () => {
		expect(report(await env.run(WORKFLOW))).toMatchObject({ errors: 0, cursorsCommitted: true });
		const kept = (await env.crm.list('contacts'))[0] as CrmRecord;
		const keptEx = (await exchangeContacts()).find((e) => e.ident?.endsWith(`:contacts:${kept.id}`))!;

		await env.crm.create('contacts', { fields: { firstname: 'Cora', lastname: 'Overlap' }, assignedTo: { type: 'user', id: 'anna' } });
		await env.crm.create('contacts', { fields: { firstname: 'Carl', lastname: 'Overlap' }, assignedTo: { type: 'user', id: 'anna' } });
		await env.exchange.create('contact', folderId, { firstName: 'Olga', lastName: 'Overlap', email: 'olga.overlap@outlook.example' });
		await env.exchange.create('contact', folderId, { firstName: 'Otto', lastName: 'Overlap', mobile: '+49 170 9' });
		await env.crm.update('contacts', kept.id, { fields: { title: 'Overlap edit' } });

		// A slow Exchange (1.5 s per request) makes the first run last long enough for the second to start
		// meanwhile, as a throttled first sync overlaps the next scheduled one.
		await env.sb.control.configure({ latencyMs: 1500 });
		const runs = await Promise.all([env.n8n.execute(WORKFLOW), env.n8n.execute(WORKFLOW)]).finally(() => env.sb.control.configure({ latencyMs: 0 }));
		// Sync State's lease in the CRM lets one work at a time; the template's Sync State waits for a running
		// sync (up to 2 minutes), so the second works right after the first. Neither fails or is skipped.
		expect(runs.map((r) => r.ok)).toEqual([true, true]);
		const finished = runs.map((r) => r.run as N8nRun);
		for (const run of finished) {
			expect(nodeOutput(run, 'Sync State', 1)).toHaveLength(0);
			expect(report(run)).toMatchObject({ errors: 0, leaseReleased: true });
		}
		// The lease is taken when Sync State ends and given back when Commit ends: those spans do not overlap.
		const span = (run: N8nRun) => {
			const end = (name: string) => {
				const runsOfNode = run.data.resultData.runData[name];
				const last = runsOfNode[runsOfNode.length - 1];
				return (last.startTime ?? 0) + (last.executionTime ?? 0);
			};
			return { leased: end('Sync State'), released: end('Commit') };
		};
		const [a, b] = finished.map(span).sort((x, y) => x.leased - y.leased);
		expect(b.leased).toBeGreaterThanOrEqual(a.released);
		// The later one began with the static data of before the first one's commit; it works from the state
		// that run committed (kept in the CRM's run log, docs/decisions.md §17), so it finds nothing to do
		// instead of reading and pairing everything again.
		const later = finished.find((run) => span(run).leased === b.leased) as N8nRun;
		expect(nodeOutput(later, 'Sync State', 0)[0]).toMatchObject({ stateFromRunLog: { generation: expect.any(Number) } });
		expect(report(later)).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0 });

		for (let i = 0; i < 2; i++) expect(report(await env.run(WORKFLOW))).toMatchObject({ errors: 0 });
		expect(report(await env.run(WORKFLOW))).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0 });

		const crm = await env.crm.list('contacts');
		const exchange = await exchangeContacts();
		const crmNames = counted(crm.map((r) => fullName(r.fields.firstname, r.fields.lastname)));
		const exNames = counted(exchange.map((e) => fullName(e.record.firstName, e.record.lastName)));
		for (const name of ['Cora Overlap', 'Carl Overlap', 'Olga Overlap', 'Otto Overlap']) {
			expect([name, crmNames[name]]).toEqual([name, 1]);
			expect([name, exNames[name]]).toEqual([name, 1]);
		}
		expect(Object.values(crmNames).every((n) => n === 1)).toBe(true);
		expect(Object.values(exNames).every((n) => n === 1)).toBe(true);
		expect(exchange.find((e) => e.id === keptEx.id)?.record.jobTitle).toBe('Overlap edit');
		expect(crm.find((r) => fullName(r.fields.firstname, r.fields.lastname) === 'Olga Overlap')?.fields.email).toBe('olga.overlap@outlook.example');
		expect((await env.crm.listConflicts({ resolved: false })).filter((c) => c.reason.includes('second CRM record'))).toHaveLength(0);
		expect(ANNA).toMatch(/@/);
	},
	STEP_TIMEOUT,
);

it(
	'the sync status template shows the admin the contacts sync of the mailbox: ok, its last summary, no lease left, open conflicts',
	async () => {
		const last = report(await env.run(WORKFLOW));
		await env.importTemplate('sync-status.json', 'e2eSyncStatus001');
		const rows = nodeOutput(await env.run('e2eSyncStatus001'), 'Sync Status', 0);
		const contacts = rows.filter((r) => r.component === 'contact');
		expect(contacts).toHaveLength(1);
		expect(contacts[0]).toMatchObject({ mailbox: ANNA, state: 'ok', lastSummary: last.summary, openConflicts: expect.any(Number) });
		expect(contacts[0].holder).toBeUndefined();
		expect(Date.parse(String(contacts[0].lastSuccessAt))).toBeGreaterThan(Date.now() - STEP_TIMEOUT);
		// The status run wrote nothing: the next sync run is idle.
		expect(report(await env.run(WORKFLOW))).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0 });
	},
	STEP_TIMEOUT,
);
