/** The fields vtiger 8.3.0 demands beside the mapped ones on Events and Calendar (tasks) records. */
import type { VtValues } from './values';

const DATE_TIME_FIELDS = ['date_start', 'time_start', 'due_date', 'time_end'];

/**
 * What vtiger 8.3.0 needs beside the mapped fields of an appointment or a task (its describe makes them
 * mandatory, the webservice refuses the record without them):
 * - Events: duration_hours (and duration_minutes) from start and end, whenever a time is written; vtiger
 *   recomputes them on save anyway, but refuses an empty duration_hours. reminder_time is taken in
 *   seconds (and answered in minutes, as the mapping reads it), and a revise without it clears the
 *   reminder, so the current one is sent again (S19: the sync never changes a CRM reminder).
 * - Calendar (tasks): activitytype "Task" (without it vtiger files the record as an event that VTQL on
 *   Calendar never returns), and date_start, time_start and due_date, which a task from Exchange may lack:
 *   the start defaults to the due date (else today), the due date to the start, the time to 00:00:00.
 * `element` is what is about to be sent, `current` the stored record (empty on create). Returns the
 * fields to add or replace.
 */
export function calendarFields(vtModule: string, element: Record<string, string>, current: VtValues, now: Date): Record<string, string> {
	const creating = current.id === undefined;
	const value = (name: string) => (name in element ? element[name] : (current[name] ?? '')) || '';
	const out: Record<string, string> = {};
	if (vtModule === 'Events') {
		if (creating || DATE_TIME_FIELDS.some((f) => f in element)) {
			const minutes = durationMinutes(value('date_start'), value('time_start'), value('due_date'), value('time_end'));
			if (minutes !== undefined) {
				out.duration_hours = String(Math.floor(minutes / 60));
				out.duration_minutes = String(minutes % 60);
			}
		}
		if ('reminder_time' in element) {
			const minutes = Number(element.reminder_time);
			out.reminder_time = Number.isFinite(minutes) && minutes > 0 ? String(Math.round(minutes * 60)) : '';
		} else if (!creating && Number(current.reminder_time) > 0) {
			out.reminder_time = String(Number(current.reminder_time) * 60);
		}
	}
	if (vtModule === 'Calendar') {
		if (creating && !element.activitytype) out.activitytype = 'Task';
		const touched = (name: string) => creating || name in element;
		const start = value('date_start');
		const due = value('due_date');
		const today = now.toISOString().slice(0, 10);
		if (touched('date_start') && !start) out.date_start = due || today;
		if (touched('due_date') && !due) out.due_date = start || out.date_start || today;
		if (touched('time_start') && !value('time_start')) out.time_start = '00:00:00';
	}
	return out;
}

/** Minutes from start to end (vtiger dates and UTC times); undefined when a date is missing. */
function durationMinutes(startDate: string, startTime: string, endDate: string, endTime: string): number | undefined {
	const start = Date.parse(`${startDate}T${startTime || '00:00:00'}Z`);
	const end = Date.parse(`${endDate}T${endTime || '00:00:00'}Z`);
	if (!Number.isFinite(start) || !Number.isFinite(end)) return undefined;
	return Math.max(0, Math.round((end - start) / 60000));
}
