/**
 * The world an end-to-end sync test runs in: the sandbox (Graph over HTTPS) in this process, an
 * embedded CRM database file shared with the n8n child process, a real n8n with our packed package,
 * credentials pointing at both, and the templates from workflows/ imported with those credentials.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { createCrmBackend, seedDemoCrm, type CrmBackend, type EmbeddedCrmBackend } from '../../../lib/crm';
import { ClientCredentialsTokenProvider, GraphExchangeClient, HttpTransport } from '../../../lib/exchange';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';
import { N8nInstance, nodeOutput, REPO_DIR, type N8nCredential, type N8nRun, type N8nWorkflow } from '../harness';

export const ANNA = 'anna@contoso.example';
export const CRM_CREDENTIAL_ID = 'e2eCrmCred000001';
export const GRAPH_CREDENTIAL_ID = 'e2eGraphCred0001';

type Json = Record<string, unknown>;

export interface SyncEnv {
	sb: TestSandbox;
	n8n: N8nInstance;
	crm: CrmBackend;
	exchange: GraphExchangeClient;
	dbPath: string;
	dir: string;
	/** Imports a template with our credentials and parameter overrides; returns its workflow id. */
	importTemplate(file: string, id: string, overrides?: TemplateOverrides): Promise<string>;
	run(id: string): Promise<N8nRun>;
	close(): Promise<void>;
}

export interface TemplateOverrides {
	/** Per node name: parameters merged into the node's parameters. */
	parameters?: Record<string, Json>;
	staticData?: unknown;
}

export function loadTemplate(file: string): N8nWorkflow {
	return JSON.parse(readFileSync(path.join(REPO_DIR, 'workflows', file), 'utf8')) as N8nWorkflow;
}

/** Template → importable workflow: our credential ids, the mailbox, the owner, and any overrides. */
export function prepareTemplate(template: N8nWorkflow, id: string, overrides: TemplateOverrides = {}): N8nWorkflow {
	const nodes = (template.nodes as Json[]).map((node) => {
		const copy = JSON.parse(JSON.stringify(node)) as Json;
		const credentials = copy.credentials as Record<string, Json> | undefined;
		if (credentials?.crmApi) credentials.crmApi = { id: CRM_CREDENTIAL_ID, name: 'CRM (e2e)' };
		if (credentials?.microsoftGraphOAuth2Api) credentials.microsoftGraphOAuth2Api = { id: GRAPH_CREDENTIAL_ID, name: 'Graph (e2e)' };
		const parameters = (copy.parameters ?? {}) as Json;
		// The templates' placeholders; per-user templates take these from their user list instead.
		if (parameters.mailbox === 'me') parameters.mailbox = ANNA;
		if (parameters.crmUserId === '') parameters.crmUserId = 'anna';
		Object.assign(parameters, overrides.parameters?.[copy.name as string] ?? {});
		copy.parameters = parameters;
		return copy;
	});
	return { ...template, id, nodes, ...(overrides.staticData ? { staticData: overrides.staticData } : {}) } as N8nWorkflow;
}

/** A Graph client acting on a sandbox mailbox the way Outlook would (app-only, trusting the sandbox CA). */
export function sandboxGraphClient(sb: TestSandbox, mailbox: string): GraphExchangeClient {
	const transport = new HttpTransport({ ca: sb.ca });
	return new GraphExchangeClient({
		protocol: 'graph',
		baseUrl: sb.authorityUrl,
		mailbox,
		tokens: new ClientCredentialsTokenProvider(
			{ authorityUrl: sb.authorityUrl, tenantId: sb.tenant, clientId: sb.clientId, clientSecret: sb.clientSecret },
			transport,
		),
		transport,
	});
}

/** The n8n credential for the sandbox's Graph: app-only, with the sandbox CA trusted. */
export function sandboxGraphCredential(sb: TestSandbox, mailbox = ANNA, id = GRAPH_CREDENTIAL_ID, name = 'Graph (e2e)'): N8nCredential {
	return {
		id,
		name,
		type: 'microsoftGraphOAuth2Api',
		data: {
			grantType: 'clientCredentials',
			tenantId: sb.tenant,
			clientId: sb.clientId,
			clientSecret: sb.clientSecret,
			mailbox,
			authorityUrl: sb.authorityUrl,
			graphBaseUrl: sb.authorityUrl,
			useCustomCa: true,
			caCertificate: sb.ca,
		},
	};
}

export async function startSyncEnv(): Promise<SyncEnv> {
	const dir = await mkdtemp(path.join(tmpdir(), 'sync-e2e-'));
	const dbPath = path.join(dir, 'crm.sqlite');
	const sb = await startTestSandbox();
	const crm = await createCrmBackend({ kind: 'embedded', databasePath: dbPath });
	await seedDemoCrm(crm as EmbeddedCrmBackend);
	const exchange = sandboxGraphClient(sb, ANNA);
	const n8n = await N8nInstance.create();
	await n8n.importCredentials([
		{ id: CRM_CREDENTIAL_ID, name: 'CRM (e2e)', type: 'crmApi', data: { backend: 'embedded', databasePath: dbPath } },
		sandboxGraphCredential(sb),
	]);
	return {
		sb,
		n8n,
		crm,
		exchange,
		dbPath,
		dir,
		async importTemplate(file, id, overrides) {
			await n8n.importWorkflows([prepareTemplate(loadTemplate(file), id, overrides)]);
			return id;
		},
		run: (id) => n8n.executeOrThrow(id),
		async close() {
			exchange.close();
			await crm.close();
			await n8n.cleanup();
			await sb.stop();
			await rm(dir, { recursive: true, force: true });
		},
	};
}

/** The Commit step's report of a run. */
export function report(run: N8nRun): Json {
	const [first] = nodeOutput(run, 'Commit', 0);
	if (!first) throw new Error('The run has no Commit report');
	return first;
}
