/**
 * Issue 12 §2 "runs that overlap never create duplicates or lose updates": two runs of the contacts
 * template that overlap as two n8n executions do — both load the workflow's static data and read both
 * sides before either writes; each saves its own static data at its end (the later one wins). The nodes
 * of workflows/contacts-sync.json in-process, against the sandbox over HTTPS and an embedded CRM SQLite
 * file; afterwards every record exists once on each side and every edit has arrived.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INode, INodeExecutionData, INodeType } from 'n8n-workflow';

import { EmbeddedCrmBackend } from '../../lib/crm';
import { ConflictResolution } from '../../nodes/ConflictResolution/ConflictResolution.node';
import { Crm } from '../../nodes/Crm/Crm.node';
import { closeSharedCrmBackends } from '../../nodes/Crm/transport/backend';
import { Exchange } from '../../nodes/Exchange/Exchange.node';
import { FieldMapping } from '../../nodes/FieldMapping/FieldMapping.node';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';

jest.setTimeout(120_000);
const ANNA = 'anna@contoso.example';

let sb: TestSandbox;
let dir: string;
let dbPath: string;
let credentials: Record<string, ICredentialDataDecryptedObject>;
let staticData: IDataObject = {};

async function runNode(node: INodeType, params: Record<string, unknown>, inputs: INodeExecutionData[][]): Promise<INodeExecutionData[][]> {
	const meta: INode = { id: 'n', name: 'node', type: 'x', typeVersion: 1, position: [0, 0], parameters: {} };
	const ctx = {
		getInputData: (index = 0) => inputs[index] ?? [],
		getNode: () => meta,
		continueOnFail: () => false,
		getCredentials: async (type: string) => credentials[type],
		getWorkflowStaticData: () => staticData,
		getNodeParameter(name: string, _i: number, fallback?: unknown) {
			if (name in params) return params[name];
			if (fallback !== undefined) return fallback;
			throw new Error(`test did not set parameter "${name}"`);
		},
		helpers: {},
	} as unknown as IExecuteFunctions;
	return (await (node.execute as (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>).call(ctx)) ?? [];
}

const exchange = new Exchange();
const crmNode = new Crm();
const mapping = new FieldMapping();
const resolution = new ConflictResolution();

interface PlannedRun {
	data: IDataObject;
	folderId: string;
	table: IDataObject;
	actions: INodeExecutionData[];
}

/** The reading half of one run: loads its own copy of the static data, reads both sides, plans. */
async function readAndPlan(saved: IDataObject): Promise<PlannedRun> {
	const data = JSON.parse(JSON.stringify(saved)) as IDataObject;
	staticData = data;
	const [[folders]] = await runNode(exchange, { resource: 'folder', operation: 'ensureSyncFolders', components: ['contact'], useDefault: [], folderName: 'CRM-Sync' }, [[{ json: {} }]]);
	const folderId = (folders.json as { contact: string }).contact;
	const table = { component: 'contact', mailbox: 'me', exchangeFolderId: folderId, crmInstance: 'crm' };
	const [[state]] = await runNode(resolution, { operation: 'readState', ...table }, [[folders]]);
	const [crmChanges] = await runNode(crmNode, { resource: 'contact', operation: 'getChanges', cursor: (state.json.crmCursor as string) ?? '' }, [[state]]);
	const [canonical] = await runNode(mapping, { component: 'contact', operation: 'toCanonical' }, [crmChanges]);
	const [exChanges] = await runNode(
		exchange,
		{ resource: 'contact', operation: 'getChanges', contactFolder: { __rl: true, mode: 'id', value: folderId }, cursor: (state.json.exchangeCursor as string) ?? '' },
		[canonical],
	);
	const [actions] = await runNode(resolution, { operation: 'plan', ...table, direction: 'both', policy: 'lastModifiedWins', planOptions: {} }, [canonical, exChanges]);
	return { data, folderId, table, actions };
}

/** The writing half: applies the plan on both sides and commits into that run's static data. */
async function applyAndCommit(run: PlannedRun): Promise<IDataObject> {
	staticData = run.data;
	const [toCrm] = await runNode(mapping, { component: 'contact', operation: 'toCrm' }, [run.actions]);
	const [crmWritten] = await runNode(crmNode, { resource: 'syncAction', operation: 'apply', crmUserId: '', recordConflicts: true }, [toCrm]);
	const [exWritten] = await runNode(exchange, { resource: 'syncAction', operation: 'apply', syncFolderId: run.folderId, options: {} }, [crmWritten]);
	const [[report]] = await runNode(resolution, { operation: 'commit', ...run.table }, [exWritten]);
	return { ...report.json, folderId: run.folderId };
}

let saved: IDataObject = {};
async function syncRun(): Promise<IDataObject> {
	const report = await applyAndCommit(await readAndPlan(saved));
	saved = staticData;
	return report;
}

/** Two runs that overlap: B reads before A writes; A saves first, B's static data is the one kept. */
async function overlappingRuns(): Promise<[IDataObject, IDataObject]> {
	const a = await readAndPlan(saved);
	const b = await readAndPlan(saved);
	const reportA = await applyAndCommit(a);
	const reportB = await applyAndCommit(b);
	saved = b.data;
	return [reportA, reportB];
}

beforeEach(async () => {
	staticData = {};
	saved = {};
	sb = await startTestSandbox();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-safety-empty-'));
	dbPath = path.join(dir, 'crm.sqlite');
	credentials = {
		microsoftGraphOAuth2Api: {
			grantType: 'clientCredentials', tenantId: sb.tenant, clientId: sb.clientId, clientSecret: sb.clientSecret, mailbox: ANNA,
			authorityUrl: sb.authorityUrl, graphBaseUrl: sb.authorityUrl, useCustomCa: true, caCertificate: sb.ca,
		},
		crmApi: { backend: 'embedded', databasePath: dbPath },
	};
});

afterEach(async () => {
	await closeSharedCrmBackends();
	await sb.stop();
	fs.rmSync(dir, { recursive: true, force: true });
});



const names = (list: string[]) => [...list].sort();

it('two overlapping runs, then ordinary runs: every new record once on each side, every edit arrived, unrelated data kept', async () => {
	const crm = EmbeddedCrmBackend.open(dbPath);
	const kept = await crm.create('contacts', { fields: { firstname: 'Kim', lastname: 'Kept', title: 'GF', description: 'CRM only text' } });
	const first = await syncRun();
	expect(first).toMatchObject({ created: 1, errors: 0 });
	const folderId = first.folderId as string;
	const mailbox = sb.sandbox.store.mailbox(ANNA);
	const keptItem = mailbox.listItems(folderId, 'contact')[0];
	mailbox.updateItem<'contact'>(keptItem.id, (d) => void (d.imAddresses = ['kim@im.example']));
	await syncRun();

	// New on both sides and an edit on each side, all picked up by both overlapping runs.
	await crm.create('contacts', { fields: { firstname: 'Cora', lastname: 'Crm' } });
	await crm.create('contacts', { fields: { firstname: 'Carl', lastname: 'Crm' } });
	mailbox.createItem(folderId, 'contact', { givenName: 'Olga', surname: 'Outlook' });
	mailbox.createItem(folderId, 'contact', { givenName: 'Otto', surname: 'Outlook' });
	await crm.update('contacts', kept.id, { fields: { title: 'Einkauf' } });

	const [a, b] = await overlappingRuns();
	expect(a).toMatchObject({ errors: 0 });
	expect(b).toMatchObject({ errors: 0 });
	for (let i = 0; i < 3; i++) expect(await syncRun()).toMatchObject({ errors: 0 });
	expect(await syncRun()).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0 });

	const crmNames = (await crm.list('contacts')).map((r) => `${String(r.fields.firstname)} ${String(r.fields.lastname)}`);
	const exNames = mailbox.listItems(folderId, 'contact').map((i) => {
		const d = i.data as { givenName?: string; surname?: string };
		return `${d.givenName ?? ''} ${d.surname ?? ''}`;
	});
	const expected = ['Carl Crm', 'Cora Crm', 'Kim Kept', 'Olga Outlook', 'Otto Outlook'];
	expect(names(crmNames)).toEqual(expected);
	expect(names(exNames)).toEqual(expected);
	const keptAfter = mailbox.listItems(folderId, 'contact').find((i) => (i.data as { surname?: string }).surname === 'Kept')?.data as unknown as Record<string, unknown>;
	expect(keptAfter.jobTitle).toBe('Einkauf');
	expect(keptAfter.imAddresses).toEqual(['kim@im.example']);
	expect((await crm.get('contacts', kept.id))?.fields.description).toBe('CRM only text');
	expect(await crm.listConflicts({ resolved: false })).toHaveLength(0);
	await crm.close();
});
