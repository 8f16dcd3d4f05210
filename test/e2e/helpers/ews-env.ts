/**
 * The end-to-end world of sync-env (sandbox, seeded CRM file, real n8n with our package), with anna's
 * mailbox reached over EWS: an "Exchange (EWS)" credential (Basic auth) pointing at the sandbox's EWS
 * endpoint, the templates switched to it as a user would (every Exchange node's Authentication →
 * "Exchange Server (EWS)" and its credential; E-mail to Lead's Exchange Connection → "ews"), and an
 * EWS client acting as Outlook. EWS calls are counted by the sandbox per mailbox and operation.
 */
import { EwsExchangeClient } from '../../../lib/exchange/ews/client';
import type { N8nWorkflow } from '../harness';
import { ANNA, loadTemplate, prepareTemplate, startSyncEnv, type SyncEnv, type TemplateOverrides } from './sync-env';

export { ANNA, report } from './sync-env';

export const EWS_CREDENTIAL_ID = 'e2eEwsCredAnna1';
const EWS_CREDENTIAL = { id: EWS_CREDENTIAL_ID, name: 'Exchange EWS (e2e)' };
const PACKAGE = 'n8n-nodes-exchange-crm-sync';
/** Node types whose protocol the `authentication` parameter picks. */
const AUTHENTICATED = new Set([`${PACKAGE}.exchange`, `${PACKAGE}.exchangeTrigger`]);
const EMAIL_TO_LEAD = `${PACKAGE}.emailToLead`;

/** SOAP operations that change a mailbox. */
export const EWS_WRITE_OPERATIONS = [
	'CreateItem',
	'UpdateItem',
	'DeleteItem',
	'MoveItem',
	'CopyItem',
	'CreateFolder',
	'UpdateFolder',
	'DeleteFolder',
	'MoveFolder',
	'EmptyFolder',
	'SendItem',
];

type Json = Record<string, unknown>;

export interface EwsEnv extends Omit<SyncEnv, 'exchange' | 'importTemplate'> {
	/** anna's mailbox over EWS, as Outlook would change it. */
	ews: EwsExchangeClient;
	/** Imports a template switched to the EWS credential, with parameter overrides; returns its id. */
	importTemplate(file: string, id: string, overrides?: TemplateOverrides): Promise<string>;
	/** EWS calls anna's mailbox has answered so far, per operation. */
	ewsCalls(): Promise<Record<string, number>>;
}

/** Graph change notifications have no EWS counterpart yet: an on-premises user deletes that (disabled) trigger. */
const GRAPH_ONLY = new Set(['n8n-nodes-exchange-crm-sync.exchangeNotificationTrigger']);

/** A template as a user switches it to EWS: Authentication / Exchange Connection and the credential. */
export function switchToEws(workflow: N8nWorkflow): N8nWorkflow {
	const graphOnly = (workflow.nodes as Json[]).filter((node) => GRAPH_ONLY.has(node.type as string)).map((node) => node.name as string);
	const connections = Object.fromEntries(Object.entries((workflow.connections ?? {}) as Record<string, Json>).filter(([from]) => !graphOnly.includes(from)));
	const nodes = (workflow.nodes as Json[])
		.filter((node) => !GRAPH_ONLY.has(node.type as string))
		.map((node) => {
			const credentials = node.credentials as Record<string, unknown> | undefined;
			if (!credentials?.microsoftGraphOAuth2Api) return node;
			const { microsoftGraphOAuth2Api: _graph, ...others } = credentials;
			const parameters = { ...(node.parameters as Json) };
			if (AUTHENTICATED.has(node.type as string)) parameters.authentication = 'exchangeEwsApi';
			else if (node.type === EMAIL_TO_LEAD) parameters.exchangeConnection = 'ews';
			else throw new Error(`Node "${String(node.name)}" (${String(node.type)}) uses the Graph credential but has no protocol switch`);
			return { ...node, parameters, credentials: { ...others, exchangeEwsApi: EWS_CREDENTIAL } };
		});
	return { ...workflow, nodes, connections } as N8nWorkflow;
}

export function ewsWrites(before: Record<string, number>, after: Record<string, number>): number {
	return EWS_WRITE_OPERATIONS.reduce((sum, op) => sum + (after[op] ?? 0) - (before[op] ?? 0), 0);
}

/** A real EWS server (Gromox from ../shared/real-servers) for anna, from EWS_URL / EWS_USERNAME / EWS_PASSWORD. */
export interface RealEws {
	url: string;
	username: string;
	password: string;
}

export function realEwsFromEnv(): RealEws | undefined {
	const { EWS_URL: url, EWS_USERNAME: username, EWS_PASSWORD: password } = process.env;
	if (!url || !username || !password || username.toLowerCase() !== ANNA) return undefined;
	return { url, username, password };
}

/** With `real`, anna's mailbox is on that server (the templates' credential and the Outlook client); EWS calls are not counted. */
export async function startEwsEnv(options: { real?: RealEws } = {}): Promise<EwsEnv> {
	const env = await startSyncEnv();
	const { sb } = env;
	const password = options.real?.password ?? sb.users.find((u) => u.address === ANNA)?.password ?? sb.users[0].password;
	const url = options.real?.url ?? sb.ewsUrl;
	const ews = new EwsExchangeClient({ url, auth: { type: 'basic', username: ANNA, password }, mailbox: ANNA });
	const close = async () => {
		ews.service.XHRApi.disconnect();
		await env.close();
	};
	try {
		await env.n8n.importCredentials([
			{
				...EWS_CREDENTIAL,
				type: 'exchangeEwsApi',
				data: { url, authentication: 'basic', username: ANNA, password, mailbox: '', impersonate: false, ca: '', allowSelfSigned: false },
			},
		]);
	} catch (error) {
		await close();
		throw error;
	}
	const { exchange: _graph, importTemplate: _graphImport, ...rest } = env;
	return {
		...rest,
		ews,
		async importTemplate(file, id, overrides) {
			await env.n8n.importWorkflows([switchToEws(prepareTemplate(loadTemplate(file), id, overrides))]);
			return id;
		},
		async ewsCalls() {
			if (options.real) return {};
			const byRoute = (await sb.control.counters())[ANNA]?.byRoute ?? {};
			return Object.fromEntries(
				Object.entries(byRoute)
					.filter(([route]) => route.startsWith('EWS '))
					.map(([route, n]) => [route.slice(4), n]),
			);
		},
		close,
	};
}
