/** The CRM node through n8n's execute interface, on a real SQLite file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	IDataObject,
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INode,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { CrmApi } from '../../credentials/CrmApi.credentials';
import type { CrmEmailRecord, CrmRecord } from '../../lib/crm';
import { EmbeddedCrmBackend, seedDemoCrm, type DemoSeed } from '../../lib/crm';
import { Crm } from '../../nodes/Crm/Crm.node';
import { closeSharedCrmBackends } from '../../nodes/Crm/transport/backend';

type Params = Record<string, unknown>;

const NODE: INode = {
	id: 'crm-node-test',
	name: 'CRM',
	type: 'n8n-nodes-exchange-crm-sync.crm',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** A minimal IExecuteFunctions: parameters per item, credentials, binary helpers, continueOnFail. */
function executeContext(
	credentials: ICredentialDataDecryptedObject,
	params: Params | ((itemIndex: number) => Params),
	items: INodeExecutionData[] = [{ json: {} }],
	continueOnFail = false,
): IExecuteFunctions {
	const paramsFor = (i: number) => (typeof params === 'function' ? params(i) : params);
	const context = {
		getInputData: () => items,
		getNode: () => NODE,
		continueOnFail: () => continueOnFail,
		getCredentials: async () => credentials,
		getNodeParameter(name: string, itemIndex: number, fallback?: unknown) {
			const p = paramsFor(itemIndex);
			if (name in p) return p[name];
			if (fallback !== undefined) return fallback;
			throw new Error(`test did not set parameter "${name}"`);
		},
		helpers: {
			assertBinaryData(itemIndex: number, property: string) {
				const binary = items[itemIndex].binary?.[property];
				if (!binary) throw new NodeOperationError(NODE, `No binary data property "${property}"`);
				return binary;
			},
			async getBinaryDataBuffer(itemIndex: number, property: string) {
				return Buffer.from(items[itemIndex].binary?.[property]?.data ?? '', 'base64');
			},
			async prepareBinaryData(content: Buffer, fileName?: string, mimeType?: string) {
				return { data: content.toString('base64'), fileName, mimeType: mimeType ?? 'application/octet-stream' };
			},
		},
	};
	return context as unknown as IExecuteFunctions;
}

describe('CRM node', () => {
	let dir: string;
	let credentials: ICredentialDataDecryptedObject;
	let seed: DemoSeed;
	const node = new Crm();

	async function run(params: Params | ((i: number) => Params), items?: INodeExecutionData[], continueOnFail = false) {
		const [out] = await node.execute.call(executeContext(credentials, params, items, continueOnFail));
		return out;
	}

	async function runError(params: Params, items?: INodeExecutionData[]): Promise<NodeOperationError> {
		try {
			await run(params, items);
		} catch (error) {
			expect(error).toBeInstanceOf(NodeOperationError);
			return error as NodeOperationError;
		}
		throw new Error('expected the node to fail');
	}

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'crm-node-'));
		const databasePath = join(dir, 'crm.sqlite');
		const crm = EmbeddedCrmBackend.open(databasePath);
		seed = await seedDemoCrm(crm);
		await crm.close();
		credentials = { backend: 'embedded', databasePath };
	});
	afterAll(async () => {
		await closeSharedCrmBackends();
		rmSync(dir, { recursive: true, force: true });
	});
	it('User → Get Many: the CRM users with a mailbox, one item each (the all-users templates read them)', async () => {
		const out = await run({ resource: 'user', operation: 'getAll', options: {} });
		expect(out.map((o) => o.json)).toEqual([
			expect.objectContaining({ crmUserId: 'anna', mailbox: 'anna@contoso.example', name: 'Anna Schmidt' }),
			expect.objectContaining({ crmUserId: 'ben', mailbox: 'ben@contoso.example', name: 'Ben Weber' }),
		]);
		expect(out[1].pairedItem).toEqual({ item: 0 });
		expect(await run({ resource: 'user', operation: 'getAll', options: { emailDomains: 'fabrikam.example' } })).toEqual([]);
	});

	test('contact: create (field by field), get, update (JSON), get many with filters, delete', async () => {
		const [created] = await run({
			resource: 'contact',
			operation: 'create',
			fieldsInputMode: 'fields',
			recordFields: {
				field: [
					{ name: 'firstname', value: 'Erika' },
					{ name: 'lastname', value: 'Mustermann' },
					{ name: 'email', value: 'Erika@Example.com' },
					{ name: 'account_id', value: seed.accounts.mueller.id },
				],
			},
			options: { assignedTo: 'user:anna', tags: 'customer, new', actingUser: 'anna' },
		});
		const record = created.json as unknown as CrmRecord;
		expect(created.pairedItem).toEqual({ item: 0 });
		expect(record.fields).toMatchObject({ firstname: 'Erika', lastname: 'Mustermann', account_id: seed.accounts.mueller.id });
		expect(record.assignedTo).toEqual({ type: 'user', id: 'anna' });
		expect(record.tags).toEqual(['customer', 'new']);

		const [got] = await run({ resource: 'contact', operation: 'get', recordId: record.id });
		expect((got.json as unknown as CrmRecord).fields.email).toBe('Erika@Example.com');

		const [updated] = await run({
			resource: 'contact',
			operation: 'update',
			recordId: record.id,
			fieldsInputMode: 'json',
			fieldsJson: '{"title": "CFO", "mobile": "+49 171 2"}',
			options: { ifEtag: record.etag },
		});
		expect((updated.json as unknown as CrmRecord).fields).toMatchObject({ title: 'CFO', firstname: 'Erika' });

		const tagged = await run({ resource: 'contact', operation: 'getAll', returnAll: true, filters: { tags: 'new' } });
		expect(tagged.map((i) => i.json.id)).toEqual([record.id]);
		const annas = await run({ resource: 'contact', operation: 'getAll', returnAll: false, limit: 1, filters: { assignedTo: 'user:anna' } });
		expect(annas).toHaveLength(1);

		const [deleted] = await run({ resource: 'contact', operation: 'delete', recordId: record.id, options: {} });
		expect(deleted.json).toEqual({ id: record.id, deleted: true });
		const gone = await runError({ resource: 'contact', operation: 'get', recordId: record.id });
		expect(gone.message).toContain('There is no contact with the ID');
		expect(gone.description).toContain('deleted');
	});

	test('a missing mandatory field fails with the field name; Continue On Fail keeps the other items', async () => {
		const error = await runError({
			resource: 'lead',
			operation: 'create',
			fieldsInputMode: 'json',
			fieldsJson: { lastname: 'Ohne Firma' },
			options: {},
		});
		expect(error.message).toContain('"company"');
		expect(error.description).toContain('company');

		const items = [{ json: { name: 'Good' } }, { json: { name: '' } }, { json: { name: 'Also good' } }];
		const out = await run(
			(i) => ({
				resource: 'contact',
				operation: 'create',
				fieldsInputMode: 'fields',
				recordFields: { field: [{ name: 'lastname', value: items[i].json.name }] },
				options: {},
			}),
			items,
			true,
		);
		expect(out).toHaveLength(3);
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[1].json.error).toContain('lastname');
		expect(out[1].json.description).toBeTruthy();
		expect((out[0].json as unknown as CrmRecord).fields.lastname).toBe('Good');
		expect((out[2].json as unknown as CrmRecord).fields.lastname).toBe('Also good');
	});

	test('a user without write permission is refused (O5)', async () => {
		const error = await runError({
			resource: 'account',
			operation: 'create',
			fieldsInputMode: 'json',
			fieldsJson: '{"accountname": "Ben Consulting"}',
			options: { actingUser: 'ben' },
		});
		expect(error.message).toMatch(/"ben" has no write permission on Accounts/);
		expect(error.description).toContain('administrator');
	});

	test('find by e-mail returns the earliest created record (E10)', async () => {
		await run({
			resource: 'contact',
			operation: 'create',
			fieldsInputMode: 'json',
			fieldsJson: { lastname: 'Later', email: 'MAX.MUELLER@mueller.example' },
			options: {},
		});
		const earliest = await run({ resource: 'contact', operation: 'findByEmail', email: 'max.mueller@MUELLER.example', earliestOnly: true });
		expect(earliest.map((i) => i.json.id)).toEqual([seed.contacts.maxMueller.id]);
		const all = await run({ resource: 'contact', operation: 'findByEmail', email: 'max.mueller@mueller.example', earliestOnly: false });
		expect(all).toHaveLength(2);
		expect(all[0].json.id).toBe(seed.contacts.maxMueller.id);
	});

	test('get changes: changed records, deletions and the next cursor across runs', async () => {
		const [first] = await run({ resource: 'event', operation: 'getChanges', cursor: '', fetchAll: true, pageSize: 100 });
		const cursor1 = first.json.cursor as string;
		expect(first.json.hasMore).toBe(false);

		const [meeting] = await run({
			resource: 'event',
			operation: 'create',
			fieldsInputMode: 'json',
			fieldsJson: { subject: 'Review', date_start: '2026-11-25', time_start: '10:00:00', activitytype: 'Meeting' },
			options: { assignedTo: 'user:anna' },
		});
		const [call] = await run({
			resource: 'event',
			operation: 'create',
			fieldsInputMode: 'json',
			fieldsJson: { subject: 'Call', date_start: '2026-11-25', activitytype: 'Call' },
			options: {},
		});
		await run({ resource: 'event', operation: 'delete', recordId: call.json.id, options: {} });

		const [second] = await run({ resource: 'event', operation: 'getChanges', cursor: cursor1, fetchAll: true, pageSize: 1 });
		expect((second.json.changed as IDataObject[]).map((r) => r.id)).toEqual([meeting.json.id]);
		expect(second.json.deletedIds).toEqual([call.json.id]);
		const [third] = await run({ resource: 'event', operation: 'getChanges', cursor: second.json.cursor, fetchAll: true, pageSize: 100 });
		expect(third.json.changed).toEqual([]);
		expect(third.json.deletedIds).toEqual([]);

		const meetings = await run({ resource: 'event', operation: 'getAll', returnAll: true, filters: { eventType: 'Meeting' } });
		expect(meetings.map((i) => i.json.id)).toEqual([meeting.json.id]);
	});

	test('e-mail: create with a binary attachment and links, once per Message-ID; get with attachments', async () => {
		const items: INodeExecutionData[] = [
			{
				json: {},
				binary: { attachment_0: { data: Buffer.from('hello pdf').toString('base64'), fileName: 'offer.pdf', mimeType: 'application/pdf' } },
			},
		];
		const params = {
			resource: 'email',
			operation: 'create',
			messageId: '<node-test@mail.example>',
			subject: 'Offer',
			from: 'max.mueller@mueller.example',
			to: 'anna@contoso.example, ben@contoso.example',
			options: {
				binaryProperties: 'attachment_0',
				links: { link: [{ module: 'contacts', id: seed.contacts.maxMueller.id }] },
				importedBy: 'anna@contoso.example',
			},
		};
		const [stored] = await run(params, items);
		const email = stored.json as unknown as CrmEmailRecord;
		expect(email.to).toEqual(['anna@contoso.example', 'ben@contoso.example']);
		expect(email.attachments).toMatchObject([{ fileName: 'offer.pdf', contentType: 'application/pdf', size: 9 }]);
		expect(email.links).toEqual([{ module: 'contacts', id: seed.contacts.maxMueller.id }]);

		const [again] = await run(params, items);
		expect(again.json).toMatchObject({ id: email.id, alreadyStored: true });

		const duplicate = await runError({ ...params, options: { ...params.options, skipExisting: false } }, items);
		expect(duplicate.message).toContain('already been imported');

		const [withFiles] = await run({ resource: 'email', operation: 'get', emailId: email.id, downloadAttachments: true });
		expect(Buffer.from(withFiles.binary?.attachment_0.data ?? '', 'base64').toString()).toBe('hello pdf');
		const found = await run({ resource: 'email', operation: 'findByMessageId', messageId: 'node-test@mail.example' });
		expect(found.map((i) => i.json.id)).toEqual([email.id]);
		expect(await run({ resource: 'email', operation: 'findByMessageId', messageId: '<unknown@x>' })).toEqual([]);
	});

	test('sync conflicts: create, list open, resolve', async () => {
		const [conflict] = await run({
			resource: 'conflict',
			operation: 'create',
			module: 'events',
			side: 'exchange',
			reason: 'The end is before the start',
			options: { payload: '{"subject": "Broken"}', mailbox: 'anna@contoso.example' },
		});
		expect(conflict.json).toMatchObject({ module: 'events', resolved: false, payload: { subject: 'Broken' } });
		const open = await run({ resource: 'conflict', operation: 'getAll', status: 'open' });
		expect(open.map((i) => i.json.id)).toContain(conflict.json.id);
		const [resolved] = await run({ resource: 'conflict', operation: 'resolve', conflictId: conflict.json.id });
		expect(resolved.json.resolved).toBe(true);
		const stillOpen = await run({ resource: 'conflict', operation: 'getAll', status: 'open' });
		expect(stillOpen.map((i) => i.json.id)).not.toContain(conflict.json.id);
	});

	test('load options: users, groups, assignees, event types', async () => {
		const ctx = { getCredentials: async () => credentials, getNode: () => NODE } as unknown as ILoadOptionsFunctions;
		const lo = node.methods.loadOptions;
		expect((await lo.getUsers.call(ctx)).map((o) => o.value)).toEqual(['anna', 'ben']);
		expect((await lo.getGroups.call(ctx)).map((o) => o.name)).toEqual(['Sales', 'Support']);
		const assignees = await lo.getAssignees.call(ctx);
		expect(assignees.map((o) => o.value)).toEqual(['user:anna', 'user:ben', 'group:sales', 'group:support']);
		expect(assignees[0].name).toBe('User: Anna Schmidt (anna)');
		expect((await lo.getEventTypes.call(ctx)).map((o) => o.value)).toEqual(['Call', 'Meeting', 'Mobile Call']);
	});

	test('credential test opens or creates the database, and explains a bad path', async () => {
		const test = node.methods.credentialTest.crmApiTest;
		const ctx = {} as ICredentialTestFunctions;
		const fresh = join(dir, 'fresh.sqlite');
		const ok = await test.call(ctx, { id: '1', name: 'CRM', type: 'crmApi', data: { backend: 'embedded', databasePath: fresh } });
		expect(ok.status).toBe('OK');
		const bad = await test.call(ctx, {
			id: '2',
			name: 'CRM',
			type: 'crmApi',
			data: { backend: 'embedded', databasePath: join(dir, 'missing-folder', 'crm.sqlite') },
		});
		expect(bad.status).toBe('Error');
		expect(bad.message).toContain('cannot be opened');
		const empty = await test.call(ctx, { id: '3', name: 'CRM', type: 'crmApi', data: { backend: 'embedded', databasePath: '' } });
		expect(empty.status).toBe('Error');
	});

	test('every operation offered in the UI is executable, and the credential is the one the node asks for', async () => {
		expect(node.description.credentials?.[0].name).toBe(new CrmApi().name);
		const resources = (node.description.properties.find((p) => p.name === 'resource')?.options ?? []) as Array<{ value: string }>;
		const operationParams = node.description.properties.filter((p) => p.name === 'operation') as INodeProperties[];
		for (const { value: resource } of resources) {
			const param = operationParams.find((p) => (p.displayOptions?.show?.resource as string[]).includes(resource));
			expect(param).toBeDefined();
			for (const op of (param?.options ?? []) as Array<{ value: string }>) {
				// An unknown operation fails before touching the CRM; a known one fails on a missing parameter or works.
				const result = await run({ resource, operation: op.value }).then(
					() => 'ran',
					(e: Error) => e.message,
				);
				expect(result).not.toMatch(/is not supported/);
			}
		}
	});
});
