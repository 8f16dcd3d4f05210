/**
 * Issue 15 on n8n's own queue mode: PostgreSQL + Redis, an n8n main (EXECUTIONS_MODE=queue) and two
 * `n8n worker`s, one published copy of the contacts template per mailbox (4 mailboxes) and one for a
 * mailbox the tenant does not have, driven by their schedules (every minute). The main only enqueues; the
 * workers run every execution, several at once, and each copy keeps only its own mailbox's state.
 *
 * What the assertions rely on, in n8n 2.40.7 (dist/ of the installed n8n; src/ paths of n8n-io/n8n):
 * - a trigger's execution is started with loadStaticData = true (workflows/workflow-execution.service.ts,
 *   runWorkflow → WorkflowRunner.run(runData, true)); the main reads the workflow's static data from the
 *   database (WorkflowRunner.prepareNewExecution → WorkflowStaticDataService.getStaticDataById) into the
 *   execution it stores, and enqueues it (WorkflowRunner.enqueueExecution);
 * - the worker runs it with that static data (scaling/job-processor.ts, processJob: "Worker started
 *   execution N", which the harness reads to know where each execution ran) and, when it changed, saves
 *   it by workflow id after the run, success or not (execution-lifecycle/execution-lifecycle-hooks.ts,
 *   hookFunctionsSaveWorker → saveStaticDataById: an UPDATE of that one workflow_entity row).
 * So two workflows never write each other's state; one workflow's runs are serialised by Sync State's lease.
 */
import type { ExecutionRow } from './harness/queue';
import { startQueueSyncEnv, type MailboxUser, type QueueSyncEnv } from './helpers/queue-env';

const SETUP_TIMEOUT = 40 * 60_000;
const CYCLE_TIMEOUT = 150_000;
const MAILBOXES = 4;

let env: QueueSyncEnv | undefined;

const crmContactsOf = async (user: MailboxUser) =>
	(await env!.crm.list('contacts')).filter((r) => r.assignedTo?.type === 'user' && r.assignedTo.id === user.crmUserId);
const overlaps = (a: ExecutionRow, b: ExecutionRow) => new Date(a.startedAt!) < new Date(b.stoppedAt!) && new Date(b.startedAt!) < new Date(a.stoppedAt!);

function expectRanOnWorkers(rows: ExecutionRow[]): Set<number> {
	const workerOf = env!.queue.workerOf();
	const notOnWorker = rows.filter((r) => !workerOf.has(r.id));
	expect(notOnWorker).toEqual([]);
	expect(env!.queue.main?.log()).not.toContain('Worker started execution');
	return new Set(rows.map((r) => workerOf.get(r.id)!));
}

beforeAll(async () => {
	env = await startQueueSyncEnv({ mailboxes: MAILBOXES, workers: 2, concurrency: 2, crmContacts: 2, outlookContacts: 1, brokenMailboxes: 1 });
}, SETUP_TIMEOUT);

afterAll(async () => {
	await env?.close();
}, 120_000);

const itQueue = (name: string, fn: () => Promise<void>, timeout: number) =>
	it(
		name,
		async () => {
			if (!env) {
				console.warn('queue-mode e2e skipped: QUEUE_SERVICES=skip (no PostgreSQL/Redis)');
				return;
			}
			await fn();
		},
		timeout,
	);

itQueue(
	'runs every mailbox on the workers at the same time, both ways, and a broken mailbox holds up none',
	async () => {
		const e = env!;
		const since = new Date(Date.now() - 60_000);
		const cycle = await e.waitForCycle(since, [...e.users, ...e.broken], CYCLE_TIMEOUT);
		const byWorkflow = new Map(cycle.map((r) => [r.workflowId, r]));
		for (const user of e.users) expect(byWorkflow.get(user.workflowId)).toMatchObject({ status: 'success', mode: 'trigger' });
		for (const user of e.broken) expect(byWorkflow.get(user.workflowId)?.status).toBe('error');

		const workers = expectRanOnWorkers(cycle);
		expect(workers.size).toBe(2);
		const ok = cycle.filter((r) => r.status === 'success');
		expect(ok.some((a) => ok.some((b) => a !== b && overlaps(a, b)))).toBe(true);

		for (const user of e.users) {
			const suffix = user.crmUserId.slice(4);
			expect(
				e
					.outlook(user)
					.map((c) => `${c.givenName} ${c.surname}`)
					.sort(),
			).toEqual([`Crm ${suffix}-0`, `Crm ${suffix}-1`, `Outlook ${suffix}-0`]);
			expect((await crmContactsOf(user)).map((r) => `${String(r.fields.firstname)} ${String(r.fields.lastname)}`).sort()).toEqual([
				`Crm ${suffix}-0`,
				`Crm ${suffix}-1`,
				`Outlook ${suffix}-0`,
			]);
			const own = e.sb.sandbox.store.mailbox(user.mailbox).listItems(e.sb.sandbox.store.mailbox(user.mailbox).requireFolder('contacts').id, 'contact');
			expect(own.map((i) => (i.data as { jobTitle?: string }).jobTitle)).toEqual(['keep']);
		}
		const group = (await e.crm.list('contacts')).filter((r) => r.assignedTo?.type === 'group');
		expect(group.map((r) => r.fields.title)).toEqual(['keep']);
	},
	CYCLE_TIMEOUT + 60_000,
);

itQueue(
	"keeps each mailbox's state in its own workflow, small, and carries the next cycle's edits without duplicates",
	async () => {
		const e = env!;
		for (const user of e.users) {
			const [record] = await crmContactsOf(user);
			await e.crm.update('contacts', record.id, { fields: { title: `crm edit ${user.crmUserId}` } });
			const store = e.sb.sandbox.store.mailbox(user.mailbox);
			const item = store.listItems(user.folderId!, 'contact').find((i) => (i.data as { givenName?: string }).givenName === 'Outlook')!;
			store.updateItem<'contact'>(item.id, (data) => {
				data.jobTitle = `outlook edit ${user.crmUserId}`;
			});
		}
		const cycle = await e.waitForCycle(new Date(), e.users, CYCLE_TIMEOUT);
		expect(cycle.map((r) => r.status)).toEqual(e.users.map(() => 'success'));
		expectRanOnWorkers(await e.queue.executions());

		const stored = await e.queue.staticData();
		for (const user of e.users) {
			expect(
				e
					.outlook(user)
					.map((c) => c.jobTitle)
					.sort(),
			).toEqual([`crm edit ${user.crmUserId}`, 'from crm', `outlook edit ${user.crmUserId}`]);
			const titles = (await crmContactsOf(user)).map((r) => r.fields.title).sort();
			expect(titles).toEqual([`crm edit ${user.crmUserId}`, 'from crm', `outlook edit ${user.crmUserId}`]);
			const state = stored.get(user.workflowId)!;
			const text = JSON.stringify(state.data);
			expect(text).toContain(user.mailbox);
			for (const other of [...e.users, ...e.broken].filter((o) => o !== user)) expect(text).not.toContain(other.mailbox);
			expect(state.bytes).toBeGreaterThan(0);
			expect(state.bytes).toBeLessThan(20_000);
		}
	},
	CYCLE_TIMEOUT + 60_000,
);
