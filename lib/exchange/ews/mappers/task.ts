/** EWS Task ⇄ canonical Task. Dates are calendar dates (see values.dateOf). */
import { Importance, Task as EwsTask, TaskStatus as EwsTaskStatus } from 'ews-javascript-api';

import { normalizeTask } from '../../../model/normalize';
import type { Task, TaskPriority, TaskStatus } from '../../../model/types';
import { bodyText, categories, dateOf, fromDate, fromInstant, instant, read, stringList, text, textBody } from './values';

const STATUS: TaskStatus[] = ['notStarted', 'inProgress', 'completed', 'waitingOnOthers', 'deferred'];
const PRIORITY: TaskPriority[] = ['low', 'normal', 'high'];

export function taskFromEws(t: EwsTask): Task {
	const status = read(() => t.Status);
	const importance = read(() => t.Importance);
	return normalizeTask({
		subject: text(read(() => t.Subject)),
		body: bodyText(read(() => t.Body)),
		startDate: dateOf(read(() => t.StartDate)),
		dueDate: dateOf(read(() => t.DueDate)),
		status: status === undefined ? undefined : STATUS[status],
		priority: importance === undefined ? undefined : PRIORITY[importance],
		completedAt: status === EwsTaskStatus.Completed ? instant(read(() => t.CompleteDate)) : undefined,
		reminderAt: read(() => t.IsReminderSet) ? instant(read(() => t.ReminderDueBy)) : undefined,
		categories: categories(read(() => t.Categories)),
	});
}

/** With `changed` (an update's changedFields) only the properties of those canonical fields are touched (issue 12 §1). */
export function applyTaskToEws(t: EwsTask, input: Task, isNew: boolean, changed?: ReadonlySet<string>): void {
	const r = normalizeTask(input);
	const writes = (...fields: string[]) => !changed || fields.some((f) => changed.has(f));
	if (writes('subject')) t.Subject = r.subject ?? '';
	if (writes('body') && (r.body !== undefined || !isNew)) t.Body = textBody(r.body);
	if (writes('startDate')) {
		if (r.startDate) t.StartDate = fromDate(r.startDate);
		else if (!isNew) t.StartDate = null as unknown as ReturnType<typeof fromDate>;
	}
	if (writes('dueDate')) {
		if (r.dueDate) t.DueDate = fromDate(r.dueDate);
		else if (!isNew) t.DueDate = null as unknown as ReturnType<typeof fromDate>;
	}
	if (writes('status')) t.Status = STATUS.indexOf(r.status ?? 'notStarted') as EwsTaskStatus;
	if (writes('priority')) t.Importance = PRIORITY.indexOf(r.priority ?? 'normal') as Importance;
	if (writes('status', 'completedAt') && r.status === 'completed' && r.completedAt) t.CompleteDate = fromInstant(r.completedAt);
	if (isNew && r.reminderAt) {
		t.IsReminderSet = true;
		t.ReminderDueBy = fromInstant(r.reminderAt);
	}
	if (writes('categories') && (r.categories || !isNew)) t.Categories = stringList(r.categories);
}
