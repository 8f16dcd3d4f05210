/** Values shared by the Graph mappers: text, dates and zones, etags, the ident property, plain bodies. */
import { DateTime } from 'luxon';
import type { ZonedDateTime } from '../../model/types';
import { GRAPH_IDENT_PROPERTY_ID } from '../ident';
import { ianaToWindows, windowsToIana } from '../timezones';
import type { GraphDateTimeTimeZone, GraphItemBase } from './graph-types';

export function text(value: string | null | undefined): string | undefined {
	if (value === null || value === undefined) return undefined;
	const t = value.trim();
	return t === '' ? undefined : t;
}

/** Graph writes 7 fractional digits and no offset; the zone is given beside it. */
export function parseGraphDateTime(value: GraphDateTimeTimeZone): DateTime {
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

export function dateFromInstant(value: string | null | undefined): string | undefined {
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

export function dateToGraph(date: string): GraphDateTimeTimeZone {
	return { dateTime: `${date}T00:00:00.0000000`, timeZone: 'UTC' };
}

export function etagOf(item: GraphItemBase): string {
	return item['@odata.etag'] ?? item.changeKey ?? '';
}

export function identFromExtendedProperties(item: GraphItemBase): string | undefined {
	const prop = item.singleValueExtendedProperties?.find((p) => p.id.toLowerCase() === GRAPH_IDENT_PROPERTY_ID.toLowerCase());
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
