/**
 * Graph request bodies → store payloads. Unknown properties are rejected as Graph does
 * (400 RequestBodyRead); read-only ones are ignored.
 */
import { randomUUID } from 'node:crypto';
import {
	canonicalExtendedPropertyId,
	isKnownZone,
	localToUtc,
	type ContactData,
	type EventData,
	type EventTimes,
	type ExtendedPropertyPatch,
	type TaskData,
} from '../store';
import { GraphError, badRequest } from './errors';

type Body = Record<string, unknown>;

const READ_ONLY = new Set([
	'id',
	'createdDateTime',
	'lastModifiedDateTime',
	'changeKey',
	'parentFolderId',
	'bodyPreview',
	'webLink',
	'iCalUId',
	'type',
	'seriesMasterId',
	'originalStartTimeZone',
	'originalEndTimeZone',
	'originalStart',
	'responseStatus',
	'isOrganizer',
	'hasAttachments',
	'onlineMeeting',
	'onlineMeetingUrl',
	'onlineMeetingProvider',
	'occurrenceId',
	'singleValueExtendedProperties',
	'multiValueExtendedProperties',
	'isCancelled',
	'yomiGivenName',
	'yomiSurname',
	'yomiCompanyName',
	'photo',
]);

function checkProperties(body: Body, allowed: readonly string[], type: string): void {
	for (const key of Object.keys(body)) {
		if (key.startsWith('@') || READ_ONLY.has(key) || allowed.includes(key)) continue;
		throw new GraphError(
			400,
			'RequestBodyRead',
			`The property '${key}' does not exist on type 'microsoft.graph.${type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
		);
	}
}

export function parseJsonBody(raw: Buffer): Body {
	if (raw.length === 0) return {};
	try {
		const parsed: unknown = JSON.parse(raw.toString('utf8'));
		if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
		return parsed as Body;
	} catch {
		throw badRequest('Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.', 'BadRequest');
	}
}

/** singleValueExtendedProperties: [{ id, value }] → a store patch. */
export function extendedPropertiesFrom(body: Body): ExtendedPropertyPatch | undefined {
	const list = body.singleValueExtendedProperties;
	if (list === undefined) return undefined;
	if (!Array.isArray(list)) throw badRequest('singleValueExtendedProperties must be a collection.');
	const patch: ExtendedPropertyPatch = {};
	for (const entry of list as Array<{ id?: unknown; value?: unknown }>) {
		const id = typeof entry.id === 'string' ? canonicalExtendedPropertyId(entry.id) : undefined;
		if (!id) throw badRequest(`The extended property id '${String(entry.id)}' is not valid.`, 'ErrorInvalidProperty');
		patch[id] = entry.value === null ? null : String(entry.value);
	}
	return patch;
}

function pick<T>(body: Body, keys: readonly string[]): Partial<T> {
	const out: Record<string, unknown> = {};
	for (const key of keys) if (key in body) out[key] = body[key] === null ? undefined : structuredClone(body[key]);
	return out as Partial<T>;
}

// ---- contacts -------------------------------------------------------------------------------

const CONTACT_KEYS = [
	'givenName',
	'middleName',
	'surname',
	'displayName',
	'nickName',
	'initials',
	'title',
	'generation',
	'fileAs',
	'jobTitle',
	'department',
	'companyName',
	'officeLocation',
	'profession',
	'manager',
	'assistantName',
	'spouseName',
	'personalNotes',
	'birthday',
	'businessHomePage',
	'emailAddresses',
	'imAddresses',
	'businessPhones',
	'homePhones',
	'mobilePhone',
	'businessAddress',
	'homeAddress',
	'otherAddress',
	'children',
	'categories',
] as const;

export function contactPatch(body: Body): Partial<ContactData> {
	checkProperties(body, CONTACT_KEYS, 'contact');
	const patch = pick<ContactData>(body, CONTACT_KEYS);
	if (typeof body.birthday === 'string') {
		const m = /^(\d{4}-\d{2}-\d{2})/.exec(body.birthday);
		if (!m) throw badRequest(`Cannot convert the literal '${body.birthday}' to the expected type 'Edm.DateTimeOffset'.`, 'BadRequest');
		patch.birthday = m[1];
	}
	if (patch.emailAddresses && !Array.isArray(patch.emailAddresses)) throw badRequest('emailAddresses must be a collection.');
	if (patch.emailAddresses && patch.emailAddresses.length > 3) throw badRequest('A contact can have at most 3 email addresses.', 'ErrorInvalidArgument');
	return patch;
}

// ---- events ---------------------------------------------------------------------------------

const EVENT_KEYS = [
	'subject',
	'body',
	'start',
	'end',
	'isAllDay',
	'location',
	'locations',
	'categories',
	'sensitivity',
	'showAs',
	'importance',
	'isReminderOn',
	'reminderMinutesBeforeStart',
	'attendees',
	'organizer',
	'recurrence',
	'transactionId',
	'isOnlineMeeting',
	'responseRequested',
	'allowNewTimeProposals',
	'hideAttendees',
	'isDraft',
] as const;

interface DateTimeTimeZoneInput {
	dateTime?: unknown;
	timeZone?: unknown;
}

function zonedInput(value: unknown, name: string): { dateTime: string; timeZone: string } {
	const v = (value ?? {}) as DateTimeTimeZoneInput;
	if (typeof v.dateTime !== 'string') throw badRequest(`${name}.dateTime is required.`, 'ErrorInvalidRequest');
	const timeZone = typeof v.timeZone === 'string' && v.timeZone ? v.timeZone : 'UTC';
	if (!isKnownZone(timeZone))
		throw badRequest(
			`A valid TimeZone value must be specified. The following TimeZone value is not supported: '${timeZone}'.`,
			'TimeZoneNotSupportedException',
		);
	return { dateTime: v.dateTime, timeZone };
}

function computeTimes(current: EventTimes | undefined, body: Body): EventTimes {
	const isAllDay = typeof body.isAllDay === 'boolean' ? body.isAllDay : (current?.isAllDay ?? false);
	if (!current && (body.start === undefined || body.end === undefined)) throw badRequest('The event must have a start and an end.', 'ErrorInvalidRequest');
	const startIn = body.start !== undefined ? zonedInput(body.start, 'start') : undefined;
	const endIn = body.end !== undefined ? zonedInput(body.end, 'end') : undefined;
	let times: EventTimes;
	if (isAllDay) {
		const dateOf = (input: { dateTime: string } | undefined, fallback: string | undefined, which: string): string => {
			if (!input) {
				if (!fallback) throw badRequest(`The event must have a ${which}.`);
				return fallback.slice(0, 10);
			}
			if (!/^\d{4}-\d{2}-\d{2}(T00:00(:00(\.0+)?)?)?$/.test(input.dateTime)) {
				throw badRequest(
					"Your request can't be completed. If an event is marked as all-day, the start and end time must be midnight and be at least one day apart.",
					'ErrorPropertyValidationFailure',
				);
			}
			return input.dateTime.slice(0, 10);
		};
		times = {
			isAllDay: true,
			start: dateOf(startIn, current?.isAllDay ? current.start : undefined, 'start'),
			end: dateOf(endIn, current?.isAllDay ? current.end : undefined, 'end'),
			startTimeZone: startIn?.timeZone ?? current?.startTimeZone ?? 'UTC',
			endTimeZone: endIn?.timeZone ?? current?.endTimeZone ?? 'UTC',
		};
		if (times.end <= times.start) {
			throw badRequest(
				"Your request can't be completed. If an event is marked as all-day, the start and end time must be midnight and be at least one day apart.",
				'ErrorPropertyValidationFailure',
			);
		}
	} else {
		const toUtc = (input: { dateTime: string; timeZone: string }): string => {
			try {
				return localToUtc(input.dateTime, input.timeZone);
			} catch {
				throw badRequest(`Cannot convert the literal '${input.dateTime}' to the expected type 'Edm.DateTime'.`, 'BadRequest');
			}
		};
		const currentTimed = current && !current.isAllDay ? current : undefined;
		const start = startIn ? toUtc(startIn) : currentTimed?.start;
		const end = endIn ? toUtc(endIn) : currentTimed?.end;
		if (!start || !end) throw badRequest('The event must have a start and an end.', 'ErrorInvalidRequest');
		times = {
			isAllDay: false,
			start,
			end,
			startTimeZone: startIn?.timeZone ?? current?.startTimeZone ?? 'UTC',
			endTimeZone: endIn?.timeZone ?? current?.endTimeZone ?? 'UTC',
		};
		if (Date.parse(end) < Date.parse(start))
			throw badRequest('The end time of the event is earlier than its start time.', 'ErrorCalendarEndDateIsEarlierThanStartDate');
	}
	return times;
}

/** A new event's payload. */
export function eventCreate(body: Body): EventData {
	checkProperties(body, EVENT_KEYS, 'event');
	const data = pick<EventData>(
		body,
		EVENT_KEYS.filter((k) => k !== 'start' && k !== 'end' && k !== 'isAllDay'),
	);
	validateRecurrence(body.recurrence);
	return {
		...data,
		times: computeTimes(undefined, body),
		iCalUId: '040000008200E00074C5B7101A82E008' + randomUUID().replace(/-/g, '').toUpperCase(),
	} as EventData;
}

/** Applies a PATCH body to an event payload (master or exception). */
export function eventPatch(current: EventData, body: Body): EventData {
	checkProperties(body, EVENT_KEYS, 'event');
	validateRecurrence(body.recurrence);
	const patch = pick<EventData>(
		body,
		EVENT_KEYS.filter((k) => k !== 'start' && k !== 'end' && k !== 'isAllDay'),
	);
	const next: EventData = { ...current, ...patch };
	for (const key of Object.keys(body)) if (body[key] === null && key in next) delete (next as unknown as Record<string, unknown>)[key];
	if (body.start !== undefined || body.end !== undefined || body.isAllDay !== undefined) next.times = computeTimes(current.times, body);
	if (body.recurrence === null) {
		delete next.recurrence;
		delete next.exceptions;
	}
	return next;
}

function validateRecurrence(value: unknown): void {
	if (value === undefined || value === null) return;
	const r = value as { pattern?: { type?: unknown; interval?: unknown }; range?: { type?: unknown; startDate?: unknown } };
	const types = ['daily', 'weekly', 'absoluteMonthly', 'relativeMonthly', 'absoluteYearly', 'relativeYearly'];
	if (!r.pattern || !types.includes(String(r.pattern.type))) throw badRequest('The recurrence pattern is invalid.', 'ErrorInvalidRecurrence');
	if (!r.range || !['endDate', 'noEnd', 'numbered'].includes(String(r.range.type)) || typeof r.range.startDate !== 'string') {
		throw badRequest('The recurrence range is invalid.', 'ErrorInvalidRecurrence');
	}
}

// ---- tasks ----------------------------------------------------------------------------------

const TASK_KEYS = [
	'title',
	'body',
	'importance',
	'status',
	'isReminderOn',
	'reminderDateTime',
	'dueDateTime',
	'startDateTime',
	'completedDateTime',
	'categories',
	'recurrence',
	'linkedResources',
	'bodyLastModifiedDateTime',
	'checklistItems',
] as const;

const TASK_STATUS = ['notStarted', 'inProgress', 'completed', 'waitingOnOthers', 'deferred'];

export function taskPatch(body: Body): Partial<TaskData> {
	checkProperties(body, TASK_KEYS, 'todoTask');
	const patch = pick<TaskData>(
		body,
		TASK_KEYS.filter((k) => k !== 'linkedResources' && k !== 'bodyLastModifiedDateTime' && k !== 'checklistItems'),
	);
	if (patch.status !== undefined && !TASK_STATUS.includes(patch.status)) {
		throw badRequest(`The requested value '${String(patch.status)}' is not a valid value for 'status'.`, 'invalidRequest');
	}
	for (const key of ['reminderDateTime', 'dueDateTime', 'startDateTime', 'completedDateTime'] as const) {
		const value = patch[key];
		if (value) patch[key] = zonedInput(value, key);
	}
	return patch;
}

export function messagePatch(body: Body): { isRead?: boolean; categories?: string[]; importance?: 'low' | 'normal' | 'high'; subject?: string } {
	checkProperties(body, ['isRead', 'categories', 'importance', 'subject', 'flag', 'inferenceClassification'], 'message');
	return pick(body, ['isRead', 'categories', 'importance', 'subject']);
}
