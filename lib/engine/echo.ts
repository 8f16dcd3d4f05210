import type { Component, ComponentRecordMap, Task } from '../model/types';
import type { StatusTable } from './state';
import type { SideChanges } from './types';

/**
 * Expected echoes. The connector writes after it read Exchange, so an item it created is new to the next
 * delta (Graph delta query, EWS SyncFolderItems): that delta must list it. An item created and deleted
 * between two delta reads is not listed at all, neither changed nor removed (the feed reports the net
 * change since its cursor), so a missing echo is the only trace of an Outlook deletion in the next interval.
 * Only for whole-folder feeds: the calendar is read through a window (calendarView delta) and series as
 * their occurrences, so an appointment missing there is not proof of anything.
 */
export function expectsEchoes(component: Component): boolean {
	return component !== 'event';
}

/** Days a task must be inside the window to count: the reader (EWS) drops past tasks by its own window. */
const WINDOW_MARGIN_DAYS = 2;

/** An expectation as stored: `<crmId>` or, for a task with a date, `<crmId>|<YYYY-MM-DD>`. */
export function echoEntry(component: Component, crmId: string, record: ComponentRecordMap[Component] | undefined): string {
	if (component !== 'task' || !record) return crmId;
	const task = record as Task;
	const day = (task.dueDate ?? task.startDate)?.slice(0, 10);
	return day ? `${crmId}|${day}` : crmId;
}

function clearlyInWindow(day: string | undefined, windowFrom: string | undefined): boolean {
	if (!day || !windowFrom) return true;
	const from = new Date(Date.parse(windowFrom) + WINDOW_MARGIN_DAYS * 86_400_000).toISOString().slice(0, 10);
	return day >= from;
}

/** The Exchange feed with the copies it should have listed but did not added as deletions. */
export function withMissingEchoes<C extends Component>(table: StatusTable, exchange: SideChanges<C>, component: C, windowFrom?: string): SideChanges<C> {
	if (!expectsEchoes(component) || exchange.complete || exchange.partial || table.echoes.size === 0) return exchange;
	const listed = new Set([...exchange.items.map((i) => i.id), ...(exchange.deletedIds ?? [])]);
	const missing: string[] = [];
	for (const entry of table.echoes) {
		const [crmId, day] = entry.split('|');
		const exchangeId = table.get(crmId)?.exchangeId;
		// A task near the window's start may have been left out by the reader's window, not deleted.
		if (exchangeId && !listed.has(exchangeId) && clearlyInWindow(day, windowFrom)) missing.push(exchangeId);
	}
	return missing.length ? { ...exchange, deletedIds: [...(exchange.deletedIds ?? []), ...missing] } : exchange;
}

/**
 * Where a missing echo proves nothing (the calendar: a windowed feed, series as occurrences), the reader is
 * asked to look the copies up instead: the Exchange ids of the items the last run created, for the
 * "Confirm Items" of Get Changes. An appointment created by the sync and deleted by its owner before the
 * next run is in no calendar delta; only a lookup tells that it is gone.
 */
export function echoIdsToConfirm(table: StatusTable, component: Component): string[] {
	if (expectsEchoes(component)) return [];
	const ids: string[] = [];
	for (const entry of table.echoes) {
		const exchangeId = table.get(entry.split('|')[0])?.exchangeId;
		if (exchangeId) ids.push(exchangeId);
	}
	return ids;
}

/**
 * After a commit: the copies created in this run are expected in the delta from the cursor just promoted;
 * when the cursors were held, the older expectations stand as well (the next read starts from further back).
 */
export function rememberEchoes(table: StatusTable, createdForCrmIds: readonly string[], cursorsPromoted: boolean): void {
	if (cursorsPromoted) table.echoes = new Set(createdForCrmIds);
	else for (const crmId of createdForCrmIds) table.echoes.add(crmId);
}
