/**
 * A5 for the sync templates: their first Exchange step, Ensure Sync Folders, stops signing in after
 * "Max Failed Sign-Ins" failures in a row, so a wrong password or secret does not lock the account one
 * scheduled run after another. Its count lives in the node's static data (n8n saves it after failed
 * production executions too); a changed credential or a run by hand signs in again. Graph (wrong client
 * secret) and EWS (wrong password) against the sandbox.
 */
import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import { Exchange } from '../../nodes/Exchange/Exchange.node';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';

const ANNA = 'anna@contoso.example';
const NODE: INode = {
	id: 'ensure',
	name: 'Ensure Sync Folders',
	type: 'n8n-nodes-exchange-crm-sync.exchange',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};
const exchange = new Exchange();
type Protocol = 'graph' | 'ews';
const CREDENTIAL_TYPE: Record<Protocol, string> = { graph: 'microsoftGraphOAuth2Api', ews: 'exchangeEwsApi' };

let sb: TestSandbox;
beforeAll(async () => {
	sb = await startTestSandbox();
});
afterAll(async () => {
	await sb.stop();
});

function credential(protocol: Protocol, secret: string): ICredentialDataDecryptedObject {
	if (protocol === 'ews')
		return { url: sb.ewsUrl, authentication: 'basic', username: ANNA, password: secret, mailbox: '', impersonate: false, ca: '', allowSelfSigned: false };
	return {
		grantType: 'clientCredentials',
		tenantId: sb.tenant,
		clientId: sb.clientId,
		clientSecret: secret,
		mailbox: ANNA,
		authorityUrl: sb.authorityUrl,
		graphBaseUrl: sb.authorityUrl,
		useCustomCa: true,
		caCertificate: sb.ca,
	};
}

function ensureFolders(protocol: Protocol, secret: string, staticData: IDataObject, mode = 'trigger'): Promise<INodeExecutionData[][]> {
	const params: Record<string, unknown> = {
		authentication: CREDENTIAL_TYPE[protocol],
		resource: 'folder',
		operation: 'ensureSyncFolders',
		components: ['contact'],
		mailbox: ANNA,
		maxAuthFailures: 2,
	};
	const ctx = {
		getInputData: () => [{ json: {} }],
		getNode: () => NODE,
		getMode: () => mode,
		continueOnFail: () => false,
		getWorkflowStaticData: () => staticData,
		getCredentials: async (type: string) => {
			if (type !== CREDENTIAL_TYPE[protocol]) throw new Error(`unexpected credential ${type}`);
			return credential(protocol, secret);
		},
		getNodeParameter(name: string, _i: number, fallback?: unknown) {
			if (name in params) return params[name];
			if (fallback !== undefined) return fallback;
			throw new Error(`test did not set parameter "${name}"`);
		},
	} as unknown as IExecuteFunctions;
	return exchange.execute.call(ctx) as Promise<INodeExecutionData[][]>;
}

/** Requests the sandbox received (token endpoint, Graph and EWS alike) while `fn` ran. */
async function requestsDuring(fn: () => Promise<unknown>): Promise<number> {
	await sb.control.addFault({ action: { type: 'delay', ms: 0 } });
	try {
		await fn().catch(() => undefined);
		const faults = await sb.control.call<{ rules?: Array<{ hits: number }> } | Array<{ hits: number }>>('GET', '/faults');
		return (Array.isArray(faults) ? faults : (faults.rules ?? []))[0]?.hits ?? 0;
	} finally {
		await sb.control.clearFaults();
	}
}

const goodSecret = (protocol: Protocol) => (protocol === 'ews' ? sb.users[0].password : sb.clientSecret);

describe.each(['graph', 'ews'] as const)('%s', (protocol) => {
	it('after 2 failed sign-ins the mailbox is paused: no sign-in is tried, the error says what to do; a fixed credential resumes', async () => {
		await sb.control.reset();
		const staticData: IDataObject = {};
		await expect(ensureFolders(protocol, 'wrong', staticData)).rejects.toThrow();
		await expect(ensureFolders(protocol, 'wrong', staticData)).rejects.toThrow(/paused after 2 failed sign-ins/);
		const paused = ensureFolders(protocol, 'wrong', staticData);
		await expect(paused).rejects.toMatchObject({ description: expect.stringContaining('credential is changed') });
		expect(await requestsDuring(() => ensureFolders(protocol, 'wrong', staticData))).toBe(0);
		expect((staticData.signIn as Record<string, { failures: number; pausedAt?: string }>)[ANNA]).toMatchObject({ failures: 2, pausedAt: expect.any(String) });

		const [[folders]] = await ensureFolders(protocol, goodSecret(protocol), staticData);
		expect(folders.json).toMatchObject({ contact: expect.any(String) });
		expect(staticData.signIn).toEqual({});
	});

	it('a run by hand signs in despite the pause and leaves the count alone; a success in between resets it', async () => {
		await sb.control.reset();
		const staticData: IDataObject = {};
		await expect(ensureFolders(protocol, 'wrong', staticData)).rejects.toThrow();
		await ensureFolders(protocol, goodSecret(protocol), staticData);
		await expect(ensureFolders(protocol, 'wrong', staticData)).rejects.toThrow();
		// One failure since the success: not paused yet.
		expect((staticData.signIn as Record<string, { failures: number; pausedAt?: string }>)[ANNA]).toEqual(expect.objectContaining({ failures: 1 }));
		await expect(ensureFolders(protocol, 'wrong', staticData)).rejects.toThrow(/paused/);
		expect(await requestsDuring(() => ensureFolders(protocol, 'wrong', staticData, 'manual'))).toBeGreaterThan(0);
		expect((staticData.signIn as Record<string, { failures: number }>)[ANNA].failures).toBe(2);
	});
});
