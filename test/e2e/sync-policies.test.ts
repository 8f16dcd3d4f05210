/**
 * Conflict policies (S3) and the dry run (O3) in a real n8n: after an initial sync, the same contact is
 * edited on both sides, and a copy of the contacts template with another policy (carrying the sync state
 * of the previous run) decides it.
 */
import type { CrmRecord } from '../../lib/crm';
import type { Contact } from '../../lib/model/types';
import { nodeOutput } from './harness';
import { report, startSyncEnv, type SyncEnv } from './helpers/sync-env';

const SETUP_TIMEOUT = 40 * 60_000;
const STEP_TIMEOUT = 5 * 60_000;

let env: SyncEnv;
let folderId: string;
let crmId: string;
let exchangeId: string;
/** The workflow that ran last: its static data is the current sync state. */
let lastWorkflow = 'e2ePolicyBase001';

async function exchangeContact(): Promise<{ id: string; ident?: string; record: Contact }> {
	const item = await env.exchange.get('contact', folderId, exchangeId);
	if (!item) throw new Error('the Exchange contact is gone');
	return { id: item.id, ident: item.ident, record: item.record };
}

async function crmContact(): Promise<CrmRecord> {
	const record = await env.crm.get('contacts', crmId);
	if (!record) throw new Error('the CRM contact is gone');
	return record;
}

/** Edit both sides: CRM first, Exchange a second later (so Exchange is the later change). */
async function editBoth(crmFields: Record<string, string>, exchangeFields: Partial<Contact>): Promise<void> {
	await env.crm.update('contacts', crmId, { fields: crmFields });
	await new Promise((r) => setTimeout(r, 1100));
	const ex = await exchangeContact();
	await env.exchange.update('contact', folderId, ex.id, { ...ex.record, ...exchangeFields }, ex.ident);
}

/** Runs a copy of the contacts template with these Plan settings, continuing from the last run's state. */
async function runWithPlan(id: string, plan: Record<string, unknown>) {
	const previous = await env.n8n.exportWorkflow(lastWorkflow);
	await env.importTemplate('contacts-sync.json', id, { parameters: { Plan: plan }, staticData: previous.staticData });
	lastWorkflow = id;
	return await env.run(id);
}

beforeAll(async () => {
	env = await startSyncEnv();
	folderId = (await env.exchange.ensureSyncFolders({ components: ['contact'] })).contact as string;
	const created = await env.crm.create('contacts', {
		fields: { firstname: 'Clara', lastname: 'Konflikt', title: 'Start', department: 'Start' },
		assignedTo: { type: 'user', id: 'anna' },
	});
	crmId = created.id;
	await env.importTemplate('contacts-sync.json', lastWorkflow);
	report(await env.run(lastWorkflow));
	const page = await env.exchange.listChanges('contact', folderId, undefined);
	exchangeId = page.items.find((i) => i.ident === `crm:contacts:${crmId}`)?.id as string;
	expect(exchangeId).toBeDefined();
}, SETUP_TIMEOUT);

afterAll(async () => {
	await env?.close();
}, 120_000);

describe('conflict policies in real n8n (S3)', () => {
	it(
		'CRM wins: the CRM version overwrites the later Outlook edit',
		async () => {
			await editBoth({ title: 'CRM title' }, { jobTitle: 'Outlook title' });
			expect(report(await runWithPlan('e2ePolicyCrmWin1', { policy: 'crmWins' }))).toMatchObject({ errors: 0, updated: 1 });
			expect((await crmContact()).fields.title).toBe('CRM title');
			expect((await exchangeContact()).record.jobTitle).toBe('CRM title');
		},
		STEP_TIMEOUT,
	);

	it(
		'Exchange wins: the Outlook version overwrites the CRM edit',
		async () => {
			await editBoth({ title: 'CRM again' }, { jobTitle: 'Outlook again' });
			expect(report(await runWithPlan('e2ePolicyExWin01', { policy: 'exchangeWins' }))).toMatchObject({ errors: 0, updated: 1 });
			expect((await crmContact()).fields.title).toBe('Outlook again');
			expect((await exchangeContact()).record.jobTitle).toBe('Outlook again');
		},
		STEP_TIMEOUT,
	);

	it(
		'none: both versions stay, a conflict is filed and a notification comes out of Plan',
		async () => {
			await editBoth({ title: 'CRM keeps' }, { jobTitle: 'Outlook keeps' });
			const run = await runWithPlan('e2ePolicyNone001', { policy: 'none' });
			expect(report(run)).toMatchObject({ errors: 0, updated: 0, conflicts: 1 });
			expect((await crmContact()).fields.title).toBe('CRM keeps');
			expect((await exchangeContact()).record.jobTitle).toBe('Outlook keeps');
			const notifications = nodeOutput(run, 'Plan', 1);
			expect(notifications).toHaveLength(1);
			expect(notifications[0]).toMatchObject({ kind: 'bothChanged', crmId });
			const conflicts = await env.crm.listConflicts({ resolved: false });
			expect(conflicts.some((c) => c.recordId === crmId && c.reason.includes('policy "none"'))).toBe(true);
		},
		STEP_TIMEOUT,
	);

	it(
		'merge: changes to different fields are both kept',
		async () => {
			// Resolve the open conflict the way a user would: make both sides equal, sync.
			await editBoth({ title: 'Agreed' }, { jobTitle: 'Agreed' });
			report(await runWithPlan('e2ePolicyMerge01', { policy: 'merge' }));
			await editBoth({ title: 'Merged title' }, { department: 'Merged department' });
			expect(report(await runWithPlan('e2ePolicyMerge02', { policy: 'merge' }))).toMatchObject({ errors: 0 });
			const crm = await crmContact();
			const ex = await exchangeContact();
			expect(crm.fields).toMatchObject({ title: 'Merged title', department: 'Merged department' });
			expect(ex.record).toMatchObject({ jobTitle: 'Merged title', department: 'Merged department' });
		},
		2 * STEP_TIMEOUT,
	);

	it(
		'dry run (O3) lists the planned change and writes nothing',
		async () => {
			await env.crm.update('contacts', crmId, { fields: { title: 'Only planned' } });
			const run = await runWithPlan('e2ePolicyDryRun1', { planOptions: { dryRun: true } });
			const summary = report(run);
			expect(summary).toMatchObject({ dryRun: true, cursorsCommitted: false });
			expect(summary.plannedActions).toEqual([expect.objectContaining({ kind: 'update', target: 'exchange' })]);
			expect((await exchangeContact()).record.jobTitle).toBe('Merged title');
		},
		STEP_TIMEOUT,
	);
});
