/**
 * Partial updates (issue 12 §1): the Graph properties of the changed canonical fields only, so that
 * everything the mapping does not sync (categories when unmapped, a third e-mail address, a second
 * business phone, IM addresses, the HTML body, flags, ...) stays exactly as it is in Exchange.
 * Graph's PATCH changes only the properties sent
 * (https://learn.microsoft.com/en-us/graph/api/contact-update?view=graph-rest-1.0: "only the property
 * values that are specified are updated; existing properties that are not included in the request
 * body maintain their previous values"). Collections are replaced whole by PATCH, so e-mail addresses
 * and phones are merged by slot into the collection read just before.
 */
import type { CalendarEvent, Contact, Task } from '../../model/types';
import type { GraphContact, GraphEmailAddress } from './graph-types';
import { bodyWithAttendees, contactToGraph, recurrenceToGraph, taskToGraph, zonedToGraph } from './mappers';

type Json = Record<string, unknown>;

/** The contact collections a partial update merges into; read with one GET ($select). */
export const CONTACT_LIST_SELECT = 'emailAddresses,businessPhones,homePhones';

export type ContactLists = Pick<GraphContact, 'emailAddresses' | 'businessPhones' | 'homePhones'>;

const CONTACT_SCALARS: Partial<Record<keyof Contact, string[]>> = {
	jobTitle: ['jobTitle'],
	department: ['department'],
	description: ['personalNotes'],
	accountName: ['companyName'],
	mobile: ['mobilePhone'],
	billingAddress: ['businessAddress'],
	shippingAddress: ['otherAddress'],
	birthday: ['birthday'],
	website: ['businessHomePage'],
	categories: ['categories'],
	// S10: the name parts (and the names Outlook derives from them) only when a name changed.
	firstName: ['givenName', 'middleName', 'displayName', 'fileAs'],
	lastName: ['surname', 'displayName', 'fileAs'],
};

/** Whether the partial update of these fields must read the contact's current collections first. */
export function contactPatchNeedsLists(changed: readonly string[]): boolean {
	return changed.some((f) => f === 'email' || f === 'otherEmail' || f === 'phone' || f === 'otherPhone');
}

/**
 * Sets (or, value undefined, removes) slot `index` of a collection, keeping every other entry.
 * A slot beyond the end is appended; removing a slot that is not there changes nothing.
 */
function withSlot<T>(list: readonly T[], index: number, value: T | undefined): T[] {
	const out = [...list];
	if (value === undefined) {
		if (index < out.length) out.splice(index, 1);
		return out;
	}
	if (index < out.length) out[index] = value;
	else out.push(value);
	return out;
}

function emailSlot(current: GraphEmailAddress | undefined, address: string | undefined): GraphEmailAddress | undefined {
	if (!address) return undefined;
	// A display name the user gave (not just the old address) stays.
	const name = current?.name;
	return { address, name: name && name !== current?.address ? name : address };
}

/** PATCH body for a contact: only the properties of `changed`; lists merged by slot into `lists`. */
export function contactPatch(c: Contact, changed: readonly string[], lists: ContactLists = {}): Json {
	const full = contactToGraph(c);
	const set = new Set(changed);
	const out: Json = {};
	for (const [field, props] of Object.entries(CONTACT_SCALARS) as Array<[keyof Contact, string[]]>) {
		if (!set.has(field)) continue;
		for (const p of props) out[p] = full[p];
	}
	if (set.has('email') || set.has('otherEmail')) {
		let emails = [...(lists.emailAddresses ?? [])];
		// Second slot first: removing slot 0 must not shift the slot the other field refers to.
		if (set.has('otherEmail')) emails = withSlot(emails, 1, emailSlot(emails[1], c.otherEmail));
		if (set.has('email')) emails = withSlot(emails, 0, emailSlot(emails[0], c.email));
		out.emailAddresses = emails;
	}
	if (set.has('phone')) out.businessPhones = withSlot(lists.businessPhones ?? [], 0, c.phone || undefined);
	if (set.has('otherPhone')) out.homePhones = withSlot(lists.homePhones ?? [], 0, c.otherPhone || undefined);
	return out;
}

/** PATCH body for an event: only the properties of `changed` (never attendees, S18; reminder set once, S19). */
export function eventPatch(e: CalendarEvent, changed: readonly string[], options: { attendeesInBody?: boolean }): Json {
	const set = new Set(changed);
	const allDay = e.isAllDay === true;
	const out: Json = {};
	if (set.has('subject')) out.subject = e.subject ?? '';
	// Start and end are written in the all-day form or not together with isAllDay.
	if (set.has('isAllDay')) {
		out.isAllDay = allDay;
		out.start = zonedToGraph(e.start, allDay);
		out.end = zonedToGraph(e.end, allDay);
	}
	if (set.has('start')) out.start = zonedToGraph(e.start, allDay);
	if (set.has('end')) out.end = zonedToGraph(e.end, allDay);
	if (set.has('location')) out.location = { displayName: e.location ?? '' };
	// S9: a changed description is written as plain text; otherwise the (HTML) body stays.
	if (set.has('body') || (options.attendeesInBody && set.has('attendees'))) {
		const body = options.attendeesInBody ? bodyWithAttendees(e.body, e.attendees) : e.body;
		out.body = { contentType: 'text', content: body ?? '' };
	}
	if (set.has('categories')) out.categories = e.categories ?? [];
	if (set.has('isPrivate')) out.sensitivity = e.isPrivate ? 'private' : 'normal';
	if (set.has('recurrence')) out.recurrence = e.recurrence ? recurrenceToGraph(e.recurrence, e.start.timeZone) : null;
	return out;
}

const TASK_PROPS: Partial<Record<keyof Task, string>> = {
	subject: 'title',
	body: 'body',
	startDate: 'startDateTime',
	dueDate: 'dueDateTime',
	status: 'status',
	priority: 'importance',
	categories: 'categories',
};

/** PATCH body for a To Do task: only the properties of `changed` (reminder set once, S19). */
export function taskPatch(t: Task, changed: readonly string[]): Json {
	const full = taskToGraph(t, { create: false });
	const set = new Set(changed);
	const out: Json = {};
	for (const [field, prop] of Object.entries(TASK_PROPS) as Array<[keyof Task, string]>) {
		if (set.has(field)) out[prop] = full[prop];
	}
	if ((set.has('completedAt') || set.has('status')) && full.completedDateTime !== undefined) out.completedDateTime = full.completedDateTime;
	return out;
}
