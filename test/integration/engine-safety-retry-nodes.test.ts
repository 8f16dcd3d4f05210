/**
 * Issue 12 §2 "A write that failed is tried again, never dropped": the CRM refuses an Outlook contact (its
 * mandatory last name is missing; the Plan's own check is set to another field, as a mapping that does not
 * know the CRM's rules would be). The nodes of workflows/contacts-sync.json, run in-process in the
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
async function syncRun(): Promise<IDataObject> {
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
	const [actions] = await runNode(resolution, { operation: 'plan', ...table, direction: 'both', policy: 'lastModifiedWins', planOptions: { requiredCrmFields: 'firstName' } }, [canonical, exChanges]);
	const [toCrm] = await runNode(mapping, { component: 'contact', operation: 'toCrm' }, [actions]);
	const [crmWritten] = await runNode(crmNode, { resource: 'syncAction', operation: 'apply', crmUserId: '', recordConflicts: true }, [toCrm]);
	const [exWritten] = await runNode(exchange, { resource: 'syncAction', operation: 'apply', syncFolderId: folderId, options: {} }, [crmWritten]);
	const [[report]] = await runNode(resolution, { operation: 'commit', ...table }, [exWritten]);
	return { ...report.json, folderId };
}

beforeEach(async () => {
	staticData = {};
	sb = await startTestSandbox();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-safety-retry-'));
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

const surnames = (items: Array<{ data: unknown }>) => items.map((i) => `${(i.data as { givenName?: string }).givenName ?? ''} ${(i.data as { surname?: string }).surname ?? ''}`.trim()).sort();

it('keeps a contact the CRM refused pending: retried with back-off, one open sync conflict, the rest syncs on; written once fixed in Outlook', async () => {
	const crm = EmbeddedCrmBackend.open(dbPath);
	const bystander = await crm.create('contacts', { fields: { firstname: 'Bea', lastname: 'Bestand', description: 'CRM only' } });
	await crm.close();
	const first = await syncRun();
	expect(first).toMatchObject({ created: 1, errors: 0, pendingRetries: 0 });
	const folderId = first.folderId as string;
	const mailbox = sb.sandbox.store.mailbox(ANNA);
	const refused = mailbox.createItem(folderId, 'contact', { givenName: 'Nur' });
	mailbox.createItem(folderId, 'contact', { givenName: 'Gut', surname: 'Mensch' });

	const refusedRun = await syncRun();
	expect(refusedRun).toMatchObject({ created: 1, errors: 1, cursorsCommitted: true, pendingRetries: 1 });
	const retried = await syncRun();
	expect(retried).toMatchObject({ created: 0, errors: 1, pendingRetries: 1 });
	const waiting = await syncRun();
	expect(waiting).toMatchObject({ created: 0, errors: 0, conflicts: 1, pendingRetries: 1 });

	const between = EmbeddedCrmBackend.open(dbPath);
	const open = await between.listConflicts({ resolved: false });
	expect(open).toHaveLength(1);
	expect(open[0].reason).toMatch(/lastname/);
	expect((await between.list('contacts')).map((r) => r.fields.lastname).sort()).toEqual(['Bestand', 'Mensch']);
	await between.close();

	mailbox.updateItem<'contact'>(refused.id, (d) => void (d.surname = 'Noch'));
	const fixed = await syncRun();
	expect(fixed).toMatchObject({ created: 1, errors: 0, pendingRetries: 0 });

	const after = EmbeddedCrmBackend.open(dbPath);
	expect((await after.list('contacts')).map((r) => `${String(r.fields.firstname)} ${String(r.fields.lastname)}`).sort()).toEqual(['Bea Bestand', 'Gut Mensch', 'Nur Noch']);
	expect((await after.get('contacts', bystander.id))?.fields.description).toBe('CRM only');
	expect(await after.listConflicts({ resolved: false })).toHaveLength(0);
	await after.close();
	expect(surnames(mailbox.listItems(folderId, 'contact'))).toEqual(['Bea Bestand', 'Gut Mensch', 'Nur Noch']);
	expect(await syncRun()).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0, conflicts: 0 });
});
