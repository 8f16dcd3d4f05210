/**
 * Expands a canonical recurrence (Graph's patternedRecurrence model) into the original
 * starts of its occurrences. Used to tell which occurrences of a series were cancelled:
 * Graph v1.0 lists only the instances that exist.
 */
import { DateTime } from 'luxon';

import type { DayOfWeek, Recurrence, ZonedDateTime } from '../model/types';

const WEEKDAY: Record<DayOfWeek, number> = { monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7 };
const INDEX = { first: 0, second: 1, third: 2, fourth: 3, last: -1 } as const;
const MAX_OCCURRENCES = 5000;

/** Days of `month` (a DateTime at the 1st) that match the relative pattern. */
function relativeDay(monthStart: DateTime, days: DayOfWeek[], index: keyof typeof INDEX): DateTime | undefined {
	const wanted = new Set(days.map((d) => WEEKDAY[d]));
	const matches: DateTime[] = [];
	for (let d = monthStart; d.month === monthStart.month; d = d.plus({ days: 1 })) if (wanted.has(d.weekday)) matches.push(d);
	const i = INDEX[index];
	return i < 0 ? matches[matches.length - 1] : matches[i];
}

/**
 * Original starts (UTC instants, or dates for all-day series) of the occurrences whose
 * original start lies in [from, to).
 */
export function expandRecurrence(recurrence: Recurrence, start: ZonedDateTime, isAllDay: boolean, from: string, to: string): string[] {
	const zone = isAllDay ? 'UTC' : (recurrence.range.recurrenceTimeZone ?? start.timeZone ?? 'UTC');
	const first = isAllDay ? DateTime.fromISO(start.dateTime.slice(0, 10), { zone: 'UTC' }) : DateTime.fromISO(start.dateTime, { zone: 'utc' }).setZone(zone);
	const time = { hour: first.hour, minute: first.minute, second: first.second, millisecond: 0 };
	const { pattern, range } = recurrence;
	const rangeStart = DateTime.fromISO(range.startDate, { zone }).set(time);
	const end = range.type === 'endDate' && range.endDate ? DateTime.fromISO(range.endDate, { zone }).endOf('day') : undefined;
	const limit = range.type === 'numbered' ? (range.numberOfOccurrences ?? 0) : Number.POSITIVE_INFINITY;
	const fromMs = Date.parse(from);
	const toMs = Date.parse(to);
	const out: string[] = [];
	let count = 0;
	const emit = (d: DateTime): boolean => {
		if (d < rangeStart) return true;
		if ((end && d > end) || count >= limit || d.toMillis() >= toMs || count >= MAX_OCCURRENCES) return false;
		count++;
		if (d.toMillis() >= fromMs) out.push(isAllDay ? (d.toISODate() as string) : (d.toUTC().toISO() as string));
		return true;
	};
	const interval = Math.max(1, pattern.interval);
	const days = pattern.daysOfWeek ?? [];
	switch (pattern.type) {
		case 'daily':
			for (let d = rangeStart; emit(d); d = d.plus({ days: interval }));
			break;
		case 'weekly': {
			const firstDay = WEEKDAY[pattern.firstDayOfWeek ?? 'sunday'];
			const offset = (rangeStart.weekday - firstDay + 7) % 7;
			const wanted = [...new Set(days.map((d) => WEEKDAY[d]))].map((w) => (w - firstDay + 7) % 7).sort((a, b) => a - b);
			for (let week = rangeStart.minus({ days: offset }); ; week = week.plus({ weeks: interval })) {
				let going = true;
				for (const w of wanted) {
					going = emit(week.plus({ days: w }).set(time));
					if (!going) break;
				}
				if (!going) break;
			}
			break;
		}
		case 'absoluteMonthly':
		case 'relativeMonthly':
		case 'absoluteYearly':
		case 'relativeYearly': {
			const yearly = pattern.type.endsWith('Yearly');
			let month = rangeStart.startOf('month');
			if (yearly) month = month.set({ month: pattern.month ?? rangeStart.month });
			for (; ; month = month.plus(yearly ? { years: interval } : { months: interval })) {
				let day: DateTime | undefined;
				if (pattern.type.startsWith('absolute')) {
					const dom = pattern.dayOfMonth ?? rangeStart.day;
					day = dom <= month.daysInMonth! ? month.set({ day: dom }) : undefined;
				} else {
					day = relativeDay(month, days, pattern.index ?? 'first');
				}
				if (day && !emit(day.set(time))) break;
				if (month.year > 9000) break;
			}
			break;
		}
	}
	return out;
}
