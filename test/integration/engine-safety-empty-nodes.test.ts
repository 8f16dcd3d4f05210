/**
 * Issue 12 §2 "the empty-side guard fires for every component, contacts included": an emptied contacts
 * folder stops the run with a clear error and keeps every pair and CRM record; "Allow Emptying a Side"
 * lets an intended wipe through for one run (contacts: the CRM records stay, S6). The nodes of
 * workflows/contacts-sync.json in-process, against the sandbox over HTTPS and an embedded CRM SQLite file.
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
async function syncRun(policy = 'lastModifiedWins', planOptions: IDataObject = {}): Promise<IDataObject> {
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
	const [actions, notes] = await runNode(resolution, { operation: 'plan', ...table, direction: 'both', policy, planOptions }, [canonical, exChanges]);
	const [toCrm] = await runNode(mapping, { component: 'contact', operation: 'toCrm' }, [actions]);
	const [crmWritten] = await runNode(crmNode, { resource: 'syncAction', operation: 'apply', crmUserId: '', recordConflicts: true }, [toCrm]);
	const [exWritten] = await runNode(exchange, { resource: 'syncAction', operation: 'apply', syncFolderId: folderId, options: {} }, [crmWritten]);
	const [[report]] = await runNode(resolution, { operation: 'commit', ...table }, [exWritten]);
	return { ...report.json, folderId, notifications: (notes ?? []).map((n) => n.json) };
}

beforeEach(async () => {
	staticData = {};
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



it('an emptied contacts folder stops the run and keeps pairs and CRM records; the option lets the wipe through once', async () => {
	const crm = EmbeddedCrmBackend.open(dbPath);
	await crm.create('contacts', { fields: { firstname: 'A', lastname: 'One', description: 'CRM text' } });
	await crm.create('contacts', { fields: { firstname: 'B', lastname: 'Two' } });
	const first = await syncRun();
	expect(first).toMatchObject({ created: 2, pairs: 2 });
	const folderId = first.folderId as string;
	const mailbox = sb.sandbox.store.mailbox(ANNA);
	for (const item of mailbox.listItems(folderId, 'contact')) mailbox.deleteItem(item.id);

	for (let run = 0; run < 2; run++) {
		const stopped = await syncRun().catch((error: unknown) => error);
		expect(stopped).toBeInstanceOf(Error);
		expect((stopped as Error).message).toMatch(/reported no items although 2 were synced/);
	}
	expect((await crm.list('contacts')).map((r) => r.fields.lastname).sort()).toEqual(['One', 'Two']);

	const wiped = await syncRun('lastModifiedWins', { allowEmptySide: true });
	expect(wiped).toMatchObject({ errors: 0, deleted: 0 });
	const left = await crm.list('contacts');
	expect(left.map((r) => r.fields.lastname).sort()).toEqual(['One', 'Two']);
	expect(left.find((r) => r.fields.lastname === 'One')?.fields.description).toBe('CRM text');
	expect(mailbox.listItems(folderId, 'contact')).toHaveLength(0);
	// The wipe is remembered: the next ordinary run neither stops nor brings the contacts back.
	expect(await syncRun()).toMatchObject({ created: 0, deleted: 0, errors: 0 });
	expect(mailbox.listItems(folderId, 'contact')).toHaveLength(0);
	await crm.close();
});
