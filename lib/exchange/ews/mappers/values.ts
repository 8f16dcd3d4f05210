/** Small conversions between ews-javascript-api values and canonical values. */
import { DateTime as Luxon } from 'luxon';
import { BodyType, DateTime as EwsDateTime, MessageBody, StringList } from 'ews-javascript-api';

import { plainBody } from '../../graph/mappers';

/** A property may be unset (ews-javascript-api throws on unloaded properties). */
export function read<T>(get: () => T): T | undefined {
	try {
		const v = get();
		return v === null ? undefined : v;
	} catch {
		return undefined;
	}
}

export function text(value: string | null | undefined): string | undefined {
	if (value === null || value === undefined) return undefined;
	const t = String(value).trim();
	return t === '' ? undefined : t;
}

/** ews DateTime → UTC ISO instant with milliseconds. */
export function instant(value: EwsDateTime | null | undefined): string | undefined {
	if (!value) return undefined;
	const ms = value.TotalMilliSeconds;
	if (typeof ms !== 'number' || Number.isNaN(ms)) return undefined;
	return new Date(ms).toISOString();
}

/**
 * ews DateTime that stands for a calendar date (birthday, task start/due) → YYYY-MM-DD.
 * Exchange stores such dates at local midnight of the writer's zone (e.g. 23:00Z the day
 * before for Berlin, 08:00Z for Los Angeles) or at 00:00Z; shifting by 12 h before taking
 * the UTC date gives the intended day for every zone between UTC-12 and UTC+12.
 */
export function dateOf(value: EwsDateTime | null | undefined): string | undefined {
	if (!value) return undefined;
	const ms = value.TotalMilliSeconds;
	if (typeof ms !== 'number' || Number.isNaN(ms)) return undefined;
	return new Date(ms + 12 * 3600_000).toISOString().slice(0, 10);
}

/** YYYY-MM-DD → ews DateTime at 00:00 UTC of that day. */
export function fromDate(date: string): EwsDateTime {
	return new EwsDateTime(Date.parse(`${date}T00:00:00.000Z`));
}

/** ISO instant → ews DateTime. */
export function fromInstant(iso: string): EwsDateTime {
	return new EwsDateTime(Date.parse(iso));
}

/** Midnight of `date` in `zone` (IANA) as a UTC instant. */
export function midnightIn(date: string, zone: string | undefined): string {
	const d = Luxon.fromISO(date, { zone: zone ?? 'UTC' });
	return (d.isValid ? d : Luxon.fromISO(date, { zone: 'UTC' })).toUTC().toISO() as string;
}

/** Calendar date of a UTC instant as seen in `zone`. */
export function dateIn(iso: string, zone: string | undefined): string {
	const d = Luxon.fromISO(iso, { zone: 'UTC' }).setZone(zone ?? 'UTC');
	return (d.isValid ? d : Luxon.fromISO(iso, { zone: 'UTC' })).toISODate() as string;
}

/** S9: descriptions are plain text; HTML bodies are converted, scripts and markup dropped. */
export function bodyText(body: MessageBody | null | undefined): string | undefined {
	if (!body) return undefined;
	// Same conversion as the Graph client, so both protocols hash the same text.
	return plainBody({ contentType: body.BodyType === BodyType.HTML ? 'html' : 'text', content: body.Text });
}

export function textBody(value: string | undefined): MessageBody {
	return new MessageBody(BodyType.Text, value ?? '');
}

export function categories(list: StringList | null | undefined): string[] | undefined {
	if (!list) return undefined;
	const items = list
		.GetEnumerator()
		.map((c) => c.trim())
		.filter((c) => c !== '');
	return items.length ? items : undefined;
}

export function stringList(values: string[] | undefined): StringList {
	return new StringList(values ?? []);
}
