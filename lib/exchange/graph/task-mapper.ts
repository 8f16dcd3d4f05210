/** Graph To Do tasks and message summaries ⇄ canonical records. Pure functions. */
import type { Task, TaskPriority, TaskStatus } from '../../model/types';
import { normalizeTask } from '../../model/normalize';
import { TODO_LINKED_RESOURCE_APP } from '../ident';
import type { GraphLinkedResource, GraphMessage, GraphTodoTask } from './graph-types';
import type { MailMessageSummary } from '../types';
import { text, instantFromGraph, dateFromGraph, dateToGraph, plainBody } from './graph-values';

type Json = Record<string, unknown>;

const TASK_STATUSES: TaskStatus[] = ['notStarted', 'inProgress', 'completed', 'waitingOnOthers', 'deferred'];
const PRIORITIES: TaskPriority[] = ['low', 'normal', 'high'];

export function identFromLinkedResources(resources: GraphLinkedResource[] | undefined): string | undefined {
	const ours = resources?.find((r) => r.applicationName === TODO_LINKED_RESOURCE_APP && r.externalId);
	return text(ours?.externalId);
}

export function linkedResourceFor(ident: string): GraphLinkedResource {
	return { applicationName: TODO_LINKED_RESOURCE_APP, displayName: 'CRM record', externalId: ident, webUrl: undefined };
}

export function taskFromGraph(g: GraphTodoTask): Task {
	const status = TASK_STATUSES.find((s) => s === g.status);
	const priority = PRIORITIES.find((p) => p === g.importance);
	return normalizeTask({
		subject: text(g.title),
		body: plainBody(g.body),
		startDate: g.startDateTime ? dateFromGraph(g.startDateTime) : undefined,
		dueDate: g.dueDateTime ? dateFromGraph(g.dueDateTime) : undefined,
		status,
		priority,
		completedAt: g.completedDateTime ? instantFromGraph(g.completedDateTime) : undefined,
		reminderAt: g.isReminderOn && g.reminderDateTime ? instantFromGraph(g.reminderDateTime) : undefined,
		categories: g.categories,
	});
}

export function taskToGraph(t: Task, options: { create: boolean }): Json {
	const out: Json = {
		title: t.subject ?? '',
		body: { contentType: 'text', content: t.body ?? '' },
		startDateTime: t.startDate ? dateToGraph(t.startDate) : null,
		dueDateTime: t.dueDate ? dateToGraph(t.dueDate) : null,
		status: t.status ?? 'notStarted',
		importance: t.priority ?? 'normal',
		categories: t.categories ?? [],
	};
	if (t.status === 'completed' && t.completedAt) out.completedDateTime = { dateTime: t.completedAt.replace(/Z$/, ''), timeZone: 'UTC' };
	if (options.create) {
		out.isReminderOn = t.reminderAt !== undefined;
		if (t.reminderAt) out.reminderDateTime = { dateTime: t.reminderAt.replace(/Z$/, ''), timeZone: 'UTC' };
	}
	return out;
}

export function messageSummaryFromGraph(g: GraphMessage, folderId?: string): MailMessageSummary {
	return {
		id: g.id,
		folderId: g.parentFolderId ?? folderId ?? '',
		internetMessageId: text(g.internetMessageId),
		subject: text(g.subject),
		from: text(g.from?.emailAddress?.address)?.toLowerCase(),
		receivedAt: g.receivedDateTime,
	};
}
