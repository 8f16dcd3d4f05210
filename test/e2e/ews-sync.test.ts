/**
 * On-premises Exchange end to end (issue 9): the contacts, calendar, task and e-mail templates in a real
 * n8n, switched to the "Exchange (EWS)" credential (Basic auth) against the sandbox's EWS endpoint, with
 * an embedded CRM file. The same outcomes as over Graph (sync-contacts/-calendar/-tasks, email-import):
 * initial sync both ways, edits each way, deletions per S6, idle runs that make no EWS write call, a
 * ChangeKey gone stale between read and write is a conflict and not an overwrite, and the e-mail import
 * moves a mail back to the custom folder it came from, known from the pull notification (E9).
 * Anna's mailbox is changed with the EWS client as Outlook would; each step reads both systems.
 */
import {
	Appointment,
	AppointmentOccurrenceId,
	ConflictResolutionMode,
	DeleteMode,
	Folder,
	FolderId,
	ItemId,
	SendCancellationsMode,
	SendInvitationsOrCancellationsMode,
	WellKnownFolderName,
	type AffectedTaskOccurrence,
} from 'ews-javascript-api';
import { DateTime } from 'luxon';

import type { CrmEmailRecord, CrmRecord } from '../../lib/crm';
import type { Component, ComponentRecordMap } from '../../lib/model/types';
import type { SandboxRequest } from '../../sandbox/http/types';
import { nodeOutput } from './harness';
import { ANNA, ewsWrites, report, startEwsEnv, type EwsEnv } from './helpers/ews-env';

const SETUP_TIMEOUT = 40 * 60_000;
const STEP_TIMEOUT = 5 * 60_000;
const ANNA_USER = { type: 'user' as const, id: 'anna' };
const WORKFLOWS = { contacts: 'e2eEwsContacts01', calendar: 'e2eEwsCalendar01', tasks: 'e2eEwsTasks00001', email: 'e2eEwsEmail00001' };

let env: EwsEnv;
const folders = {} as Record<Component, string>;

/** Numbers for the report, printed once at the end: EWS calls per run. */
const measured: Record<string, number> = {};
const totalCalls = (before: Record<string, number>, after: Record<string, number>) =>
	Object.keys(after).reduce((sum, op) => sum + after[op] - (before[op] ?? 0), 0);

type Item<C extends Component> = { id: string; etag?: string; ident?: string; record: ComponentRecordMap[C] };

const today = DateTime.utc().startOf('day');
const day = (offset: number) => today.plus({ days: offset }).toISODate() as string;
const window = { from: today.minus({ days: 90 }).toISO() as string, to: today.plus({ days: 400 }).toISO() as string };

/** Everything in a sync folder, read over EWS from scratch (a wider window than the templates'). */
async function exchange<C extends Component>(component: C): Promise<Array<Item<C>>> {
	const page = await env.ews.listChanges(component, folders[component], undefined, component === 'contact' ? {} : { window });
	return page.items.map((i) => ({ id: i.id, etag: i.etag, ident: i.ident, record: i.record }));
}

const bySubject = <C extends 'event' | 'task'>(items: Array<Item<C>>, subject: string) => items.find((i) => i.record.subject === subject);
const crmBy = (records: CrmRecord[], field: string, value: string) => records.find((r) => r.fields[field] === value);

/** A run without changes: nothing created, changed or deleted, no EWS write call, no CRM record touched. */
async function expectIdleRun(workflow: string, module: 'contacts' | 'events' | 'tasks'): Promise<void> {
	const crmBefore = (await env.crm.list(module)).map((r) => `${r.id}:${r.etag}`).sort();
	const callsBefore = await env.ewsCalls();
	const counts = report(await env.run(workflow));
	expect(counts).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0, conflicts: 0 });
	const callsAfter = await env.ewsCalls();
	measured[`${module}IdleRunEwsCalls`] = totalCalls(callsBefore, callsAfter);
	expect(ewsWrites(callsBefore, callsAfter)).toBe(0);
	expect((callsAfter.SyncFolderItems ?? 0) - (callsBefore.SyncFolderItems ?? 0)).toBeGreaterThan(0); // it did read Exchange
	expect((await env.crm.list(module)).map((r) => `${r.id}:${r.etag}`).sort()).toEqual(crmBefore);
}

/**
 * Outlook changes the item right before the next UpdateItem for it reaches Exchange, i.e. after the
 * workflow read it: the request still carries the ChangeKey the workflow read.
 */
function changeBeforeNextUpdate(itemId: string, mutate: (data: Record<string, unknown>) => void): { fired: () => boolean; restore: () => void } {
	const sandbox = env.sb.sandbox;
	const dispatch = sandbox.dispatch.bind(sandbox);
	let fired = false;
	sandbox.dispatch = async (request: SandboxRequest) => {
		const body = request.body.toString('utf8');
		if (!fired && /<(\w+:)?UpdateItem[\s>]/.test(body) && body.includes(itemId)) {
			fired = true;
			sandbox.store.mailbox(ANNA).updateItem(itemId, (data) => mutate(data as unknown as Record<string, unknown>));
			sandbox.dispatch = dispatch;
		}
		return dispatch(request);
	};
	return { fired: () => fired, restore: () => void (sandbox.dispatch = dispatch) };
}

beforeAll(async () => {
	env = await startEwsEnv();
	const ensured = await env.ews.ensureSyncFolders({ components: ['contact', 'event', 'task'] });
	Object.assign(folders, ensured);
	await env.importTemplate('contacts-sync.json', WORKFLOWS.contacts);
	await env.importTemplate('calendar-sync.json', WORKFLOWS.calendar);
	await env.importTemplate('task-sync.json', WORKFLOWS.tasks);
	await env.importTemplate('email-import.json', WORKFLOWS.email);
}, SETUP_TIMEOUT);

afterAll(async () => {
	// eslint-disable-next-line no-console
	console.log(`EWS e2e: ${JSON.stringify(measured)}`);
	await env?.close();
}, 120_000);

// ---------------------------------------------------------------- contacts

describe('contacts sync template over EWS in real n8n', () => {
	const contacts = () => exchange('contact');
	const byLastName = (items: Array<Item<'contact'>>, name: string) => items.find((i) => i.record.lastName === name) as Item<'contact'>;

	it(
		'runs the initial sync both ways (A3) with accounts linked by name (S7)',
		async () => {
			await env.ews.create('contact', folders.contact, {
				firstName: 'Olga',
				lastName: 'Outlook',
				email: 'olga@outlook.example',
				accountName: 'Müller GmbH & Co. KG',
			});
			await env.ews.create('contact', folders.contact, { firstName: 'Peter', lastName: 'Pan', mobile: '+49 170 1234567' });
			const crmBefore = await env.crm.list('contacts');

			expect(report(await env.run(WORKFLOWS.contacts))).toMatchObject({ errors: 0, conflicts: 0, cursorsCommitted: true });

			const crm = await env.crm.list('contacts');
			const ex = await contacts();
			expect(crm).toHaveLength(crmBefore.length + 2);
			expect(ex.map((e) => e.record.lastName).sort()).toEqual(crm.map((c) => c.fields.lastname as string).sort());
			const olga = crmBy(crm, 'lastname', 'Outlook') as CrmRecord;
			expect(olga.fields).toMatchObject({
				firstname: 'Olga',
				email: 'olga@outlook.example',
				account_id: (await env.crm.findAccountByName('müller gmbh & co. kg'))?.id,
			});
			expect(olga.assignedTo).toEqual(ANNA_USER);
			expect(crmBy(crm, 'lastname', 'Pan')?.fields.mobile).toBe('+49 170 1234567');
			expect(olga.exchangeIdent).toMatch(/^x:/);
			for (const record of crmBefore) expect(ex.find((e) => e.ident === `crm:contacts:${record.id}`)?.record.lastName).toBe(record.fields.lastname);
		},
		STEP_TIMEOUT,
	);

	it('writes nothing on a run without changes (S26)', () => expectIdleRun(WORKFLOWS.contacts, 'contacts'), STEP_TIMEOUT);

	it(
		'propagates an edit on each side (S1)',
		async () => {
			const olga = crmBy(await env.crm.list('contacts'), 'lastname', 'Outlook') as CrmRecord;
			await env.crm.update('contacts', olga.id, { fields: { title: 'Einkauf' } });
			const peter = byLastName(await contacts(), 'Pan');
			await env.ews.update('contact', folders.contact, peter.id, { ...peter.record, jobTitle: 'Captain' }, peter.ident);

			expect(report(await env.run(WORKFLOWS.contacts))).toMatchObject({ updated: 2, created: 0, deleted: 0, errors: 0, conflicts: 0 });
			expect(byLastName(await contacts(), 'Outlook').record.jobTitle).toBe('Einkauf');
			expect(crmBy(await env.crm.list('contacts'), 'lastname', 'Pan')?.fields.title).toBe('Captain');
		},
		STEP_TIMEOUT,
	);

	it(
		'treats a ChangeKey gone stale between read and write as a conflict, not an overwrite',
		async () => {
			const olgaCrm = crmBy(await env.crm.list('contacts'), 'lastname', 'Outlook') as CrmRecord;
			const olgaEx = byLastName(await contacts(), 'Outlook');
			await env.crm.update('contacts', olgaCrm.id, { fields: { department: 'CRM side' } });
			// Outlook saves the contact after the workflow read it, just before the workflow writes it.
			const outlook = changeBeforeNextUpdate(olgaEx.id, (data) => {
				data.department = 'Outlook meanwhile';
			});

			let counts;
			try {
				counts = report(await env.run(WORKFLOWS.contacts));
			} finally {
				outlook.restore();
			}
			expect(outlook.fired()).toBe(true);
			expect(counts).toMatchObject({ updated: 0, errors: 0, conflicts: 1 });
			expect(byLastName(await contacts(), 'Outlook').record.department).toBe('Outlook meanwhile');

			// The next run sees Outlook's change, the later one (default policy: last modified wins); both sides agree.
			expect(report(await env.run(WORKFLOWS.contacts))).toMatchObject({ errors: 0, conflicts: 0 });
			expect(byLastName(await contacts(), 'Outlook').record.department).toBe('Outlook meanwhile');
			expect((await env.crm.get('contacts', olgaCrm.id))?.fields.department).toBe('Outlook meanwhile');
			await expectIdleRun(WORKFLOWS.contacts, 'contacts');
		},
		3 * STEP_TIMEOUT,
	);

	it(
		'never deletes a CRM contact for an Outlook deletion, but deletes the Outlook copy of a deleted CRM contact (S6)',
		async () => {
			const olgaEx = byLastName(await contacts(), 'Outlook');
			await env.ews.delete('contact', folders.contact, olgaEx.id);
			const other = (await env.crm.list('contacts')).find((c) => c.fields.lastname !== 'Outlook' && c.fields.lastname !== 'Pan') as CrmRecord;
			await env.crm.delete('contacts', other.id);

			expect(report(await env.run(WORKFLOWS.contacts))).toMatchObject({ deleted: 1, errors: 0 });
			expect(crmBy(await env.crm.list('contacts'), 'lastname', 'Outlook')).toBeDefined();
			const ex = await contacts();
			expect(ex.some((e) => e.record.lastName === 'Outlook')).toBe(false);
			expect(ex.some((e) => e.ident === `crm:contacts:${other.id}`)).toBe(false);
		},
		STEP_TIMEOUT,
	);
});

// ---------------------------------------------------------------- calendar

/** The first day after `from` on which Berlin's UTC offset changes (a DST switch). */
function nextBerlinDstDay(from: DateTime): DateTime {
	for (let d = from.plus({ days: 1 }); ; d = d.plus({ days: 1 })) {
		const before = DateTime.fromISO(`${d.toISODate()}T00:00`, { zone: 'Europe/Berlin' }).offset;
		const after = DateTime.fromISO(`${d.toISODate()}T12:00`, { zone: 'Europe/Berlin' }).offset;
		if (before !== after) return d;
	}
}

/** A wall-clock time in a zone as a canonical instant (UTC, milliseconds). */
function at(date: DateTime | string, time: string, zone: string): string {
	const iso = typeof date === 'string' ? date : (date.toISODate() as string);
	return DateTime.fromISO(`${iso}T${time}`, { zone }).toUTC().toISO() as string;
}
const utcDate = (instant: string) => instant.slice(0, 10);
const utcTime = (instant: string) => instant.slice(11, 19);

describe('calendar sync template over EWS in real n8n', () => {
	const events = () => exchange('event');
	const dstDay = nextBerlinDstDay(today.plus({ days: 3 }));
	const seriesStart = dstDay.minus({ days: 15 });
	const OUTLOOK = {
		berlinWinter: {
			subject: 'Berlin before the switch',
			zone: 'Europe/Berlin',
			start: at(dstDay.minus({ days: 1 }), '10:00', 'Europe/Berlin'),
			end: at(dstDay.minus({ days: 1 }), '11:00', 'Europe/Berlin'),
		},
		berlinDst: {
			subject: 'Berlin on the DST day',
			zone: 'Europe/Berlin',
			start: at(dstDay, '10:00', 'Europe/Berlin'),
			end: at(dstDay, '11:30', 'Europe/Berlin'),
		},
		newYork: {
			subject: 'New York call-in',
			zone: 'America/New_York',
			start: at(day(10), '09:30', 'America/New_York'),
			end: at(day(10), '10:15', 'America/New_York'),
		},
	};
	let reviewStart = today.plus({ days: 3 });
	while (reviewStart.day > 28) reviewStart = reviewStart.plus({ days: 1 });
	const reviewMonth = (months: number) => reviewStart.plus({ months }).toISODate() as string;
	const CRM_SERIES = {
		pattern: { type: 'absoluteMonthly', interval: 1, dayOfMonth: reviewStart.day },
		range: { type: 'numbered', startDate: reviewMonth(0), numberOfOccurrences: 4 },
		exceptions: [
			{
				originalStart: `${reviewMonth(1)}T07:00:00.000Z`,
				start: { dateTime: `${reviewMonth(1)}T09:00:00.000Z` },
				end: { dateTime: `${reviewMonth(1)}T10:00:00.000Z` },
			},
			{ originalStart: `${reviewMonth(2)}T07:00:00.000Z`, deleted: true },
		],
	};

	it(
		'runs the initial sync both ways with exact times in Berlin (across a DST change) and New York, all-day dates, and series with moved and cancelled occurrences (A3, S20, S23)',
		async () => {
			for (const e of Object.values(OUTLOOK)) {
				await env.ews.create('event', folders.event, {
					subject: e.subject,
					start: { dateTime: e.start, timeZone: e.zone },
					end: { dateTime: e.end, timeZone: e.zone },
					location: 'Room 1',
					body: 'Notes from Outlook',
				});
			}
			await env.ews.create('event', folders.event, {
				subject: 'Outlook all-day workshop',
				start: { dateTime: day(12) },
				end: { dateTime: day(14) },
				isAllDay: true,
			});
			await env.ews.create('event', folders.event, {
				subject: 'Outlook long ago',
				start: { dateTime: at(day(-45), '09:00', 'UTC') },
				end: { dateTime: at(day(-45), '10:00', 'UTC') },
			});
			await env.ews.create('event', folders.event, {
				subject: 'Weekly jour fixe',
				start: { dateTime: at(seriesStart, '14:00', 'Europe/Berlin'), timeZone: 'Europe/Berlin' },
				end: { dateTime: at(seriesStart, '15:00', 'Europe/Berlin'), timeZone: 'Europe/Berlin' },
				recurrence: {
					pattern: { type: 'weekly', interval: 1, daysOfWeek: [seriesStart.setLocale('en').toFormat('cccc').toLowerCase() as 'monday'] },
					range: { type: 'numbered', startDate: seriesStart.toISODate() as string, numberOfOccurrences: 5, recurrenceTimeZone: 'Europe/Berlin' },
					exceptions: [
						{
							originalStart: at(seriesStart.plus({ weeks: 1 }), '14:00', 'Europe/Berlin'),
							start: { dateTime: at(seriesStart.plus({ weeks: 1 }), '16:00', 'Europe/Berlin'), timeZone: 'Europe/Berlin' },
							end: { dateTime: at(seriesStart.plus({ weeks: 1 }), '17:00', 'Europe/Berlin'), timeZone: 'Europe/Berlin' },
						},
						{ originalStart: at(seriesStart.plus({ weeks: 3 }), '14:00', 'Europe/Berlin'), deleted: true },
					],
				},
			});
			const meeting = (subject: string, date: string, start: string, end: string, extra: Record<string, unknown> = {}) =>
				env.crm.create('events', {
					assignedTo: ANNA_USER,
					fields: { subject, activitytype: 'Meeting', visibility: 'Public', date_start: date, time_start: start, due_date: date, time_end: end, ...extra },
				});
			await meeting('CRM kickoff', day(7), '08:00:00', '09:30:00', { location: 'Müller GmbH, München', description: 'Agenda: pricing' });
			await meeting('CRM trade fair', day(20), '00:00:00', '00:00:00', { due_date: day(22), is_allday: '1' });
			await meeting('CRM on the DST day', dstDay.toISODate() as string, '01:30:00', '02:30:00');
			await meeting('CRM monthly review', reviewMonth(0), '07:00:00', '08:00:00', { recurrence: CRM_SERIES });

			expect(report(await env.run(WORKFLOWS.calendar))).toMatchObject({ errors: 0, conflicts: 0, cursorsCommitted: true });
			const crm = await env.crm.list('events');
			const ex = await events();

			for (const e of Object.values(OUTLOOK)) {
				expect(crmBy(crm, 'subject', e.subject)?.fields).toMatchObject({
					date_start: utcDate(e.start),
					time_start: utcTime(e.start),
					due_date: utcDate(e.end),
					time_end: utcTime(e.end),
					location: 'Room 1',
					description: 'Notes from Outlook',
				});
			}
			// 10:00 in Berlin is 08:00 UTC on the DST day (summer time), 09:00 UTC the day before.
			expect(crmBy(crm, 'subject', OUTLOOK.berlinDst.subject)?.fields.time_start).toBe('08:00:00');
			expect(crmBy(crm, 'subject', OUTLOOK.berlinWinter.subject)?.fields.time_start).toBe('09:00:00');
			expect(bySubject(ex, OUTLOOK.newYork.subject)?.record.start).toEqual({ dateTime: OUTLOOK.newYork.start, timeZone: 'America/New_York' });
			expect(crmBy(crm, 'subject', 'Outlook long ago')).toBeUndefined(); // A2: before the past-days window

			// All-day: Exchange's end is exclusive, the CRM's inclusive.
			expect(crmBy(crm, 'subject', 'Outlook all-day workshop')?.fields).toMatchObject({ is_allday: '1', date_start: day(12), due_date: day(13) });
			expect(bySubject(ex, 'CRM trade fair')?.record).toMatchObject({ isAllDay: true, start: { dateTime: day(20) }, end: { dateTime: day(23) } });

			const dst = bySubject(ex, 'CRM on the DST day');
			expect(dst?.ident).toMatch(/^crm:events:/);
			expect(dst?.record).toMatchObject({
				start: { dateTime: `${dstDay.toISODate()}T01:30:00.000Z` },
				end: { dateTime: `${dstDay.toISODate()}T02:30:00.000Z` },
			});
			const kickoff = bySubject(ex, 'CRM kickoff');
			expect(kickoff?.record).toMatchObject({
				start: { dateTime: `${day(7)}T08:00:00.000Z` },
				end: { dateTime: `${day(7)}T09:30:00.000Z` },
				location: 'Müller GmbH, München',
				reminderMinutes: 15,
			});
			expect(kickoff?.record.attendees ?? []).toEqual([]);

			// S20, Outlook → CRM: the weekly series with its moved and its cancelled occurrence.
			const weekly = crmBy(crm, 'subject', 'Weekly jour fixe');
			expect(weekly?.fields).toMatchObject({ date_start: seriesStart.toISODate(), time_start: utcTime(at(seriesStart, '14:00', 'Europe/Berlin')) });
			const weeklyRecurrence = weekly?.fields.recurrence as ComponentRecordMap['event']['recurrence'];
			expect(weeklyRecurrence).toMatchObject({ pattern: { type: 'weekly', interval: 1 }, range: { type: 'numbered', numberOfOccurrences: 5 } });
			expect(weeklyRecurrence?.exceptions).toEqual(
				expect.arrayContaining([
					expect.objectContaining({
						originalStart: at(seriesStart.plus({ weeks: 1 }), '14:00', 'Europe/Berlin'),
						start: expect.objectContaining({ dateTime: at(seriesStart.plus({ weeks: 1 }), '16:00', 'Europe/Berlin') }),
					}),
					{ originalStart: at(seriesStart.plus({ weeks: 3 }), '14:00', 'Europe/Berlin'), deleted: true },
				]),
			);
			// S20, CRM → Outlook: the monthly series with its moved and its cancelled occurrence.
			const review = bySubject(ex, 'CRM monthly review');
			expect(review?.record.start.dateTime).toBe(`${reviewMonth(0)}T07:00:00.000Z`);
			expect(review?.record.recurrence).toMatchObject({ pattern: CRM_SERIES.pattern, range: CRM_SERIES.range });
			expect(review?.record.recurrence?.exceptions).toEqual(
				expect.arrayContaining([
					CRM_SERIES.exceptions[1],
					expect.objectContaining({ originalStart: CRM_SERIES.exceptions[0].originalStart, start: expect.objectContaining(CRM_SERIES.exceptions[0].start) }),
				]),
			);
			expect(crm).toHaveLength(4 + 5); // 5 from Outlook: not the one long ago
		},
		STEP_TIMEOUT,
	);

	it('writes nothing on a run without changes (S26)', () => expectIdleRun(WORKFLOWS.calendar, 'events'), STEP_TIMEOUT);

	it(
		'propagates an edit on each side, and leaves a reminder changed in Outlook alone (S1, S19)',
		async () => {
			const kickoffEx = bySubject(await events(), 'CRM kickoff') as Item<'event'>;
			const appointment = await env.ews.call(() => Appointment.Bind(env.ews.service, new ItemId(kickoffEx.id)));
			appointment.ReminderMinutesBeforeStart = 45;
			await env.ews.call(() => appointment.Update(ConflictResolutionMode.AlwaysOverwrite, SendInvitationsOrCancellationsMode.SendToNone));
			const kickoff = crmBy(await env.crm.list('events'), 'subject', 'CRM kickoff') as CrmRecord;
			await env.crm.update('events', kickoff.id, { fields: { subject: 'CRM kickoff (moved)', time_start: '10:00:00', time_end: '11:30:00' } });
			const ny = bySubject(await events(), OUTLOOK.newYork.subject) as Item<'event'>;
			const later = (instant: string) => DateTime.fromISO(instant, { zone: 'utc' }).plus({ hours: 1 }).toISO() as string;
			await env.ews.update(
				'event',
				folders.event,
				ny.id,
				{
					...ny.record,
					start: { ...ny.record.start, dateTime: later(ny.record.start.dateTime) },
					end: { ...ny.record.end, dateTime: later(ny.record.end.dateTime) },
					location: 'Room 2',
				},
				ny.ident,
			);

			expect(report(await env.run(WORKFLOWS.calendar))).toMatchObject({ updated: 2, created: 0, deleted: 0, errors: 0, conflicts: 0 });
			const moved = (await events()).find((e) => e.id === kickoffEx.id);
			expect(moved?.record).toMatchObject({
				subject: 'CRM kickoff (moved)',
				start: { dateTime: `${day(7)}T10:00:00.000Z` },
				end: { dateTime: `${day(7)}T11:30:00.000Z` },
				reminderMinutes: 45,
			});
			expect(crmBy(await env.crm.list('events'), 'subject', OUTLOOK.newYork.subject)?.fields).toMatchObject({
				date_start: utcDate(later(OUTLOOK.newYork.start)),
				time_start: utcTime(later(OUTLOOK.newYork.start)),
				time_end: utcTime(later(OUTLOOK.newYork.end)),
				location: 'Room 2',
			});
		},
		STEP_TIMEOUT,
	);

	it(
		'carries a cancelled occurrence each way (S20)',
		async () => {
			// Outlook cancels the last occurrence of the weekly series: DeleteItem on the occurrence (5th of 5).
			const weekly = bySubject(await events(), 'Weekly jour fixe') as Item<'event'>;
			await env.ews.call(() =>
				env.ews.service.DeleteItems(
					[new AppointmentOccurrenceId(weekly.id, 5)],
					DeleteMode.MoveToDeletedItems,
					SendCancellationsMode.SendToNone,
					null as unknown as AffectedTaskOccurrence,
				),
			);
			const review = crmBy(await env.crm.list('events'), 'subject', 'CRM monthly review') as CrmRecord;
			const cancelled = { originalStart: `${reviewMonth(3)}T07:00:00.000Z`, deleted: true };
			await env.crm.update('events', review.id, { fields: { recurrence: { ...CRM_SERIES, exceptions: [...CRM_SERIES.exceptions, cancelled] } } });

			expect(report(await env.run(WORKFLOWS.calendar))).toMatchObject({ updated: 2, created: 0, deleted: 0, errors: 0, conflicts: 0 });
			const weeklyCrm = crmBy(await env.crm.list('events'), 'subject', 'Weekly jour fixe');
			expect((weeklyCrm?.fields.recurrence as ComponentRecordMap['event']['recurrence'])?.exceptions).toContainEqual({
				originalStart: at(seriesStart.plus({ weeks: 4 }), '14:00', 'Europe/Berlin'),
				deleted: true,
			});
			const reviewEx = bySubject(await events(), 'CRM monthly review');
			expect(reviewEx?.record.recurrence?.exceptions).toContainEqual(cancelled);
			expect(reviewEx?.record.recurrence?.exceptions).toHaveLength(3);
		},
		STEP_TIMEOUT,
	);

	it(
		'deletes an appointment on the other side when it is deleted on one side (S6 default)',
		async () => {
			const dstEx = bySubject(await events(), 'CRM on the DST day') as Item<'event'>;
			await env.crm.delete('events', (crmBy(await env.crm.list('events'), 'subject', 'CRM on the DST day') as CrmRecord).id);
			const winterEx = bySubject(await events(), OUTLOOK.berlinWinter.subject) as Item<'event'>;
			const winterCrm = crmBy(await env.crm.list('events'), 'subject', OUTLOOK.berlinWinter.subject) as CrmRecord;
			await env.ews.delete('event', folders.event, winterEx.id);

			expect(report(await env.run(WORKFLOWS.calendar))).toMatchObject({ deleted: 2, created: 0, updated: 0, errors: 0 });
			expect((await events()).some((e) => e.id === dstEx.id)).toBe(false);
			expect(await env.crm.get('events', winterCrm.id)).toBeUndefined();
			expect(crmBy(await env.crm.list('events'), 'subject', OUTLOOK.berlinDst.subject)).toBeDefined();
		},
		STEP_TIMEOUT,
	);

	it('writes nothing on the next run without changes (S26)', () => expectIdleRun(WORKFLOWS.calendar, 'events'), STEP_TIMEOUT);
});

// ---------------------------------------------------------------- tasks

describe('task sync template over EWS in real n8n', () => {
	const tasks = () => exchange('task');

	it(
		'runs the initial sync both ways with status and priority picklists (A3, S11) and exact dates',
		async () => {
			await env.ews.create('task', folders.task, {
				subject: 'Outlook: send offer',
				dueDate: day(4),
				startDate: day(1),
				status: 'inProgress',
				priority: 'high',
				body: 'Prices from the 2027 list',
			});
			await env.ews.create('task', folders.task, { subject: 'Outlook: call back', dueDate: day(9), status: 'notStarted', priority: 'low' });
			await env.ews.create('task', folders.task, { subject: 'Outlook: waiting for contract', dueDate: day(31), status: 'waitingOnOthers' });
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

			expect(report(await env.run(WORKFLOWS.tasks))).toMatchObject({ created: 6, errors: 0, conflicts: 0, cursorsCommitted: true });
			const crm = await env.crm.list('tasks');
			const ex = await tasks();
			expect(crm).toHaveLength(6);
			expect(ex).toHaveLength(6);
			expect(crmBy(crm, 'subject', 'Outlook: send offer')?.fields).toMatchObject({
				taskstatus: 'In Progress',
				taskpriority: 'High',
				date_start: day(1),
				due_date: day(4),
				description: 'Prices from the 2027 list',
			});
			expect(crmBy(crm, 'subject', 'Outlook: send offer')?.assignedTo).toEqual(ANNA_USER);
			expect(crmBy(crm, 'subject', 'Outlook: call back')?.fields).toMatchObject({ taskstatus: 'Not Started', taskpriority: 'Low', due_date: day(9) });
			expect(crmBy(crm, 'subject', 'Outlook: waiting for contract')?.fields).toMatchObject({
				taskstatus: 'Pending Input',
				taskpriority: 'Medium',
				due_date: day(31),
			});
			const demo = bySubject(ex, 'CRM: prepare demo');
			expect(demo?.ident).toMatch(/^crm:tasks:/);
			expect(demo?.record).toMatchObject({ status: 'inProgress', priority: 'high', startDate: day(2), dueDate: day(6), body: 'Demo data for Müller' });
			expect(bySubject(ex, 'CRM: renew licence')?.record).toMatchObject({ status: 'notStarted', priority: 'low', dueDate: day(60) });
			expect(bySubject(ex, 'CRM: deferred idea')?.record).toMatchObject({ status: 'deferred', priority: 'normal', dueDate: day(100) });
		},
		STEP_TIMEOUT,
	);

	it('writes nothing on a run without changes (S26)', () => expectIdleRun(WORKFLOWS.tasks, 'tasks'), STEP_TIMEOUT);

	it(
		'carries a completion, a due date and a priority each way (S1, S11)',
		async () => {
			const demo = crmBy(await env.crm.list('tasks'), 'subject', 'CRM: prepare demo') as CrmRecord;
			await env.crm.update('tasks', demo.id, { fields: { taskstatus: 'Completed', due_date: day(7) } });
			const callBack = bySubject(await tasks(), 'Outlook: call back') as Item<'task'>;
			await env.ews.update(
				'task',
				folders.task,
				callBack.id,
				{ ...callBack.record, status: 'completed', priority: 'high', completedAt: `${day(0)}T10:00:00.000Z` },
				callBack.ident,
			);

			expect(report(await env.run(WORKFLOWS.tasks))).toMatchObject({ updated: 2, created: 0, deleted: 0, errors: 0, conflicts: 0 });
			expect(bySubject(await tasks(), 'CRM: prepare demo')?.record).toMatchObject({ status: 'completed', priority: 'high', dueDate: day(7) });
			expect(crmBy(await env.crm.list('tasks'), 'subject', 'Outlook: call back')?.fields).toMatchObject({
				taskstatus: 'Completed',
				taskpriority: 'High',
				due_date: day(9),
			});
		},
		STEP_TIMEOUT,
	);

	it(
		'deletes a task on the other side when it is deleted on one side (S6 default)',
		async () => {
			const idea = crmBy(await env.crm.list('tasks'), 'subject', 'CRM: deferred idea') as CrmRecord;
			const ideaEx = bySubject(await tasks(), 'CRM: deferred idea') as Item<'task'>;
			await env.crm.delete('tasks', idea.id);
			const waiting = bySubject(await tasks(), 'Outlook: waiting for contract') as Item<'task'>;
			const waitingCrm = crmBy(await env.crm.list('tasks'), 'subject', 'Outlook: waiting for contract') as CrmRecord;
			await env.ews.delete('task', folders.task, waiting.id);

			expect(report(await env.run(WORKFLOWS.tasks))).toMatchObject({ deleted: 2, created: 0, updated: 0, errors: 0 });
			expect((await tasks()).some((t) => t.id === ideaEx.id)).toBe(false);
			expect(await env.crm.get('tasks', waitingCrm.id)).toBeUndefined();
			expect(await env.crm.list('tasks')).toHaveLength(4);
			expect(await tasks()).toHaveLength(4);
		},
		STEP_TIMEOUT,
	);

	it('writes nothing on the next run without changes (S26)', () => expectIdleRun(WORKFLOWS.tasks, 'tasks'), STEP_TIMEOUT);
});

// ---------------------------------------------------------------- e-mail import

describe('e-mail import template over EWS in real n8n (Run Now path)', () => {
	type MailFolders = { root: string; accounts: string; contacts: string; leads: string; partner: string };
	let mail: MailFolders;
	let customer: string;
	let inbox: string;

	function mime(from: string, subject: string, id: string): Buffer {
		const lines = [
			`From: ${from}`,
			'To: Anna Schmidt <anna@contoso.example>',
			`Subject: ${subject}`,
			`Message-ID: <${id}@e2e.example>`,
			'Date: Mon, 23 Nov 2026 09:00:00 +0000',
			'MIME-Version: 1.0',
			'Content-Type: text/plain; charset=utf-8',
		];
		return Buffer.from(`${lines.join('\r\n')}\r\n\r\nGuten Tag,\r\nanbei unser Angebot.\r\n`);
	}

	/** A mail arrives in a folder (the sandbox store, as a mail server would deliver it). */
	async function deliver(folderId: string, message: Buffer): Promise<string> {
		return (await env.sb.sandbox.store.mailbox(ANNA).createMessage(folderId, message, { receivedAt: new Date().toISOString() })).id;
	}

	async function email(messageId: string): Promise<CrmEmailRecord> {
		const found = await env.crm.findEmailByMessageId(messageId);
		if (!found) throw new Error(`No CRM e-mail with Message-ID ${messageId}`);
		return found;
	}

	beforeAll(async () => {
		mail = (await env.ews.ensureSyncFolders({ components: ['mail'] })).mail as MailFolders;
		inbox = (await env.ews.getWellKnownFolder('inbox')).id;
		// Anna files customer mail in a folder of her own under the Inbox.
		const folder = new Folder(env.ews.service);
		folder.DisplayName = 'Kunden';
		folder.FolderClass = 'IPF.Note';
		await env.ews.call(() => folder.Save(new FolderId(WellKnownFolderName.Inbox)));
		customer = folder.Id.UniqueId;
		await env.crm.create('contacts', { assignedTo: ANNA_USER, fields: { firstname: 'Kai', lastname: 'Kunde', email: 'kai.kunde@kunde.example' } });
	}, STEP_TIMEOUT);

	it(
		'imports mails moved into CRM-Sync and moves each back where it came from, a custom Inbox subfolder included (E9 from OldParentFolderId)',
		async () => {
			// The first run finds nothing and starts the cursors (with their pull subscriptions).
			const first = await env.run(WORKFLOWS.email);
			expect(nodeOutput(first, 'E-mail to Lead')).toEqual([]);

			const fromCustomer = await deliver(customer, mime('Kai Kunde <kai.kunde@kunde.example>', 'Bestellung', 'ews-custom-1'));
			const fromInbox = await deliver(inbox, mime('"Neu Kunde" <neu.kunde@beispiel.example>', 'Anfrage', 'ews-inbox-1'));
			const movedCustomer = await env.ews.moveMessage(fromCustomer, mail.contacts);
			const movedInbox = await env.ews.moveMessage(fromInbox, mail.root);

			const callsBefore = await env.ewsCalls();
			const run = await env.run(WORKFLOWS.email);
			const results = nodeOutput(run, 'E-mail to Lead');
			expect(results.map((r) => [r.exchangeId, r.status]).sort()).toEqual(
				[
					[movedCustomer.id, 'imported'],
					[movedInbox.id, 'imported'],
				].sort(),
			);
			const [kai] = await env.crm.findByEmail('kai.kunde@kunde.example', ['contacts']);
			expect((await email('<ews-custom-1@e2e.example>')).links.map((l) => `${l.module}:${l.id}`)).toEqual([`contacts:${kai.id}`]);
			const [lead] = await env.crm.findByEmail('neu.kunde@beispiel.example', ['leads']);
			expect(lead?.fields).toMatchObject({ lastname: 'neu.kunde', company: 'beispiel.example' });
			expect((await email('<ews-inbox-1@e2e.example>')).links.map((l) => `${l.module}:${l.id}`)).toContain(`leads:${lead.id}`);

			// E9: back to "Kunden" (known only from the MovedEvent's OldParentFolderId), and to the Inbox.
			const resultFor = (id: string) => results.find((r) => r.exchangeId === id) as Record<string, unknown>;
			const movedTo = async (id: string) => {
				const move = resultFor(id).move as { moved: boolean; folderId: string; newExchangeId?: string };
				return { move, folder: (await env.ews.getMessage(move.newExchangeId ?? id))?.folderId };
			};
			expect(await movedTo(movedCustomer.id)).toEqual({
				move: expect.objectContaining({ moved: true, reason: 'previousFolder', folderId: customer }),
				folder: customer,
			});
			expect((await movedTo(movedInbox.id)).folder).toBe(inbox);
			const callsAfter = await env.ewsCalls();
			measured.emailRunEwsCallsPerMessage = totalCalls(callsBefore, callsAfter) / 2;
			expect((callsAfter.MoveItem ?? 0) - (callsBefore.MoveItem ?? 0)).toBe(2);

			// Nothing new: nothing imported, no EWS write.
			const idleBefore = await env.ewsCalls();
			const idle = await env.run(WORKFLOWS.email);
			expect(nodeOutput(idle, 'E-mail to Lead')).toEqual([]);
			const idleAfter = await env.ewsCalls();
			measured.emailIdleRunEwsCalls = totalCalls(idleBefore, idleAfter);
			expect(ewsWrites(idleBefore, idleAfter)).toBe(0);
		},
		3 * STEP_TIMEOUT,
	);
});
