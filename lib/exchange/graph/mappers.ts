/**
 * Microsoft Graph JSON ⇄ canonical records (lib/model). Pure functions.
 * Conventions: Graph times are read with `Prefer: outlook.timezone="UTC"` but any zone is
 * honoured; writes send wall-clock time plus a Windows zone name so Outlook shows the
 * appointment in the zone the user entered it in (S23).
 */
import { DateTime } from 'luxon';

import type {
	Attendee,
	CalendarEvent,
	Contact,
	DayOfWeek,
	PostalAddress,
	Recurrence,
	RecurrenceException,
	RecurrencePattern,
	RecurrenceRange,
	Task,
	TaskPriority,
	TaskStatus,
	ZonedDateTime,
} from '../../model/types';
import { normalizeContact, normalizeEvent, normalizeTask } from '../../model/normalize';
import { GRAPH_IDENT_PROPERTY_ID, TODO_LINKED_RESOURCE_APP } from '../ident';
import { expandRecurrence } from '../recurrence';
import { ianaToWindows, windowsToIana } from '../timezones';
import type {
	GraphContact,
	GraphDateTimeTimeZone,
	GraphEvent,
	GraphItemBase,
	GraphLinkedResource,
	GraphMessage,
	GraphPatternedRecurrence,
	GraphPhysicalAddress,
	GraphTodoTask,
} from './graph-types';
import type { MailMessageSummary } from '../types';

type Json = Record<string, unknown>;

// ---------- shared helpers ----------

function text(value: string | null | undefined): string | undefined {
	if (value === null || value === undefined) return undefined;
	const t = value.trim();
	return t === '' ? undefined : t;
}

/** Graph writes 7 fractional digits and no offset; the zone is given beside it. */
function parseGraphDateTime(value: GraphDateTimeTimeZone): DateTime {
	const zone = windowsToIana(value.timeZone) ?? 'UTC';
	const local = value.dateTime.replace(/(\.\d{3})\d*/, '$1').replace(/Z$/, '');
	const parsed = DateTime.fromISO(local, { zone });
	if (!parsed.isValid) throw new Error(`Graph returned an invalid date-time "${value.dateTime}" (${value.timeZone})`);
	return parsed;
}

export function instantFromGraph(value: GraphDateTimeTimeZone): string {
	return parseGraphDateTime(value).toUTC().toISO() as string;
}

/**
 * A date stored by Exchange as "midnight somewhere" (task due dates, birthdays, all-day
 * bounds read in another zone). A wall-clock midnight is taken as is; an instant is rounded
 * to the nearest midnight UTC, which is exact for every zone within ±12 h.
 */
export function dateFromGraph(value: GraphDateTimeTimeZone, originalZone?: string | null): string {
	const parsed = parseGraphDateTime(value);
	if (parsed.hour === 0 && parsed.minute === 0 && parsed.second === 0) return parsed.toISODate() as string;
	const zone = windowsToIana(originalZone);
	if (zone && zone !== 'UTC') {
		const inZone = parsed.setZone(zone);
		if (inZone.isValid && inZone.hour === 0 && inZone.minute === 0) return inZone.toISODate() as string;
	}
	return parsed.toUTC().plus({ hours: 12 }).toISODate() as string;
}

function dateFromInstant(value: string | null | undefined): string | undefined {
	if (!value) return undefined;
	return dateFromGraph({ dateTime: value.replace(/Z$/, ''), timeZone: 'UTC' });
}

/** Canonical timed value → Graph wall-clock time in the user's zone (Windows name). */
export function zonedToGraph(value: ZonedDateTime, allDay: boolean): GraphDateTimeTimeZone {
	if (allDay) return { dateTime: `${value.dateTime.slice(0, 10)}T00:00:00.0000000`, timeZone: 'UTC' };
	const zone = value.timeZone && DateTime.local().setZone(value.timeZone).isValid ? value.timeZone : 'UTC';
	const local = DateTime.fromISO(value.dateTime, { zone: 'utc' }).setZone(zone);
	if (!local.isValid) throw new Error(`"${value.dateTime}" is not a valid date-time`);
	return { dateTime: local.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'0000'"), timeZone: ianaToWindows(zone) };
}

function dateToGraph(date: string): GraphDateTimeTimeZone {
	return { dateTime: `${date}T00:00:00.0000000`, timeZone: 'UTC' };
}

export function etagOf(item: GraphItemBase): string {
	return item['@odata.etag'] ?? item.changeKey ?? '';
}

export function identFromExtendedProperties(item: GraphItemBase): string | undefined {
	const prop = item.singleValueExtendedProperties?.find(
		(p) => p.id.toLowerCase() === GRAPH_IDENT_PROPERTY_ID.toLowerCase(),
	);
	return text(prop?.value);
}

export function identProperty(ident: string): { singleValueExtendedProperties: Array<{ id: string; value: string }> } {
	return { singleValueExtendedProperties: [{ id: GRAPH_IDENT_PROPERTY_ID, value: ident }] };
}

/** Plain text for sync (S9); the client asks for text bodies, this strips markup if HTML still arrives. */
export function plainBody(body: { contentType?: string; content?: string | null } | null | undefined): string | undefined {
	const content = body?.content;
	if (!content) return undefined;
	if ((body?.contentType ?? 'text').toLowerCase() !== 'html') return text(content.replace(/\r\n/g, '\n'));
	return text(
		content
			.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
			.replace(/<br\s*\/?>/gi, '\n')
			.replace(/<\/(p|div|li|tr|h\d)>/gi, '\n')
			.replace(/<[^>]+>/g, '')
			.replace(/&nbsp;/g, ' ')
			.replace(/&lt;/g, '<')
			.replace(/&gt;/g, '>')
			.replace(/&quot;/g, '"')
			.replace(/&#39;/g, "'")
			.replace(/&amp;/g, '&')
			.replace(/[ \t]+\n/g, '\n')
			.replace(/\n{3,}/g, '\n\n'),
	);
}

// ---------- contacts ----------

function addressFromGraph(a: GraphPhysicalAddress | null | undefined): PostalAddress | undefined {
	if (!a) return undefined;
	return {
		street: text(a.street),
		city: text(a.city),
		postalCode: text(a.postalCode),
		state: text(a.state),
		country: text(a.countryOrRegion),
	};
}

function addressToGraph(a: PostalAddress | undefined): GraphPhysicalAddress {
	return {
		street: a?.street ?? null,
		city: a?.city ?? null,
		postalCode: a?.postalCode ?? null,
		state: a?.state ?? null,
		countryOrRegion: a?.country ?? null,
	};
}

export function contactFromGraph(g: GraphContact): Contact {
	const emails = (g.emailAddresses ?? []).map((e) => text(e.address)).filter((e): e is string => !!e);
	// S10: CRM first name = given name + middle name.
	const first = [text(g.givenName), text(g.middleName)].filter(Boolean).join(' ');
	return normalizeContact({
		firstName: first || undefined,
		lastName: text(g.surname),
		jobTitle: text(g.jobTitle),
		department: text(g.department),
		description: text(g.personalNotes),
		accountName: text(g.companyName),
		email: emails[0],
		otherEmail: emails[1],
		phone: text(g.businessPhones?.[0]),
		otherPhone: text(g.homePhones?.[0]),
		mobile: text(g.mobilePhone),
		billingAddress: addressFromGraph(g.businessAddress),
		shippingAddress: addressFromGraph(g.otherAddress),
		birthday: dateFromInstant(g.birthday),
		website: text(g.businessHomePage),
		categories: g.categories,
	});
}

/** Full representation: fields absent in the record are cleared, so PATCH and POST agree. */
export function contactToGraph(c: Contact): Json {
	const first = c.firstName?.trim() ?? '';
	const space = first.indexOf(' ');
	const given = space < 0 ? first : first.slice(0, space);
	const middle = space < 0 ? '' : first.slice(space + 1).trim();
	const emails = [c.email, c.otherEmail].filter((e): e is string => !!e).map((address) => ({ address, name: address }));
	const display = [first, c.lastName].filter(Boolean).join(' ') || c.accountName || c.email || '';
	return {
		givenName: given || null,
		middleName: middle || null,
		surname: c.lastName ?? null,
		displayName: display || null,
		fileAs: display || null,
		jobTitle: c.jobTitle ?? null,
		department: c.department ?? null,
		personalNotes: c.description ?? null,
		companyName: c.accountName ?? null,
		emailAddresses: emails,
		businessPhones: c.phone ? [c.phone] : [],
		homePhones: c.otherPhone ? [c.otherPhone] : [],
		mobilePhone: c.mobile ?? null,
		businessAddress: addressToGraph(c.billingAddress),
		otherAddress: addressToGraph(c.shippingAddress),
		birthday: c.birthday ? `${c.birthday}T00:00:00Z` : null,
		businessHomePage: c.website ?? null,
		categories: c.categories ?? [],
	};
}

// ---------- events ----------

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

const TASK_STATUSES: TaskStatus[] = ['notStarted', 'inProgress', 'completed', 'waitingOnOthers', 'deferred'];
const PRIORITIES: TaskPriority[] = ['low', 'normal', 'high'];

export function identFromLinkedResources(resources: GraphLinkedResource[] | undefined): string | undefined {
	const ours = resources?.find((r) => r.applicationName === TODO_LINKED_RESOURCE_APP && r.externalId);
	return text(ours?.externalId);
}

export function linkedResourceFor(ident: string): GraphLinkedResource {
	return { applicationName: TODO_LINKED_RESOURCE_APP, displayName: 'CRM record', externalId: ident, webUrl: undefined };
}

export function taskFromGraph(g: GraphTodoTask): Task {
	const status = TASK_STATUSES.find((s) => s === g.status);
	const priority = PRIORITIES.find((p) => p === g.importance);
	return normalizeTask({
		subject: text(g.title),
		body: plainBody(g.body),
		startDate: g.startDateTime ? dateFromGraph(g.startDateTime) : undefined,
		dueDate: g.dueDateTime ? dateFromGraph(g.dueDateTime) : undefined,
		status,
		priority,
		completedAt: g.completedDateTime ? instantFromGraph(g.completedDateTime) : undefined,
		reminderAt: g.isReminderOn && g.reminderDateTime ? instantFromGraph(g.reminderDateTime) : undefined,
		categories: g.categories,
	});
}

export function taskToGraph(t: Task, options: { create: boolean }): Json {
	const out: Json = {
		title: t.subject ?? '',
		body: { contentType: 'text', content: t.body ?? '' },
		startDateTime: t.startDate ? dateToGraph(t.startDate) : null,
		dueDateTime: t.dueDate ? dateToGraph(t.dueDate) : null,
		status: t.status ?? 'notStarted',
		importance: t.priority ?? 'normal',
		categories: t.categories ?? [],
	};
	if (t.status === 'completed' && t.completedAt) out.completedDateTime = { dateTime: t.completedAt.replace(/Z$/, ''), timeZone: 'UTC' };
	if (options.create) {
		out.isReminderOn = t.reminderAt !== undefined;
		if (t.reminderAt) out.reminderDateTime = { dateTime: t.reminderAt.replace(/Z$/, ''), timeZone: 'UTC' };
	}
	return out;
}

// ---------- messages ----------

export function messageSummaryFromGraph(g: GraphMessage, folderId?: string): MailMessageSummary {
	return {
		id: g.id,
		folderId: g.parentFolderId ?? folderId ?? '',
		internetMessageId: text(g.internetMessageId),
		subject: text(g.subject),
		from: text(g.from?.emailAddress?.address)?.toLowerCase(),
		receivedAt: g.receivedDateTime,
	};
}
