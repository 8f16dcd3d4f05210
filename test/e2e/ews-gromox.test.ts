/**
 * Issue 13 §3: the contacts, calendar and task templates in a real n8n, switched to the "Exchange (EWS)"
 * credential, against a real EWS server (grommunio Gromox from ../shared/real-servers) with an embedded
 * CRM file: initial sync both ways, idle runs that change nothing, an edit on each side (with Outlook data
 * the mapping does not sync surviving), a deletion per S6. The server is shared between runs, so the
 * test works in sync folders of its own name and removes them afterwards. Skipped without EWS_URL /
 * EWS_USERNAME (anna@contoso.example) / EWS_PASSWORD.
 */
import {
	BasePropertySet,
	ConflictResolutionMode,
	Contact,
	ContactSchema,
	DeleteMode,
	EmailMessage,
	ItemId,
	MimeContent,
	PropertySet,
	WellKnownFolderName,
} from 'ews-javascript-api';
import { DateTime } from 'luxon';

import type { CrmRecord } from '../../lib/crm';
import type { Component, ComponentRecordMap, Task } from '../../lib/model/types';
import { nodeOutput } from './harness';
import { ANNA, realEwsFromEnv, report, startEwsEnv, type EwsEnv } from './helpers/ews-env';

const SETUP_TIMEOUT = 40 * 60_000;
const STEP_TIMEOUT = 5 * 60_000;
const REAL = realEwsFromEnv();
const WORKFLOWS = { contacts: 'e2eGxContacts001', calendar: 'e2eGxCalendar001', tasks: 'e2eGxTasks000001' };
const EMAIL_WORKFLOW = 'e2eGxEmail000001';
const MODULES = { contacts: 'contacts', calendar: 'events', tasks: 'tasks' } as const;

if (!REAL) {
	describe('contacts, calendar and task templates in real n8n against a real EWS server (Gromox)', () => {
		it('skipped: set EWS_URL, EWS_USERNAME=anna@contoso.example and EWS_PASSWORD (scripts/real-servers-up.sh) to run these', () => {
			expect(REAL).toBeUndefined();
		});
	});
}

(REAL ? describe : describe.skip)('contacts, calendar and task templates in real n8n against a real EWS server (Gromox)', () => {
	const tag = `gx${Date.now().toString(36)}`;
	const folderName = `CRM-Sync ${tag}`;
	const today = DateTime.utc().startOf('day');
	const day = (offset: number) => today.plus({ days: offset }).toISODate() as string;
	const window = { from: today.minus({ days: 90 }).toISO() as string, to: today.plus({ days: 400 }).toISO() as string };
	let env: EwsEnv;
	const folders = {} as Record<Component, string>;

	type Item<C extends Component> = { id: string; etag?: string; ident?: string; record: ComponentRecordMap[C] };
	async function exchange<C extends Component>(component: C): Promise<Array<Item<C>>> {
		const page = await env.ews.listChanges(component, folders[component], undefined, component === 'contact' ? {} : { window });
		return page.items.map((i) => ({ id: i.id, etag: i.etag, ident: i.ident, record: i.record }));
	}
	const crmBy = (records: CrmRecord[], field: string, value: string) => records.find((r) => r.fields[field] === value);

	async function nickName(id: string): Promise<string | undefined> {
		const contact = await Contact.Bind(env.ews.service, new ItemId(id), new PropertySet(BasePropertySet.IdOnly, [ContactSchema.NickName]));
		return contact.NickName || undefined;
	}

	/** Nothing planned or written; every CRM record keeps its version. */
	async function expectIdleRun(workflow: keyof typeof WORKFLOWS): Promise<void> {
		const module = MODULES[workflow];
		const versions = async () => (await env.crm.list(module)).map((r) => `${r.id}:${r.etag}`).sort();
		const before = await versions();
		const exBefore = (await exchange(workflow === 'contacts' ? 'contact' : workflow === 'calendar' ? 'event' : 'task')).map((i) => `${i.id}:${i.etag}`).sort();
		expect(report(await env.run(WORKFLOWS[workflow]))).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0, conflicts: 0 });
		expect(await versions()).toEqual(before);
		expect((await exchange(workflow === 'contacts' ? 'contact' : workflow === 'calendar' ? 'event' : 'task')).map((i) => `${i.id}:${i.etag}`).sort()).toEqual(
			exBefore,
		);
	}

	beforeAll(async () => {
		env = await startEwsEnv({ real: REAL });
		Object.assign(folders, await env.ews.ensureSyncFolders({ components: ['contact', 'event', 'task'], folderName }));
		const overrides = { parameters: { 'Ensure Sync Folders': { folderName } } };
		await env.importTemplate('contacts-sync.json', WORKFLOWS.contacts, overrides);
		await env.importTemplate('calendar-sync.json', WORKFLOWS.calendar, overrides);
		await env.importTemplate('task-sync.json', WORKFLOWS.tasks, overrides);
		await env.ews.create('contact', folders.contact, {
			firstName: 'Olga',
			lastName: `Outlook ${tag}`,
			email: `olga.${tag}@outlook.example`,
			mobile: '+49 170 1',
		});
		await env.ews.create('event', folders.event, {
			subject: `Outlook review ${tag}`,
			start: { dateTime: `${day(4)}T10:00:00`, timeZone: 'Europe/Berlin' },
			end: { dateTime: `${day(4)}T11:30:00`, timeZone: 'Europe/Berlin' },
			location: 'Room 1',
		});
		await env.ews.create('event', folders.event, {
			subject: `Outlook to delete ${tag}`,
			start: { dateTime: `${day(5)}T08:00:00`, timeZone: 'UTC' },
			end: { dateTime: `${day(5)}T09:00:00`, timeZone: 'UTC' },
		});
		await env.ews.create('task', folders.task, { subject: `Outlook task ${tag}`, startDate: day(1), dueDate: day(9), status: 'notStarted', priority: 'low' });
	}, SETUP_TIMEOUT);

	afterAll(async () => {
		await env?.ews.removeSyncFolders(['contact', 'event', 'task'], folderName).catch(() => undefined);
		await env?.close();
	}, 120_000);

	it(
		'initial sync both ways for contacts, appointments and tasks',
		async () => {
			for (const id of Object.values(WORKFLOWS)) expect(report(await env.run(id))).toMatchObject({ errors: 0, conflicts: 0, cursorsCommitted: true });
			expect(crmBy(await env.crm.list('contacts'), 'lastname', `Outlook ${tag}`)?.fields).toMatchObject({
				firstname: 'Olga',
				mobile: '+49 170 1',
				email: `olga.${tag}@outlook.example`,
			});
			const crmBorn = (await exchange('contact')).filter((c) => c.ident?.includes(':contacts:'));
			expect(crmBorn.length).toBeGreaterThan(0);
			// S23: 10:00 Berlin is stored in the CRM in UTC.
			const berlinStart = DateTime.fromISO(`${day(4)}T10:00:00`, { zone: 'Europe/Berlin' }).toUTC();
			expect(crmBy(await env.crm.list('events'), 'subject', `Outlook review ${tag}`)?.fields).toMatchObject({
				date_start: berlinStart.toISODate(),
				time_start: berlinStart.toFormat('HH:mm:ss'),
				location: 'Room 1',
			});
			expect(crmBy(await env.crm.list('tasks'), 'subject', `Outlook task ${tag}`)?.fields).toMatchObject({ due_date: day(9), taskstatus: 'Not Started' });
		},
		STEP_TIMEOUT * 3,
	);

	it(
		'idle runs change nothing on either side',
		async () => {
			await expectIdleRun('contacts');
			await expectIdleRun('calendar');
			await expectIdleRun('tasks');
		},
		STEP_TIMEOUT * 3,
	);

	it(
		'an edit on each side reaches the other; a nickname set in Outlook (not synced) survives the CRM edit',
		async () => {
			const olgaEx = (await exchange('contact')).find((c) => c.record.lastName === `Outlook ${tag}`)!;
			const olgaItem = await Contact.Bind(env.ews.service, new ItemId(olgaEx.id));
			olgaItem.NickName = 'Olli';
			await olgaItem.Update(ConflictResolutionMode.AlwaysOverwrite);
			const olgaCrm = crmBy(await env.crm.list('contacts'), 'lastname', `Outlook ${tag}`)!;
			await env.crm.update('contacts', olgaCrm.id, { fields: { title: 'Einkauf' } });

			const reviewEx = (await exchange('event')).find((e) => e.record.subject === `Outlook review ${tag}`)!;
			await env.ews.update('event', folders.event, reviewEx.id, { ...reviewEx.record, location: 'Room 2' }, reviewEx.ident);
			const taskCrm = crmBy(await env.crm.list('tasks'), 'subject', `Outlook task ${tag}`)!;
			await env.crm.update('tasks', taskCrm.id, { fields: { due_date: day(10) } });

			expect(report(await env.run(WORKFLOWS.contacts))).toMatchObject({ updated: 1, created: 0, deleted: 0, errors: 0, conflicts: 0 });
			expect(report(await env.run(WORKFLOWS.calendar))).toMatchObject({ updated: 1, created: 0, deleted: 0, errors: 0, conflicts: 0 });
			expect(report(await env.run(WORKFLOWS.tasks))).toMatchObject({ updated: 1, created: 0, deleted: 0, errors: 0, conflicts: 0 });

			const olgaAfter = (await exchange('contact')).find((c) => c.id === olgaEx.id)!;
			expect(olgaAfter.record).toMatchObject({ jobTitle: 'Einkauf', firstName: 'Olga', mobile: '+49 170 1', email: `olga.${tag}@outlook.example` });
			expect(await nickName(olgaEx.id)).toBe('Olli');
			expect(crmBy(await env.crm.list('events'), 'subject', `Outlook review ${tag}`)?.fields.location).toBe('Room 2');
			const taskAfter = (await exchange('task')).find((t) => t.record.subject === `Outlook task ${tag}`)!;
			expect((taskAfter.record as Task).dueDate).toBe(day(10));
			expect((taskAfter.record as Task).priority).toBe('low');
		},
		STEP_TIMEOUT * 3,
	);

	it(
		'idle runs after the edits change nothing',
		async () => {
			await expectIdleRun('contacts');
			await expectIdleRun('calendar');
			await expectIdleRun('tasks');
		},
		STEP_TIMEOUT * 3,
	);

	it(
		'an appointment deleted in Outlook is deleted in the CRM (S6 default); the other stays',
		async () => {
			const gone = (await exchange('event')).find((e) => e.record.subject === `Outlook to delete ${tag}`)!;
			await env.ews.delete('event', folders.event, gone.id);
			expect(report(await env.run(WORKFLOWS.calendar))).toMatchObject({ deleted: 1, created: 0, errors: 0, conflicts: 0 });
			const events = await env.crm.list('events');
			expect(crmBy(events, 'subject', `Outlook to delete ${tag}`)).toBeUndefined();
			expect(crmBy(events, 'subject', `Outlook review ${tag}`)).toBeDefined();
			expect(ANNA).toBe(REAL?.username.toLowerCase());
		},
		STEP_TIMEOUT,
	);
});

(REAL ? describe : describe.skip)('e-mail import template in real n8n against a real EWS server (Gromox)', () => {
	const tag = `gm${Date.now().toString(36)}`;
	const folderName = `CRM-Sync ${tag}`;
	let env: EwsEnv;
	let mail: { root: string; contacts: string };
	let inbox: string;
	const saved: string[] = [];

	/** A mail as the server would have delivered it: saved into the Inbox from its MIME. */
	async function deliver(from: string, subject: string, id: string): Promise<string> {
		const lines = [
			`From: ${from}`,
			'To: Anna Schmidt <anna@contoso.example>',
			`Subject: ${subject}`,
			`Message-ID: <${id}.${tag}@e2e.example>`,
			'Date: Mon, 23 Nov 2026 09:00:00 +0000',
			'MIME-Version: 1.0',
			'Content-Type: text/plain; charset=utf-8',
		];
		const message = new EmailMessage(env.ews.service);
		message.MimeContent = new MimeContent('UTF-8', Buffer.from(`${lines.join('\r\n')}\r\n\r\nGuten Tag,\r\nanbei unser Angebot.\r\n`).toString('base64'));
		await message.Save(WellKnownFolderName.Inbox);
		saved.push(message.Id.UniqueId);
		return message.Id.UniqueId;
	}

	beforeAll(async () => {
		env = await startEwsEnv({ real: REAL });
		mail = (await env.ews.ensureSyncFolders({ components: ['mail'], folderName })).mail as unknown as { root: string; contacts: string };
		inbox = (await env.ews.getWellKnownFolder('inbox')).id;
		await env.importTemplate('email-import.json', EMAIL_WORKFLOW, {
			parameters: { 'E-mail to Lead': { syncFolderName: folderName }, 'Exchange Trigger': { folderName } },
		});
		await env.crm.create('contacts', {
			assignedTo: { type: 'user', id: 'anna' },
			fields: { firstname: 'Kai', lastname: `Kunde ${tag}`, email: `kai.${tag}@kunde.example` },
		});
	}, SETUP_TIMEOUT);

	afterAll(async () => {
		for (const id of saved)
			await env?.ews.call(async () => (await EmailMessage.Bind(env.ews.service, new ItemId(id))).Delete(DeleteMode.HardDelete)).catch(() => undefined);
		await env?.ews.removeSyncFolders(['mail'], folderName).catch(() => undefined);
		await env?.close();
	}, 120_000);

	it(
		'imports mails moved into CRM-Sync (a known contact linked, an unknown sender as a lead), moves them back out, and a second run imports nothing',
		async () => {
			const first = await env.run(EMAIL_WORKFLOW);
			expect(nodeOutput(first, 'E-mail to Lead')).toEqual([]);

			const fromKai = await deliver(`Kai Kunde <kai.${tag}@kunde.example>`, 'Bestellung', 'known');
			const fromNew = await deliver(`"Neu Kunde" <neu.${tag}@beispiel.example>`, 'Anfrage', 'new');
			const movedKai = await env.ews.moveMessage(fromKai, mail.contacts);
			const movedNew = await env.ews.moveMessage(fromNew, mail.root);
			saved.push(movedKai.id, movedNew.id);

			const run = await env.run(EMAIL_WORKFLOW);
			const results = nodeOutput(run, 'E-mail to Lead');
			expect(results.map((r) => [r.exchangeId, r.status]).sort()).toEqual(
				[
					[movedKai.id, 'imported'],
					[movedNew.id, 'imported'],
				].sort(),
			);
			const [kai] = await env.crm.findByEmail(`kai.${tag}@kunde.example`, ['contacts']);
			const known = await env.crm.findEmailByMessageId(`<known.${tag}@e2e.example>`);
			expect(known?.links.map((l) => `${l.module}:${l.id}`)).toEqual([`contacts:${kai.id}`]);
			expect(known?.subject).toBe('Bestellung');
			const [lead] = await env.crm.findByEmail(`neu.${tag}@beispiel.example`, ['leads']);
			expect(lead?.fields).toMatchObject({ lastname: `neu.${tag}`, company: 'beispiel.example' });
			expect((await env.crm.findEmailByMessageId(`<new.${tag}@e2e.example>`))?.links.map((l) => `${l.module}:${l.id}`)).toContain(`leads:${lead.id}`);

			// Moved back out of CRM-Sync, to the Inbox they came from; the server's copy keeps its MIME.
			for (const r of results) {
				const move = r.move as { moved: boolean; newExchangeId?: string };
				expect(move.moved).toBe(true);
				const id = move.newExchangeId ?? (r.exchangeId as string);
				saved.push(id);
				expect((await env.ews.getMessage(id))?.folderId).toBe(inbox);
			}

			const idle = await env.run(EMAIL_WORKFLOW);
			expect(nodeOutput(idle, 'E-mail to Lead')).toEqual([]);
		},
		STEP_TIMEOUT * 2,
	);
});
