import type { CalendarEvent } from './types';

/** S19: a reminder is set once, when an appointment is created (15 minutes before unless configured), and not kept in sync. */
export const DEFAULT_REMINDER_MINUTES = 15;

/** The event as it is created: with the given (or default) reminder when it has none of its own. */
export function withCreationReminder(event: CalendarEvent, minutes: number = DEFAULT_REMINDER_MINUTES): CalendarEvent {
	return event.reminderMinutes === undefined ? { ...event, reminderMinutes: minutes } : event;
}
