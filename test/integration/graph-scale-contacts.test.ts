/**
 * Issue 12 §2 "At scale, every record is paired": the contacts sync template's nodes, run in-process
 * in the template's order, over 2,000 contacts in the mailbox (sandbox over HTTPS) and 2,000 in an
 * embedded CRM (a real SQLite file).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INode, INodeExecutionData, INodeType } from 'n8n-workflow';

import { EmbeddedCrmBackend } from '../../lib/crm';
import { CRM_SYNC_PROPERTY_NAME } from '../../lib/exchange/ident';
import { ConflictResolution } from '../../nodes/ConflictResolution/ConflictResolution.node';
import { Crm } from '../../nodes/Crm/Crm.node';
import { closeSharedCrmBackends } from '../../nodes/Crm/transport/backend';
import { Exchange } from '../../nodes/Exchange/Exchange.node';
import { FieldMapping } from '../../nodes/FieldMapping/FieldMapping.node';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';

jest.setTimeout(600_000);
const ANNA = 'anna@contoso.example';
const SIZE = 2000;

type Params = Record<string, unknown>;
let sb: TestSandbox;
let dir: string;
let dbPath: string;
let credentials: Record<string, ICredentialDataDecryptedObject>;
const staticData: IDataObject = {};

async function runNode(node: INodeType, params: Params, inputs: INodeExecutionData[][]): Promise<INodeExecutionData[][]> {
	const meta: INode = { id: 'n', name: 'node', type: 'x', typeVersion: 1, position: [0, 0], parameters: {} };
	const ctx = {
		getInputData: (index = 0) => inputs[index] ?? [],
		getNode: () => meta,
		continueOnFail: () => false,
		getCredentials: async (type: string) => credentials[type],
		getWorkflowStaticData: () => staticData,
		getMode: () => 'trigger',
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
	const [[folders]] = await runNode(
		exchange,
		{ resource: 'folder', operation: 'ensureSyncFolders', components: ['contact'], useDefault: [], folderName: 'CRM-Sync' },
		[[{ json: {} }]],
	);
	const folderId = (folders.json as { contact: string }).contact;
	const table = { component: 'contact', mailbox: 'me', exchangeFolderId: folderId, crmInstance: 'crm' };
	const [[state]] = await runNode(resolution, { operation: 'readState', ...table }, [[folders]]);
	const [crmChanges] = await runNode(crmNode, { resource: 'contact', operation: 'getChanges', cursor: (state.json.crmCursor as string) ?? '' }, [[state]]);
	const [canonical] = await runNode(mapping, { component: 'contact', operation: 'toCanonical' }, [crmChanges]);
	const [exChanges] = await runNode(
		exchange,
		{
			resource: 'contact',
			operation: 'getChanges',
			contactFolder: { __rl: true, mode: 'id', value: folderId },
			cursor: (state.json.exchangeCursor as string) ?? '',
		},
		[canonical],
	);
	const [actions] = await runNode(resolution, { operation: 'plan', ...table, direction: 'both', policy: 'lastModifiedWins', planOptions: {} }, [
		canonical,
		exChanges,
	]);
	const [toCrm] = await runNode(mapping, { component: 'contact', operation: 'toCrm' }, [actions]);
	const [crmWritten] = await runNode(crmNode, { resource: 'syncAction', operation: 'apply', crmUserId: '', recordConflicts: true }, [toCrm]);
	const [exWritten] = await runNode(exchange, { resource: 'syncAction', operation: 'apply', syncFolderId: folderId, options: {} }, [crmWritten]);
	const [[report]] = await runNode(resolution, { operation: 'commit', ...table }, [exWritten]);
	return report.json;
}

beforeAll(async () => {
	sb = await startTestSandbox();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'graph-scale-'));
	dbPath = path.join(dir, 'crm.sqlite');
	credentials = {
		microsoftGraphOAuth2Api: {
			grantType: 'clientCredentials',
			tenantId: sb.tenant,
			clientId: sb.clientId,
			clientSecret: sb.clientSecret,
			mailbox: ANNA,
			authorityUrl: sb.authorityUrl,
			graphBaseUrl: sb.authorityUrl,
			useCustomCa: true,
			caCertificate: sb.ca,
		},
		crmApi: { backend: 'embedded', databasePath: dbPath },
	};
});

afterAll(async () => {
	await closeSharedCrmBackends();
	await sb.stop();
	fs.rmSync(dir, { recursive: true, force: true });
});

interface Pairing {
	crm: number;
	exchange: number;
	/** CRM id → Exchange id, from the idents on both sides (either direction of birth) */
	pairs: Map<string, string>;
	crmDuplicates: string[];
	exchangeDuplicates: string[];
	unpairedCrm: string[];
	unpairedExchange: string[];
}

/** Both sides read back directly (SQLite file, sandbox store) and matched by their idents. */
async function readBack(folderId: string): Promise<Pairing> {
	const crm = await EmbeddedCrmBackend.open(dbPath);
	const records = await crm.list('contacts');
	await crm.close();
	const items = sb.sandbox.store.mailbox(ANNA).listItems(folderId, 'contact');
	const identOf = (props: Record<string, unknown>) => {
		const key = Object.keys(props).find((k) => k.toLowerCase().includes(CRM_SYNC_PROPERTY_NAME.toLowerCase()));
		return key ? String(props[key]) : undefined;
	};
	const exById = new Map(items.map((i) => [i.id, i]));
	const pairs = new Map<string, string>();
	const claimed = new Map<string, string[]>();
	const claim = (exId: string, crmId: string) => claimed.set(exId, [...(claimed.get(exId) ?? []), crmId]);
	for (const r of records) {
		const born = r.exchangeIdent?.startsWith('x:') ? r.exchangeIdent.slice(2) : undefined;
		if (born && exById.has(born)) {
			pairs.set(r.id, born);
			claim(born, r.id);
		}
	}
	for (const i of items) {
		const ident = identOf(i.extendedProperties as Record<string, unknown>);
		const m = ident ? /^crm:contacts:(\d+)$/.exec(ident) : null;
		if (m && !pairs.has(m[1])) {
			pairs.set(m[1], i.id);
			claim(i.id, m[1]);
		}
	}
	// Same last name and e-mail address twice on one side = a duplicate the sync made.
	const groups = <T>(list: T[], key: (t: T) => string, id: (t: T) => string) => {
		const out = new Map<string, string[]>();
		for (const t of list) out.set(key(t), [...(out.get(key(t)) ?? []), id(t)]);
		return [...out.values()].filter((ids) => ids.length > 1).flat();
	};
	const crmDuplicates = groups(
		records,
		(r) => `${String(r.fields.lastname ?? '')}|${String(r.fields.email ?? '').toLowerCase()}`,
		(r) => r.id,
	);
	const exchangeDuplicates = groups(
		items,
		(i) => `${i.data.surname ?? ''}|${(i.data.emailAddresses ?? [])[0]?.address?.toLowerCase() ?? ''}`,
		(i) => i.id,
	);
	return {
		crm: records.length,
		exchange: items.length,
		pairs,
		crmDuplicates,
		exchangeDuplicates,
		unpairedCrm: records.filter((r) => !pairs.has(r.id)).map((r) => r.id),
		unpairedExchange: items.filter((i) => !claimed.has(i.id)).map((i) => i.id),
	};
}

function expectEveryPaired(back: Pairing, expected: number): void {
	expect({ crm: back.crm, exchange: back.exchange, pairs: back.pairs.size }).toEqual({ crm: expected, exchange: expected, pairs: expected });
	expect({
		unpairedCrm: back.unpairedCrm,
		unpairedExchange: back.unpairedExchange,
		crmDuplicates: back.crmDuplicates,
		exchangeDuplicates: back.exchangeDuplicates,
	}).toEqual({
		unpairedCrm: [],
		unpairedExchange: [],
		crmDuplicates: [],
		exchangeDuplicates: [],
	});
}

it(`pairs every contact at ${SIZE} per side through the initial sync, a scheduled run, Outlook edits and CRM deletions, also with 429s inside $batch`, async () => {
	const [[folders]] = await runNode(
		exchange,
		{ resource: 'folder', operation: 'ensureSyncFolders', components: ['contact'], useDefault: [], folderName: 'CRM-Sync' },
		[[{ json: {} }]],
	);
	const folderId = (folders.json as { contact: string }).contact;
	const mailbox = sb.sandbox.store.mailbox(ANNA);
	// Unrelated data on both sides that the sync must leave alone.
	const bystander = mailbox.createItem(mailbox.requireFolder('contacts').id, 'contact', { givenName: 'Bea', surname: 'Bystander' });
	await sb.control.generate({ mailbox: ANNA, contacts: SIZE, seed: 7, locale: 'de', folders: { contacts: folderId } });
	const crm = await EmbeddedCrmBackend.open(dbPath);
	const account = await crm.create('accounts', { fields: { accountname: 'Unrelated GmbH' } });
	for (let i = 0; i < SIZE; i++) await crm.create('contacts', { fields: { firstname: 'Carl', lastname: `Crm ${i}`, email: `carl${i}@crm.example` } });
	await crm.close();
	// Exchange Online answers single requests of a $batch with 429 (MailboxConcurrency); the client retries them.
	await sb.control.addFault({
		match: { protocol: 'graph', method: 'GET', path: '/contacts/[^/?]+\\?' },
		action: { type: 'status', status: 429, retryAfterSeconds: 0 },
		probability: 0.03,
	});

	const timed = async (label: string) => {
		const recorder = sb.recordGraph();
		const started = Date.now();
		const report = await syncRun();
		const ms = Date.now() - started;
		recorder.stop();
		// HTTP requests the client sent (a $batch is one) and the Graph operations inside them.
		const requests = recorder.exchanges.filter((e) => !e.inBatch).length;
		const operations = recorder.exchanges.filter((e) => e.path !== '/$batch').length;
		process.stdout.write(`graph-scale ${label}: ${ms} ms, ${requests} HTTP requests, ${operations} Graph operations, pairs ${String(report.pairs)}\n`);
		expect(report).toMatchObject({ errors: 0, conflicts: 0, cursorsCommitted: true });
		return report;
	};

	const initial = await timed('initial sync');
	expect(initial).toMatchObject({ created: 2 * SIZE, pairs: 2 * SIZE });
	expectEveryPaired(await readBack(folderId), 2 * SIZE);

	const scheduled = await timed('scheduled run');
	expect(scheduled).toMatchObject({ created: 0, updated: 0, deleted: 0, unchanged: 2 * SIZE, pairs: 2 * SIZE });
	expectEveryPaired(await readBack(folderId), 2 * SIZE);

	// Outlook edits of every 20th contact, both origins: updates in the CRM, never a new CRM contact.
	const items = mailbox.listItems(folderId, 'contact');
	const edited = items.filter((_, i) => i % 20 === 0);
	for (const item of edited) mailbox.updateItem<'contact'>(item.id, (d) => void (d.jobTitle = 'Edited in Outlook'));
	const edits = await timed('Outlook edits');
	expect(edits).toMatchObject({ created: 0, updated: edited.length, deleted: 0, pairs: 2 * SIZE });
	let back = await readBack(folderId);
	expectEveryPaired(back, 2 * SIZE);
	const crmAfterEdits = await EmbeddedCrmBackend.open(dbPath);
	const crmById = new Map((await crmAfterEdits.list('contacts')).map((r) => [r.id, r]));
	const exToCrm = new Map([...back.pairs].map(([c, e]) => [e, c]));
	for (const item of edited) expect(crmById.get(exToCrm.get(item.id) as string)?.fields.title).toBe('Edited in Outlook');

	// CRM deletions of every 40th CRM contact reach Outlook.
	const doomed = [...crmById.keys()].filter((_, i) => i % 40 === 1);
	for (const id of doomed) await crmAfterEdits.delete('contacts', id);
	await crmAfterEdits.close();
	const deletions = await timed('CRM deletions');
	expect(deletions).toMatchObject({ created: 0, deleted: doomed.length, pairs: 2 * SIZE - doomed.length });
	for (const id of doomed) expect(mailbox.getItem(back.pairs.get(id) as string)).toBeUndefined();
	back = await readBack(folderId);
	expectEveryPaired(back, 2 * SIZE - doomed.length);

	expect(mailbox.getItem(bystander.id)?.data).toEqual(bystander.data);
	const crmEnd = await EmbeddedCrmBackend.open(dbPath);
	expect((await crmEnd.get('accounts', account.id))?.fields.accountname).toBe('Unrelated GmbH');
	await crmEnd.close();
	const { rules } = await sb.control.call<{ rules: Array<{ hits: number }> }>('GET', '/faults');
	expect(rules[0].hits).toBeGreaterThan(0);
});
