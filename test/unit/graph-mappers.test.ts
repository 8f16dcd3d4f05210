/**
 * Graph ⇄ canonical mappers against Microsoft's own Graph examples and real calendar files
 * (../shared/fixtures). S10 names, S17 private, S18 attendees, S19 reminder, S20 recurrence,
 * S23 time zones and all-day.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { DateTime } from 'luxon';

import { buildWindowsZoneTable } from '../../lib/exchange/generate-windows-zones';
import type { GraphContact, GraphEvent, GraphTodoTask } from '../../lib/exchange/graph/graph-types';
import {
	contactFromGraph,
	contactToGraph,
	eventFromGraph,
	eventToGraph,
	exceptionsFromGraph,
	recurrenceFromGraph,
	taskFromGraph,
	taskToGraph,
	zonedToGraph,
} from '../../lib/exchange/graph/mappers';
import { GRAPH_IDENT_PROPERTY_ID } from '../../lib/exchange/ident';
import { ianaToWindows, windowsToIana } from '../../lib/exchange/timezones';
import { WINDOWS_ZONES } from '../../lib/exchange/windows-zones.generated';
import type { CalendarEvent } from '../../lib/model/types';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures');
const graphExample = <T>(name: string): T => JSON.parse(readFileSync(path.join(FIXTURES, 'graph/docs-examples', name), 'utf8')) as T;

/** Minimal iCalendar reader: unfolded VEVENT DTSTART/DTEND with TZID or VALUE=DATE. */
function icsEvents(name: string): Array<{ start: { value: string; tzid?: string; date: boolean }; end?: { value: string; tzid?: string; date: boolean } }> {
	const text = readFileSync(path.join(FIXTURES, 'calendars', name), 'utf8').replace(/\r?\n[ \t]/g, '');
	const out: Array<{ start: { value: string; tzid?: string; date: boolean }; end?: { value: string; tzid?: string; date: boolean } }> = [];
	for (const block of text.split('BEGIN:VEVENT').slice(1)) {
		const prop = (key: string) => {
			const m = new RegExp(`^${key}((?:;[^:\\r\\n]*)?):(.*)$`, 'm').exec(block.split('END:VEVENT')[0]);
			if (!m) return undefined;
			const tzid = /TZID="?([^";:]+)"?/.exec(m[1])?.[1];
			return { value: m[2].trim(), tzid, date: /VALUE=DATE(?!-)/.test(m[1]) || /^\d{8}$/.test(m[2].trim()) };
		};
		const start = prop('DTSTART');
		if (start) out.push({ start, end: prop('DTEND') });
	}
	return out;
}

function icsLocal(value: string): string {
	const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2}))?/.exec(value);
	if (!m) throw new Error(value);
	return m[4] ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}` : `${m[1]}-${m[2]}-${m[3]}`;
}

describe('Windows ⇄ IANA zones', () => {
	it('the committed table is exactly what CLDR windowsZones.json gives', () => {
		const cldr = JSON.parse(readFileSync(path.join(FIXTURES, 'timezones/cldr-core__windowsZones.json'), 'utf8'));
		const built = buildWindowsZoneTable(cldr);
		const committed = Object.fromEntries(Object.entries(WINDOWS_ZONES).map(([w, names]) => [w, names.split(' ')]));
		expect(committed).toEqual(built);
		expect(Object.keys(committed)).toHaveLength(139);
	});

	it('maps every Windows zone to a real IANA zone and back to an equivalent Windows zone', () => {
		for (const windows of Object.keys(WINDOWS_ZONES)) {
			const iana = windowsToIana(windows) as string;
			expect(DateTime.now().setZone(iana).isValid).toBe(true);
			const back = windowsToIana(ianaToWindows(iana)) as string;
			for (const probe of ['2026-01-15T12:00:00Z', '2026-07-15T12:00:00Z']) {
				const t = DateTime.fromISO(probe);
				expect(t.setZone(back).offset).toBe(t.setZone(iana).offset);
			}
		}
	});

	it('knows the common names and rejects Exchange custom zones', () => {
		expect(windowsToIana('Pacific Standard Time')).toBe('America/Los_Angeles');
		expect(windowsToIana('W. Europe Standard Time')).toBe('Europe/Berlin');
		expect(windowsToIana('UTC')).toBe('UTC');
		expect(windowsToIana('Europe/Paris')).toBe('Europe/Paris');
		expect(windowsToIana('tzone://Microsoft/Custom')).toBeUndefined();
		expect(ianaToWindows('Europe/Berlin')).toBe('W. Europe Standard Time');
		expect(ianaToWindows('America/New_York')).toBe('Eastern Standard Time');
		expect(ianaToWindows(undefined)).toBe('UTC');
	});
});

describe('contacts', () => {
	it("reads Microsoft's GET contact example", () => {
		const c = contactFromGraph(graphExample<GraphContact>('contact-get__01_response.json'));
		expect(c).toEqual({
			firstName: 'Garth',
			lastName: 'Fort',
			jobTitle: 'Web Marketing Manager',
			department: 'Sales & Marketing',
			accountName: 'Contoso, Inc.',
			email: 'garth@a830edad9050849nda1.onmicrosoft.com',
			phone: '+1 918 555 0101',
			billingAddress: { street: '10 Contoso Way', city: 'Redmond', state: 'WA', country: 'USA', postalCode: '98075' },
			birthday: '1974-07-22',
			website: 'https://www.contoso.com',
		});
	});

	it('S10: first name = given + middle name, split again at the first space', () => {
		const c = contactFromGraph({ id: '1', givenName: 'Anna', middleName: 'Maria Luise', surname: 'Schmidt' });
		expect(c.firstName).toBe('Anna Maria Luise');
		const g = contactToGraph(c);
		expect(g).toMatchObject({ givenName: 'Anna', middleName: 'Maria Luise', surname: 'Schmidt' });
	});

	it('round-trips every example contact, clearing fields that are absent', () => {
		for (const name of ['contact-get__01_response.json', 'user-post-contacts__01_request.json', 'contact-update__02_response.json']) {
			const first = contactFromGraph({ ...graphExample<GraphContact>(name), id: 'x' });
			const again = contactFromGraph({ ...(contactToGraph(first) as Partial<GraphContact>), id: 'x' });
			expect(again).toEqual(first);
		}
		expect(contactToGraph({ lastName: 'Only' })).toMatchObject({ givenName: null, mobilePhone: null, emailAddresses: [], birthday: null });
	});

	it('birthdays stored at local midnight anywhere (±12 h) keep their date', () => {
		expect(contactFromGraph({ id: '1', birthday: '1980-03-01T23:00:00Z' }).birthday).toBe('1980-03-02');
		expect(contactFromGraph({ id: '1', birthday: '1980-03-02T08:00:00Z' }).birthday).toBe('1980-03-02');
		expect(contactFromGraph({ id: '1', birthday: '1980-03-02T11:59:00Z' }).birthday).toBe('1980-03-02');
	});
});

describe('events', () => {
	it('reads an event returned in Pacific time as exact UTC instants, HTML body as text', () => {
		const e = eventFromGraph(graphExample<GraphEvent>('event-get__01_response.json'));
		expect(e.start).toEqual({ dateTime: '2017-04-21T17:00:00.000Z', timeZone: 'America/Los_Angeles' });
		expect(e.end).toEqual({ dateTime: '2017-04-21T19:00:00.000Z', timeZone: 'America/Los_Angeles' });
		expect(e.body).toBe('Dana, this is the time you selected for our orientation. Please bring the notes I sent you.');
		expect(e.location).toBe('Assembly Hall');
		expect(e.attendees).toBeUndefined(); // S18: Graph attendees are never read into the record
	});

	it('keeps the original zone and the reminder of a created event', () => {
		const e = eventFromGraph(graphExample<GraphEvent>('user-post-events__08_response.json'));
		expect(e.start).toEqual({ dateTime: '2017-04-15T18:00:00.000Z', timeZone: 'America/Los_Angeles' });
		expect(e.reminderMinutes).toBe(15);
		const g = eventToGraph(e, { create: true });
		expect(g.start).toEqual({ dateTime: '2017-04-15T11:00:00.0000000', timeZone: 'Pacific Standard Time' });
	});

	it("S20: reads Microsoft's recurring-event example and writes it back", () => {
		const ex = { ...graphExample<GraphEvent>('user-post-events__05_request.json'), id: 'r' };
		const r = recurrenceFromGraph(ex.recurrence as NonNullable<GraphEvent['recurrence']>);
		expect(r).toEqual({
			pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] },
			range: { type: 'endDate', startDate: '2017-09-04', endDate: '2017-12-31' },
		});
		const e = eventFromGraph(ex);
		expect(e.start.dateTime).toBe('2017-09-04T19:00:00.000Z');
		const g = eventToGraph(e, { create: false });
		expect(g.recurrence).toEqual({
			// firstDayOfWeek is required for weekly patterns (recurrencePattern reference): Graph's default, sunday.
			pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'], firstDayOfWeek: 'sunday' },
			range: { type: 'endDate', startDate: '2017-09-04', endDate: '2017-12-31', recurrenceTimeZone: 'Pacific Standard Time' },
		});
	});

	it('S20: exceptions come from the instances (modified) and cancelled occurrences', () => {
		const instances = graphExample<{ value: GraphEvent[] }>('event-list-instances__01_response.json').value;
		const master: GraphEvent = {
			id: 'AAMkAGUzYRgWAAA=',
			type: 'seriesMaster',
			subject: 'Review strategy for Q3',
			start: { dateTime: '2019-04-08T20:30:00.0000000', timeZone: 'UTC' },
			end: { dateTime: '2019-04-08T21:00:00.0000000', timeZone: 'UTC' },
			originalStartTimeZone: 'Pacific Standard Time',
			recurrence: {
				pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'], firstDayOfWeek: 'sunday' },
				range: { type: 'endDate', startDate: '2019-04-08', endDate: '2019-06-30', recurrenceTimeZone: 'Pacific Standard Time' },
			},
			cancelledOccurrences: ['OID.AAMkAGUzYRgWAAA=.2019-05-06'],
		};
		// Microsoft's example selected no originalStart; the exception moved 4/15 to 4/16.
		const withOriginal = instances.map((i) => (i.type === 'exception' ? { ...i, originalStart: '2019-04-15T20:30:00Z' } : i));
		const exceptions = exceptionsFromGraph(master, withOriginal);
		expect(exceptions).toEqual([
			{
				originalStart: '2019-04-15T20:30:00.000Z',
				start: { dateTime: '2019-04-16T20:30:00.000Z', timeZone: 'America/Los_Angeles' },
				end: { dateTime: '2019-04-16T21:00:00.000Z', timeZone: 'America/Los_Angeles' },
			},
			{ originalStart: '2019-05-06T20:30:00.000Z', deleted: true },
		]);
	});

	it('S20: an occurrence the pattern expects but Graph does not list is a cancelled one', () => {
		const instances = graphExample<{ value: GraphEvent[] }>('event-list-instances__01_response.json').value.map((i) =>
			i.type === 'exception' ? { ...i, originalStart: '2019-04-15T20:30:00Z' } : i,
		);
		const master: GraphEvent = {
			id: 'AAMkAGUzYRgWAAA=',
			type: 'seriesMaster',
			subject: 'Review strategy for Q3',
			start: { dateTime: '2019-04-08T20:30:00.0000000', timeZone: 'UTC' },
			end: { dateTime: '2019-04-08T21:00:00.0000000', timeZone: 'UTC' },
			originalStartTimeZone: 'Pacific Standard Time',
			recurrence: {
				pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'], firstDayOfWeek: 'sunday' },
				range: { type: 'noEnd', startDate: '2019-04-08', recurrenceTimeZone: 'Pacific Standard Time' },
			},
		};
		const window = { from: '2019-04-01T00:00:00Z', to: '2019-05-05T00:00:00Z' };
		expect(exceptionsFromGraph(master, instances, window).filter((e) => e.deleted)).toEqual([]);
		const without22 = instances.filter((i) => !i.start?.dateTime.startsWith('2019-04-22'));
		expect(exceptionsFromGraph(master, without22, window).filter((e) => e.deleted)).toEqual([{ originalStart: '2019-04-22T20:30:00.000Z', deleted: true }]);
	});

	it('expands the ical.js monthly series (first Tuesday, Los Angeles, across DST) like its RRULE', () => {
		// recur_instances.ics: RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=1TU, DTSTART;TZID=America/Los_Angeles:20121002T100000
		const { expandRecurrence } = jest.requireActual('../../lib/exchange/recurrence');
		const got: string[] = expandRecurrence(
			{
				pattern: { type: 'relativeMonthly', interval: 1, daysOfWeek: ['tuesday'], index: 'first' },
				range: { type: 'noEnd', startDate: '2012-10-02', recurrenceTimeZone: 'America/Los_Angeles' },
			},
			{ dateTime: '2012-10-02T17:00:00.000Z', timeZone: 'America/Los_Angeles' },
			false,
			'2012-10-01T00:00:00Z',
			'2013-04-30T00:00:00Z',
		);
		expect(got.map((g) => DateTime.fromISO(g).setZone('America/Los_Angeles').toFormat("yyyyMMdd'T'HHmmss"))).toEqual([
			'20121002T100000',
			'20121106T100000',
			'20121204T100000',
			'20130101T100000',
			'20130205T100000',
			'20130305T100000',
			'20130402T100000',
		]);
	});

	it('S23: Windows TZIDs from Exchange calendars give exact instants both ways', () => {
		const cases = [
			...icsEvents('icalendar__issue_836_do_not_quote_tzid.ics'),
			...icsEvents('icalendar__timezone_same_start.ics'),
			...icsEvents('icaljs__recur_instances.ics'),
			...icsEvents('icaljs__daily_recur.ics'),
		].filter((c) => c.start.tzid);
		expect(cases.length).toBeGreaterThanOrEqual(5);
		for (const c of cases) {
			const tzid = c.start.tzid as string;
			const iana = windowsToIana(tzid) as string;
			const windows = ianaToWindows(iana);
			const local = icsLocal(c.start.value);
			const expected = DateTime.fromISO(local, { zone: iana }).toUTC().toISO();
			const graph: GraphEvent = {
				id: 'e',
				start: { dateTime: `${local}.0000000`, timeZone: windows },
				end: { dateTime: `${icsLocal((c.end ?? c.start).value)}.0000000`, timeZone: windows },
				originalStartTimeZone: windows,
				originalEndTimeZone: windows,
			};
			const e = eventFromGraph(graph);
			expect(e.start).toEqual({ dateTime: expected, timeZone: iana === 'UTC' ? undefined : iana });
			// Written back: the same wall-clock time in the same Windows zone.
			expect(zonedToGraph(e.start, false)).toEqual({ dateTime: `${local}.0000000`, timeZone: windows });
			// Read in UTC (Prefer: outlook.timezone="UTC"), the instant is the same.
			const utc = DateTime.fromISO(expected as string)
				.toUTC()
				.toFormat("yyyy-MM-dd'T'HH:mm:ss");
			expect(eventFromGraph({ ...graph, start: { dateTime: utc, timeZone: 'UTC' } }).start.dateTime).toBe(expected);
		}
	});

	it('S23: all-day events keep their dates whichever zone Graph answers in', () => {
		const cases = [
			...icsEvents('icaljs__only_dtstart_date.ics'),
			...icsEvents('icaljs__day_long_recur_yearly.ics'),
			...icsEvents('icaljs__google_birthday.ics'),
		].filter((c) => c.start.date);
		expect(cases.length).toBeGreaterThanOrEqual(3);
		for (const c of cases) {
			const date = icsLocal(c.start.value);
			const end = DateTime.fromISO(date).plus({ days: 1 }).toISODate() as string;
			const record: CalendarEvent = { subject: 'all day', isAllDay: true, start: { dateTime: date }, end: { dateTime: end } };
			const written = eventToGraph(record, { create: true });
			expect(written.start).toEqual({ dateTime: `${date}T00:00:00.0000000`, timeZone: 'UTC' });
			const answers: GraphEvent[] = [
				{ id: 'a', isAllDay: true, start: written.start as GraphEvent['start'], end: written.end as GraphEvent['end'], originalStartTimeZone: 'UTC' },
				// created in Berlin, read in UTC: 23:00 the day before
				{
					id: 'b',
					isAllDay: true,
					originalStartTimeZone: 'W. Europe Standard Time',
					start: { dateTime: DateTime.fromISO(date, { zone: 'Europe/Berlin' }).toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss"), timeZone: 'UTC' },
					end: { dateTime: DateTime.fromISO(end, { zone: 'Europe/Berlin' }).toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss"), timeZone: 'UTC' },
				},
				// created in UTC, read in Pacific time: 16:00 the day before
				{
					id: 'c',
					isAllDay: true,
					originalStartTimeZone: 'UTC',
					start: {
						dateTime: DateTime.fromISO(date, { zone: 'UTC' }).setZone('America/Los_Angeles').toFormat("yyyy-MM-dd'T'HH:mm:ss"),
						timeZone: 'Pacific Standard Time',
					},
					end: {
						dateTime: DateTime.fromISO(end, { zone: 'UTC' }).setZone('America/Los_Angeles').toFormat("yyyy-MM-dd'T'HH:mm:ss"),
						timeZone: 'Pacific Standard Time',
					},
				},
			];
			for (const a of answers) {
				const e = eventFromGraph({ ...a, subject: 'all day' });
				expect(e).toEqual(record);
			}
		}
	});

	it('S18: attendees go into the body, never into Graph attendees, and are read back', () => {
		const record: CalendarEvent = {
			subject: 'Review',
			body: 'Agenda',
			start: { dateTime: '2026-11-23T09:00:00.000Z', timeZone: 'Europe/Berlin' },
			end: { dateTime: '2026-11-23T10:00:00.000Z', timeZone: 'Europe/Berlin' },
			attendees: [{ email: 'a@example.com', name: 'Ann', type: 'required' }, { email: 'b@example.com' }],
		};
		const g = eventToGraph(record, { create: true, attendeesInBody: true });
		expect(g).not.toHaveProperty('attendees');
		expect((g.body as { content: string }).content).toContain('<a@example.com>');
		const back = eventFromGraph({
			...(g as Partial<GraphEvent>),
			id: '1',
			originalStartTimeZone: 'W. Europe Standard Time',
			originalEndTimeZone: 'W. Europe Standard Time',
		} as GraphEvent);
		expect(back.body).toBe('Agenda');
		expect(back.attendees).toEqual([{ email: 'a@example.com', name: 'Ann', type: 'required' }, { email: 'b@example.com' }]);
		expect(eventToGraph(record, { create: true })).not.toHaveProperty('attendees');
		expect((eventToGraph(record, { create: true }).body as { content: string }).content).toBe('Agenda');
	});

	it('S17 private and S19 reminder only on creation', () => {
		const e = eventFromGraph({
			id: '1',
			start: { dateTime: '2026-11-23T09:00:00', timeZone: 'UTC' },
			end: { dateTime: '2026-11-23T10:00:00', timeZone: 'UTC' },
			sensitivity: 'private',
			isReminderOn: false,
			reminderMinutesBeforeStart: 15,
		});
		expect(e.isPrivate).toBe(true);
		expect(e.reminderMinutes).toBeUndefined();
		expect(eventToGraph(e, { create: true, defaultReminderMinutes: 15 })).toMatchObject({
			sensitivity: 'private',
			isReminderOn: true,
			reminderMinutesBeforeStart: 15,
		});
		expect(eventToGraph(e, { create: false })).not.toHaveProperty('isReminderOn');
	});

	it('reads the ident extended property', () => {
		const { identFromExtendedProperties } = jest.requireActual('../../lib/exchange/graph/mappers');
		expect(identFromExtendedProperties({ id: '1', singleValueExtendedProperties: [{ id: GRAPH_IDENT_PROPERTY_ID, value: 'crm1:contacts:42' }] })).toBe(
			'crm1:contacts:42',
		);
	});
});

describe('To Do tasks', () => {
	it("reads Microsoft's GET todoTask example (due date stored as local midnight)", () => {
		const t = taskFromGraph(graphExample<GraphTodoTask>('todotask-get__01_response.json'));
		expect(t).toEqual({ subject: 'Shop for dinner', dueDate: '2020-08-25', status: 'notStarted', priority: 'low' });
	});

	it('round-trips the example tasks', () => {
		for (const name of ['todotask-get__01_response.json', 'todotask-update__02_response.json', 'todotasklist-post-tasks__02_response.json']) {
			const first = taskFromGraph(graphExample<GraphTodoTask>(name));
			const again = taskFromGraph({ ...(taskToGraph(first, { create: true }) as Partial<GraphTodoTask>), id: 'x' });
			expect(again).toEqual(first);
		}
	});

	it('due dates stored as Berlin midnight keep their date', () => {
		expect(taskFromGraph({ id: '1', dueDateTime: { dateTime: '2026-03-28T23:00:00.0000000', timeZone: 'UTC' } }).dueDate).toBe('2026-03-29');
	});
});
