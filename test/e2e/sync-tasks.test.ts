/**
 * The task sync template in a real n8n against the sandbox (Graph To Do) and an embedded CRM file:
 * initial sync both ways with the status and priority picklists (S11), exact due dates and the past-days
 * window (A2), completion
 * each way, deletion each way, and idle runs that write nothing. Each step reads both systems afterwards.
 */
import { DateTime } from 'luxon';

import type { CrmRecord } from '../../lib/crm';
import type { Task } from '../../lib/model/types';
import { ANNA, report, startSyncEnv, type SyncEnv } from './helpers/sync-env';

const SETUP_TIMEOUT = 40 * 60_000;
const STEP_TIMEOUT = 5 * 60_000;
const WORKFLOW = 'e2eTasksSync0001';
const ANNA_USER = { type: 'user' as const, id: 'anna' };

type ExchangeTask = { id: string; ident?: string; record: Task };

let env: SyncEnv;
let listId: string;

const today = DateTime.utc().startOf('day');
const day = (offset: number) => today.plus({ days: offset }).toISODate() as string;

async function crmTasks(): Promise<CrmRecord[]> {
	return env.crm.list('tasks');
}

async function exchangeTasks(): Promise<ExchangeTask[]> {
	const page = await env.exchange.listChanges('task', listId, undefined);
	return page.items.map((i) => ({ id: i.id, ident: i.ident, record: i.record }));
}

const bySubject = (items: ExchangeTask[], subject: string) => items.find((i) => i.record.subject === subject);
const crmBySubject = (records: CrmRecord[], subject: string) => records.find((r) => r.fields.subject === subject);

async function mailboxWrites(): Promise<number> {
	const byMethod = (await env.sb.control.counters())[ANNA]?.byMethod ?? {};
	return (byMethod.POST ?? 0) + (byMethod.PATCH ?? 0) + (byMethod.DELETE ?? 0);
}

async function expectIdleRun(): Promise<void> {
	const crmBefore = (await crmTasks()).map((r) => `${r.id}:${r.etag}`).sort();
	const writesBefore = await mailboxWrites();
	const counts = report(await env.run(WORKFLOW));
	expect(counts).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0, conflicts: 0 });
	expect(await mailboxWrites()).toBe(writesBefore);
	expect((await crmTasks()).map((r) => `${r.id}:${r.etag}`).sort()).toEqual(crmBefore);
}

beforeAll(async () => {
	env = await startSyncEnv();
	const folders = await env.exchange.ensureSyncFolders({ components: ['task'] });
	listId = folders.task as string;

	await env.exchange.create('task', listId, {
		subject: 'Outlook: send offer',
		dueDate: day(4),
		startDate: day(1),
		status: 'inProgress',
		priority: 'high',
		body: 'Prices from the 2027 list',
	});
	await env.exchange.create('task', listId, { subject: 'Outlook: call back', dueDate: day(9), status: 'notStarted', priority: 'low' });
	await env.exchange.create('task', listId, { subject: 'Outlook: waiting for contract', dueDate: day(31), status: 'waitingOnOthers' });
	await env.exchange.create('task', listId, { subject: 'Outlook: long overdue', dueDate: day(-45), status: 'notStarted' });

	const task = (subject: string, fields: Record<string, unknown>) => env.crm.create('tasks', { assignedTo: ANNA_USER, fields: { subject, ...fields } });
	await task('CRM: prepare demo', {
		taskstatus: 'In Progress',
		taskpriority: 'High',
		date_start: day(2),
		due_date: day(6),
		description: 'Demo data for Müller',
	});
	await task('CRM: renew licence', { taskstatus: 'Not Started', taskpriority: 'Low', due_date: day(60) });
	await task('CRM: deferred idea', { taskstatus: 'Deferred', taskpriority: 'Medium', due_date: day(100) });
	await task('CRM: long overdue', { taskstatus: 'Not Started', taskpriority: 'Medium', due_date: day(-45) });

	await env.importTemplate('task-sync.json', WORKFLOW);
}, SETUP_TIMEOUT);

afterAll(async () => {
	await env?.close();
}, 120_000);

describe('task sync template in real n8n', () => {
	it(
		'runs the initial sync both ways with status and priority picklists (A3, S11) and exact due dates',
		async () => {
			const counts = report(await env.run(WORKFLOW));
			expect(counts).toMatchObject({ created: 6, errors: 0, conflicts: 0, cursorsCommitted: true });
			const crm = await crmTasks();
			const exchange = await exchangeTasks();
			// Tasks due before the past-days window (30 days) stay where they are (A2).
			expect(crm).toHaveLength(6 + 1);
			expect(exchange).toHaveLength(6 + 1);
			expect(bySubject(exchange, 'CRM: long overdue')).toBeUndefined();
			expect(crmBySubject(crm, 'Outlook: long overdue')).toBeUndefined();

			expect(crmBySubject(crm, 'Outlook: send offer')?.fields).toMatchObject({
				taskstatus: 'In Progress',
				taskpriority: 'High',
				date_start: day(1),
				due_date: day(4),
				description: 'Prices from the 2027 list',
			});
			expect(crmBySubject(crm, 'Outlook: send offer')?.assignedTo).toEqual(ANNA_USER);
			expect(crmBySubject(crm, 'Outlook: call back')?.fields).toMatchObject({ taskstatus: 'Not Started', taskpriority: 'Low', due_date: day(9) });
			expect(crmBySubject(crm, 'Outlook: waiting for contract')?.fields).toMatchObject({
				taskstatus: 'Pending Input',
				taskpriority: 'Medium',
				due_date: day(31),
			});

			const demo = bySubject(exchange, 'CRM: prepare demo');
			expect(demo?.ident).toMatch(/^crm:tasks:/);
			expect(demo?.record).toMatchObject({ status: 'inProgress', priority: 'high', startDate: day(2), dueDate: day(6), body: 'Demo data for Müller' });
			expect(bySubject(exchange, 'CRM: renew licence')?.record).toMatchObject({ status: 'notStarted', priority: 'low', dueDate: day(60) });
			expect(bySubject(exchange, 'CRM: deferred idea')?.record).toMatchObject({ status: 'deferred', priority: 'normal', dueDate: day(100) });
		},
		STEP_TIMEOUT,
	);

	it('writes nothing on a run without changes (S26)', expectIdleRun, STEP_TIMEOUT);

	it(
		'carries a completion each way (S1, S11)',
		async () => {
			const demo = crmBySubject(await crmTasks(), 'CRM: prepare demo') as CrmRecord;
			await env.crm.update('tasks', demo.id, { fields: { taskstatus: 'Completed' } });
			const callBack = bySubject(await exchangeTasks(), 'Outlook: call back') as ExchangeTask;
			await env.exchange.update(
				'task',
				listId,
				callBack.id,
				{ ...callBack.record, status: 'completed', completedAt: `${day(0)}T10:00:00.000Z` },
				callBack.ident,
			);

			const counts = report(await env.run(WORKFLOW));
			expect(counts).toMatchObject({ updated: 2, created: 0, deleted: 0, errors: 0, conflicts: 0 });
			const exchange = await exchangeTasks();
			expect(bySubject(exchange, 'CRM: prepare demo')?.record).toMatchObject({ status: 'completed', priority: 'high', dueDate: day(6) });
			expect(crmBySubject(await crmTasks(), 'Outlook: call back')?.fields).toMatchObject({ taskstatus: 'Completed', taskpriority: 'Low', due_date: day(9) });
		},
		STEP_TIMEOUT,
	);

	it(
		'propagates a changed due date and priority each way',
		async () => {
			const licence = crmBySubject(await crmTasks(), 'CRM: renew licence') as CrmRecord;
			await env.crm.update('tasks', licence.id, { fields: { due_date: day(45), taskpriority: 'High' } });
			const offer = bySubject(await exchangeTasks(), 'Outlook: send offer') as ExchangeTask;
			await env.exchange.update('task', listId, offer.id, { ...offer.record, dueDate: day(5), priority: 'normal' }, offer.ident);

			const counts = report(await env.run(WORKFLOW));
			expect(counts).toMatchObject({ updated: 2, errors: 0, conflicts: 0 });
			expect(bySubject(await exchangeTasks(), 'CRM: renew licence')?.record).toMatchObject({ dueDate: day(45), priority: 'high' });
			expect(crmBySubject(await crmTasks(), 'Outlook: send offer')?.fields).toMatchObject({
				due_date: day(5),
				taskpriority: 'Medium',
				taskstatus: 'In Progress',
			});
		},
		STEP_TIMEOUT,
	);

	it(
		'deletes a task on the other side when it is deleted on one side (S6 default)',
		async () => {
			const idea = crmBySubject(await crmTasks(), 'CRM: deferred idea') as CrmRecord;
			const ideaEx = bySubject(await exchangeTasks(), 'CRM: deferred idea') as ExchangeTask;
			await env.crm.delete('tasks', idea.id);
			const waiting = bySubject(await exchangeTasks(), 'Outlook: waiting for contract') as ExchangeTask;
			const waitingCrm = crmBySubject(await crmTasks(), 'Outlook: waiting for contract') as CrmRecord;
			await env.exchange.delete('task', listId, waiting.id);

			const counts = report(await env.run(WORKFLOW));
			expect(counts).toMatchObject({ deleted: 2, created: 0, updated: 0, errors: 0 });
			expect((await exchangeTasks()).some((t) => t.id === ideaEx.id)).toBe(false);
			expect(await env.crm.get('tasks', waitingCrm.id)).toBeUndefined();
			expect(await crmTasks()).toHaveLength(4 + 1);
			expect(await exchangeTasks()).toHaveLength(4 + 1);
		},
		STEP_TIMEOUT,
	);

	it('writes nothing on the next run without changes (S26)', expectIdleRun, STEP_TIMEOUT);
});
