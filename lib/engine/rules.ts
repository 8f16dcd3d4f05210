import type { CalendarEvent, Component, ComponentRecordMap, Contact, Task } from '../model/types';

/** Last day (or instant) a record is relevant for the past-days window (A2), or undefined: always relevant. */
function windowEnd(component: Component, record: ComponentRecordMap[Component]): string | undefined {
	if (component === 'event') {
		const event = record as CalendarEvent;
		const range = event.recurrence?.range;
		if (range) return range.type === 'endDate' ? range.endDate : undefined;
		return event.end?.dateTime ?? event.start?.dateTime;
	}
	if (component === 'task') {
		const task = record as Task;
		return task.dueDate ?? task.startDate;
	}
	return undefined;
}

/** A2: is the record inside the window that starts at `from` (ISO instant)? Contacts always are. */
export function inWindow(component: Component, record: ComponentRecordMap[Component], from: string | undefined): boolean {
	if (!from) return true;
	const end = windowEnd(component, record);
	if (!end) return true;
	// Dates (YYYY-MM-DD) compare against the window's date; instants against the instant.
	return end.length === 10 ? end >= from.slice(0, 10) : end >= from;
}

function isBlank(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * S12: why a record cannot be written, or undefined when it can. `required` lists canonical fields the
 * target side insists on (e.g. the CRM's mandatory fields).
 */
export function validationError(component: Component, record: ComponentRecordMap[Component], required: readonly string[] = []): string | undefined {
	if (component === 'event') {
		const event = record as CalendarEvent;
		if (isBlank(event.subject)) return 'The appointment has no subject.';
		if (!event.start?.dateTime || !event.end?.dateTime) return 'The appointment has no start or no end.';
		if (event.end.dateTime < event.start.dateTime) return 'The appointment ends before it starts.';
	} else if (component === 'task') {
		const task = record as Task;
		if (isBlank(task.subject)) return 'The task has no subject.';
		if (task.startDate && task.dueDate && task.dueDate < task.startDate) return 'The task is due before it starts.';
	} else {
		const contact = record as Contact;
		if (isBlank(contact.lastName) && isBlank(contact.firstName) && isBlank(contact.email) && isBlank(contact.accountName)) {
			return 'The contact has no name, no company and no e-mail address.';
		}
	}
	const missing = required.filter((field) => isBlank((record as Record<string, unknown>)[field]));
	if (missing.length) return `Mandatory field${missing.length > 1 ? 's' : ''} missing: ${missing.join(', ')}.`;
	return undefined;
}
