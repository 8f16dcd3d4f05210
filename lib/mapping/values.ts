import { DateTime } from 'luxon';

import type { ZonedDateTime } from '../model/types';
import { MappingError } from './errors';
import { toPlainText } from './html';
import { picklistToCanonical, picklistToCrm } from './picklist';
import type { CrmFields, FieldPair, MappingConfig, PicklistTable } from './types';

export interface ValueContext {
	config: MappingConfig;
	/** The record is an all-day appointment (dates without time). */
	allDay: boolean;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function isBlank(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function asText(value: unknown): string | undefined {
	if (isBlank(value)) return undefined;
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return undefined;
}

function table(pair: FieldPair, config: MappingConfig): PicklistTable {
	const found = pair.picklist ? config.picklists[pair.picklist] : undefined;
	if (!found) throw new MappingError(`The field mapping for "${pair.canonical}" names an unknown picklist "${pair.picklist ?? ''}"`, pair.canonical);
	return found;
}

function parseDate(value: string, field: string): DateTime {
	const parsed = DATE_ONLY.test(value) ? DateTime.fromISO(value, { zone: 'utc' }) : DateTime.fromISO(value.replace(' ', 'T'), { zone: 'utc', setZone: true });
	if (!parsed.isValid) throw new MappingError(`"${value}" in field ${field} is not a valid date`, field);
	return parsed;
}

export function parseBoolean(value: unknown, pair?: FieldPair): boolean | undefined {
	if (isBlank(value)) return undefined;
	if (typeof value === 'boolean') return value;
	const text = String(value).trim().toLowerCase();
	if (pair?.trueValue !== undefined && text === pair.trueValue.toLowerCase()) return true;
	if (pair?.falseValue !== undefined && text === pair.falseValue.toLowerCase()) return false;
	if (['1', 'true', 'yes', 'on'].includes(text)) return true;
	if (['0', 'false', 'no', 'off'].includes(text)) return false;
	return undefined;
}

/** vtiger date + UTC time → canonical ZonedDateTime (S23). */
function crmDateTimeToCanonical(pair: FieldPair, fields: CrmFields, ctx: ValueContext): ZonedDateTime | undefined {
	const dateText = asText(fields[pair.crm]);
	if (!dateText) return undefined;
	if (ctx.allDay) {
		let day = parseDate(dateText.slice(0, 10), pair.crm);
		// CRM all-day ranges end on the last day; canonical (like Graph and iCalendar) the day after.
		if (pair.rangeEnd) day = day.plus({ days: 1 });
		return { dateTime: day.toISODate() as string };
	}
	let instant: DateTime;
	if (DATE_ONLY.test(dateText)) {
		const timeText = (pair.crmTime ? asText(fields[pair.crmTime]) : undefined) ?? '00:00:00';
		instant = DateTime.fromISO(`${dateText}T${timeText}`, { zone: 'utc' });
		if (!instant.isValid)
			throw new MappingError(`"${dateText} ${timeText}" in fields ${pair.crm}/${pair.crmTime ?? ''} is not a valid date and time`, pair.crm);
	} else {
		instant = parseDate(dateText, pair.crm);
	}
	const zone = ctx.config.event.crmTimeZone;
	return { dateTime: instant.toUTC().toISO({ suppressMilliseconds: false }) as string, ...(zone ? { timeZone: zone } : {}) };
}

/** Canonical ZonedDateTime → vtiger date + UTC time (S23). */
function canonicalDateTimeToCrm(pair: FieldPair, value: ZonedDateTime, ctx: ValueContext, rangeStart?: ZonedDateTime): CrmFields {
	const out: CrmFields = {};
	if (ctx.allDay) {
		let day = parseDate(value.dateTime.slice(0, 10), pair.canonical);
		if (pair.rangeEnd) {
			day = day.minus({ days: 1 });
			// A zero-length all-day range still ends on its start day.
			if (rangeStart && day.toISODate()! < rangeStart.dateTime.slice(0, 10)) day = parseDate(rangeStart.dateTime.slice(0, 10), pair.canonical);
		}
		out[pair.crm] = day.toISODate();
		if (pair.crmTime) out[pair.crmTime] = '00:00:00';
		return out;
	}
	const instant = DateTime.fromISO(value.dateTime, { zone: value.timeZone ?? 'utc' });
	if (!instant.isValid) throw new MappingError(`"${value.dateTime}" in ${pair.canonical} is not a valid date and time`, pair.canonical);
	const utc = instant.toUTC();
	out[pair.crm] = utc.toFormat('yyyy-MM-dd');
	if (pair.crmTime) out[pair.crmTime] = utc.toFormat('HH:mm:ss');
	return out;
}

/** A structured value: the object itself, or its JSON text (a CRM that stores text). */
function readJson(pair: FieldPair, raw: unknown): unknown {
	if (isBlank(raw)) return undefined;
	if (typeof raw === 'object') return JSON.parse(JSON.stringify(raw)) as unknown;
	if (typeof raw !== 'string') throw new MappingError(`Field ${pair.crm} must hold an object, not "${String(raw)}"`, pair.crm);
	try {
		return JSON.parse(raw) as unknown;
	} catch {
		throw new MappingError(`Field ${pair.crm} does not hold valid JSON`, pair.crm);
	}
}

/** The canonical value of one pair, read from CRM fields; undefined when absent. */
export function readCrmValue(pair: FieldPair, fields: CrmFields, ctx: ValueContext): unknown {
	const raw = fields[pair.crm];
	switch (pair.kind) {
		case 'dateTime':
			return crmDateTimeToCanonical(pair, fields, ctx);
		case 'boolean':
			return parseBoolean(raw, pair);
		case 'number': {
			if (isBlank(raw)) return undefined;
			const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
			if (!Number.isFinite(n)) throw new MappingError(`"${String(raw)}" in field ${pair.crm} is not a number`, pair.crm);
			return n;
		}
		case 'date': {
			const text = asText(raw);
			return text === undefined ? undefined : parseDate(text, pair.crm).toISODate();
		}
		case 'email':
			return asText(raw)?.toLowerCase();
		case 'plainText': {
			const text = asText(raw);
			return text === undefined ? undefined : toPlainText(text) || undefined;
		}
		case 'picklist': {
			const text = asText(raw);
			return text === undefined ? undefined : picklistToCanonical(table(pair, ctx.config), text);
		}
		case 'json':
			return readJson(pair, raw);
		default:
			return asText(raw);
	}
}

/**
 * CRM fields for one pair's canonical value. An absent value clears the CRM field(s) ('').
 * `current` is the CRM record as it is now (picklists keep a value that means the same).
 */
export function writeCrmValues(pair: FieldPair, value: unknown, ctx: ValueContext, current: CrmFields | undefined, rangeStart?: ZonedDateTime): CrmFields {
	if (isBlank(value)) {
		const cleared: CrmFields = { [pair.crm]: '' };
		if (pair.kind === 'dateTime' && pair.crmTime) cleared[pair.crmTime] = '';
		return cleared;
	}
	switch (pair.kind) {
		case 'dateTime': {
			if (typeof value !== 'object' || value === null || typeof (value as ZonedDateTime).dateTime !== 'string') {
				throw new MappingError(`${pair.canonical} must be an object with a dateTime`, pair.canonical);
			}
			return canonicalDateTimeToCrm(pair, value as ZonedDateTime, ctx, rangeStart);
		}
		case 'boolean': {
			const flag = parseBoolean(value);
			return { [pair.crm]: flag ? (pair.trueValue ?? '1') : (pair.falseValue ?? '0') };
		}
		case 'number':
			return { [pair.crm]: typeof value === 'number' ? value : Number(value) };
		case 'date':
			return { [pair.crm]: parseDate(String(value), pair.canonical).toISODate() };
		case 'email':
			return { [pair.crm]: String(value).trim().toLowerCase() };
		case 'plainText':
			return { [pair.crm]: toPlainText(String(value)) };
		case 'json':
			return { [pair.crm]: JSON.parse(JSON.stringify(value)) as unknown };
		case 'picklist': {
			const currentValue = asText(current?.[pair.crm]);
			const mapped = picklistToCrm(table(pair, ctx.config), String(value), currentValue);
			return { [pair.crm]: mapped ?? '' };
		}
		default:
			return { [pair.crm]: String(value).trim() };
	}
}
