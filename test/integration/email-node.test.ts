/** The E-mail to Lead node through n8n's execute interface, on a real SQLite CRM, raw messages as binary data. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { EmbeddedCrmBackend } from '../../lib/crm';
import { closeSharedCrmBackends } from '../../nodes/Crm/transport/backend';
import { EmailToLead } from '../../nodes/EmailToLead/EmailToLead.node';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/emails');
const NODE: INode = {
	id: 'email-to-lead-test',
	name: 'E-mail to Lead',
	type: 'n8n-nodes-exchange-crm-sync.emailToLead',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

type Params = Record<string, unknown>;

function emlItem(file: string, json: IDataObject = {}): INodeExecutionData {
	const content = readFileSync(path.join(FIXTURES, file));
	return { json, binary: { data: { data: content.toString('base64'), mimeType: 'message/rfc822', fileName: path.basename(file) } } };
}

/** A minimal IExecuteFunctions: parameters, credentials, binary data, continueOnFail. */
function executeContext(credentials: ICredentialDataDecryptedObject, params: Params, items: INodeExecutionData[], continueOnFail: boolean): IExecuteFunctions {
	const context = {
		getInputData: () => items,
		getNode: () => NODE,
		continueOnFail: () => continueOnFail,
		getCredentials: async (type: string) => {
			if (type !== 'crmApi') throw new Error(`no credential ${type} in this test`);
			return credentials;
		},
		getNodeParameter(name: string, _itemIndex: number, fallback?: unknown) {
			if (name in params) return params[name];
			if (fallback !== undefined) return fallback;
			throw new Error(`test did not set parameter "${name}"`);
		},
		helpers: {
			async getBinaryDataBuffer(itemIndex: number, property: string) {
				return Buffer.from(items[itemIndex].binary?.[property]?.data ?? '', 'base64');
			},
		},
	};
	return context as unknown as IExecuteFunctions;
}

describe('E-mail to Lead node', () => {
	let dir: string;
	let credentials: ICredentialDataDecryptedObject;
	const node = new EmailToLead();
	const base: Params = {
		exchangeConnection: 'none',
		operation: 'import',
		source: 'syncFolders',
		folder: 'syncRoot',
		messageId: '',
		internetMessageId: '',
		senderAddress: '',
		previousFolderId: '',
		binaryPropertyName: 'data',
	};

	beforeEach(async () => {
		dir = mkdtempSync(path.join(tmpdir(), 'email-node-'));
		const databasePath = path.join(dir, 'crm.sqlite');
		const crm = EmbeddedCrmBackend.open(databasePath);
		crm.saveUser({ id: 'u7', userName: 'ems', email: 'ems365sync@xink.io', active: true });
		await crm.create('contacts', { fields: { lastname: 'Tester', email: 'rrtest1@xink.io' } });
		await crm.close();
		credentials = { backend: 'embedded', databasePath };
	});
	afterEach(async () => {
		await closeSharedCrmBackends();
		rmSync(dir, { recursive: true, force: true });
	});

	const run = async (params: Params, items: INodeExecutionData[], continueOnFail = false) =>
		(await node.execute.call(executeContext(credentials, { ...base, ...params }, items, continueOnFail)))[0];

	it('turns each message into one item; malformed and encrypted mail do not stop the others', async () => {
		const items = [
			emlItem('structure/mimekit__ukr.eml'),
			emlItem('malformed/stalwart__000.eml'),
			emlItem('encrypted-signed/thunderbird__alice.env.eml'),
			emlItem('structure/mimekit__ukr.eml'),
		];
		const out = await run({ options: { ownerAddresses: 'ems365sync@xink.io', noMatch: 'createLead' } }, items, true);
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(out[0].json).toMatchObject({
			status: 'imported',
			messageId: '<AM0PR0702MB3522C04E8C4950FA9976EC23E12B0@AM0PR0702MB3522.eurprd07.prod.outlook.com>',
			from: 'rrtest1@xink.io',
			links: [{ module: 'contacts', address: 'rrtest1@xink.io' }],
			createdLeads: [],
			ignored: ['ems365sync@xink.io'],
			attachmentCount: 1,
			move: null,
		});
		expect(out[1].json).toMatchObject({
			status: 'error',
			error: expect.stringMatching(/^The e-mail could not be read: .*NUL bytes/),
			description: expect.stringMatching(/not valid MIME/),
		});
		expect(out[2].json).toMatchObject({ status: 'refused-encrypted', reason: expect.stringMatching(/S\/MIME encrypted/) });
		expect(out[3].json).toMatchObject({ status: 'duplicate', crmEmailId: out[0].json.crmEmailId });

		const crm = EmbeddedCrmBackend.open(String(credentials.databasePath));
		try {
			const stored = await crm.getEmail(String(out[0].json.crmEmailId));
			expect(stored?.assignedTo).toEqual({ type: 'user', id: 'u7' });
			expect(await crm.list('emails')).toHaveLength(1);
		} finally {
			await crm.close();
		}
	});

	it('without Continue On Fail, a malformed message stops with a clear item error', async () => {
		const items = [emlItem('structure/mailparser__mixed.eml'), emlItem('malformed/stalwart__000.eml')];
		let thrown: unknown;
		try {
			await run({ options: {} }, items);
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(NodeOperationError);
		const error = thrown as NodeOperationError;
		expect(error.message).toMatch(/could not be read/);
		expect(error.description).toMatch(/not valid MIME/);
		expect((error.context as { itemIndex?: number }).itemIndex).toBe(1);
	});

	it('applies blacklist and lead options from the node parameters', async () => {
		const out = await run({ folder: 'leads', options: { blacklist: 'INBUCKET, @nowhere.example', noMatch: 'createLead' } }, [
			emlItem('encodings/enmime__qp-utf8-header.eml'),
		]);
		expect(out[0].json.ignored).toEqual(['marczak@inbucket.com']);
		expect((out[0].json.createdLeads as IDataObject[]).map((lead) => lead.address)).toEqual(['jamehi03@jamehi03lx.noa.com', 'pirard@vm1.ulg.ac.be']);
		const second = await run({ options: { noMatch: 'createLead', leadLastName: 'displayName', leadCompany: 'domainWithoutTld' } }, [
			emlItem('encodings/mail__raw_email_double_at_in_header.eml'),
		]);
		expect(second[0].json.ignored).toEqual([]);
		expect(second[0].json.createdLeads).toEqual([
			expect.objectContaining({ address: 'jamis@37signals.com', lastName: 'Jamis Buck', company: '37signals' }),
			expect.objectContaining({ address: 'willard15georgina@jamis.backpackit.com', company: 'jamis.backpackit' }),
		]);
	});

	it('takes the CRM-Sync folder from the Exchange Trigger output (E1: Accounts searches only accounts)', async () => {
		const out = await run({ folder: 'detect', syncFolder: 'accounts', folderId: 'AAMkAccounts', options: {} }, [emlItem('structure/mimekit__ukr.eml')]);
		expect(out[0].json).toMatchObject({ status: 'imported', links: [], unmatched: ['rrtest1@xink.io', 'ems365sync@xink.io'] });
	});

	it('asks for the folder when it cannot be detected without an Exchange connection', async () => {
		const out = await run({ folder: 'detect', syncFolder: '', folderId: 'AAMkSomeFolder', options: {} }, [emlItem('structure/mailparser__mixed.eml')], true);
		expect(out[0].json.error).toMatch(/cannot be detected without an Exchange connection/);
		expect(out[0].json.description).toMatch(/Choose the folder/);
	});
});

describe('workflows/email-import.json', () => {
	const template = JSON.parse(readFileSync(path.resolve(__dirname, '../../workflows/email-import.json'), 'utf8')) as {
		nodes: Array<{ name: string; type: string; parameters: Record<string, unknown>; credentials?: Record<string, { name: string }> }>;
		connections: Record<string, { main: Array<Array<{ node: string }>> }>;
	};

	it('wires Exchange Trigger → E-mail to Lead with parameters the node knows and no secrets', () => {
		const emailNode = template.nodes.find((n) => n.type === 'n8n-nodes-exchange-crm-sync.emailToLead')!;
		expect(template.connections['Exchange Trigger'].main[0][0].node).toBe(emailNode.name);
		// Run Now feeds the same node: it reads the CRM-Sync folders itself; no Code node (issue 16).
		expect(template.connections['Run Now'].main[0][0].node).toBe(emailNode.name);
		expect(template.nodes.map((n) => n.type)).not.toContain('n8n-nodes-base.code');
		const known = new Set(new EmailToLead().description.properties.map((p) => p.name));
		for (const name of Object.keys(emailNode.parameters)) expect(known).toContain(name);
		expect(Object.keys(emailNode.credentials ?? {}).sort()).toEqual(['crmApi', 'microsoftGraphOAuth2Api']);
		expect(JSON.stringify(template)).not.toMatch(/secret|password|access_?token|refresh_?token/i);
	});
});
