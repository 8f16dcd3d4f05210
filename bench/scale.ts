/**
 * Issue 15's figures: the contacts sync for M mailboxes on n8n's queue mode (PostgreSQL + Redis, one main,
 * W workers; test/e2e/helpers/queue-env.ts), one published copy of the contacts template per mailbox, all
 * scheduled every minute at :00 (the worst case: every mailbox at once). Each mailbox starts with 200
 * contacts (half in the CRM, half in its CRM-Sync folder); the first cycle pairs them, the second reads
 * the first one's writes back (their echo), the third is idle, before the fourth 1 % of each mailbox's
 * contacts change (half in the CRM, half in Outlook). Measured per worker count: cycle times, run time
 * per mailbox, Graph requests per mailbox, static data per mailbox, PostgreSQL size, peak memory of the
 * main and the workers.
 *
 * Options (after `npm run bench -- scale`): --mailboxes=N (default 100), --workers=1,4 (worker counts),
 * --contacts=N per mailbox (default 200).
 */
import { peakRssBytes, type ExecutionRow } from '../test/e2e/harness/queue';
import { startQueueSyncEnv, type QueueSyncEnv } from '../test/e2e/helpers/queue-env';
import { formatValue, type BenchResult } from './run';

interface ScaleOptions {
	mailboxes: number;
	workers: number[];
	contacts: number;
}

function option(name: string): string | undefined {
	const prefix = `--${name}=`;
	return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

function scaleOptions(): ScaleOptions {
	return {
		mailboxes: Number(option('mailboxes') ?? 100),
		workers: (option('workers') ?? '1,4').split(',').map(Number),
		contacts: Number(option('contacts') ?? 200),
	};
}

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

const ms = (at: string | null) => (at ? new Date(at).getTime() : 0);
const runTimes = (rows: ExecutionRow[]) => rows.map((r) => ms(r.stoppedAt) - ms(r.startedAt)).sort((a, b) => a - b);
// From the schedule's start (the main enqueues all M at once) to the last run's end: queue waits included.
const cycleMs = (rows: ExecutionRow[]) => Math.max(...rows.map((r) => ms(r.stoppedAt))) - Math.min(...rows.map((r) => ms(r.createdAt)));
// A cycle of M mailboxes, one worker each at a time in the worst case, has to fit in a few minutes.
const cycleTimeout = (mailboxes: number) => 5 * 60_000 + mailboxes * 5_000;

async function graphTotals(env: QueueSyncEnv): Promise<number> {
	const counters = await env.sb.control.counters();
	return env.users.reduce((sum, u) => sum + (counters[u.mailbox]?.total ?? 0), 0);
}

/** Changes 1 % of each mailbox's contacts: half of them in the CRM, half in Outlook (at least one each). */
async function changeOnePercent(env: QueueSyncEnv, contacts: number, round: number): Promise<void> {
	const each = Math.max(1, Math.round(contacts / 200));
	const crm = await env.crm.list('contacts');
	for (const user of env.users) {
		const own = crm.filter((r) => r.assignedTo?.type === 'user' && r.assignedTo.id === user.crmUserId);
		for (const record of own.slice(0, each)) await env.crm.update('contacts', record.id, { fields: { title: `crm change ${round}` } });
		const store = env.sb.sandbox.store.mailbox(user.mailbox);
		for (const item of store.listItems(user.folderId as string, 'contact').slice(-each)) {
			store.updateItem<'contact'>(item.id, (data) => {
				data.jobTitle = `outlook change ${round}`;
			});
		}
	}
}

async function benchWorkers(options: ScaleOptions, workers: number): Promise<BenchResult[]> {
	const half = Math.floor(options.contacts / 2);
	const setupStarted = Date.now();
	const env = await startQueueSyncEnv({ mailboxes: options.mailboxes, workers, crmContacts: half, outlookContacts: options.contacts - half });
	if (!env) throw new Error('the queue services are switched off (QUEUE_SERVICES=skip)');
	const p = `scale_w${workers}_`;
	try {
		const setupMs = Date.now() - setupStarted;
		const timeout = cycleTimeout(options.mailboxes);
		const first = await env.waitForCycle(new Date(Date.now() - 60_000), env.users, timeout);
		const failedFirst = first.filter((r) => r.status !== 'success').length;
		// The cycle after the pairing reads the pairing's own writes back (its echo): not yet idle.
		await env.waitForCycle(new Date(), env.users, timeout);

		const routesOf = async () => (await env.sb.control.counters())[env.users[0].mailbox]?.byRoute ?? {};
		const routesBefore = await routesOf();
		let before = await graphTotals(env);
		const idle = await env.waitForCycle(new Date(), env.users, timeout);
		const idleRequests = (await graphTotals(env)) - before;
		// What one mailbox's idle run asks Graph, for the request-economy part of the issue.
		const routes = Object.entries(await routesOf()).map(([route, n]) => [route, n - (routesBefore[route] ?? 0)] as const);
		console.error(
			`${p}idle_run_requests_by_route: ${routes
				.filter(([, n]) => n > 0)
				.map(([route, n]) => `${route}=${n}`)
				.join(', ')}`,
		);

		await changeOnePercent(env, options.contacts, 1);
		before = await graphTotals(env);
		const changed = await env.waitForCycle(new Date(), env.users, timeout);
		const changedRequests = (await graphTotals(env)) - before;

		const steady = runTimes([...idle, ...changed]);
		const stored = await env.queue.staticData();
		const stateBytes = env.users.map((u) => stored.get(u.workflowId)?.bytes ?? 0);
		const failed = [...idle, ...changed].filter((r) => r.status !== 'success').length;
		const m = options.mailboxes;
		return [
			{ metric: `${p}setup_s`, value: setupMs / 1000, unit: 's' },
			{ metric: `${p}first_cycle_s`, value: cycleMs(first) / 1000, unit: 's' },
			{ metric: `${p}first_cycle_failed_runs`, value: failedFirst, unit: 'executions' },
			{ metric: `${p}idle_cycle_s`, value: cycleMs(idle) / 1000, unit: 's' },
			{ metric: `${p}changed_cycle_s`, value: cycleMs(changed) / 1000, unit: 's' },
			{ metric: `${p}failed_runs`, value: failed, unit: 'executions' },
			{ metric: `${p}executions_per_minute`, value: (2 * m) / ((cycleMs(idle) + cycleMs(changed)) / 60_000), unit: 'executions/min' },
			{ metric: `${p}run_time_p50_ms`, value: percentile(steady, 50), unit: 'ms' },
			{ metric: `${p}run_time_p95_ms`, value: percentile(steady, 95), unit: 'ms' },
			{ metric: `${p}first_run_time_p50_ms`, value: percentile(runTimes(first), 50), unit: 'ms' },
			{ metric: `${p}graph_requests_per_mailbox_idle_cycle`, value: idleRequests / m, unit: 'requests' },
			{ metric: `${p}graph_requests_per_mailbox_1pct_cycle`, value: changedRequests / m, unit: 'requests' },
			{ metric: `${p}static_data_bytes_per_mailbox_mean`, value: stateBytes.reduce((a, b) => a + b, 0) / m, unit: 'bytes' },
			{ metric: `${p}static_data_bytes_per_mailbox_max`, value: Math.max(...stateBytes), unit: 'bytes' },
			{ metric: `${p}postgres_bytes`, value: await env.queue.db.sizeBytes(), unit: 'bytes' },
			{ metric: `${p}main_peak_rss_mb`, value: peakRssBytes(env.queue.main?.pid) / 2 ** 20, unit: 'MB' },
			{ metric: `${p}worker_peak_rss_mb_max`, value: Math.max(...env.queue.workers.map((w) => peakRssBytes(w.pid))) / 2 ** 20, unit: 'MB' },
		];
	} finally {
		await env.close();
	}
}

export async function benchScale(): Promise<BenchResult[]> {
	process.env.N8N_E2E_SKIP_BUILD = '1';
	const options = scaleOptions();
	const results: BenchResult[] = [
		{ metric: 'scale_mailboxes', value: options.mailboxes, unit: 'mailboxes' },
		{ metric: 'scale_contacts_per_mailbox', value: options.contacts, unit: 'contacts' },
	];
	const cycles = new Map<number, number>();
	for (const workers of options.workers) {
		const figures = await benchWorkers(options, workers);
		results.push(...figures);
		cycles.set(workers, figures.find((f) => f.metric.endsWith('changed_cycle_s'))?.value ?? 0);
		// Each figure as soon as it is known: a run at 1,000 mailboxes takes long.
		for (const f of figures) console.error(`${f.metric}: ${formatValue(f.value)} ${f.unit}`);
	}
	const [fewest, most] = [Math.min(...options.workers), Math.max(...options.workers)];
	if (fewest !== most && cycles.get(most)) {
		results.push({ metric: `scale_speedup_w${most}_over_w${fewest}`, value: (cycles.get(fewest) ?? 0) / (cycles.get(most) ?? 1), unit: 'x' });
	}
	return results;
}
