/**
 * EWS TimeZoneDefinition (StartTimeZone/EndTimeZone) as Exchange 2013+ renders it: periods,
 * one transitions group with the yearly DST rule, one transition to that group. Derived
 * from the IANA rules of the current year with luxon. Clients (ews-javascript-api included)
 * refuse a definition without periods and transitions.
 */
import { DateTime } from 'luxon';

import { toIana, toWindows } from '../store';
import { el, tel } from './xml';

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** xs:duration of minutes, e.g. -60 → "-PT1H", 330 → "PT5H30M". */
function duration(minutes: number): string {
	const sign = minutes < 0 ? '-' : '';
	const m = Math.abs(minutes);
	const h = Math.floor(m / 60);
	const rest = m % 60;
	return `${sign}PT${h ? `${h}H` : ''}${rest ? `${rest}M` : ''}${!h && !rest ? '0M' : ''}`;
}

interface DstTransition {
	/** local wall time before the change, minutes after midnight */
	timeOffset: number;
	month: number;
	dayOfWeek: string;
	/** 1–4, or -1 for the last such weekday of the month */
	occurrence: number;
	toDaylight: boolean;
}

function transitionsOf(zone: string, year: number): DstTransition[] {
	const out: DstTransition[] = [];
	let prev = DateTime.fromObject({ year, month: 1, day: 1 }, { zone });
	for (let day = prev.plus({ days: 1 }); day.year === year; day = day.plus({ days: 1 })) {
		if (day.offset !== prev.offset) {
			let before = prev;
			for (let t = prev.plus({ hours: 1 }); t <= day; t = t.plus({ hours: 1 })) {
				if (t.offset !== before.offset) {
					const local = before.plus({ hours: 1 }).setZone(`UTC${before.offset >= 0 ? '+' : ''}${before.offset / 60}`);
					const daysInMonth = local.daysInMonth ?? 31;
					out.push({
						timeOffset: local.hour * 60 + local.minute,
						month: local.month,
						dayOfWeek: DAYS[local.weekday - 1],
						occurrence: local.day + 7 > daysInMonth ? -1 : Math.ceil(local.day / 7),
						toDaylight: t.offset > before.offset,
					});
					break;
				}
				before = t;
			}
		}
		prev = day;
	}
	return out;
}

export function timeZoneDefinitionXml(elementName: string, zoneName: string | undefined, year = new Date().getUTCFullYear()): string {
	const windows = toWindows(zoneName);
	const iana = toIana(zoneName) ?? 'UTC';
	const base = `trule:Microsoft/Registry/${windows}/${year}`;
	const transitions = transitionsOf(iana, year);
	const jan = DateTime.fromObject({ year, month: 1, day: 1 }, { zone: iana }).offset;
	const jul = DateTime.fromObject({ year, month: 7, day: 1 }, { zone: iana }).offset;
	const standardOffset = Math.min(jan, jul);
	const daylightOffset = Math.max(jan, jul);
	const stdId = `${base}-Standard`;
	const dltId = `${base}-Daylight`;
	let periods = el('t:Period', undefined, { Bias: duration(-standardOffset), Name: 'Standard', Id: stdId });
	let group: string;
	if (transitions.length === 2 && jan !== jul) {
		periods += el('t:Period', undefined, { Bias: duration(-daylightOffset), Name: 'Daylight', Id: dltId });
		group = transitions
			.map((t) =>
				el(
					't:RecurringDayTransition',
					el('t:To', t.toDaylight ? dltId : stdId, { Kind: 'Period' }) +
						tel('t:TimeOffset', duration(t.timeOffset)) +
						tel('t:Month', t.month) +
						tel('t:DayOfWeek', t.dayOfWeek) +
						tel('t:Occurrence', t.occurrence),
				),
			)
			.join('');
	} else {
		group = el('t:Transition', el('t:To', stdId, { Kind: 'Period' }));
	}
	return el(
		elementName,
		el('t:Periods', periods) +
			el('t:TransitionsGroups', el('t:TransitionsGroup', group, { Id: '0' })) +
			el('t:Transitions', el('t:Transition', el('t:To', '0', { Kind: 'Group' }))),
		{ Id: windows, Name: windows },
	);
}
