/**
 * docs/decisions.md §17 through the nodes of workflows/contacts-sync.json (in-process, against the Graph
 * sandbox over HTTPS and an embedded CRM SQLite file, Sync State and Commit with the CRM credential as
 * in the templates): an execution whose static data is older than the state the last run committed —
 * a start queued while another run worked (n8n's queue mode copies static data at enqueue), a lost
 * save, another workflow of the same sync — works from the CRM run log's copy instead of reading
 * everything again; Reset State is not undone by it; the records on both sides and the data the
 * mapping does not sync stay as they were.
 */
import type { IDataObject } from 'n8n-workflow';

import { EmbeddedCrmBackend } from '../../lib/crm';
import { ANNA, startContactsTemplate, type ContactsTemplate } from '../helpers/contacts-template-nodes';

jest.setTimeout(120_000);

let t: ContactsTemplate;
let crm: EmbeddedCrmBackend;

beforeEach(async () => {
	t = await startContactsTemplate({ runLog: true });
	crm = EmbeddedCrmBackend.open(t.dbPath);
});

afterEach(async () => {
	await crm.close();
	await t.close();
});

const copy = (data: IDataObject): IDataObject => JSON.parse(JSON.stringify(data)) as IDataObject;
const graphRequests = async () => (await t.sb.control.counters())[ANNA]?.total ?? 0;
const writes = (run: { actions: Array<{ json: IDataObject }> }) => run.actions.filter((a) => a.json.kind !== undefined && a.json.kind !== 'noop').length;

/** Two CRM contacts and one Outlook contact, synced once: three pairs. */
async function syncedStart(): Promise<{ folderId: string }> {
	await crm.create('contacts', { fields: { firstname: 'Kim', lastname: 'Kept', title: 'GF', description: 'CRM only text' } });
	await crm.create('contacts', { fields: { firstname: 'Cora', lastname: 'Crm' } });
	const first = await t.syncRun();
	const folderId = first.folderId as string;
	t.sb.sandbox.store.mailbox(ANNA).createItem(folderId, 'contact', { givenName: 'Olga', surname: 'Outlook', imAddresses: ['olga@im.example'] });
	expect(await t.syncRun()).toMatchObject({ created: 1, errors: 0 });
	expect(await t.syncRun()).toMatchObject({ created: 0, updated: 0, errors: 0 });
	return { folderId };
}

function outlookNames(folderId: string): string[] {
	return t.sb.sandbox.store
		.mailbox(ANNA)
		.listItems(folderId, 'contact')
		.map((i) => {
			const d = i.data as { givenName?: string; surname?: string };
			return `${d.givenName ?? ''} ${d.surname ?? ''}`;
		})
		.sort();
}

it('a start that carries older static data works from the committed state: no re-read, nothing written twice, every edit kept', async () => {
	const { folderId } = await syncedStart();
	const stale = copy(t.saved);
	const kim = (await crm.list('contacts')).find((r) => r.fields.lastname === 'Kept')!;
	await crm.update('contacts', kim.id, { fields: { title: 'Einkauf' } });
	expect(await t.syncRun()).toMatchObject({ updated: 1, errors: 0 });

	// The next start was enqueued (its static data copied) before that run saved its state.
	const before = await graphRequests();
	const late = await t.readAndPlan(stale);
	expect(late.state).toMatchObject({ firstRun: false, pairs: 3, stateFromRunLog: { generation: expect.any(Number) } });
	expect(writes(late)).toBe(0);
	const report = await t.applyAndCommit(late);
	expect(report).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0, leaseReleased: true });
	// Folders, one delta page and nothing else: the older cursors would have read the edit again.
	const spent = (await graphRequests()) - before;
	expect(spent).toBeLessThanOrEqual(4);
	t.saved = late.data;

	expect(await t.syncRun()).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0 });
	expect(outlookNames(folderId)).toEqual(['Cora Crm', 'Kim Kept', 'Olga Outlook']);
	const kimOutlook = t.sb.sandbox.store
		.mailbox(ANNA)
		.listItems(folderId, 'contact')
		.find((i) => (i.data as { surname?: string }).surname === 'Kept')!.data as { jobTitle?: string };
	expect(kimOutlook.jobTitle).toBe('Einkauf');
	expect((await crm.list('contacts')).map((r) => r.fields.lastname).sort()).toEqual(['Crm', 'Kept', 'Outlook']);
	expect((await crm.get('contacts', kim.id))?.fields.description).toBe('CRM only text');
	const olga = t.sb.sandbox.store
		.mailbox(ANNA)
		.listItems(folderId, 'contact')
		.find((i) => (i.data as { surname?: string }).surname === 'Outlook')!.data as { imAddresses?: string[] };
	expect(olga.imAddresses).toEqual(['olga@im.example']);
});

it('another workflow of the same sync (no static data of its own) starts from the committed state instead of pairing everything again', async () => {
	const { folderId } = await syncedStart();
	const before = await graphRequests();
	const other = await t.readAndPlan({});
	expect(other.state).toMatchObject({ firstRun: false, pairs: 3 });
	expect(writes(other)).toBe(0);
	expect(await t.applyAndCommit(other)).toMatchObject({ created: 0, updated: 0, errors: 0 });
	expect((await graphRequests()) - before).toBeLessThanOrEqual(4);
	expect(outlookNames(folderId)).toEqual(['Cora Crm', 'Kim Kept', 'Olga Outlook']);
	expect(await crm.list('contacts')).toHaveLength(3);
});

it('Reset State is not undone by the committed copy; the state the reset run commits is the one handed over next', async () => {
	const { folderId } = await syncedStart();
	const otherWorkflow = copy(t.saved);
	const generationBefore = (await crm.listSyncRuns())[0].stateGeneration as number;

	const resync = await t.readAndPlan(copy(t.saved), { resetFirst: true });
	expect(resync.state).toMatchObject({ firstRun: true, pairs: 0 });
	expect(resync.state.stateFromRunLog).toBeUndefined();
	expect(await t.applyAndCommit(resync)).toMatchObject({ created: 0, errors: 0, pairs: 3 });
	expect((await crm.listSyncRuns())[0].stateGeneration).toBe(generationBefore + 1);

	const next = await t.readAndPlan(otherWorkflow);
	expect(next.state).toMatchObject({ pairs: 3, stateFromRunLog: { generation: generationBefore + 1 } });
	expect(writes(next)).toBe(0);
	await t.applyAndCommit(next);
	expect(outlookNames(folderId)).toEqual(['Cora Crm', 'Kim Kept', 'Olga Outlook']);
	expect(await crm.list('contacts')).toHaveLength(3);
});
