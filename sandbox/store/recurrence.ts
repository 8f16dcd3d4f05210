/**
 * Expands a Graph patternedRecurrence into occurrence dates, in the series' time zone,
 * as Exchange does: the pattern works on local dates, the start time of day is the
 * master's, so a 09:00 Berlin meeting stays at 09:00 across DST changes.
 */
import { DateTime } from 'luxon';
import { toIana } from './timezones';
import type { DayOfWeek, EventTimes, PatternedRecurrence } from './types';

const WEEKDAY: Record<DayOfWeek, number> = { monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7 };
const INDEX = { first: 0, second: 1, third: 2, fourth: 3, last: -1 } as const;
const MAX_OCCURRENCES = 5000;

export interface Occurrence {
	/** UTC instant (timed) or YYYY-MM-DD (all-day) */
	originalStart: string;
	times: EventTimes;
}

function nthWeekdayOfMonth(month: DateTime, days: DayOfWeek[], index: keyof typeof INDEX): DateTime | undefined {
	const wanted = new Set(days.map((d) => WEEKDAY[d]));
	const matches: DateTime[] = [];
	for (let d = month.startOf('month'); d.month === month.month; d = d.plus({ days: 1 })) {
		if (wanted.has(d.weekday)) matches.push(d);
	}
	const i = INDEX[index];
	return i === -1 ? matches[matches.length - 1] : matches[i];
}

/** Candidate local dates of the pattern, in order, starting at range.startDate. */
function* patternDates(recurrence: PatternedRecurrence, zone: string): Generator<DateTime> {
	const { pattern, range } = recurrence;
	const start = DateTime.fromISO(range.startDate, { zone });
	const interval = Math.max(1, pattern.interval || 1);
	const days = pattern.daysOfWeek?.length
		? pattern.daysOfWeek
		: [(['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as DayOfWeek[])[start.weekday % 7]];
	for (let step = 0; step < 100000; step++) {
		switch (pattern.type) {
			case 'daily':
				yield start.plus({ days: step * interval });
				break;
			case 'weekly': {
				const firstDay = WEEKDAY[pattern.firstDayOfWeek ?? 'sunday'];
				const weekStart = start.minus({ days: (start.weekday - firstDay + 7) % 7 }).plus({ weeks: step * interval });
				const inWeek = days.map((d) => weekStart.plus({ days: (WEEKDAY[d] - firstDay + 7) % 7 })).sort((a, b) => a.toMillis() - b.toMillis());
				for (const d of inWeek) if (d >= start) yield d;
				break;
			}
			case 'absoluteMonthly': {
				const month = start.startOf('month').plus({ months: step * interval });
				const d = month.set({ day: pattern.dayOfMonth ?? start.day });
				if (d.month === month.month && d >= start) yield d;
				break;
			}
			case 'relativeMonthly': {
				const month = start.startOf('month').plus({ months: step * interval });
				const d = nthWeekdayOfMonth(month, days, pattern.index ?? 'first');
				if (d && d >= start) yield d;
				break;
			}
			case 'absoluteYearly': {
				const year = start.startOf('year').plus({ years: step * interval });
				const d = year.set({ month: pattern.month ?? start.month, day: pattern.dayOfMonth ?? start.day });
				if (d.year === year.year && d >= start) yield d;
				break;
			}
			case 'relativeYearly': {
				const month = start
					.startOf('year')
					.plus({ years: step * interval })
					.set({ month: pattern.month ?? start.month });
				const d = nthWeekdayOfMonth(month, days, pattern.index ?? 'first');
				if (d && d >= start) yield d;
				break;
			}
		}
	}
}

/**
 * Occurrences of a series whose master has `times`, overlapping [fromUtc, toUtc)
 * (all occurrences up to toUtc when fromUtc is undefined).
 */
export function expandOccurrences(recurrence: PatternedRecurrence, times: EventTimes, fromUtc: string | undefined, toUtc: string): Occurrence[] {
	const zone = toIana(recurrence.range.recurrenceTimeZone ?? times.startTimeZone) ?? 'UTC';
	const to = DateTime.fromISO(toUtc, { zone: 'utc' });
	const from = fromUtc ? DateTime.fromISO(fromUtc, { zone: 'utc' }) : undefined;
	const endDate =
		recurrence.range.type === 'endDate' && recurrence.range.endDate ? DateTime.fromISO(recurrence.range.endDate, { zone }).endOf('day') : undefined;
	const maxCount = recurrence.range.type === 'numbered' ? (recurrence.range.numberOfOccurrences ?? 1) : Infinity;

	const masterStart = times.isAllDay ? DateTime.fromISO(times.start, { zone }) : DateTime.fromISO(times.start, { zone: 'utc' }).setZone(zone);
	const masterEnd = times.isAllDay ? DateTime.fromISO(times.end, { zone }) : DateTime.fromISO(times.end, { zone: 'utc' }).setZone(zone);
	const durationMs = masterEnd.toMillis() - masterStart.toMillis();
	const durationDays = Math.round(masterEnd.diff(masterStart, 'days').days);

	const result: Occurrence[] = [];
	let count = 0;
	for (const date of patternDates(recurrence, zone)) {
		if (count >= maxCount || count >= MAX_OCCURRENCES) break;
		if (endDate && date > endDate) break;
		const localStart = date.set({ hour: masterStart.hour, minute: masterStart.minute, second: masterStart.second, millisecond: 0 });
		if (localStart > to) break;
		count++;
		const occurrence: Occurrence = times.isAllDay
			? {
					originalStart: date.toISODate() as string,
					times: { ...times, start: date.toISODate() as string, end: date.plus({ days: durationDays }).toISODate() as string },
				}
			: {
					originalStart: localStart.toUTC().toISO() as string,
					times: { ...times, start: localStart.toUTC().toISO() as string, end: localStart.plus({ milliseconds: durationMs }).toUTC().toISO() as string },
				};
		const occEnd = times.isAllDay ? date.plus({ days: Math.max(1, durationDays) }) : localStart.plus({ milliseconds: durationMs });
		if (from && occEnd <= from) continue;
		if (localStart >= to) continue;
		result.push(occurrence);
	}
	return result;
}

/** UTC instants [start, end) an event occupies, for window checks; all-day dates in `zone`. */
export function instantRange(times: EventTimes, zone = 'UTC'): { start: number; end: number } {
	if (!times.isAllDay) return { start: Date.parse(times.start), end: Date.parse(times.end) };
	const iana = toIana(zone) ?? 'UTC';
	return {
		start: DateTime.fromISO(times.start, { zone: iana }).toMillis(),
		end: DateTime.fromISO(times.end, { zone: iana }).toMillis(),
	};
}
