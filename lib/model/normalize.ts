import { DateTime } from 'luxon';

import type { CalendarEvent, Component, ComponentRecordMap, Contact, Task, ZonedDateTime } from './types';

const EMAIL_FIELDS = new Set(['email', 'otherEmail']);

/** Trim strings, drop empty strings, empty arrays and empty objects, recursively. */
export function compact<T>(value: T): T | undefined {
	if (value === null || value === undefined) return undefined;
	if (typeof value === 'string') {
		const trimmed = value.trim();
		return (trimmed === '' ? undefined : trimmed) as T | undefined;
	}
	if (Array.isArray(value)) {
		const items = value.map((v) => compact(v)).filter((v) => v !== undefined);
		return (items.length === 0 ? undefined : items) as T | undefined;
	}
	if (typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
			const c = compact(v);
			if (c !== undefined) out[key] = c;
		}
		return (Object.keys(out).length === 0 ? undefined : out) as T | undefined;
	}
	return value;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** A date-time string in any ISO form (with offset or zone) → UTC instant with milliseconds. */
export function toUtcInstant(value: string, zone = 'UTC'): string {
	// Fast path for what most feeds already send (a UTC instant); luxon handles everything else.
	if (UTC_INSTANT.test(value)) {
		const parsed = new Date(value);
		if (!Number.isNaN(parsed.getTime())) return parsed.toISOString();
	}
	const parsed = DateTime.fromISO(value, { zone, setZone: false });
	if (!parsed.isValid) throw new Error(`"${value}" is not a valid date-time`);
	return parsed.toUTC().toISO({ suppressMilliseconds: false }) as string;
}

/** A date string (or the date part of a date-time) → YYYY-MM-DD. */
export function toDate(value: string): string {
	if (DATE_ONLY.test(value)) return value;
	const parsed = DateTime.fromISO(value, { setZone: true });
	if (!parsed.isValid) throw new Error(`"${value}" is not a valid date`);
	return parsed.toISODate() as string;
}

function normalizeZoned(value: ZonedDateTime | undefined, allDay: boolean): ZonedDateTime | undefined {
	if (!value || !value.dateTime) return undefined;
	if (allDay) return { dateTime: toDate(value.dateTime) };
	const zone = value.timeZone && value.timeZone.trim() !== '' ? value.timeZone.trim() : undefined;
	return compact({ dateTime: toUtcInstant(value.dateTime, zone ?? 'UTC'), timeZone: zone }) as ZonedDateTime;
}

function sortedUnique(values: string[] | undefined): string[] | undefined {
	if (!values) return undefined;
	const set = [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))];
	return set.length ? set.sort((a, b) => a.localeCompare(b)) : undefined;
}

export function normalizeContact(input: Contact): Contact {
	const out = (compact(input) ?? {}) as Contact & Record<string, unknown>;
	for (const key of EMAIL_FIELDS) {
		const v = out[key];
		if (typeof v === 'string') out[key] = v.toLowerCase();
	}
	if (out.birthday) out.birthday = toDate(out.birthday);
	if (out.categories) out.categories = sortedUnique(out.categories);
	return out;
}

export function normalizeEvent(input: CalendarEvent): CalendarEvent {
	const out = (compact(input) ?? {}) as CalendarEvent;
	const allDay = out.isAllDay === true;
	out.isAllDay = allDay ? true : undefined;
	if (!allDay) delete out.isAllDay;
	out.start = normalizeZoned(input.start, allDay) as ZonedDateTime;
	out.end = normalizeZoned(input.end, allDay) as ZonedDateTime;
	if (!out.start) delete (out as Partial<CalendarEvent>).start;
	if (!out.end) delete (out as Partial<CalendarEvent>).end;
	if (out.categories) out.categories = sortedUnique(out.categories);
	if (out.isPrivate !== true) delete out.isPrivate;
	if (out.attendees) {
		out.attendees = out.attendees.map((a) => ({ ...a, email: a.email.toLowerCase() })).sort((a, b) => a.email.localeCompare(b.email));
	}
	if (out.recurrence?.exceptions) {
		out.recurrence.exceptions = [...out.recurrence.exceptions]
			.map((ex) => {
				const n = { ...ex };
				n.originalStart = allDay ? toDate(ex.originalStart) : toUtcInstant(ex.originalStart);
				if (ex.start) n.start = normalizeZoned(ex.start, allDay);
				if (ex.end) n.end = normalizeZoned(ex.end, allDay);
				return compact(n) as typeof ex;
			})
			.sort((a, b) => a.originalStart.localeCompare(b.originalStart));
	}
	if (out.recurrence?.pattern.daysOfWeek) {
		const order = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
		out.recurrence.pattern.daysOfWeek = [...new Set(out.recurrence.pattern.daysOfWeek)].sort((a, b) => order.indexOf(a) - order.indexOf(b));
	}
	return out;
}

export function normalizeTask(input: Task): Task {
	const out = (compact(input) ?? {}) as Task;
	// Exchange always has a status and an importance; a CRM may leave them empty. Empty means the default.
	out.status = out.status ?? 'notStarted';
	out.priority = out.priority ?? 'normal';
	if (out.startDate) out.startDate = toDate(out.startDate);
	if (out.dueDate) out.dueDate = toDate(out.dueDate);
	if (out.completedAt) out.completedAt = toUtcInstant(out.completedAt);
	if (out.reminderAt) out.reminderAt = toUtcInstant(out.reminderAt);
	if (out.categories) out.categories = sortedUnique(out.categories);
	return out;
}

export function normalize<C extends Component>(component: C, record: ComponentRecordMap[C]): ComponentRecordMap[C] {
	switch (component) {
		case 'contact':
			return normalizeContact(record as Contact) as ComponentRecordMap[C];
		case 'event':
			return normalizeEvent(record as CalendarEvent) as ComponentRecordMap[C];
		default:
			return normalizeTask(record as Task) as ComponentRecordMap[C];
	}
}
