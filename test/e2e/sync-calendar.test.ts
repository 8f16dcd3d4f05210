/**
 * The calendar sync template in a real n8n against the sandbox (Graph) and an embedded CRM file:
 * initial sync both ways (zones, a DST change, all-day, a recurring series with exceptions, a private
 * appointment, other event types, the past-days window, the reminder, no attendees), edits each way,
 * deletions each way and idle runs that write nothing. Each step reads both systems afterwards.
 */
import { DateTime } from 'luxon';

import type { CrmRecord } from '../../lib/crm';
import type { CalendarEvent } from '../../lib/model/types';
import { ANNA, report, startSyncEnv, type SyncEnv } from './helpers/sync-env';

const SETUP_TIMEOUT = 40 * 60_000;
const STEP_TIMEOUT = 5 * 60_000;
const WORKFLOW = 'e2eCalendarSync1';
const ANNA_USER = { type: 'user' as const, id: 'anna' };

type ExchangeEvent = { id: string; ident?: string; record: CalendarEvent };
type RawGraphEvent = {
	subject?: string;
	isReminderOn?: boolean;
	reminderMinutesBeforeStart?: number;
	attendees?: unknown[];
	sensitivity?: string;
};

let env: SyncEnv;
let folderId: string;

// ---- dates, relative to today so the window (30 past days, 365 future days) always fits ----

const today = DateTime.utc().startOf('day');
const day = (offset: number) => today.plus({ days: offset }).toISODate() as string;

/** The first day after `from` on which Berlin's UTC offset changes (a DST switch). */
function nextBerlinDstDay(from: DateTime): DateTime {
	for (let d = from.plus({ days: 1 }); ; d = d.plus({ days: 1 })) {
		const before = DateTime.fromISO(`${d.toISODate()}T00:00`, { zone: 'Europe/Berlin' }).offset;
		const after = DateTime.fromISO(`${d.toISODate()}T12:00`, { zone: 'Europe/Berlin' }).offset;
		if (before !== after) return d;
	}
}
const dstDay = nextBerlinDstDay(today.plus({ days: 3 }));

/** A wall-clock time in a zone as a canonical instant (UTC, milliseconds). */
function at(date: DateTime | string, time: string, zone: string): string {
	const iso = typeof date === 'string' ? date : (date.toISODate() as string);
	return DateTime.fromISO(`${iso}T${time}`, { zone }).toUTC().toISO() as string;
}
const utcDate = (instant: string) => instant.slice(0, 10);
const utcTime = (instant: string) => instant.slice(11, 19);

// ---- both sides ----

async function crmEvents(): Promise<CrmRecord[]> {
	return env.crm.list('events');
}

async function exchangeEvents(): Promise<ExchangeEvent[]> {
	// A wider window than the template's, so that items the sync must not write would show.
	const window = { from: today.minus({ days: 90 }).toISO() as string, to: today.plus({ days: 400 }).toISO() as string };
	const page = await env.exchange.listChanges('event', folderId, undefined, { window });
	return page.items.map((i) => ({ id: i.id, ident: i.ident, record: i.record }));
}

async function rawGraphEvent(id: string): Promise<RawGraphEvent> {
	return env.exchange.request<RawGraphEvent>(
		'GET',
		`/${env.exchange.resourceFor('event', folderId)}/${encodeURIComponent(id)}`,
		'Reading an appointment (test)',
	);
}

async function patchGraphEvent(id: string, body: Record<string, unknown>): Promise<void> {
	await env.exchange.request('PATCH', `/${env.exchange.resourceFor('event', folderId)}/${encodeURIComponent(id)}`, 'Updating an appointment (test)', { body });
}

const bySubject = <T extends { record: CalendarEvent }>(items: T[], subject: string): T | undefined => items.find((i) => i.record.subject === subject);
const crmBySubject = (records: CrmRecord[], subject: string) => records.find((r) => r.fields.subject === subject);

async function mailboxWrites(): Promise<number> {
	const counters = await env.sb.control.counters();
	const byMethod = counters[ANNA]?.byMethod ?? {};
	return (byMethod.POST ?? 0) + (byMethod.PATCH ?? 0) + (byMethod.DELETE ?? 0);
}

async function expectIdleRun(): Promise<void> {
	const crmBefore = (await crmEvents()).map((r) => `${r.id}:${r.etag}`).sort();
	const writesBefore = await mailboxWrites();
	const counts = report(await env.run(WORKFLOW));
	expect(counts).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0, conflicts: 0 });
	expect(await mailboxWrites()).toBe(writesBefore);
	expect((await crmEvents()).map((r) => `${r.id}:${r.etag}`).sort()).toEqual(crmBefore);
}

// ---- the world before the first run ----

const berlinBefore = dstDay.minus({ days: 1 });
const seriesStart = dstDay.minus({ days: 15 }); // weekly, 5 occurrences: two before and three after the DST switch
const EXCHANGE = {
	berlinWinter: { subject: 'Berlin before the switch', start: at(berlinBefore, '10:00', 'Europe/Berlin'), end: at(berlinBefore, '11:00', 'Europe/Berlin') },
	berlinDst: { subject: 'Berlin on the DST day', start: at(dstDay, '10:00', 'Europe/Berlin'), end: at(dstDay, '11:30', 'Europe/Berlin') },
	newYork: { subject: 'New York call-in', start: at(day(10), '09:30', 'America/New_York'), end: at(day(10), '10:15', 'America/New_York') },
};

/** A monthly series kept in the CRM (S20): the 2nd occurrence moved by two hours, the 3rd cancelled. */
let reviewStart = today.plus({ days: 3 });
while (reviewStart.day > 28) reviewStart = reviewStart.plus({ days: 1 }); // a day every month has
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

beforeAll(async () => {
	env = await startSyncEnv();
	const folders = await env.exchange.ensureSyncFolders({ components: ['event'] });
	folderId = folders.event as string;

	for (const [zone, e] of [
		['Europe/Berlin', EXCHANGE.berlinWinter],
		['Europe/Berlin', EXCHANGE.berlinDst],
		['America/New_York', EXCHANGE.newYork],
	] as const) {
		await env.exchange.create('event', folderId, {
			subject: e.subject,
			start: { dateTime: e.start, timeZone: zone },
			end: { dateTime: e.end, timeZone: zone },
			location: 'Room 1',
			body: 'Notes from Outlook',
		});
	}
	await env.exchange.create('event', folderId, {
		subject: 'Outlook all-day workshop',
		start: { dateTime: day(12) },
		end: { dateTime: day(14) },
		isAllDay: true,
	});
	const seriesFirst = seriesStart;
	await env.exchange.create('event', folderId, {
		subject: 'Weekly jour fixe',
		start: { dateTime: at(seriesFirst, '14:00', 'Europe/Berlin'), timeZone: 'Europe/Berlin' },
		end: { dateTime: at(seriesFirst, '15:00', 'Europe/Berlin'), timeZone: 'Europe/Berlin' },
		recurrence: {
			pattern: { type: 'weekly', interval: 1, daysOfWeek: [seriesFirst.setLocale('en').toFormat('cccc').toLowerCase() as 'monday'] },
			range: { type: 'numbered', startDate: seriesFirst.toISODate() as string, numberOfOccurrences: 5, recurrenceTimeZone: 'Europe/Berlin' },
			exceptions: [
				{
					originalStart: at(seriesFirst.plus({ weeks: 1 }), '14:00', 'Europe/Berlin'),
					start: { dateTime: at(seriesFirst.plus({ weeks: 1 }), '16:00', 'Europe/Berlin'), timeZone: 'Europe/Berlin' },
					end: { dateTime: at(seriesFirst.plus({ weeks: 1 }), '17:00', 'Europe/Berlin'), timeZone: 'Europe/Berlin' },
				},
				{ originalStart: at(seriesFirst.plus({ weeks: 3 }), '14:00', 'Europe/Berlin'), deleted: true },
			],
		},
	});
	await env.exchange.create('event', folderId, {
		subject: 'Arzttermin',
		start: { dateTime: at(day(5), '12:00', 'Europe/Berlin'), timeZone: 'Europe/Berlin' },
		end: { dateTime: at(day(5), '13:00', 'Europe/Berlin'), timeZone: 'Europe/Berlin' },
		location: 'Praxis Dr. Schmerz',
		body: 'Befund besprechen',
		isPrivate: true,
	});
	await env.exchange.create('event', folderId, {
		subject: 'Outlook long ago',
		start: { dateTime: at(day(-45), '09:00', 'UTC') },
		end: { dateTime: at(day(-45), '10:00', 'UTC') },
	});

	const meeting = (subject: string, date: string, start: string, end: string, extra: Record<string, unknown> = {}) =>
		env.crm.create('events', {
			assignedTo: ANNA_USER,
			fields: { subject, activitytype: 'Meeting', visibility: 'Public', date_start: date, time_start: start, due_date: date, time_end: end, ...extra },
		});
	await meeting('CRM kickoff', day(7), '08:00:00', '09:30:00', { location: 'Müller GmbH, München', description: 'Agenda: pricing' });
	await meeting('CRM call only', day(7), '11:00:00', '11:15:00', { activitytype: 'Call' });
	await meeting('CRM trade fair', day(20), '00:00:00', '00:00:00', { due_date: day(22), is_allday: '1' });
	await meeting('CRM long ago', day(-45), '08:00:00', '09:00:00');
	await meeting('CRM on the DST day', dstDay.toISODate() as string, '01:30:00', '02:30:00');
	await meeting('CRM monthly review', reviewMonth(0), '07:00:00', '08:00:00', { recurrence: CRM_SERIES });

	await env.importTemplate('calendar-sync.json', WORKFLOW);
}, SETUP_TIMEOUT);

afterAll(async () => {
	await env?.close();
}, 120_000);

describe('calendar sync template in real n8n', () => {
	it(
		'runs the initial sync both ways (A3) with exact times in every zone and across a DST change (S23)',
		async () => {
			const counts = report(await env.run(WORKFLOW));
			expect(counts).toMatchObject({ errors: 0, conflicts: 0, cursorsCommitted: true });
			const crm = await crmEvents();
			const exchange = await exchangeEvents();

			for (const e of Object.values(EXCHANGE)) {
				const record = crmBySubject(crm, e.subject);
				expect(record?.fields).toMatchObject({
					date_start: utcDate(e.start),
					time_start: utcTime(e.start),
					due_date: utcDate(e.end),
					time_end: utcTime(e.end),
					activitytype: 'Meeting',
					location: 'Room 1',
					description: 'Notes from Outlook',
				});
				expect(record?.assignedTo).toEqual(ANNA_USER);
			}
			// The DST day: 10:00 in Berlin is 08:00 UTC (summer time), the day before 09:00 UTC.
			expect(crmBySubject(crm, EXCHANGE.berlinDst.subject)?.fields.time_start).toBe('08:00:00');
			expect(crmBySubject(crm, EXCHANGE.berlinWinter.subject)?.fields.time_start).toBe('09:00:00');
			// Exchange keeps showing them in the zone they were entered in.
			expect(bySubject(exchange, EXCHANGE.newYork.subject)?.record.start).toEqual({ dateTime: EXCHANGE.newYork.start, timeZone: 'America/New_York' });

			const dstFromCrm = bySubject(exchange, 'CRM on the DST day');
			expect(dstFromCrm?.ident).toMatch(/^crm:events:/);
			expect(dstFromCrm?.record.start.dateTime).toBe(`${dstDay.toISODate()}T01:30:00.000Z`);
			expect(dstFromCrm?.record.end.dateTime).toBe(`${dstDay.toISODate()}T02:30:00.000Z`);
			const kickoff = bySubject(exchange, 'CRM kickoff');
			expect(kickoff?.record).toMatchObject({
				start: { dateTime: `${day(7)}T08:00:00.000Z` },
				end: { dateTime: `${day(7)}T09:30:00.000Z` },
				location: 'Müller GmbH, München',
			});
			expect(kickoff?.record.body?.startsWith('Agenda: pricing')).toBe(true);
		},
		STEP_TIMEOUT,
	);

	it(
		'keeps all-day events on the same dates on both sides (S23)',
		async () => {
			const crm = await crmEvents();
			const exchange = await exchangeEvents();
			// Exchange's end is exclusive (like iCalendar), the CRM's inclusive: a two-day workshop stays two days.
			expect(crmBySubject(crm, 'Outlook all-day workshop')?.fields).toMatchObject({ is_allday: '1', date_start: day(12), due_date: day(13) });
			expect(bySubject(exchange, 'CRM trade fair')?.record).toMatchObject({ isAllDay: true, start: { dateTime: day(20) }, end: { dateTime: day(23) } });
		},
		STEP_TIMEOUT,
	);

	it(
		'carries a private Exchange appointment into the CRM only as a busy block (S17)',
		async () => {
			const crm = await crmEvents();
			const blocks = crm.filter((r) => r.fields.visibility === 'Private');
			expect(blocks).toHaveLength(1);
			const [block] = blocks;
			expect(block.fields).toMatchObject({ subject: 'Appointment', date_start: day(5), time_start: utcTime(at(day(5), '12:00', 'Europe/Berlin')) });
			expect(block.fields.location ?? '').toBe('');
			expect(block.fields.description ?? '').toBe('');
			expect(JSON.stringify(block.fields)).not.toMatch(/Arzt|Schmerz|Befund/);
			// The Outlook original keeps its details.
			expect(bySubject(await exchangeEvents(), 'Arzttermin')?.record).toMatchObject({
				location: 'Praxis Dr. Schmerz',
				body: 'Befund besprechen',
				isPrivate: true,
			});
		},
		STEP_TIMEOUT,
	);

	it(
		'syncs only the configured event types (S8) and nothing that ended before the past-days window (A2)',
		async () => {
			const crm = await crmEvents();
			const exchange = await exchangeEvents();
			expect(bySubject(exchange, 'CRM call only')).toBeUndefined();
			expect(bySubject(exchange, 'CRM long ago')).toBeUndefined();
			expect(crmBySubject(crm, 'Outlook long ago')).toBeUndefined();
			// Everything else made it across, once.
			const subjects = (items: string[]) => [...items].sort();
			expect(subjects(exchange.map((e) => e.record.subject ?? ''))).toEqual(
				subjects([
					...Object.values(EXCHANGE).map((e) => e.subject),
					'Outlook all-day workshop',
					'Weekly jour fixe',
					'Arzttermin',
					'Outlook long ago',
					'CRM kickoff',
					'CRM trade fair',
					'CRM on the DST day',
					'CRM monthly review',
				]),
			);
			// 6 CRM appointments + 6 from Outlook (not the old one).
			expect(crm).toHaveLength(6 + 6);
		},
		STEP_TIMEOUT,
	);

	it(
		'creates appointments in Exchange with the reminder set once (S19) and never with attendees (S18)',
		async () => {
			const fromCrm = (await exchangeEvents()).filter((e) => e.ident?.startsWith('crm:events:'));
			expect(fromCrm).toHaveLength(4);
			for (const e of fromCrm) {
				const raw = await rawGraphEvent(e.id);
				expect(raw).toMatchObject({ isReminderOn: true, reminderMinutesBeforeStart: 15 });
				expect(raw.attendees ?? []).toEqual([]);
			}
		},
		STEP_TIMEOUT,
	);

	it(
		'syncs a weekly series with a moved and a cancelled occurrence into the CRM (S20)',
		async () => {
			const series = crmBySubject(await crmEvents(), 'Weekly jour fixe');
			expect(series?.fields).toMatchObject({ date_start: seriesStart.toISODate(), time_start: utcTime(at(seriesStart, '14:00', 'Europe/Berlin')) });
			const recurrence = series?.fields.recurrence as CalendarEvent['recurrence'];
			expect(recurrence?.pattern).toMatchObject({ type: 'weekly', interval: 1 });
			expect(recurrence?.range).toMatchObject({ type: 'numbered', numberOfOccurrences: 5 });
			expect(recurrence?.exceptions).toEqual(
				expect.arrayContaining([
					expect.objectContaining({
						originalStart: at(seriesStart.plus({ weeks: 1 }), '14:00', 'Europe/Berlin'),
						start: expect.objectContaining({ dateTime: at(seriesStart.plus({ weeks: 1 }), '16:00', 'Europe/Berlin') }),
					}),
					{ originalStart: at(seriesStart.plus({ weeks: 3 }), '14:00', 'Europe/Berlin'), deleted: true },
				]),
			);
		},
		STEP_TIMEOUT,
	);

	it(
		'syncs a monthly CRM series with a moved and a cancelled occurrence into Exchange (S20)',
		async () => {
			const review = bySubject(await exchangeEvents(), 'CRM monthly review');
			expect(review?.record.start.dateTime).toBe(`${reviewMonth(0)}T07:00:00.000Z`);
			expect(review?.record.recurrence).toMatchObject({ pattern: CRM_SERIES.pattern, range: CRM_SERIES.range });
			expect(review?.record.recurrence?.exceptions).toEqual(
				expect.arrayContaining([
					CRM_SERIES.exceptions[1],
					expect.objectContaining({ originalStart: CRM_SERIES.exceptions[0].originalStart, start: expect.objectContaining(CRM_SERIES.exceptions[0].start) }),
				]),
			);
		},
		STEP_TIMEOUT,
	);

	it('writes nothing on a run without changes (S26)', expectIdleRun, STEP_TIMEOUT);

	it(
		'propagates an edit on each side, and leaves a reminder changed in Outlook alone (S1, S19)',
		async () => {
			const kickoffEx = bySubject(await exchangeEvents(), 'CRM kickoff') as ExchangeEvent;
			await patchGraphEvent(kickoffEx.id, { reminderMinutesBeforeStart: 45 });
			const kickoff = crmBySubject(await crmEvents(), 'CRM kickoff') as CrmRecord;
			await env.crm.update('events', kickoff.id, { fields: { subject: 'CRM kickoff (moved)', time_start: '10:00:00', time_end: '11:30:00' } });
			const ny = bySubject(await exchangeEvents(), EXCHANGE.newYork.subject) as ExchangeEvent;
			const later = (instant: string) => DateTime.fromISO(instant, { zone: 'utc' }).plus({ hours: 1 }).toISO() as string;
			await env.exchange.update(
				'event',
				folderId,
				ny.id,
				{
					...ny.record,
					start: { ...ny.record.start, dateTime: later(ny.record.start.dateTime) },
					end: { ...ny.record.end, dateTime: later(ny.record.end.dateTime) },
					location: 'Room 2',
				},
				ny.ident,
			);

			const counts = report(await env.run(WORKFLOW));
			expect(counts).toMatchObject({ updated: 2, created: 0, deleted: 0, errors: 0, conflicts: 0 });

			const exchange = await exchangeEvents();
			const moved = exchange.find((e) => e.id === kickoffEx.id);
			expect(moved?.record).toMatchObject({
				subject: 'CRM kickoff (moved)',
				start: { dateTime: `${day(7)}T10:00:00.000Z` },
				end: { dateTime: `${day(7)}T11:30:00.000Z` },
			});
			expect(await rawGraphEvent(kickoffEx.id)).toMatchObject({ isReminderOn: true, reminderMinutesBeforeStart: 45 });
			expect(crmBySubject(await crmEvents(), EXCHANGE.newYork.subject)?.fields).toMatchObject({
				date_start: utcDate(later(EXCHANGE.newYork.start)),
				time_start: utcTime(later(EXCHANGE.newYork.start)),
				time_end: utcTime(later(EXCHANGE.newYork.end)),
				location: 'Room 2',
			});
		},
		STEP_TIMEOUT,
	);

	it(
		'carries a cancelled occurrence each way and keeps a changed private appointment a busy block (S20, S17)',
		async () => {
			// Outlook: the last occurrence of the weekly series is cancelled (DELETE on the instance, as Outlook does).
			const weekly = bySubject(await exchangeEvents(), 'Weekly jour fixe') as ExchangeEvent;
			const lastStart = at(seriesStart.plus({ weeks: 4 }), '14:00', 'Europe/Berlin');
			const instances = await env.exchange.request<{ value: Array<{ id: string; start: { dateTime: string } }> }>(
				'GET',
				`/${env.exchange.resourceFor('event', folderId)}/${encodeURIComponent(weekly.id)}/instances?startDateTime=${encodeURIComponent(seriesStart.plus({ weeks: 4 }).toISO() as string)}&endDateTime=${encodeURIComponent(seriesStart.plus({ weeks: 4, days: 1 }).toISO() as string)}`,
				'Reading occurrences (test)',
			);
			expect(instances.value).toHaveLength(1);
			await env.exchange.request(
				'DELETE',
				`/${env.exchange.resourceFor('event', folderId)}/${encodeURIComponent(instances.value[0].id)}`,
				'Cancelling an occurrence (test)',
			);
			// CRM: the fourth monthly review is cancelled too.
			const review = crmBySubject(await crmEvents(), 'CRM monthly review') as CrmRecord;
			const cancelled = { originalStart: `${reviewMonth(3)}T07:00:00.000Z`, deleted: true };
			await env.crm.update('events', review.id, { fields: { recurrence: { ...CRM_SERIES, exceptions: [...CRM_SERIES.exceptions, cancelled] } } });
			// Outlook: details of the private appointment change.
			const privateEx = bySubject(await exchangeEvents(), 'Arzttermin') as ExchangeEvent;
			await env.exchange.update('event', folderId, privateEx.id, { ...privateEx.record, location: 'Praxis Dr. Neu', body: 'Neuer Befund' }, privateEx.ident);

			const counts = report(await env.run(WORKFLOW));
			expect(counts).toMatchObject({ created: 0, deleted: 0, errors: 0, conflicts: 0 });

			const weeklyCrm = crmBySubject(await crmEvents(), 'Weekly jour fixe');
			expect((weeklyCrm?.fields.recurrence as CalendarEvent['recurrence'])?.exceptions).toContainEqual({ originalStart: lastStart, deleted: true });
			const reviewEx = bySubject(await exchangeEvents(), 'CRM monthly review');
			expect(reviewEx?.record.recurrence?.exceptions).toContainEqual(cancelled);
			const block = (await crmEvents()).find((r) => r.fields.visibility === 'Private');
			expect(block?.fields.subject).toBe('Appointment');
			expect(JSON.stringify(block?.fields)).not.toMatch(/Arzt|Praxis|Befund/);
		},
		STEP_TIMEOUT,
	);

	it(
		'deletes an appointment on the other side when it is deleted on one side (S6 default)',
		async () => {
			const dstEx = bySubject(await exchangeEvents(), 'CRM on the DST day') as ExchangeEvent;
			const dstCrm = crmBySubject(await crmEvents(), 'CRM on the DST day') as CrmRecord;
			await env.crm.delete('events', dstCrm.id);
			const winterEx = bySubject(await exchangeEvents(), EXCHANGE.berlinWinter.subject) as ExchangeEvent;
			const winterCrm = crmBySubject(await crmEvents(), EXCHANGE.berlinWinter.subject) as CrmRecord;
			await env.exchange.delete('event', folderId, winterEx.id);

			const counts = report(await env.run(WORKFLOW));
			expect(counts).toMatchObject({ deleted: 2, created: 0, updated: 0, errors: 0 });
			const exchange = await exchangeEvents();
			expect(exchange.some((e) => e.id === dstEx.id)).toBe(false);
			expect(await env.crm.get('events', winterCrm.id)).toBeUndefined();
			expect(crmBySubject(await crmEvents(), EXCHANGE.berlinDst.subject)).toBeDefined();
		},
		STEP_TIMEOUT,
	);

	it('writes nothing on the next run without changes (S26)', expectIdleRun, STEP_TIMEOUT);
});
