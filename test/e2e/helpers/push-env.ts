/**
 * A contacts template running the way production runs it: published in a real `n8n start`, its
 * "On Change in Outlook" trigger enabled (Graph change notifications from the sandbox to n8n's real
 * webhook URL on loopback), its "On Change in the CRM" trigger looking every few seconds, and its
 * schedule set to once an hour, so only the two push triggers drive it. Used by the push e2e suite and
 * the latency benchmark.
 */
import { waitFor, type N8nServer, type N8nWorkflow } from '../harness';
import { loadTemplate, prepareTemplate, type SyncEnv } from './sync-env';

export interface SandboxSubscription {
	id: string;
	notificationUrl: string;
}

export interface PushOptions {
	workflowId: string;
	/** The id the editor would give the webhook node; it is part of the notification URL. */
	webhookId: string;
	/** How often the CRM Trigger looks for changes. */
	crmIntervalSeconds?: number;
}

/** The contacts template with both push triggers switched on and the schedule slowed to hourly. */
export function pushTemplate(options: PushOptions): N8nWorkflow {
	const workflow = prepareTemplate(loadTemplate('contacts-sync.json'), options.workflowId, {
		parameters: { 'Every 5 Minutes': { rule: { interval: [{ field: 'hours', hoursInterval: 1 }] } } },
	});
	const nodes = (workflow.nodes as Array<Record<string, unknown>>).map((node) => {
		if (node.name === 'On Change in Outlook') return { ...node, disabled: false, webhookId: options.webhookId };
		if (node.name === 'On Change in the CRM')
			return { ...node, disabled: false, parameters: { ...(node.parameters as object), intervalSeconds: options.crmIntervalSeconds ?? 3 } };
		return node;
	});
	return { ...workflow, nodes } as N8nWorkflow;
}

export async function sandboxSubscriptions(env: SyncEnv): Promise<SandboxSubscription[]> {
	return (await env.sb.control.call<{ subscriptions: SandboxSubscription[] }>('GET', '/subscriptions')).subscriptions;
}

/**
 * Imports and publishes the push template, starts n8n and waits until activation has subscribed to
 * the CRM-Sync contacts folder (the sandbox checked n8n's webhook with the validation handshake first).
 */
export async function startPushServer(env: SyncEnv, options: PushOptions): Promise<N8nServer> {
	// Graph needs an https notification URL; n8n listens on http://127.0.0.1 here.
	await env.sb.control.configure({ requireHttpsNotificationUrl: false });
	await env.n8n.importWorkflows([pushTemplate(options)]);
	await env.n8n.publishWorkflow(options.workflowId);
	const server = await env.n8n.startServer();
	await server.setupOwner();
	await waitFor(
		'the subscription of the activated trigger',
		async () => ((await sandboxSubscriptions(env)).some((s) => s.notificationUrl.includes(options.webhookId)) ? true : undefined),
		{ timeoutMs: 120_000, intervalMs: 1_000, context: () => `n8n said:\n${server.log().slice(-4000)}` },
	);
	return server;
}

/** Executions n8n has stored for a workflow. */
export async function executionCount(server: N8nServer, workflowId: string): Promise<number> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const res = await server.rest<{ count: number }>('GET', `/rest/executions?filter=${filter}&limit=1`);
	if (res.status !== 200) throw new Error(`listing executions failed: ${res.status} ${JSON.stringify(res.body)}`);
	return res.body.count;
}
