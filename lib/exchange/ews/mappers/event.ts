/**
 * EWS Appointment ⇄ canonical CalendarEvent (S17 private, S19 reminder, S20 recurrence with
 * exceptions, S23 time zones and all-day). EWS gives instants in UTC plus the Windows zone
 * the organiser used (StartTimeZone); the canonical model wants UTC + IANA zone, and for
 * all-day events plain dates (end exclusive, as Graph).
 */
import { Appointment, DayOfTheWeek, DayOfTheWeekIndex, Month, Recurrence as EwsRecurrence, Sensitivity, TimeZoneInfo } from 'ews-javascript-api';

import { normalizeEvent } from '../../../model/normalize';
import type {
	CalendarEvent,
	DayOfWeek as CanonicalDay,
	Recurrence,
	RecurrenceException,
	RecurrencePattern,
	RecurrenceRange,
	ZonedDateTime,
} from '../../../model/types';
import { bodyWithAttendees, splitAttendeesFromBody } from '../../graph/mappers';
import { ianaToWindows, windowsToIana } from '../../timezones';
import { bodyText, categories, dateIn, dateOf, fromDate, fromInstant, instant, midnightIn, read, stringList, text, textBody } from './values';

const DAYS: CanonicalDay[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const INDEXES: Array<NonNullable<RecurrencePattern['index']>> = ['first', 'second', 'third', 'fourth', 'last'];

function monthOf(value: Month | string): number {
	return typeof value === 'number' ? value : (Month[value as keyof typeof Month] ?? Number(value));
}

function days(list: DayOfTheWeek[]): CanonicalDay[] {
	const out: CanonicalDay[] = [];
	for (const d of list) {
		if (d <= DayOfTheWeek.Saturday) out.push(DAYS[d]);
		else if (d === DayOfTheWeek.Weekday) out.push('monday', 'tuesday', 'wednesday', 'thursday', 'friday');
		else if (d === DayOfTheWeek.WeekendDay) out.push('saturday', 'sunday');
		else out.push(...DAYS);
	}
	return out;
}

function zoneOf(a: Appointment): string | undefined {
	const tz = read(() => a.StartTimeZone);
	if (!tz) return undefined;
	return windowsToIana(read(() => tz.Id)) ?? read(() => tz.IanaId) ?? undefined;
}

export function recurrenceFromEws(r: EwsRecurrence, zone: string | undefined): Recurrence | undefined {
	let pattern: RecurrencePattern;
	// ews-javascript-api leaves some numbers as the strings it parsed.
	const interval = Number((r as unknown as { Interval?: number | string }).Interval ?? 1) || 1;
	if (r instanceof EwsRecurrence.DailyPattern) pattern = { type: 'daily', interval };
	else if (r instanceof EwsRecurrence.WeeklyPattern) {
		pattern = { type: 'weekly', interval, daysOfWeek: days(r.DaysOfTheWeek.GetEnumerator()) };
		const first = read(() => r.FirstDayOfWeek);
		// Sunday is the default on both protocols; the Graph mapper leaves it out too.
		if (first !== undefined && first !== 0) pattern.firstDayOfWeek = DAYS[first];
	} else if (r instanceof EwsRecurrence.MonthlyPattern) pattern = { type: 'absoluteMonthly', interval, dayOfMonth: Number(r.DayOfMonth) };
	else if (r instanceof EwsRecurrence.RelativeMonthlyPattern)
		pattern = { type: 'relativeMonthly', interval, daysOfWeek: days([r.DayOfTheWeek]), index: INDEXES[r.DayOfTheWeekIndex] };
	else if (r instanceof EwsRecurrence.YearlyPattern)
		pattern = { type: 'absoluteYearly', interval: 1, month: monthOf(r.Month), dayOfMonth: Number(r.DayOfMonth) };
	else if (r instanceof EwsRecurrence.RelativeYearlyPattern)
		pattern = { type: 'relativeYearly', interval: 1, month: monthOf(r.Month), daysOfWeek: days([r.DayOfTheWeek]), index: INDEXES[r.DayOfTheWeekIndex] };
	else return undefined; // regeneration patterns exist only on tasks
	const startDate = dateOf(r.StartDate) as string;
	const range: RecurrenceRange = { type: 'noEnd', startDate };
	if (zone) range.recurrenceTimeZone = zone;
	const count = read(() => r.NumberOfOccurrences);
	const end = read(() => r.EndDate);
	if (count) {
		const n = Number(count);
		range.type = 'numbered';
		range.numberOfOccurrences = n;
	} else if (end) {
		range.type = 'endDate';
		range.endDate = dateOf(end);
	}
	return { pattern, range };
}

function zoned(iso: string | undefined, zone: string | undefined, allDay: boolean): ZonedDateTime | undefined {
	if (!iso) return undefined;
	return allDay ? { dateTime: dateIn(iso, zone) } : { dateTime: iso, timeZone: zone && zone !== 'UTC' ? zone : undefined };
}

/**
 * @param exceptionItems the modified occurrences of a series master, loaded with GetItem
 *   (EWS lists only their ids and times on the master).
 */
export function eventFromEws(a: Appointment, exceptionItems: Appointment[] = []): CalendarEvent {
	const zone = zoneOf(a);
	const allDay = read(() => a.IsAllDayEvent) === true;
	const start = zoned(instant(read(() => a.Start)), zone, allDay) as ZonedDateTime;
	const end = zoned(instant(read(() => a.End)), zone, allDay) as ZonedDateTime;
	const sensitivity = read(() => a.Sensitivity);
	// S18: attendees are never synced as real attendees; with the option on they travel in the body.
	const { body, attendees } = splitAttendeesFromBody(bodyText(read(() => a.Body)));
	const event: CalendarEvent = {
		subject: text(read(() => a.Subject)),
		start,
		end,
		isAllDay: allDay || undefined,
		location: text(read(() => a.Location)),
		body,
		attendees,
		categories: categories(read(() => a.Categories)),
		isPrivate: sensitivity === Sensitivity.Private || sensitivity === Sensitivity.Confidential || undefined,
		reminderMinutes: read(() => a.IsReminderSet) ? read(() => a.ReminderMinutesBeforeStart) : undefined,
	};
	const rec = read(() => a.Recurrence);
	if (rec) {
		const recurrence = recurrenceFromEws(rec, zone);
		if (recurrence) {
			const exceptions: RecurrenceException[] = [];
			for (const d of read(() => a.DeletedOccurrences?.GetEnumerator()) ?? []) {
				const original = instant(d.OriginalStart);
				if (original) exceptions.push({ originalStart: allDay ? dateIn(original, zone) : original, deleted: true });
			}
			const loaded = new Map(exceptionItems.map((x) => [read(() => x.Id.UniqueId), x]));
			for (const m of read(() => a.ModifiedOccurrences?.GetEnumerator()) ?? []) {
				const original = instant(m.OriginalStart);
				if (!original) continue;
				const item = loaded.get(m.ItemId.UniqueId);
				const ex: RecurrenceException = {
					originalStart: allDay ? dateIn(original, zone) : original,
					start: zoned(instant(m.Start), zone, allDay),
					end: zoned(instant(m.End), zone, allDay),
				};
				// Like the Graph mapper: an exception carries only what differs from the series.
				if (item) {
					const subject = text(read(() => item.Subject));
					if (subject !== event.subject) ex.subject = subject ?? '';
					const location = text(read(() => item.Location));
					if (location !== event.location) ex.location = location ?? '';
					const exBody = bodyText(read(() => item.Body));
					if (exBody !== event.body) ex.body = exBody ?? '';
				}
				exceptions.push(ex);
			}
			if (exceptions.length) recurrence.exceptions = exceptions;
			event.recurrence = recurrence;
		}
	}
	return normalizeEvent(event);
}

function recurrenceToEws(rec: Recurrence, allDay: boolean): EwsRecurrence {
	const p = rec.pattern;
	const dayValues = (p.daysOfWeek ?? []).map((d) => DAYS.indexOf(d) as DayOfTheWeek);
	const index = (p.index ? INDEXES.indexOf(p.index) : 0) as DayOfTheWeekIndex;
	let r: EwsRecurrence;
	switch (p.type) {
		case 'daily': {
			const d = new EwsRecurrence.DailyPattern();
			d.Interval = p.interval;
			r = d;
			break;
		}
		case 'weekly': {
			const w = new EwsRecurrence.WeeklyPattern();
			w.Interval = p.interval;
			w.DaysOfTheWeek.AddRange(dayValues);
			if (p.firstDayOfWeek) w.FirstDayOfWeek = DAYS.indexOf(p.firstDayOfWeek) as typeof w.FirstDayOfWeek;
			r = w;
			break;
		}
		case 'absoluteMonthly': {
			const m = new EwsRecurrence.MonthlyPattern();
			m.Interval = p.interval;
			m.DayOfMonth = p.dayOfMonth ?? 1;
			r = m;
			break;
		}
		case 'relativeMonthly': {
			const m = new EwsRecurrence.RelativeMonthlyPattern();
			m.Interval = p.interval;
			m.DayOfTheWeek = dayValues[0] ?? DayOfTheWeek.Monday;
			m.DayOfTheWeekIndex = index;
			r = m;
			break;
		}
		case 'absoluteYearly': {
			const y = new EwsRecurrence.YearlyPattern();
			y.Month = (p.month ?? 1) as Month;
			y.DayOfMonth = p.dayOfMonth ?? 1;
			r = y;
			break;
		}
		default: {
			const y = new EwsRecurrence.RelativeYearlyPattern();
			y.Month = (p.month ?? 1) as Month;
			y.DayOfTheWeek = dayValues[0] ?? DayOfTheWeek.Monday;
			y.DayOfTheWeekIndex = index;
			r = y;
		}
	}
	r.StartDate = fromDate(rec.range.startDate);
	if (rec.range.type === 'numbered' && rec.range.numberOfOccurrences) r.NumberOfOccurrences = rec.range.numberOfOccurrences;
	else if (rec.range.type === 'endDate' && rec.range.endDate) r.EndDate = fromDate(rec.range.endDate);
	else r.NeverEnds();
	void allDay;
	return r;
}

/**
 * Write every mapped field onto an appointment. S18: attendees are never written as
 * attendees (that would send invitations); with `attendeesInBody` they go into the body.
 * S19: the reminder is set only on creation. Recurrence exceptions need calls on the
 * occurrences themselves (the client's applyExceptions, with applyExceptionToEws). With `changed` (an
 * update's changedFields) only the properties of those canonical fields are touched, so categories, the
 * HTML body of an unchanged description and the rest stay as they are in Exchange (issue 12 §1).
 */
export function applyEventToEws(
	a: Appointment,
	input: CalendarEvent,
	isNew: boolean,
	attendeesInBody = false,
	defaultReminderMinutes?: number,
	changed?: ReadonlySet<string>,
): void {
	const e = normalizeEvent(input);
	const writes = (...fields: string[]) => !changed || fields.some((f) => changed.has(f));
	const zone = e.isAllDay ? (e.recurrence?.range.recurrenceTimeZone ?? e.start.timeZone) : e.start.timeZone;
	const windows = ianaToWindows(zone);
	let tz: TimeZoneInfo | undefined;
	try {
		tz = TimeZoneInfo.FindSystemTimeZoneById(windows);
	} catch {
		tz = TimeZoneInfo.Utc;
	}
	if (writes('subject')) a.Subject = e.subject ?? '';
	// Start, end, their zones and the all-day flag are written together (the recurrence is anchored on them).
	if (writes('start', 'end', 'isAllDay', 'recurrence')) {
		if (e.isAllDay) {
			a.IsAllDayEvent = true;
			a.Start = fromInstant(midnightIn(e.start.dateTime, zone));
			a.End = fromInstant(midnightIn(e.end.dateTime, zone));
		} else {
			if (!isNew) a.IsAllDayEvent = false;
			a.Start = fromInstant(e.start.dateTime);
			a.End = fromInstant(e.end.dateTime);
		}
		a.StartTimeZone = tz;
		a.EndTimeZone = tz;
	}
	if (writes('location') && (e.location !== undefined || !isNew)) a.Location = e.location ?? (null as unknown as string);
	const body = attendeesInBody ? bodyWithAttendees(e.body, e.attendees) : e.body;
	if (writes('body', ...(attendeesInBody ? ['attendees'] : [])) && (body !== undefined || !isNew)) a.Body = textBody(body);
	if (writes('categories') && (e.categories || !isNew)) a.Categories = stringList(e.categories);
	if (writes('isPrivate')) a.Sensitivity = e.isPrivate ? Sensitivity.Private : Sensitivity.Normal;
	if (isNew) {
		const minutes = e.reminderMinutes ?? defaultReminderMinutes;
		a.IsReminderSet = minutes !== undefined;
		if (minutes !== undefined) a.ReminderMinutesBeforeStart = minutes;
	}
	if (writes('recurrence', 'start', 'end', 'isAllDay')) {
		if (e.recurrence) a.Recurrence = recurrenceToEws(e.recurrence, e.isAllDay === true);
		else if (!isNew) a.Recurrence = null as unknown as EwsRecurrence;
	}
}

/** What a moved or changed occurrence differs in (like Graph's exceptionToGraph), onto the bound occurrence. */
export function applyExceptionToEws(a: Appointment, ex: RecurrenceException, allDay: boolean, zone: string | undefined): void {
	if (ex.subject !== undefined) a.Subject = ex.subject;
	if (ex.location !== undefined) a.Location = ex.location;
	if (ex.body !== undefined) a.Body = textBody(ex.body);
	const at = (z: ZonedDateTime) => fromInstant(allDay ? midnightIn(z.dateTime, zone) : z.dateTime);
	if (ex.start) a.Start = at(ex.start);
	if (ex.end) a.End = at(ex.end);
}
