/**
 * Canonical records: the one shape per component that the sync engine sees.
 * Every side (Graph, EWS, each CRM backend) has a mapper to and from these.
 *
 * Conventions (enforced by normalize.ts):
 * - absent instead of empty: a field that is not set is `undefined`, never `''` or `[]`;
 * - e-mail addresses lower-case, strings trimmed;
 * - timed instants are ISO-8601 UTC with milliseconds (`2026-11-23T09:30:00.000Z`);
 * - dates without time (all-day, birthdays, task dates) are `YYYY-MM-DD`;
 * - time zones are IANA names (`Europe/Berlin`); Windows names are converted by the mappers.
 */

export type Component = 'contact' | 'event' | 'task';

export interface PostalAddress {
	street?: string;
	city?: string;
	postalCode?: string;
	state?: string;
	country?: string;
}

/** S22 contact fields, S10 names, S7 account. */
export interface Contact {
	firstName?: string;
	lastName?: string;
	jobTitle?: string;
	department?: string;
	description?: string;
	/** Name of the CRM account (company); Exchange: companyName. */
	accountName?: string;
	email?: string;
	otherEmail?: string;
	/** Direct (business) phone. */
	phone?: string;
	otherPhone?: string;
	mobile?: string;
	billingAddress?: PostalAddress;
	shippingAddress?: PostalAddress;
	/** YYYY-MM-DD */
	birthday?: string;
	website?: string;
	categories?: string[];
}

/**
 * A point in time. For timed values `dateTime` is a UTC instant and `timeZone` the zone
 * the user entered it in (kept so that Exchange shows the meeting in its original zone).
 * For all-day values `dateTime` is a date (`YYYY-MM-DD`) and `timeZone` is absent.
 */
export interface ZonedDateTime {
	dateTime: string;
	timeZone?: string;
}

export type DayOfWeek = 'sunday' | 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday';

/** Modelled on Graph's patternedRecurrence, which EWS recurrences map onto one to one. */
export interface RecurrencePattern {
	type: 'daily' | 'weekly' | 'absoluteMonthly' | 'relativeMonthly' | 'absoluteYearly' | 'relativeYearly';
	interval: number;
	daysOfWeek?: DayOfWeek[];
	dayOfMonth?: number;
	month?: number;
	index?: 'first' | 'second' | 'third' | 'fourth' | 'last';
	firstDayOfWeek?: DayOfWeek;
}

export interface RecurrenceRange {
	type: 'endDate' | 'noEnd' | 'numbered';
	/** YYYY-MM-DD */
	startDate: string;
	/** YYYY-MM-DD, for type endDate */
	endDate?: string;
	numberOfOccurrences?: number;
	/** IANA zone the series is defined in */
	recurrenceTimeZone?: string;
}

/** An occurrence that differs from the pattern. `originalStart` identifies the occurrence. */
export interface RecurrenceException {
	/** Original start of the occurrence: UTC instant, or YYYY-MM-DD for all-day series. */
	originalStart: string;
	/** true: this occurrence was cancelled. */
	deleted?: boolean;
	subject?: string;
	start?: ZonedDateTime;
	end?: ZonedDateTime;
	location?: string;
	body?: string;
}

export interface Recurrence {
	pattern: RecurrencePattern;
	range: RecurrenceRange;
	exceptions?: RecurrenceException[];
}

export interface Attendee {
	email: string;
	name?: string;
	type?: 'required' | 'optional' | 'resource';
}

export interface CalendarEvent {
	subject?: string;
	start: ZonedDateTime;
	end: ZonedDateTime;
	isAllDay?: boolean;
	location?: string;
	/** Plain text (S9). */
	body?: string;
	categories?: string[];
	/** S17: private appointments reach the CRM only as a busy block. */
	isPrivate?: boolean;
	/** S19: minutes before start; set once on creation. */
	reminderMinutes?: number;
	recurrence?: Recurrence;
	/** S18: not synced unless the attendee option is on. */
	attendees?: Attendee[];
	/** CRM event type (S8): Meeting, Call, ... Not an Exchange field. */
	eventType?: string;
}

export type TaskStatus = 'notStarted' | 'inProgress' | 'completed' | 'waitingOnOthers' | 'deferred';
export type TaskPriority = 'low' | 'normal' | 'high';

export interface Task {
	subject?: string;
	/** Plain text (S9). */
	body?: string;
	/** YYYY-MM-DD */
	startDate?: string;
	/** YYYY-MM-DD */
	dueDate?: string;
	status?: TaskStatus;
	priority?: TaskPriority;
	/** UTC instant */
	completedAt?: string;
	/** UTC instant of the reminder (S19: set once on creation). */
	reminderAt?: string;
	categories?: string[];
}

export interface ComponentRecordMap {
	contact: Contact;
	event: CalendarEvent;
	task: Task;
}

export type CanonicalRecord = Contact | CalendarEvent | Task;

/** Top-level canonical fields per component, in a fixed order (hashes, merge bases). */
export const COMPONENT_FIELDS: { readonly [C in Component]: ReadonlyArray<keyof ComponentRecordMap[C] & string> } = {
	contact: [
		'firstName',
		'lastName',
		'jobTitle',
		'department',
		'description',
		'accountName',
		'email',
		'otherEmail',
		'phone',
		'otherPhone',
		'mobile',
		'billingAddress',
		'shippingAddress',
		'birthday',
		'website',
		'categories',
	],
	event: ['subject', 'start', 'end', 'isAllDay', 'location', 'body', 'categories', 'isPrivate', 'reminderMinutes', 'recurrence', 'attendees', 'eventType'],
	task: ['subject', 'body', 'startDate', 'dueDate', 'status', 'priority', 'completedAt', 'reminderAt', 'categories'],
};
