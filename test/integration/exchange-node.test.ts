/**
 * The Exchange node through n8n's execute interface against the sandbox over HTTPS, with
 * the Microsoft Graph OAuth2 credential (app-only, sandbox authority, custom CA).
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INode,
	INodeExecutionData,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { MicrosoftGraphOAuth2Api } from '../../credentials/MicrosoftGraphOAuth2Api.credentials';
import { Exchange } from '../../nodes/Exchange/Exchange.node';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';

type Params = Record<string, unknown>;
/** The node's static data across the calls of a test file, as n8n keeps it per workflow. */
const nodeStaticData: IDataObject = {};
const ANNA = 'anna@contoso.example';
const NODE: INode = { id: 'exchange-test', name: 'Exchange', type: 'n8n-nodes-exchange-crm-sync.exchange', typeVersion: 1, position: [0, 0], parameters: {} };

let sb: TestSandbox;
let credentials: ICredentialDataDecryptedObject;
const node = new Exchange();

function executeContext(params: Params | ((i: number) => Params), items: INodeExecutionData[] = [{ json: {} }], continueOnFail = false): IExecuteFunctions {
	const paramsFor = (i: number) => (typeof params === 'function' ? params(i) : params);
	return {
		getInputData: () => items,
		// Ensure Sync Folders keeps its A5 count in the node's static data; a run of a production workflow.
		getMode: () => 'trigger',
		getWorkflowStaticData: () => nodeStaticData,
		getNode: () => NODE,
		continueOnFail: () => continueOnFail,
		getCredentials: async () => credentials,
		getNodeParameter(name: string, i: number, fallback?: unknown) {
			const p = paramsFor(i);
			if (name in p) return p[name];
			if (fallback !== undefined) return fallback;
			throw new Error(`test did not set parameter "${name}"`);
		},
		helpers: {
			async prepareBinaryData(content: Buffer, fileName?: string, mimeType?: string) {
				return { data: content.toString('base64'), fileName, mimeType: mimeType ?? 'application/octet-stream' };
			},
		},
	} as unknown as IExecuteFunctions;
}

async function run(params: Params | ((i: number) => Params), items?: INodeExecutionData[], continueOnFail = false): Promise<INodeExecutionData[]> {
	const [out] = await node.execute.call(executeContext(params, items, continueOnFail));
	return out;
}

const json = (out: INodeExecutionData[], i = 0) => out[i].json as IDataObject & Record<string, unknown>;

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
});

afterAll(async () => {
	await sb.stop();
});

beforeEach(async () => {
	await sb.control.reset();
});

describe('Microsoft Graph OAuth2 credential', () => {
	it('extends oAuth2Api with the Graph scopes, the tenant in the URLs and the CA option off by default', () => {
		const c = new MicrosoftGraphOAuth2Api();
		expect(c.extends).toEqual(['oAuth2Api']);
		const byName = Object.fromEntries(c.properties.map((p) => [p.name, p]));
		expect(String(byName.scope.default)).toContain('offline_access Contacts.ReadWrite Calendars.ReadWrite Tasks.ReadWrite Mail.ReadWrite');
		expect(String(byName.accessTokenUrl.default)).toContain('{{$self["tenantId"]}}/oauth2/v2.0/token');
		expect(byName.useCustomCa.default).toBe(false);
	});

	it('is tested by signing in and reading the mailbox', async () => {
		const test = node.methods.credentialTest.microsoftGraphConnectionTest;
		const ok = await test.call({} as ICredentialTestFunctions, { data: credentials } as unknown as ICredentialsDecrypted);
		expect(ok).toEqual({ status: 'OK', message: `Connected to the mailbox ${ANNA}` });
		const bad = await test.call({} as ICredentialTestFunctions, { data: { ...credentials, clientSecret: 'wrong' } } as unknown as ICredentialsDecrypted);
		expect(bad.status).toBe('Error');
		expect(bad.message).toMatch(/secret/i);
	});
});

describe('Exchange node', () => {
	it('folders: ensure, list (load options), remove', async () => {
		const [ensured] = await run({
			resource: 'folder',
			operation: 'ensureSyncFolders',
			components: ['contact', 'task', 'mail'],
			useDefault: [],
			folderName: 'CRM-Sync',
		});
		const folders = ensured.json as { contact: string; task: string; mail: { root: string; leads: string } };
		expect(folders.contact && folders.task && folders.mail.leads).toBeTruthy();
		const list = await run({ resource: 'folder', operation: 'getAll', folderKind: 'mail', parentId: folders.mail.root });
		expect(list.map((i) => i.json.displayName).sort()).toEqual(['Accounts', 'Contacts', 'Leads', 'Partner']);
		const search = await node.methods.listSearch.searchMailFolders.call({
			getNodeParameter: (name: string, fallback?: unknown) => (name === 'mailbox' ? '' : fallback),
			getCredentials: async () => credentials,
			getNode: () => NODE,
		} as unknown as ILoadOptionsFunctions);
		// Anna's mailbox is German: folders show their localized names; the node resolves them by id (F7).
		expect(search.results.map((r) => r.name)).toEqual(expect.arrayContaining(['CRM-Sync', 'CRM-Sync/Leads', 'Posteingang (default)']));
		await run({ resource: 'folder', operation: 'removeSyncFolders', components: ['contact', 'task', 'mail'], folderName: 'CRM-Sync' });
		const after = await run({ resource: 'folder', operation: 'getAll', folderKind: 'contact' });
		expect(after.some((i) => i.json.displayName === 'CRM-Sync')).toBe(false);
	});

	it('contacts: create, get, update with ETag, get many, get changes with cursor, delete', async () => {
		const [{ json: f }] = await run({ resource: 'folder', operation: 'ensureSyncFolders', components: ['contact'], useDefault: [], folderName: 'CRM-Sync' });
		const folder = { mode: 'list', value: f.contact };
		const base = { resource: 'contact', contactFolder: folder };
		const created = await run({
			...base,
			operation: 'create',
			record: JSON.stringify({ firstName: 'Erika', lastName: 'Mustermann', email: 'Erika@Example.com' }),
			ident: 'crm1:contacts:7',
			options: {},
		});
		const item = json(created);
		expect(item.ident).toBe('crm1:contacts:7');
		expect(item.record).toEqual({ firstName: 'Erika', lastName: 'Mustermann', email: 'erika@example.com' });
		expect(created[0].pairedItem).toEqual({ item: 0 });
		const [{ json: raw }] = await run({ ...base, operation: 'get', itemId: item.id, rawOutput: true });
		expect(raw.surname).toBe('Mustermann');
		const changes1 = json(await run({ ...base, operation: 'getChanges', cursor: '', allPages: true, rawOutput: false }));
		expect((changes1.changes as unknown[]).length).toBe(1);
		const updated = await run({
			...base,
			operation: 'update',
			itemId: item.id,
			record: { firstName: 'Erika', lastName: 'Musterfrau' },
			ident: '',
			etag: item.etag,
			options: {},
		});
		expect((json(updated).record as { lastName: string }).lastName).toBe('Musterfrau');
		const many = await run({ ...base, operation: 'getAll', returnAll: true, rawOutput: false });
		expect(many).toHaveLength(1);
		const changes2 = json(await run({ ...base, operation: 'getChanges', cursor: changes1.cursor, allPages: true, rawOutput: false }));
		expect((changes2.changes as Array<{ id: string }>).map((c) => c.id)).toEqual([item.id]);
		await run({ ...base, operation: 'delete', itemId: item.id, etag: '' });
		const changes3 = json(await run({ ...base, operation: 'getChanges', cursor: changes2.cursor, allPages: true, rawOutput: false }));
		expect(changes3.deletedIds).toEqual([item.id]);
	});

	it('Update writes only the fields given; the others stay unless "Clear Fields Not Given" is on', async () => {
		const [{ json: f }] = await run({ resource: 'folder', operation: 'ensureSyncFolders', components: ['contact'], useDefault: [], folderName: 'CRM-Sync' });
		const base = { resource: 'contact', contactFolder: f.contact };
		const full = {
			firstName: 'Erika',
			lastName: 'Mustermann',
			phone: '+49 30 1234',
			email: 'erika@example.com',
			categories: ['VIP'],
			description: 'Kundin seit 2019',
		};
		const created = json(await run({ ...base, operation: 'create', record: full, ident: '', options: {} }));
		await run({ ...base, operation: 'update', itemId: created.id, record: { lastName: 'Musterfrau' }, ident: '', etag: '', options: {} });
		const after = json(await run({ ...base, operation: 'get', itemId: created.id, rawOutput: false })).record as Record<string, unknown>;
		expect(after).toMatchObject({ ...full, lastName: 'Musterfrau' });

		await run({
			...base,
			operation: 'update',
			itemId: created.id,
			record: { lastName: 'Musterfrau', email: 'erika@example.com' },
			ident: '',
			etag: '',
			options: { clearMissing: true },
		});
		const replaced = json(await run({ ...base, operation: 'get', itemId: created.id, rawOutput: true }));
		expect(replaced).toMatchObject({ surname: 'Musterfrau', emailAddresses: [{ address: 'erika@example.com' }] });
		expect(replaced.givenName ?? '').toBe('');
		expect(replaced.businessPhones ?? []).toEqual([]);
		await run({ ...base, operation: 'delete', itemId: created.id, etag: '' });
	});

	it("errors are NodeApiErrors with Graph's message and a hint; Continue On Fail keeps going per item", async () => {
		const [{ json: f }] = await run({ resource: 'folder', operation: 'ensureSyncFolders', components: ['contact'], useDefault: [], folderName: 'CRM-Sync' });
		const base = { resource: 'contact', contactFolder: f.contact };
		const created = json(await run({ ...base, operation: 'create', record: { lastName: 'A' }, ident: '', options: {} }));
		await run({ ...base, operation: 'update', itemId: created.id, record: { lastName: 'B' }, ident: '', etag: '', options: {} });
		let error: unknown;
		try {
			await run({ ...base, operation: 'update', itemId: created.id, record: { lastName: 'C' }, ident: '', etag: created.etag, options: {} });
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).message).toMatch(/change key/i);
		expect((error as NodeApiError).description).toMatch(/changed in Exchange meanwhile/);
		const out = await run(
			(i) => ({ ...base, operation: 'get', rawOutput: false, itemId: i === 0 ? 'does-not-exist' : created.id }),
			[{ json: {} }, { json: {} }],
			true,
		);
		expect(out[0].json.error).toMatch(/no contact/i);
		expect(out[0].pairedItem).toEqual({ item: 0 });
		expect(out[1].json.id).toBe(created.id);
		const nobody = await run({ ...base, mailbox: 'nobody@contoso.example', operation: 'get', rawOutput: false, itemId: created.id }, undefined, true);
		expect(nobody[0].json.description).toMatch(/mailbox nobody@contoso.example was not found/);
	});

	it('events: create with attendees in the body; tasks: create and get', async () => {
		const [{ json: f }] = await run({
			resource: 'folder',
			operation: 'ensureSyncFolders',
			components: ['event', 'task'],
			useDefault: [],
			folderName: 'CRM-Sync',
		});
		const event = json(
			await run({
				resource: 'event',
				eventFolder: f.event,
				operation: 'create',
				record: {
					subject: 'Termin',
					start: { dateTime: '2026-11-23T09:00:00.000Z', timeZone: 'Europe/Berlin' },
					end: { dateTime: '2026-11-23T10:00:00.000Z', timeZone: 'Europe/Berlin' },
					attendees: [{ email: 'x@example.com' }],
				},
				ident: 'crm1:events:1',
				options: { attendeesInBody: true, rawOutput: true },
			}),
		);
		expect(event.attendees ?? []).toEqual([]);
		expect((event.body as { content: string }).content).toContain('<x@example.com>');
		const task = json(
			await run({
				resource: 'task',
				taskFolder: f.task,
				operation: 'create',
				record: { subject: 'Anrufen', dueDate: '2026-11-30' },
				ident: 'crm1:tasks:1',
				options: {},
			}),
		);
		const got = json(await run({ resource: 'task', taskFolder: f.task, operation: 'get', itemId: task.id, rawOutput: false }));
		expect(got.record).toEqual({ subject: 'Anrufen', dueDate: '2026-11-30', status: 'notStarted', priority: 'normal' });
		expect(got.ident).toBe('crm1:tasks:1');
	});

	it('messages: get many, move into CRM-Sync/Leads, get changes there, get with MIME', async () => {
		const [{ json: f }] = await run({ resource: 'folder', operation: 'ensureSyncFolders', components: ['mail'], useDefault: [], folderName: 'CRM-Sync' });
		const leads = (f.mail as { leads: string }).leads;
		await sb.control.generate({ mailbox: ANNA, messages: 2, seed: 3 });
		const start = json(await run({ resource: 'message', operation: 'getChanges', mailFolder: leads, cursor: '' }));
		const inbox = await run({ resource: 'message', operation: 'getAll', mailFolder: { mode: 'id', value: 'inbox' }, limit: 10 });
		expect(inbox).toHaveLength(2);
		const id = inbox[0].json.id as string;
		await run({ resource: 'message', operation: 'move', messageId: id, destinationFolder: leads });
		const changes = json(await run({ resource: 'message', operation: 'getChanges', mailFolder: leads, cursor: start.cursor }));
		expect((changes.messages as Array<{ id: string }>).map((m) => m.id)).toEqual([id]);
		const [withMime] = await run({ resource: 'message', operation: 'get', messageId: id, download: true });
		expect(withMime.json.folderId).toBe(leads);
		expect(Buffer.from(withMime.binary?.data.data ?? '', 'base64').toString('utf8')).toMatch(/Subject:/i);
	});
});
