/**
 * The initial sync / re-sync template (A3, A4, S24) and the cleanup template (F5, F6) in a real n8n.
 */
import { ANNA, report, startSyncEnv, type SyncEnv } from './helpers/sync-env';
import { nodeOutput } from './harness';

const SETUP_TIMEOUT = 40 * 60_000;
const STEP_TIMEOUT = 5 * 60_000;
const INITIAL = 'e2eInitialSync01';
const CONTACTS = 'e2eInitContacts1';
const CLEANUP = 'e2eCleanupFold01';

let env: SyncEnv;

function soon(days: number, hour: number): string {
	const d = new Date(Date.now() + days * 86_400_000);
	d.setUTCHours(hour, 0, 0, 0);
	return d.toISOString();
}

async function counts() {
	const folders = await env.exchange.ensureSyncFolders({ components: ['contact', 'event', 'task'] });
	const ex = async (component: 'contact' | 'event' | 'task', folder: string | undefined) =>
		(await env.exchange.listChanges(component, folder as string, undefined, component === 'event' ? { window: { from: soon(-30, 0), to: soon(365, 0) } } : {}))
			.items.length;
	return {
		crm: {
			contacts: (await env.crm.list('contacts')).length,
			events: (await env.crm.list('events')).length,
			tasks: (await env.crm.list('tasks')).length,
		},
		exchange: {
			contacts: await ex('contact', folders.contact),
			events: await ex('event', folders.event),
			tasks: await ex('task', folders.task),
		},
	};
}

beforeAll(async () => {
	env = await startSyncEnv();
	const folders = await env.exchange.ensureSyncFolders({ components: ['contact', 'event', 'task'] });
	await env.exchange.create('contact', folders.contact as string, { firstName: 'Eva', lastName: 'Exchange' });
	await env.exchange.create('event', folders.event as string, {
		subject: 'Outlook meeting',
		start: { dateTime: soon(2, 9), timeZone: 'Europe/Berlin' },
		end: { dateTime: soon(2, 10), timeZone: 'Europe/Berlin' },
	});
	await env.exchange.create('task', folders.task as string, { subject: 'Outlook task', dueDate: soon(3, 0).slice(0, 10) });
	await env.crm.create('events', {
		fields: {
			subject: 'CRM meeting',
			activitytype: 'Meeting',
			date_start: soon(4, 0).slice(0, 10),
			time_start: '13:00:00',
			due_date: soon(4, 0).slice(0, 10),
			time_end: '14:00:00',
		},
		assignedTo: { type: 'user', id: 'anna' },
	});
	await env.crm.create('tasks', {
		fields: { subject: 'CRM task', due_date: soon(5, 0).slice(0, 10), taskstatus: 'Not Started' },
		assignedTo: { type: 'user', id: 'anna' },
	});
	await env.importTemplate('initial-sync.json', INITIAL);
	await env.importTemplate('contacts-sync.json', CONTACTS);
	await env.importTemplate('cleanup.json', CLEANUP);
}, SETUP_TIMEOUT);

afterAll(async () => {
	await env?.close();
}, 120_000);

describe('initial sync and cleanup templates in real n8n', () => {
	it(
		'copies every component both ways, and a second run creates nothing (A3, A4)',
		async () => {
			const before = await counts();
			const first = await env.run(INITIAL);
			for (const label of ['Contacts', 'Calendar', 'Tasks']) {
				expect(nodeOutput(first, `${label}: Commit`)[0]).toMatchObject({ errors: 0, cursorsCommitted: true });
			}
			const after = await counts();
			expect(after.crm.contacts).toBe(before.crm.contacts + 1);
			expect(after.exchange.contacts).toBe(after.crm.contacts);
			expect(after.crm.events).toBe(2);
			expect(after.exchange.events).toBe(2);
			expect(after.crm.tasks).toBe(2);
			expect(after.exchange.tasks).toBe(2);

			// A re-sync pairs everything again from the records' idents: nothing is created or deleted. It may
			// rewrite a record once where the two sides show it differently (an appointment created in Outlook
			// gets the CRM's enrichment lines, S21); after that a re-sync writes nothing at all.
			const second = await env.run(INITIAL);
			for (const label of ['Contacts', 'Calendar', 'Tasks']) {
				expect(nodeOutput(second, `${label}: Commit`)[0]).toMatchObject({ created: 0, deleted: 0, errors: 0 });
			}
			const third = await env.run(INITIAL);
			for (const label of ['Contacts', 'Calendar', 'Tasks']) {
				expect(nodeOutput(third, `${label}: Commit`)[0]).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0 });
			}
			expect(await counts()).toEqual(after);
		},
		2 * STEP_TIMEOUT,
	);

	it(
		'lets the scheduled sync workflow take over without writing anything',
		async () => {
			const before = (await env.sb.control.counters())[ANNA]?.total ?? 0;
			const takeover = await env.run(CONTACTS);
			expect(report(takeover)).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0 });
			// It starts from the state the initial sync committed (docs/decisions.md §17), not by pairing every
			// contact again: a folder lookup and one delta page.
			expect(nodeOutput(takeover, 'Sync State', 0)[0]).toMatchObject({ firstRun: false, stateFromRunLog: { generation: expect.any(Number) } });
			expect(((await env.sb.control.counters())[ANNA]?.total ?? 0) - before).toBeLessThanOrEqual(4);
		},
		STEP_TIMEOUT,
	);

	it(
		'removes the CRM-Sync folders and their content, and keeps the CRM records (F5, F6)',
		async () => {
			const crmBefore = (await counts()).crm;
			await env.run(CLEANUP);
			const contactFolders = await env.exchange.listFolders('contact');
			expect(contactFolders.some((f) => f.displayName === 'CRM-Sync')).toBe(false);
			const mailFolders = await env.exchange.listFolders('mail');
			expect(mailFolders.some((f) => f.displayName === 'CRM-Sync')).toBe(false);
			const crmAfter = {
				contacts: (await env.crm.list('contacts')).length,
				events: (await env.crm.list('events')).length,
				tasks: (await env.crm.list('tasks')).length,
			};
			expect(crmAfter).toEqual(crmBefore);
		},
		STEP_TIMEOUT,
	);
});
