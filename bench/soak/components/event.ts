/**
 * Appointments in the soak: single Meetings well inside the sync window (1–20 days ahead). Synced:
 * the time slot (start and end together, compared as UTC instants; the owner enters them in Berlin
 * time), location and description. Exchange-only (not in lib/mapping's EVENT_PAIRS): categories, show-as,
 * importance and the owner's HTML formatting of an unchanged description. The reminder is mapped (set
 * once on creation, S19), so it is not used as Exchange-only. S6: deletions reach the other side.
 */
import { DateTime } from 'luxon';

import {
	KEY_PREFIX,
	blank,
	keyOf,
	pick,
	uniqueText,
	type ForeignValues,
	type OutlookItem,
	type SoakComponent,
	type SyncedValues,
	type ValueSource,
} from '../profile';
import { READ_HEADERS, descriptionOf, formattedHtml, formattedHtmlOf, textBody, type GraphBody } from './body';

const FIELDS = ['slot', 'location', 'body'] as const;
const OWNER_ZONE = { iana: 'Europe/Berlin', windows: 'W. Europe Standard Time' };
const SHOW_AS = ['free', 'tentative', 'oof', 'workingElsewhere'] as const;
const IMPORTANCE = ['low', 'high'] as const;
const CATEGORIES = [['Soak'], ['Soak', 'Blue'], ['Red category']] as const;

/** `start/end` as UTC instants with milliseconds. */
function slotValue(source: ValueSource): string {
	const start = DateTime.utc()
		.startOf('day')
		.plus({ days: 1 + Math.floor(source.random() * 20), hours: 6 + Math.floor(source.random() * 12), minutes: source.random() < 0.5 ? 0 : 30 });
	const end = start.plus({ minutes: 30 * (1 + Math.floor(source.random() * 4)) });
	return `${start.toISO()}/${end.toISO()}`;
}

function splitSlot(slot: string): { start: DateTime; end: DateTime } {
	const [start, end] = slot.split('/');
	return { start: DateTime.fromISO(start, { zone: 'utc' }), end: DateTime.fromISO(end, { zone: 'utc' }) };
}

function ownerTime(instant: DateTime): { dateTime: string; timeZone: string } {
	return { dateTime: instant.setZone(OWNER_ZONE.iana).toFormat("yyyy-MM-dd'T'HH:mm:ss"), timeZone: OWNER_ZONE.windows };
}

/** A Graph dateTime read with Prefer outlook.timezone="UTC". */
function graphInstant(value: unknown): string | undefined {
	const dateTime = (value as { dateTime?: string } | undefined)?.dateTime;
	return dateTime ? (DateTime.fromISO(dateTime.slice(0, 19), { zone: 'utc' }).toISO() ?? undefined) : undefined;
}

function crmInstant(date: unknown, time: unknown): string | undefined {
	if (blank(date)) return undefined;
	return DateTime.fromISO(`${String(date).slice(0, 10)}T${blank(time) ? '00:00:00' : String(time)}`, { zone: 'utc' }).toISO() ?? undefined;
}

function graphPatch(values: SyncedValues): Record<string, unknown> {
	const patch: Record<string, unknown> = {};
	if ('slot' in values && values.slot) {
		const { start, end } = splitSlot(values.slot);
		patch.start = ownerTime(start);
		patch.end = ownerTime(end);
	}
	if ('location' in values) patch.location = { displayName: values.location ?? '' };
	if ('body' in values) patch.body = textBody(values.body);
	return patch;
}

export const eventComponent: SoakComponent = {
	name: 'event',
	crmModule: 'events',
	template: { folderParameter: 'eventFolder', pastDays: 30 },
	fields: FIELDS,
	clearable: ['location', 'body'],
	exchangeDeletionReachesCrm: true,
	// Not `remark`: it is shown in the enrichment block (S21), so it is not CRM-only.
	crmOnlyFields: ['eventstatus', 'cf_soak_rating'],

	value: (field, source) => (field === 'slot' ? slotValue(source) : uniqueText(field, source)),

	crmKey: (fields) => keyOf(fields.subject),
	crmValues(fields) {
		const values: SyncedValues = {};
		const start = crmInstant(fields.date_start, fields.time_start);
		const end = crmInstant(fields.due_date, fields.time_end);
		if (start || end) values.slot = `${start ?? ''}/${end ?? ''}`;
		if (!blank(fields.location)) values.location = String(fields.location);
		if (!blank(fields.description)) values.body = String(fields.description).trim();
		return values;
	},
	crmPatch(values) {
		const patch: Record<string, string> = {};
		if ('slot' in values && values.slot) {
			const { start, end } = splitSlot(values.slot);
			Object.assign(patch, {
				date_start: start.toFormat('yyyy-MM-dd'),
				time_start: start.toFormat('HH:mm:ss'),
				due_date: end.toFormat('yyyy-MM-dd'),
				time_end: end.toFormat('HH:mm:ss'),
			});
		}
		if ('location' in values) patch.location = values.location ?? '';
		if ('body' in values) patch.description = values.body ?? '';
		return patch;
	},
	crmCreate(key, values, crmOnly) {
		return { subject: `${KEY_PREFIX}${key}`, activitytype: 'Meeting', ...this.crmPatch(values), ...crmOnly };
	},
	crmOnlyValues: (_key, source) => ({ eventstatus: pick(source, ['Planned', 'Held']), cf_soak_rating: String(Math.floor(source.random() * 5) + 1) }),

	folderId: (outlook) => outlook.folderId('/me/calendars'),
	list: (outlook, folderId) => outlook.listAll<OutlookItem>(`/me/calendars/${folderId}/events?$top=100`, READ_HEADERS),
	get: (outlook, _folderId, id) => outlook.call<OutlookItem>('GET', `/me/events/${id}`, undefined, READ_HEADERS),
	exchangeKey: (item) => keyOf(item.subject),
	exchangeValues(item) {
		const values: SyncedValues = {};
		const start = graphInstant(item.start);
		const end = graphInstant(item.end);
		if (start || end) values.slot = `${start ?? ''}/${end ?? ''}`;
		const location = (item.location as { displayName?: string } | undefined)?.displayName;
		if (!blank(location)) values.location = location;
		const body = descriptionOf(item.body as GraphBody | undefined);
		if (body !== undefined) values.body = body;
		return values;
	},
	exchangeOnly(item) {
		const out: ForeignValues = {};
		if (!blank(item.categories)) out.categories = item.categories;
		if (!blank(item.showAs) && item.showAs !== 'busy') out.showAs = item.showAs;
		if (!blank(item.importance) && item.importance !== 'normal') out.importance = item.importance;
		const html = formattedHtmlOf(item.body as GraphBody | undefined);
		if (html) out.bodyHtml = html;
		return out;
	},
	newExchangeOnly: (_key, source) => ({
		categories: [...pick(source, CATEGORIES)],
		showAs: pick(source, SHOW_AS),
		importance: pick(source, IMPORTANCE),
	}),
	async createExchange(outlook, folderId, key, values, only) {
		const { start, end } = splitSlot(values.slot ?? '');
		// Half of them with the description as formatted HTML.
		const html = values.body && key.length % 2 === 0 ? formattedHtml(values.body) : undefined;
		if (html) only.bodyHtml = html;
		await outlook.call('POST', `/me/calendars/${folderId}/events`, {
			subject: `${KEY_PREFIX}${key}`,
			start: ownerTime(start),
			end: ownerTime(end),
			location: { displayName: values.location ?? '' },
			body: html ? { contentType: 'html', content: html } : textBody(values.body),
			categories: only.categories,
			showAs: only.showAs,
			importance: only.importance,
		});
	},
	async updateExchange(outlook, _folderId, current, values) {
		await outlook.call('PATCH', `/me/events/${current.id}`, graphPatch(values));
	},
	async editExchangeOnly(outlook, _folderId, current, expected, source) {
		const description = descriptionOf(current.body as GraphBody | undefined);
		const choice = pick(
			source,
			description ? (['categories', 'showAs', 'importance', 'bodyHtml'] as const) : (['categories', 'showAs', 'importance'] as const),
		);
		const next: ForeignValues = { ...expected };
		let patch: Record<string, unknown>;
		if (choice === 'bodyHtml' && description) {
			next.bodyHtml = formattedHtml(description);
			patch = { body: { contentType: 'html', content: next.bodyHtml } };
		} else if (choice === 'categories') {
			next.categories = [...pick(source, CATEGORIES), `R${source.round}`];
			patch = { categories: next.categories };
		} else if (choice === 'showAs') {
			next.showAs = pick(source, SHOW_AS);
			patch = { showAs: next.showAs };
		} else {
			next.importance = pick(source, IMPORTANCE);
			patch = { importance: next.importance };
		}
		await outlook.call('PATCH', `/me/events/${current.id}`, patch);
		return next;
	},
	async deleteExchange(outlook, _folderId, id) {
		await outlook.call('DELETE', `/me/events/${id}`);
	},
	replaces: (field) => (field === 'body' ? ['bodyHtml'] : []),
};
