/**
 * Graph events ⇄ canonical appointments: attendees in the body (S18), recurrence with its exceptions,
 * wall-clock time plus a Windows zone on writes (S23). Pure functions.
 */
import { DateTime } from 'luxon';
import type { Attendee, CalendarEvent, DayOfWeek, Recurrence, RecurrenceException, RecurrencePattern, RecurrenceRange, ZonedDateTime } from '../../model/types';
import { normalizeEvent } from '../../model/normalize';
import { expandRecurrence } from '../recurrence';
import { ianaToWindows, windowsToIana } from '../timezones';
import type { GraphDateTimeTimeZone, GraphEvent, GraphPatternedRecurrence } from './graph-types';
import { text, parseGraphDateTime, instantFromGraph, dateFromGraph, zonedToGraph, plainBody } from './graph-values';

type Json = Record<string, unknown>;

const ATTENDEE_MARKER = '-- Attendees --';

/** S18: attendees go into the body text, never into Graph's `attendees` (that would send invitations). */
export function bodyWithAttendees(body: string | undefined, attendees: Attendee[] | undefined): string | undefined {
	if (!attendees || attendees.length === 0) return body;
	const lines = attendees.map((a) => `${a.name ? `${a.name} ` : ''}<${a.email}>${a.type ? ` (${a.type})` : ''}`);
	return `${body ? `${body}\n\n` : ''}${ATTENDEE_MARKER}\n${lines.join('\n')}`;
}

export function splitAttendeesFromBody(body: string | undefined): { body?: string; attendees?: Attendee[] } {
	if (!body) return {};
	const at = body.lastIndexOf(ATTENDEE_MARKER);
	if (at < 0) return { body };
	const attendees: Attendee[] = [];
	for (const line of body.slice(at + ATTENDEE_MARKER.length).split('\n')) {
		const m = /^\s*(.*?)\s*<([^>]+)>\s*(?:\((required|optional|resource)\))?\s*$/.exec(line);
		if (m) attendees.push({ email: m[2], name: m[1] || undefined, type: m[3] as Attendee['type'] });
	}
	return { body: text(body.slice(0, at)), attendees: attendees.length ? attendees : undefined };
}

const PATTERN_FIELDS: Record<RecurrencePattern['type'], Array<keyof RecurrencePattern>> = {
	daily: [],
	weekly: ['daysOfWeek', 'firstDayOfWeek'],
	absoluteMonthly: ['dayOfMonth'],
	relativeMonthly: ['daysOfWeek', 'index'],
	absoluteYearly: ['dayOfMonth', 'month'],
	relativeYearly: ['daysOfWeek', 'index', 'month'],
};

export function recurrenceFromGraph(r: GraphPatternedRecurrence): Recurrence {
	const type = r.pattern.type as RecurrencePattern['type'];
	const pattern: RecurrencePattern = { type, interval: r.pattern.interval || 1 };
	for (const f of PATTERN_FIELDS[type] ?? []) {
		const v = (r.pattern as Json)[f];
		if (v === undefined || v === null || v === 0) continue;
		if (f === 'firstDayOfWeek' && v === 'sunday') continue; // Graph's default
		if (f === 'daysOfWeek') pattern.daysOfWeek = (v as string[]).map((d) => d.toLowerCase() as DayOfWeek);
		else (pattern as unknown as Json)[f] = typeof v === 'string' ? v.toLowerCase() : v;
	}
	const rangeType = r.range.type as RecurrenceRange['type'];
	const range: RecurrenceRange = { type: rangeType, startDate: r.range.startDate };
	if (rangeType === 'endDate' && r.range.endDate) range.endDate = r.range.endDate;
	if (rangeType === 'numbered' && r.range.numberOfOccurrences) range.numberOfOccurrences = r.range.numberOfOccurrences;
	const zone = windowsToIana(r.range.recurrenceTimeZone);
	if (zone) range.recurrenceTimeZone = zone;
	return { pattern, range };
}

export function recurrenceToGraph(r: Recurrence, fallbackZone: string | undefined): GraphPatternedRecurrence {
	const p = r.pattern;
	return {
		pattern: {
			type: p.type,
			interval: p.interval,
			...(p.daysOfWeek ? { daysOfWeek: p.daysOfWeek } : {}),
			...(p.dayOfMonth ? { dayOfMonth: p.dayOfMonth } : {}),
			...(p.month ? { month: p.month } : {}),
			...(p.index ? { index: p.index } : {}),
			// "firstDayOfWeek … Required if type is weekly" (https://learn.microsoft.com/en-us/graph/api/resources/recurrencepattern?view=graph-rest-1.0);
			// Graph's default is sunday, which the canonical model leaves out.
			...(p.firstDayOfWeek || p.type === 'weekly' ? { firstDayOfWeek: p.firstDayOfWeek ?? 'sunday' } : {}),
		},
		range: {
			type: r.range.type,
			startDate: r.range.startDate,
			...(r.range.type === 'endDate' ? { endDate: r.range.endDate } : {}),
			...(r.range.type === 'numbered' ? { numberOfOccurrences: r.range.numberOfOccurrences } : {}),
			recurrenceTimeZone: ianaToWindows(r.range.recurrenceTimeZone ?? fallbackZone),
		},
	};
}

function zonedFromGraph(v: GraphDateTimeTimeZone, allDay: boolean, originalZone: string | null | undefined): ZonedDateTime {
	if (allDay) return { dateTime: dateFromGraph(v, originalZone) };
	const zone = windowsToIana(originalZone);
	return { dateTime: instantFromGraph(v), timeZone: zone && zone !== 'UTC' ? zone : undefined };
}

/** Original start of an occurrence as the canonical model keys it (UTC instant or date). */
function originalStartKey(value: string, allDay: boolean, zone: string | null | undefined): string {
	const v = { dateTime: value.replace(/Z$/, '').replace(/[+-]00:00$/, ''), timeZone: 'UTC' };
	return allDay ? dateFromGraph(v, zone) : instantFromGraph(v);
}

/**
 * Exceptions of a series from its instances (GET .../events/{id}/instances) and the
 * master's cancelled occurrences when Graph reports them.
 */
export function exceptionsFromGraph(master: GraphEvent, instances: GraphEvent[], window?: { from: string; to: string }): RecurrenceException[] {
	const allDay = master.isAllDay === true;
	const zone = master.originalStartTimeZone;
	const out: RecurrenceException[] = [];
	const cancelled = window ? cancelledFromInstances(master, instances, window) : [];
	const masterBody = plainBody(master.body);
	for (const inst of instances) {
		if (inst.type !== 'exception' || !inst.originalStart) continue;
		const ex: RecurrenceException = { originalStart: originalStartKey(inst.originalStart, allDay, zone) };
		if (inst.start) ex.start = zonedFromGraph(inst.start, allDay, inst.originalStartTimeZone ?? zone);
		if (inst.end) ex.end = zonedFromGraph(inst.end, allDay, inst.originalEndTimeZone ?? zone);
		if (text(inst.subject) !== text(master.subject)) ex.subject = text(inst.subject) ?? '';
		const loc = text(inst.location?.displayName);
		if (loc !== text(master.location?.displayName)) ex.location = loc ?? '';
		const body = inst.body ? plainBody(inst.body) : undefined;
		if (inst.body && body !== masterBody) ex.body = body ?? '';
		out.push(ex);
	}
	out.push(...cancelled);
	for (const id of master.cancelledOccurrences ?? []) {
		const date = /(\d{4}-\d{2}-\d{2})$/.exec(id)?.[1];
		if (!date || !master.start) continue;
		if (allDay) {
			out.push({ originalStart: date, deleted: true });
			continue;
		}
		const seriesZone = windowsToIana(master.recurrence?.range.recurrenceTimeZone ?? zone) ?? 'UTC';
		const startLocal = parseGraphDateTime(master.start).setZone(seriesZone);
		const occ = DateTime.fromISO(date, { zone: seriesZone }).set({
			hour: startLocal.hour,
			minute: startLocal.minute,
			second: startLocal.second,
		});
		out.push({ originalStart: occ.toUTC().toISO() as string, deleted: true });
	}
	// An occurrence missing from the instances and listed in cancelledOccurrences is one exception.
	const seen = new Set<string>();
	return out.filter((ex) => {
		const key = `${ex.deleted === true}|${ex.originalStart}`;
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
}

/**
 * Occurrences the pattern expects in the window but Graph did not list: cancelled. The
 * window's first and last day are left out (an exception moved across the edge would look
 * cancelled).
 */
function cancelledFromInstances(master: GraphEvent, instances: GraphEvent[], window: { from: string; to: string }): RecurrenceException[] {
	if (!master.recurrence || !master.start) return [];
	const allDay = master.isAllDay === true;
	const zone = master.originalStartTimeZone ?? master.start.timeZone;
	const recurrence = recurrenceFromGraph(master.recurrence);
	const start = zonedFromGraph(master.start, allDay, zone);
	const from = new Date(Date.parse(window.from) + 86_400_000).toISOString();
	const to = new Date(Date.parse(window.to) - 86_400_000).toISOString();
	const listed = new Set(
		instances.map((i) => {
			const original = i.originalStart ?? (i.start ? `${i.start.dateTime.replace(/(\.\d{3})\d*/, '$1')}Z` : '');
			return original ? originalStartKey(original, allDay, zone) : '';
		}),
	);
	return expandRecurrence(recurrence, start, allDay, from, to)
		.filter((key) => !listed.has(key))
		.map((originalStart) => ({ originalStart, deleted: true }));
}

export function eventFromGraph(g: GraphEvent, instances?: GraphEvent[], window?: { from: string; to: string }): CalendarEvent {
	const allDay = g.isAllDay === true;
	const { body, attendees } = splitAttendeesFromBody(plainBody(g.body));
	const recurrence = g.recurrence && g.type !== 'occurrence' && g.type !== 'exception' ? recurrenceFromGraph(g.recurrence) : undefined;
	if (recurrence && instances) {
		const exceptions = exceptionsFromGraph(g, instances, window);
		if (exceptions.length) recurrence.exceptions = exceptions;
	}
	if (!g.start || !g.end) throw new Error(`Graph event ${g.id} has no start or end`);
	return normalizeEvent({
		subject: text(g.subject),
		// Without originalStartTimeZone, the zone Graph answered in is the best guess.
		start: zonedFromGraph(g.start, allDay, g.originalStartTimeZone ?? g.start.timeZone),
		end: zonedFromGraph(g.end, allDay, g.originalEndTimeZone ?? g.originalStartTimeZone ?? g.end.timeZone),
		isAllDay: allDay || undefined,
		location: text(g.location?.displayName),
		body,
		categories: g.categories,
		isPrivate: g.sensitivity === 'private' || g.sensitivity === 'confidential' || undefined,
		reminderMinutes: g.isReminderOn ? g.reminderMinutesBeforeStart : undefined,
		recurrence,
		attendees,
	});
}

export interface EventWriteOptions {
	/** S19: the reminder is set once, on creation. */
	create: boolean;
	attendeesInBody?: boolean;
	/** Default reminder for creation when the record has none (S19: 15 minutes). */
	defaultReminderMinutes?: number;
}

/** Never contains `attendees` (S18). Exceptions are applied separately, on the instances. */
export function eventToGraph(e: CalendarEvent, options: EventWriteOptions): Json {
	const allDay = e.isAllDay === true;
	const body = options.attendeesInBody ? bodyWithAttendees(e.body, e.attendees) : e.body;
	const out: Json = {
		subject: e.subject ?? '',
		body: { contentType: 'text', content: body ?? '' },
		start: zonedToGraph(e.start, allDay),
		end: zonedToGraph(e.end, allDay),
		isAllDay: allDay,
		location: { displayName: e.location ?? '' },
		categories: e.categories ?? [],
		sensitivity: e.isPrivate ? 'private' : 'normal',
		recurrence: e.recurrence ? recurrenceToGraph(e.recurrence, e.start.timeZone) : null,
	};
	if (options.create) {
		const minutes = e.reminderMinutes ?? options.defaultReminderMinutes;
		out.isReminderOn = minutes !== undefined;
		if (minutes !== undefined) out.reminderMinutesBeforeStart = minutes;
	}
	return out;
}

/** Patch for one instance of a series (a modified exception). */
export function exceptionToGraph(ex: RecurrenceException, allDay: boolean): Json {
	const out: Json = {};
	if (ex.subject !== undefined) out.subject = ex.subject;
	if (ex.start) out.start = zonedToGraph(ex.start, allDay);
	if (ex.end) out.end = zonedToGraph(ex.end, allDay);
	if (ex.location !== undefined) out.location = { displayName: ex.location };
	if (ex.body !== undefined) out.body = { contentType: 'text', content: ex.body };
	return out;
}

// ---------- To Do tasks ----------
