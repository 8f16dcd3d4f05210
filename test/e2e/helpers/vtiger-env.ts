/**
 * The world an end-to-end sync test with the vtiger backend runs in: the Exchange sandbox (Graph over
 * HTTPS) and the vtiger webservice sandbox (sandbox/vtiger, its own loopback port) in this process, a
 * real n8n with our packed package, a CRM credential of backend "vtiger" pointing at the vtiger sandbox,
 * and the templates from workflows/ imported unchanged but for credentials, mailbox and CRM user.
 */
import type { GraphExchangeClient } from '../../../lib/exchange';
import { VtigerCrmBackend } from '../../../lib/crm';
import { startVtigerSandbox, type VtigerSandbox, type VtigerSandboxOptions } from '../../../sandbox/vtiger/server';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';
import { N8nInstance, type N8nRun } from '../harness';
import { ANNA, loadTemplate, prepareTemplate, sandboxGraphClient, sandboxGraphCredential, type TemplateOverrides } from './sync-env';

export { ANNA, report } from './sync-env';

/** The ids prepareTemplate() writes into the templates' credential references. */
const CRM_CREDENTIAL_ID = 'e2eCrmCred000001';
const GRAPH_CREDENTIAL_ID = 'e2eGraphCred0001';

/** vtiger users of the sandbox: the credential's user (an admin, as integrations usually run) and Anna. */
export const VT_ADMIN = { userName: 'admin', accessKey: 'adm1nAccessKey', isAdmin: true, firstName: 'Ada', lastName: 'Admin', email: 'admin@contoso.example' };
export const VT_ANNA = { userName: 'anna', accessKey: 'annaAccessKey', firstName: 'Anna', lastName: 'Schmidt', email: ANNA, groups: ['Team Selling'] };
/** vtiger user ids are "<Users prefix 19>x<number>", in the order the sandbox was given its users. */
export const VT_ADMIN_ID = '19x1';
export const VT_ANNA_ID = '19x2';

export interface VtigerSyncEnv {
	sb: TestSandbox;
	vtiger: VtigerSandbox;
	n8n: N8nInstance;
	/** The test's own view of the CRM: the vtiger backend over HTTP, as the admin. */
	crm: VtigerCrmBackend;
	exchange: GraphExchangeClient;
	/** Warnings the test's backend logged (e.g. the sync → query fallback). */
	warnings: string[];
	importTemplate(file: string, id: string, overrides?: TemplateOverrides): Promise<string>;
	run(id: string): Promise<N8nRun>;
	close(): Promise<void>;
}

export async function startVtigerSyncEnv(options: { flavour?: VtigerSandboxOptions['flavour'] } = {}): Promise<VtigerSyncEnv> {
	const sb = await startTestSandbox();
	const vtiger = await startVtigerSandbox({ flavour: options.flavour ?? 'stock', users: [VT_ADMIN, VT_ANNA] });
	const warnings: string[] = [];
	const crm = new VtigerCrmBackend(
		{ kind: 'vtiger', url: vtiger.url, userName: VT_ADMIN.userName, accessKey: VT_ADMIN.accessKey },
		{ warn: (m) => warnings.push(m) },
	);
	const exchange = sandboxGraphClient(sb, ANNA);
	let n8n: N8nInstance | undefined;
	try {
		n8n = await N8nInstance.create();
		await n8n.importCredentials([
			{
				id: CRM_CREDENTIAL_ID,
				name: 'CRM (e2e vtiger)',
				type: 'crmApi',
				data: { backend: 'vtiger', url: vtiger.url, userName: VT_ADMIN.userName, accessKey: VT_ADMIN.accessKey, partnerModule: 'Vendors' },
			},
				sandboxGraphCredential(sb),
		]);
	} catch (error) {
		exchange.close();
		await n8n?.cleanup();
		await vtiger.close();
		await sb.stop();
		throw error;
	}
	const instance = n8n;
	return {
		sb,
		vtiger,
		n8n: instance,
		crm,
		exchange,
		warnings,
		async importTemplate(file, id, overrides = {}) {
			// The only template change: the mailbox owner's CRM user is a vtiger user id.
			const parameters = { ...overrides.parameters, 'Write to CRM': { crmUserId: VT_ANNA_ID, ...overrides.parameters?.['Write to CRM'] } };
			await instance.importWorkflows([prepareTemplate(loadTemplate(file), id, { ...overrides, parameters })]);
			return id;
		},
		run: (id) => instance.executeOrThrow(id),
		async close() {
			exchange.close();
			await crm.close();
			await instance.cleanup();
			await vtiger.close();
			await sb.stop();
		},
	};
}
