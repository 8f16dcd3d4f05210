/**
 * Tasks in the soak (Graph: the CRM-Sync To Do list; EWS: the same Tasks folder). Synced: description,
 * start and due date (well inside the window: start 1–10 days ahead, due 11–25), status and priority
 * (S11 picklists; blank means the default, decisions §3). Exchange-only (not in lib/mapping's TASK_PAIRS):
 * categories, the reminder (reminderAt has no pair) and the owner's HTML formatting of an unchanged
 * description. S6: deletions reach the other side.
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

const FIELDS = ['body', 'startDate', 'dueDate', 'status', 'priority'] as const;
/** The soak's own copy of S11's tables: CRM spelling → Graph value. */
const STATUS: Record<string, string> = {
	'Not Started': 'notStarted',
	'In Progress': 'inProgress',
	Completed: 'completed',
	'Pending Input': 'waitingOnOthers',
	Deferred: 'deferred',
};
const PRIORITY: Record<string, string> = { High: 'high', Medium: 'normal', Low: 'low' };
const CATEGORIES = [['Soak'], ['Soak', 'Green'], ['Errand']] as const;

function crmSpelling(table: Record<string, string>, value: string): string {
	const found = Object.entries(table).find(([, graph]) => graph === value);
	if (!found) throw new Error(`the soak has no CRM value for ${value}`);
	return found[0];
}

function daysAhead(from: number, span: number, source: ValueSource): string {
	return DateTime.utc()
		.startOf('day')
		.plus({ days: from + Math.floor(source.random() * span) })
		.toFormat('yyyy-MM-dd');
}

function graphDate(value: unknown): string | undefined {
	const dateTime = (value as { dateTime?: string } | undefined)?.dateTime;
	return dateTime ? dateTime.slice(0, 10) : undefined;
}

function graphDateTime(date: string | undefined): { dateTime: string; timeZone: string } | null {
	return date ? { dateTime: `${date}T00:00:00`, timeZone: 'UTC' } : null;
}

function tasks(folderId: string): string {
	return `/me/todo/lists/${folderId}/tasks`;
}

function graphPatch(values: SyncedValues): Record<string, unknown> {
	const patch: Record<string, unknown> = {};
	if ('body' in values) patch.body = textBody(values.body);
	if ('startDate' in values) patch.startDateTime = graphDateTime(values.startDate);
	if ('dueDate' in values) patch.dueDateTime = graphDateTime(values.dueDate);
	if (values.status) patch.status = values.status;
	if (values.priority) patch.importance = values.priority;
	return patch;
}

function reminderOf(item: OutlookItem): string | undefined {
	if (item.isReminderOn !== true) return undefined;
	return ((item.reminderDateTime as { dateTime?: string } | undefined)?.dateTime ?? '').slice(0, 16) || 'on';
}

export const taskComponent: SoakComponent = {
	name: 'task',
	crmModule: 'tasks',
	template: { folderParameter: 'taskFolder', pastDays: 30 },
	fields: FIELDS,
	clearable: ['body', 'startDate', 'dueDate'],
	exchangeDeletionReachesCrm: true,
	crmOnlyFields: ['cf_soak_rating', 'cf_soak_note'],

	value(field, source) {
		if (field === 'startDate') return daysAhead(1, 10, source);
		if (field === 'dueDate') return daysAhead(11, 15, source);
		if (field === 'status') return pick(source, Object.values(STATUS));
		if (field === 'priority') return pick(source, Object.values(PRIORITY));
		return uniqueText(field, source);
	},

	crmKey: (fields) => keyOf(fields.subject),
	crmValues(fields) {
		const values: SyncedValues = {};
		if (!blank(fields.description)) values.body = String(fields.description).trim();
		if (!blank(fields.date_start)) values.startDate = String(fields.date_start).slice(0, 10);
		if (!blank(fields.due_date)) values.dueDate = String(fields.due_date).slice(0, 10);
		values.status = blank(fields.taskstatus) ? 'notStarted' : (STATUS[String(fields.taskstatus)] ?? `?${String(fields.taskstatus)}`);
		values.priority = blank(fields.taskpriority) ? 'normal' : (PRIORITY[String(fields.taskpriority)] ?? `?${String(fields.taskpriority)}`);
		return values;
	},
	crmPatch(values) {
		const patch: Record<string, string> = {};
		if ('body' in values) patch.description = values.body ?? '';
		if ('startDate' in values) patch.date_start = values.startDate ?? '';
		if ('dueDate' in values) patch.due_date = values.dueDate ?? '';
		if (values.status) patch.taskstatus = crmSpelling(STATUS, values.status);
		if (values.priority) patch.taskpriority = crmSpelling(PRIORITY, values.priority);
		return patch;
	},
	crmCreate(key, values, crmOnly) {
		return { subject: `${KEY_PREFIX}${key}`, ...this.crmPatch(values), ...crmOnly };
	},
	crmOnlyValues: (key, source) => ({ cf_soak_rating: String(Math.floor(source.random() * 5) + 1), cf_soak_note: `note ${key}` }),

	folderId: (outlook) => outlook.folderId('/me/todo/lists'),
	list: (outlook, folderId) => outlook.listAll<OutlookItem>(`${tasks(folderId)}?$top=100`, READ_HEADERS),
	get: (outlook, folderId, id) => outlook.call<OutlookItem>('GET', `${tasks(folderId)}/${id}`, undefined, READ_HEADERS),
	exchangeKey: (item) => keyOf(item.title),
	exchangeValues(item) {
		const values: SyncedValues = {};
		const body = descriptionOf(item.body as GraphBody | undefined);
		if (body !== undefined) values.body = body;
		const start = graphDate(item.startDateTime);
		if (start) values.startDate = start;
		const due = graphDate(item.dueDateTime);
		if (due) values.dueDate = due;
		values.status = blank(item.status) ? 'notStarted' : String(item.status);
		values.priority = blank(item.importance) ? 'normal' : String(item.importance);
		return values;
	},
	exchangeOnly(item) {
		const out: ForeignValues = {};
		if (!blank(item.categories)) out.categories = item.categories;
		const reminder = reminderOf(item);
		if (reminder) out.reminder = reminder;
		const html = formattedHtmlOf(item.body as GraphBody | undefined);
		if (html) out.bodyHtml = html;
		return out;
	},
	newExchangeOnly: (_key, source) => ({
		categories: [...pick(source, CATEGORIES)],
		reminder: `${daysAhead(1, 5, source)}T08:00`,
	}),
	async createExchange(outlook, folderId, key, values, only) {
		const html = values.body && key.length % 2 === 0 ? formattedHtml(values.body) : undefined;
		if (html) only.bodyHtml = html;
		await outlook.call('POST', tasks(folderId), {
			title: `${KEY_PREFIX}${key}`,
			body: html ? { contentType: 'html', content: html } : textBody(values.body),
			...(values.startDate ? { startDateTime: graphDateTime(values.startDate) } : {}),
			...(values.dueDate ? { dueDateTime: graphDateTime(values.dueDate) } : {}),
			status: values.status,
			importance: values.priority,
			categories: only.categories,
			isReminderOn: true,
			reminderDateTime: { dateTime: `${String(only.reminder)}:00`, timeZone: 'UTC' },
		});
	},
	async updateExchange(outlook, folderId, current, values) {
		await outlook.call('PATCH', `${tasks(folderId)}/${current.id}`, graphPatch(values));
	},
	async editExchangeOnly(outlook, folderId, current, expected, source) {
		const description = descriptionOf(current.body as GraphBody | undefined);
		const choice = pick(source, description ? (['categories', 'reminder', 'bodyHtml'] as const) : (['categories', 'reminder'] as const));
		const next: ForeignValues = { ...expected };
		let patch: Record<string, unknown>;
		if (choice === 'bodyHtml' && description) {
			next.bodyHtml = formattedHtml(description);
			patch = { body: { contentType: 'html', content: next.bodyHtml } };
		} else if (choice === 'categories') {
			next.categories = [...pick(source, CATEGORIES), `R${source.round}`];
			patch = { categories: next.categories };
		} else {
			next.reminder = `${daysAhead(1, 9, source)}T${String(7 + Math.floor(source.random() * 10)).padStart(2, '0')}:30`;
			patch = { isReminderOn: true, reminderDateTime: { dateTime: `${String(next.reminder)}:00`, timeZone: 'UTC' } };
		}
		await outlook.call('PATCH', `${tasks(folderId)}/${current.id}`, patch);
		return next;
	},
	async deleteExchange(outlook, folderId, id) {
		await outlook.call('DELETE', `${tasks(folderId)}/${id}`);
	},
	replaces: (field) => (field === 'body' ? ['bodyHtml'] : []),
};
