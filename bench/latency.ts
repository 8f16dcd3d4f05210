/**
 * Issue 14's figures: how long a change takes to cross, with the contacts template activated in a real
 * `n8n start` and driven only by its push triggers (Graph change notifications to n8n's webhook, the
 * CRM Trigger looking every 3 s; the schedule is hourly). After a first run has paired the CRM's contacts
 * and CHANGES contacts created in Outlook, every contact is edited once in Outlook — one edit every
 * SPACING_MS, as a user at work would — and then once in the CRM; each edit's latency is the time until
 * its value is seen on the other side. Outlook is read and written through the sandbox's store (what
 * Outlook itself does), so every Graph request counted is one n8n made.
 */
import type { ContactData } from '../sandbox/store/types';
import { waitFor } from '../test/e2e/harness';
import { executionCount, startPushServer } from '../test/e2e/helpers/push-env';
import { ANNA, startSyncEnv, type SyncEnv } from '../test/e2e/helpers/sync-env';
import type { BenchResult } from './run';

const CHANGES = 50;
const SPACING_MS = 1_000;
const WORKFLOW = 'benchLatencyPush';
const WEBHOOK_ID = '0c4a1f7e-2b3d-4e5f-8a9b-1c2d3e4f5a6b';

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function graphRequests(env: SyncEnv): Promise<number> {
	return (await env.sb.control.counters())[ANNA]?.total ?? 0;
}

/**
 * Makes one edit every SPACING_MS and polls `arrived` every 200 ms for each pending one; resolves with
 * every edit's latency in ms. An edit that has not arrived after two minutes fails the bench.
 */
async function measure(count: number, edit: (i: number) => Promise<void>, arrived: () => Promise<Set<number>>): Promise<number[]> {
	const editedAt = new Map<number, number>();
	const latencies = new Map<number, number>();
	let next = 0;
	const deadline = () => Date.now() > Math.max(...editedAt.values(), Date.now()) + 120_000;
	let lastEdit = 0;
	while (latencies.size < count) {
		if (next < count && Date.now() - lastEdit >= SPACING_MS) {
			lastEdit = Date.now();
			await edit(next);
			editedAt.set(next, lastEdit);
			next++;
		}
		const seen = await arrived();
		for (const [i, at] of editedAt) if (!latencies.has(i) && seen.has(i)) latencies.set(i, Date.now() - at);
		if (next >= count && deadline()) throw new Error(`${count - latencies.size} of ${count} changes did not arrive within 2 minutes`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	return [...latencies.values()].sort((a, b) => a - b);
}

export async function benchLatency(): Promise<BenchResult[]> {
	process.env.N8N_E2E_SKIP_BUILD = '1';
	const env = await startSyncEnv();
	let server: Awaited<ReturnType<typeof startPushServer>> | undefined;
	try {
		const folderId = (await env.exchange.ensureSyncFolders({ components: ['contact'] })).contact as string;
		const mailbox = env.sb.sandbox.store.mailbox(ANNA);
		const outlookContacts = () => mailbox.listItems(folderId, 'contact').map((item) => item.data as ContactData);
		server = await startPushServer(env, { workflowId: WORKFLOW, webhookId: WEBHOOK_ID });
		// Created after activation, so their notifications start the first run.
		for (let i = 0; i < CHANGES; i++) mailbox.createItem(folderId, 'contact', { givenName: 'Latenz', surname: `Nr ${i}`, jobTitle: 'start' });
		const crmLatenz = async () => (await env.crm.list('contacts')).filter((r) => r.fields.firstname === 'Latenz');
		await waitFor('the first run: every Outlook contact in the CRM', async () => ((await crmLatenz()).length === CHANGES ? true : undefined), {
			timeoutMs: 5 * 60_000,
			intervalMs: 1_000,
		});
		const crmCount = (await env.crm.list('contacts')).length;
		await waitFor('the first run: every CRM contact in Outlook', async () => (outlookContacts().length === crmCount ? true : undefined), {
			timeoutMs: 5 * 60_000,
			intervalMs: 1_000,
		});
		await new Promise((resolve) => setTimeout(resolve, 15_000));

		const idsByNumber = new Map(mailbox.listItems(folderId, 'contact').map((item) => [(item.data as ContactData).surname ?? '', item.id]));
		const executionsBefore = await executionCount(server, WORKFLOW);
		let requestsBefore = await graphRequests(env);
		const toCrm = await measure(
			CHANGES,
			async (i) => {
				mailbox.updateItem<'contact'>(idsByNumber.get(`Nr ${i}`) as string, (data) => {
					data.jobTitle = `outlook ${i}`;
				});
			},
			async () =>
				new Set(
					(await crmLatenz())
						.filter((r) => r.fields.title === `outlook ${String(r.fields.lastname).slice(3)}`)
						.map((r) => Number(String(r.fields.lastname).slice(3))),
				),
		);
		await new Promise((resolve) => setTimeout(resolve, 15_000));
		const toCrmRequests = (await graphRequests(env)) - requestsBefore;
		const toCrmExecutions = (await executionCount(server, WORKFLOW)) - executionsBefore;

		const crmIds = new Map((await crmLatenz()).map((r) => [String(r.fields.lastname), r.id]));
		requestsBefore = await graphRequests(env);
		const toExchange = await measure(
			CHANGES,
			async (i) => {
				await env.crm.update('contacts', crmIds.get(`Nr ${i}`) as string, { fields: { title: `crm ${i}` } });
			},
			async () =>
				new Set(
					outlookContacts()
						.filter((c) => c.jobTitle === `crm ${(c.surname ?? '').slice(3)}`)
						.map((c) => Number((c.surname ?? '').slice(3))),
				),
		);
		await new Promise((resolve) => setTimeout(resolve, 15_000));
		const toExchangeRequests = (await graphRequests(env)) - requestsBefore;
		const executions = (await executionCount(server, WORKFLOW)) - executionsBefore;

		return [
			{ metric: 'latency_exchange_to_crm_p50_ms', value: percentile(toCrm, 50), unit: 'ms' },
			{ metric: 'latency_exchange_to_crm_p95_ms', value: percentile(toCrm, 95), unit: 'ms' },
			{ metric: 'latency_exchange_to_crm_max_ms', value: toCrm[toCrm.length - 1], unit: 'ms' },
			{ metric: 'latency_crm_to_exchange_p50_ms', value: percentile(toExchange, 50), unit: 'ms' },
			{ metric: 'latency_crm_to_exchange_p95_ms', value: percentile(toExchange, 95), unit: 'ms' },
			{ metric: 'latency_crm_to_exchange_max_ms', value: toExchange[toExchange.length - 1], unit: 'ms' },
			{ metric: 'latency_changes_each_way', value: CHANGES, unit: 'changes' },
			{ metric: 'latency_graph_requests_per_change_exchange_to_crm', value: toCrmRequests / CHANGES, unit: 'requests' },
			{ metric: 'latency_graph_requests_per_change_crm_to_exchange', value: toExchangeRequests / CHANGES, unit: 'requests' },
			{ metric: 'latency_executions_exchange_to_crm', value: toCrmExecutions, unit: 'executions' },
			{ metric: 'latency_executions_both_ways', value: executions, unit: 'executions' },
		];
	} finally {
		await server?.stop();
		await env.close();
	}
}
