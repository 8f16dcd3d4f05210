/**
 * Issue 15 in a real `n8n start`: the provisioning template's *Keep One Per User* (our community node with
 * n8n's built-in `n8nApi` credential) keeps one copy of the contacts sync per CRM user through n8n's public
 * API: 3 users → 3 active copies with their mailbox; again → nothing written; a user set inactive → only
 * their copy deactivated; a changed template → the copies updated and re-published, their static data (the
 * sync state) kept.
 */
import { randomUUID } from 'node:crypto';

import type { EmbeddedCrmBackend } from '../../lib/crm';
import { readMarker, type ApiWorkflow, type Json, type WorkflowNode } from '../../lib/provision';
import { waitFor, type N8nServer } from './harness';
import { ANNA, CRM_CREDENTIAL_ID, loadTemplate, startSyncEnv, type SyncEnv } from './helpers/sync-env';

const SETUP_TIMEOUT = 40 * 60_000;
const STEP_TIMEOUT = 3 * 60_000;
const TEMPLATE = 'e2eProvTemplate1';
const PKG = 'n8n-nodes-exchange-crm-sync';
const BEN = 'ben@contoso.example';
const CARA = 'cara@contoso.example';
const HOOK_PATH = 'e2e-provision-now';
const BAD_KEY_PATH = 'e2e-provision-bad-key';

let env: SyncEnv;
let server: N8nServer;
let apiKey: string;
let badKeyWorkflow: string;

interface ApiWorkflowFull extends ApiWorkflow {
	versionId?: string;
	activeVersionId?: string | null;
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
	const res = await fetch(`${server.baseUrl}/api/v1${path}`, {
		method,
		headers: { 'content-type': 'application/json', 'x-n8n-api-key': apiKey },
		...(body !== undefined ? { body: JSON.stringify(body) } : {}),
		signal: AbortSignal.timeout(60_000),
	});
	const text = await res.text();
	if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 1000)}`);
	return JSON.parse(text) as T;
}

const WRITABLE_NODE_FIELDS = ['id', 'name', 'type', 'typeVersion', 'position', 'parameters', 'credentials', 'webhookId', 'disabled', 'alwaysOutputData'];
const writable = (node: WorkflowNode) => Object.fromEntries(Object.entries(node).filter(([k]) => WRITABLE_NODE_FIELDS.includes(k)));

/** PUT of a workflow as GET gave it, with changes (the public API's schema is strict). */
async function put(workflow: ApiWorkflowFull, change: { nodes?: WorkflowNode[]; staticData?: Json }): Promise<void> {
	await api('PUT', `/workflows/${workflow.id}`, {
		name: workflow.name,
		nodes: (change.nodes ?? workflow.nodes).map(writable),
		connections: workflow.connections,
		settings: { executionOrder: 'v1' },
		...(change.staticData ? { staticData: change.staticData } : {}),
	});
}

async function copies(): Promise<Map<string, ApiWorkflowFull>> {
	const list = await api<{ data: ApiWorkflowFull[] }>('GET', '/workflows?limit=100&excludePinnedData=true');
	const byMailbox = new Map<string, ApiWorkflowFull>();
	for (const workflow of list.data) {
		const marker = readMarker(workflow.nodes);
		if (marker?.templateId === TEMPLATE) byMailbox.set(marker.mailbox, await api<ApiWorkflowFull>('GET', `/workflows/${workflow.id}`));
	}
	return byMailbox;
}

/** Runs the provisioning workflow in the server (its webhook answers with Keep One Per User's items). */
async function provision(): Promise<Json[]> {
	const res = await fetch(`${server.baseUrl}/webhook/${HOOK_PATH}`, { method: 'POST', signal: AbortSignal.timeout(120_000) });
	const text = await res.text();
	if (!res.ok) throw new Error(`provisioning run: ${res.status} ${text.slice(0, 2000)}\n${server.log().slice(-3000)}`);
	const items = JSON.parse(text) as Json[];
	return Array.isArray(items) ? items : [items];
}

const actions = (items: Json[]) => Object.fromEntries(items.map((i) => [i.mailbox as string, i.action as string]));
const param = (workflow: ApiWorkflow, nodeName: string, name: string) => workflow.nodes.find((n) => n.name === nodeName)?.parameters?.[name];

beforeAll(async () => {
	env = await startSyncEnv();
	(env.crm as EmbeddedCrmBackend).saveUser({
		id: 'cara',
		userName: 'cara',
		email: CARA,
		firstName: 'Cara',
		lastName: 'Cole',
		active: true,
		groupIds: ['sales'],
	});
	// The copies' schedule is pushed out to New Year so no sync run changes their static data mid-test (with
	// the template's 5 minutes, copies created here do run and write their own mailbox's state).
	await env.importTemplate('contacts-sync.json', TEMPLATE, {
		parameters: { 'Every 5 Minutes': { rule: { interval: [{ field: 'cronExpression', expression: '0 0 0 1 1 *' }] } } },
	});
	server = await env.n8n.startServer();
	await server.setupOwner();

	// An API key as Settings → n8n API creates it, with every scope the owner may give.
	const scopes = await server.rest<string[]>('GET', '/rest/api-keys/scopes');
	const key = await server.rest<{ rawApiKey: string }>('POST', '/rest/api-keys', { label: 'provisioning e2e', scopes: scopes.body, expiresAt: null });
	if (key.status !== 200) throw new Error(`API key: ${key.status} ${JSON.stringify(key.body)}`);
	apiKey = key.body.rawApiKey;
	const credential = await server.rest<{ id: string }>('POST', '/rest/credentials', {
		name: 'n8n API (e2e)',
		type: 'n8nApi',
		data: { apiKey, baseUrl: `${server.baseUrl}/api/v1` },
	});
	if (credential.status !== 200) throw new Error(`n8n API credential: ${credential.status} ${JSON.stringify(credential.body)}`);

	// The provisioning template for contacts only, with a webhook beside Run Now so the test can start it.
	const template = loadTemplate('provision-sync-workflows.json');
	const nodes = (template.nodes as WorkflowNode[])
		.filter((n) => n.type !== `${PKG}.syncWorkflows` || n.name === 'Keep Contacts Sync Per User')
		.map((n) => {
			if (n.name === 'Connected Users') return { ...n, credentials: { crmApi: { id: CRM_CREDENTIAL_ID, name: 'CRM (e2e)' } } };
			if (n.type !== `${PKG}.syncWorkflows`) return n;
			return {
				...n,
				parameters: { ...n.parameters, templateWorkflow: { __rl: true, mode: 'id', value: TEMPLATE } },
				credentials: { n8nApi: { id: credential.body.id, name: 'n8n API (e2e)' } },
			};
		});
	const hook = {
		id: randomUUID(),
		name: 'Provision Now',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [-240, 560],
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path: HOOK_PATH, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
	};
	const badKey = await server.rest<{ id: string }>('POST', '/rest/credentials', {
		name: 'n8n API (wrong key)',
		type: 'n8nApi',
		data: { apiKey: 'not-a-key', baseUrl: `${server.baseUrl}/api/v1` },
	});
	const keep = nodes.find((n) => n.type === `${PKG}.syncWorkflows`) as WorkflowNode;
	const refused = await api<{ id: string }>('POST', '/workflows', {
		name: 'provisioning with a wrong API key',
		nodes: [
			{ ...hook, id: randomUUID(), webhookId: randomUUID(), parameters: { ...hook.parameters, path: BAD_KEY_PATH } },
			writable(nodes.find((n) => n.name === 'Connected Users') as WorkflowNode),
			writable({ ...keep, credentials: { n8nApi: { id: badKey.body.id, name: 'n8n API (wrong key)' } } }),
		],
		connections: {
			'Provision Now': { main: [[{ node: 'Connected Users', type: 'main', index: 0 }]] },
			'Connected Users': { main: [[{ node: keep.name, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	});
	badKeyWorkflow = refused.id;
	await api('POST', `/workflows/${refused.id}/publish`, {});
	const created = await api<{ id: string }>('POST', '/workflows', {
		name: template.name,
		nodes: [...nodes.map(writable), hook],
		connections: {
			'Run Now': { main: [[{ node: 'Connected Users', type: 'main', index: 0 }]] },
			'Provision Now': { main: [[{ node: 'Connected Users', type: 'main', index: 0 }]] },
			'Connected Users': { main: [[{ node: 'Keep Contacts Sync Per User', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	});
	await api('POST', `/workflows/${created.id}/publish`, {});
	// n8n registers the production webhook shortly after the publish call returns.
	await waitFor(
		'the provisioning webhook',
		async () => {
			// Once registered for POST, a GET is told "Did you mean to make a POST request?".
			const probe = await fetch(`${server.baseUrl}/webhook/${HOOK_PATH}`, { signal: AbortSignal.timeout(5_000) });
			return (await probe.text()).includes('POST request') ? true : undefined;
		},
		{
			timeoutMs: 30_000,
			intervalMs: 500,
			context: () => server.log().slice(-3000),
		},
	);
}, SETUP_TIMEOUT);

afterAll(async () => {
	await server?.stop();
	await env?.close();
}, 120_000);

describe('provisioning per-user sync workflows through the public API (issue 15)', () => {
	it(
		'creates and activates one copy per connected user, with their mailbox and CRM user',
		async () => {
			const items = await provision();
			expect(actions(items)).toEqual({ [ANNA]: 'created', [BEN]: 'created', [CARA]: 'created' });
			const byMailbox = await copies();
			expect([...byMailbox.keys()].sort()).toEqual([ANNA, BEN, CARA]);
			const webhookIds = new Set<string>();
			for (const [mailbox, copy] of byMailbox) {
				expect(copy.active).toBe(true);
				expect(copy.name).toBe(`CRM ⇄ Exchange: contacts sync · ${mailbox}`);
				expect(param(copy, 'Sync State', 'mailbox')).toBe(mailbox);
				for (const node of copy.nodes.filter((n) => n.type === `${PKG}.exchange`)) expect(node.parameters?.mailbox).toBe(mailbox);
				expect(param(copy, 'Write to CRM', 'crmUserId')).toBe(mailbox.split('@')[0]);
				expect((param(copy, 'Plan', 'planOptions') as Json).assignedUserId).toBe(mailbox.split('@')[0]);
				expect(copy.nodes.find((n) => n.name === 'Write to CRM')?.credentials).toEqual({ crmApi: { id: CRM_CREDENTIAL_ID, name: 'CRM (e2e)' } });
				const push = copy.nodes.find((n) => n.name === 'On Change in Outlook');
				expect(push?.webhookId).toMatch(/^[0-9a-f-]{36}$/);
				webhookIds.add(push?.webhookId as string);
				// Each copy's sync state: set here as a run would leave it, to see that nothing below loses it.
				await put(copy, { staticData: { node: { state: `state of ${mailbox}` } } });
			}
			expect(webhookIds.size).toBe(3);
		},
		STEP_TIMEOUT,
	);

	it(
		'a second run writes nothing',
		async () => {
			const before = await copies();
			expect(actions(await provision())).toEqual({ [ANNA]: 'unchanged', [BEN]: 'unchanged', [CARA]: 'unchanged' });
			const after = await copies();
			for (const [mailbox, copy] of after) {
				expect(copy.versionId).toBe(before.get(mailbox)?.versionId);
				expect(copy.staticData).toEqual({ node: { state: `state of ${mailbox}` } });
			}
		},
		STEP_TIMEOUT,
	);

	it(
		'a user set inactive in the CRM gets their copy deactivated; the others are untouched',
		async () => {
			(env.crm as EmbeddedCrmBackend).saveUser({
				id: 'cara',
				userName: 'cara',
				email: CARA,
				firstName: 'Cara',
				lastName: 'Cole',
				active: false,
				groupIds: ['sales'],
			});
			const before = await copies();
			expect(actions(await provision())).toEqual({ [ANNA]: 'unchanged', [BEN]: 'unchanged', [CARA]: 'deactivated' });
			const after = await copies();
			expect(after.get(CARA)?.active).toBe(false);
			for (const mailbox of [ANNA, BEN]) {
				expect(after.get(mailbox)?.active).toBe(true);
				expect(after.get(mailbox)?.versionId).toBe(before.get(mailbox)?.versionId);
			}
			for (const [mailbox, copy] of after) expect(copy.staticData).toEqual({ node: { state: `state of ${mailbox}` } });
		},
		STEP_TIMEOUT,
	);

	it(
		'a changed template updates and re-publishes the copies, keeping their static data',
		async () => {
			const template = await api<ApiWorkflowFull>('GET', `/workflows/${TEMPLATE}`);
			await put(template, { nodes: template.nodes.map((n) => (n.name === 'Plan' ? { ...n, parameters: { ...n.parameters, policy: 'crmWins' } } : n)) });
			expect(actions(await provision())).toEqual({ [ANNA]: 'updated', [BEN]: 'updated', [CARA]: 'inactive' });
			const after = await copies();
			for (const mailbox of [ANNA, BEN]) {
				const copy = after.get(mailbox) as ApiWorkflowFull;
				expect(param(copy, 'Plan', 'policy')).toBe('crmWins');
				expect(param(copy, 'Sync State', 'mailbox')).toBe(mailbox);
				expect(copy.active).toBe(true);
				expect(copy.activeVersionId).toBe(copy.versionId);
			}
			expect(after.get(CARA)?.active).toBe(false);
			for (const [mailbox, copy] of after) expect(copy.staticData).toEqual({ node: { state: `state of ${mailbox}` } });
		},
		STEP_TIMEOUT,
	);

	it(
		'a wrong API key stops the run with a message that says so',
		async () => {
			const res = await fetch(`${server.baseUrl}/webhook/${BAD_KEY_PATH}`, { method: 'POST', signal: AbortSignal.timeout(60_000) });
			expect(res.ok).toBe(false);
			const execution = await waitFor(
				'the failed execution',
				async () => {
					const list = await api<{ data: Array<{ id: string; status: string }> }>('GET', `/executions?workflowId=${badKeyWorkflow}&includeData=true`);
					return list.data.find((e) => e.status === 'error');
				},
				{ timeoutMs: 30_000, intervalMs: 1_000 },
			);
			expect(JSON.stringify(execution)).toContain('n8n refused the API key');
		},
		STEP_TIMEOUT,
	);
});
