/**
 * Issue 12 §1/§2: a field the user cleared on one side is cleared on the other, also when the other side's
 * item was not read in that run (it did not change): the pair's last synced content (its per-field base)
 * tells which fields changed. Before, only the fields the source record still had were sent, so a city
 * cleared in the CRM stayed in Outlook for good (seen against vtiger). Exchange-only data stays. The nodes of workflows/contacts-sync.json, run in-process in the
 * template's order, against the sandbox over HTTPS and an embedded CRM in a real SQLite file.
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

/** One run of workflows/contacts-sync.json. */
async function syncRun(policy = 'lastModifiedWins'): Promise<IDataObject> {
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
	const [actions, notes] = await runNode(resolution, { operation: 'plan', ...table, direction: 'both', policy, planOptions: {} }, [canonical, exChanges]);
	const [toCrm] = await runNode(mapping, { component: 'contact', operation: 'toCrm' }, [actions]);
	const [crmWritten] = await runNode(crmNode, { resource: 'syncAction', operation: 'apply', crmUserId: '', recordConflicts: true }, [toCrm]);
	const [exWritten] = await runNode(exchange, { resource: 'syncAction', operation: 'apply', syncFolderId: folderId, options: {} }, [crmWritten]);
	const [[report]] = await runNode(resolution, { operation: 'commit', ...table }, [exWritten]);
	return { ...report.json, folderId, notifications: (notes ?? []).map((n) => n.json) };
}

beforeEach(async () => {
	staticData = {};
	sb = await startTestSandbox();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-safety-clear-'));
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


it('a field cleared in the CRM is cleared in Outlook after idle runs; Outlook-only data and other fields stay', async () => {
	const crm = EmbeddedCrmBackend.open(dbPath);
	const max = await crm.create('contacts', { fields: { firstname: 'Max', lastname: 'Muster', mailingcity: 'München', title: 'GF', phone: '+49 89 1' } });
	const first = await syncRun();
	expect(first).toMatchObject({ created: 1, errors: 0 });
	const folderId = first.folderId as string;
	const mailbox = sb.sandbox.store.mailbox(ANNA);
	const [item] = mailbox.listItems(folderId, 'contact');
	// Outlook-only data: a third e-mail address, IM address and a second business phone.
	mailbox.updateItem<'contact'>(item.id, (d) => {
		d.imAddresses = ['max@im.example'];
		d.businessPhones = ['+49 89 1', '+49 89 2'];
	});
	expect(await syncRun()).toMatchObject({ created: 0, updated: 0, errors: 0 });
	expect(await syncRun()).toMatchObject({ created: 0, updated: 0, errors: 0 });

	await crm.update('contacts', max.id, { fields: { title: 'Einkauf', mailingcity: '' } });
	expect(await syncRun()).toMatchObject({ updated: 1, errors: 0, conflicts: 0 });
	const data = mailbox.listItems(folderId, 'contact')[0].data as unknown as Record<string, unknown>;
	expect(data.jobTitle).toBe('Einkauf');
	expect((data.businessAddress as { city?: string | null } | undefined)?.city ?? undefined).toBeUndefined();
	expect(data.imAddresses).toEqual(['max@im.example']);
	expect(data.businessPhones).toEqual(['+49 89 1', '+49 89 2']);
	expect(data.surname).toBe('Muster');
	const fields = (await crm.get('contacts', max.id))?.fields;
	expect(fields).toMatchObject({ firstname: 'Max', lastname: 'Muster', title: 'Einkauf', phone: '+49 89 1' });
	await crm.close();
	expect(await syncRun()).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0, conflicts: 0 });
});

it('a field cleared in Outlook is cleared in the CRM after idle runs; CRM-only fields stay', async () => {
	const crm = EmbeddedCrmBackend.open(dbPath);
	const max = await crm.create('contacts', { fields: { firstname: 'Max', lastname: 'Muster', title: 'GF', department: 'Einkauf', leadsource: 'Partner' } });
	const first = await syncRun();
	expect(first).toMatchObject({ created: 1, errors: 0 });
	expect(await syncRun()).toMatchObject({ created: 0, updated: 0, errors: 0 });
	const mailbox = sb.sandbox.store.mailbox(ANNA);
	const [item] = mailbox.listItems(first.folderId as string, 'contact');
	mailbox.updateItem<'contact'>(item.id, (d) => void delete d.jobTitle);
	expect(await syncRun()).toMatchObject({ updated: 1, errors: 0, conflicts: 0 });
	const fields = (await crm.get('contacts', max.id))?.fields ?? {};
	expect(fields.title ?? '').toBe('');
	expect(fields).toMatchObject({ firstname: 'Max', lastname: 'Muster', department: 'Einkauf', leadsource: 'Partner' });
	await crm.close();
	expect(await syncRun()).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0, conflicts: 0 });
});

it('both sides changed: the value last-modified-wins overwrote is in the Plan\'s notification output with both values and the winner', async () => {
	const crm = EmbeddedCrmBackend.open(dbPath);
	const max = await crm.create('contacts', { fields: { firstname: 'Max', lastname: 'Muster', title: 'GF' } });
	const first = await syncRun();
	expect(await syncRun()).toMatchObject({ updated: 0, errors: 0 });
	const mailbox = sb.sandbox.store.mailbox(ANNA);
	const [item] = mailbox.listItems(first.folderId as string, 'contact');
	await crm.update('contacts', max.id, { fields: { title: 'Einkauf' } });
	await new Promise((resolve) => setTimeout(resolve, 1100));
	mailbox.updateItem<'contact'>(item.id, (d) => void (d.jobTitle = 'Vertrieb'));
	const run = await syncRun();
	expect(run).toMatchObject({ updated: 1, errors: 0 });
	expect(run.notifications).toEqual([
		expect.objectContaining({ kind: 'overridden', side: 'exchange', overridden: [{ field: 'jobTitle', crm: 'Einkauf', exchange: 'Vertrieb', winner: 'exchange' }] }),
	]);
	expect((await crm.get('contacts', max.id))?.fields.title).toBe('Vertrieb');
	await crm.close();
});
