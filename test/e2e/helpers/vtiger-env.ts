/**
 * The world an end-to-end sync test with the vtiger backend runs in: the Exchange sandbox (Graph over
 * HTTPS) and the vtiger webservice sandbox (sandbox/vtiger, its own loopback port) in this process, a
 * real n8n with our packed package, a CRM credential of backend "vtiger" pointing at the vtiger sandbox,
 * and the templates from workflows/ imported unchanged but for credentials, mailbox and CRM user.
 */
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { GraphExchangeClient } from '../../../lib/exchange';
import { VtigerCrmBackend, type CrmModule } from '../../../lib/crm';
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

/** A real vtiger to run against instead of the sandbox (VTIGER_URL, VTIGER_USERNAME, VTIGER_ACCESS_KEY). */
export interface RealVtiger {
	url: string;
	userName: string;
	accessKey: string;
}

export function realVtigerFromEnv(): RealVtiger | undefined {
	const { VTIGER_URL: url, VTIGER_USERNAME: userName, VTIGER_ACCESS_KEY: accessKey } = process.env;
	return url && userName && accessKey ? { url, userName, accessKey } : undefined;
}

/** The vtiger the env talks to: its URL, the webservice operations served so far, and how to stop it. */
export type VtigerEndpoint = Pick<VtigerSandbox, 'url' | 'requestCounts' | 'close'>;

export interface VtigerSyncEnv {
	sb: TestSandbox;
	vtiger: VtigerEndpoint;
	/** The CRM user the templates assign new records to (Anna in the sandbox; the credential's user on a real vtiger). */
	crmUserId: string;
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

async function readAll(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** A loopback proxy in front of a real vtiger that counts the webservice operations, as the sandbox does. */
async function countingProxy(target: string): Promise<VtigerEndpoint> {
	const base = new URL(target.replace(/\/+$/, '').replace(/\/webservice\.php$/, '') + '/webservice.php');
	const requestCounts: Record<string, number> = {};
	const server = createServer((req, res) => {
		void (async () => {
			const body = await readAll(req);
			const url = new URL(req.url ?? '/', 'http://127.0.0.1');
			const params =
				req.method === 'POST' && !/multipart/i.test(req.headers['content-type'] ?? '') ? new URLSearchParams(body.toString('utf8')) : url.searchParams;
			const operation = params.get('operation') ?? url.searchParams.get('operation') ?? '';
			requestCounts[operation] = (requestCounts[operation] ?? 0) + 1;
			const forward = request(
				new URL(`${base.pathname}${url.search}`, base),
				{ method: req.method, headers: { ...req.headers, host: base.host } },
				(answer) => {
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(res);
				},
			);
			forward.on('error', () => res.writeHead(502).end());
			forward.end(body);
		})();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requestCounts,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

const REAL_MODULES: CrmModule[] = ['contacts', 'accounts', 'events', 'tasks'];

export async function startVtigerSyncEnv(options: { flavour?: VtigerSandboxOptions['flavour']; real?: RealVtiger } = {}): Promise<VtigerSyncEnv> {
	const sb = await startTestSandbox();
	const real = options.real;
	const vtiger: VtigerEndpoint = real
		? await countingProxy(real.url)
		: await startVtigerSandbox({ flavour: options.flavour ?? 'stock', users: [VT_ADMIN, VT_ANNA] });
	const login = real ? { userName: real.userName, accessKey: real.accessKey } : { userName: VT_ADMIN.userName, accessKey: VT_ADMIN.accessKey };
	const warnings: string[] = [];
	const crm = new VtigerCrmBackend({ kind: 'vtiger', url: vtiger.url, ...login }, { warn: (m) => warnings.push(m) });
	// A real vtiger is shared: remember what was there, so close() removes exactly what the test added.
	const existing = new Set<string>();
	if (real) for (const module of REAL_MODULES) for (const r of await crm.list(module)) existing.add(r.id);
	const crmUserId = real ? ((await crm.listUsers()).find((u) => u.userName === real.userName)?.id ?? VT_ADMIN_ID) : VT_ANNA_ID;
	const exchange = sandboxGraphClient(sb, ANNA);
	let n8n: N8nInstance | undefined;
	try {
		n8n = await N8nInstance.create();
		await n8n.importCredentials([
			{
				id: CRM_CREDENTIAL_ID,
				name: 'CRM (e2e vtiger)',
				type: 'crmApi',
				data: { backend: 'vtiger', url: vtiger.url, ...login, partnerModule: 'Vendors' },
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
		crmUserId,
		n8n: instance,
		crm,
		exchange,
		warnings,
		async importTemplate(file, id, overrides = {}) {
			// The only template change: the mailbox owner's CRM user is a vtiger user id.
			const parameters = { ...overrides.parameters, 'Write to CRM': { crmUserId, ...overrides.parameters?.['Write to CRM'] } };
			await instance.importWorkflows([prepareTemplate(loadTemplate(file), id, { ...overrides, parameters })]);
			return id;
		},
		run: (id) => instance.executeOrThrow(id),
		async close() {
			exchange.close();
			if (real) {
				for (const module of REAL_MODULES) {
					for (const r of await crm.list(module)) if (!existing.has(r.id)) await crm.delete(module, r.id).catch(() => undefined);
				}
			}
			await crm.close();
			await instance.cleanup();
			await vtiger.close();
			await sb.stop();
		},
	};
}
