/** Tasks: the task adapter (Task items; A2's window rule for tasks; deletes remove every occurrence). */
import {
	AffectedTaskOccurrence,
	ConflictResolutionMode,
	FolderId,
	Item,
	ItemId,
	PropertySet,
	SendCancellationsMode,
	Task as EwsTask,
	type PropertyDefinitionBase,
} from 'ews-javascript-api';

import type { Task } from '../../model/types';
import type { ExchangeItem, SyncWindow, WriteOptions } from '../types';
import type { EwsComponentAdapter } from './adapter';
import type { EwsContext } from './context';
import { applyTaskToEws, taskFromEws } from './mappers/task';

export class TaskAdapter implements EwsComponentAdapter<'task'> {
	readonly sendCancellations = null as unknown as SendCancellationsMode;
	readonly affectedTaskOccurrences = AffectedTaskOccurrence.AllOccurrences;

	constructor(private readonly ctx: EwsContext) {}

	extraProperties(): PropertyDefinitionBase[] {
		return [];
	}

	newItem(): Item {
		return new EwsTask(this.ctx.service);
	}

	bind(id: ItemId, properties: PropertySet): Promise<Item> {
		return EwsTask.Bind(this.ctx.service, id, properties);
	}

	related(): Promise<Item[]> {
		return Promise.resolve([]);
	}

	toRecord(item: Item): Task {
		return taskFromEws(item as EwsTask);
	}

	apply(item: Item, record: Task, isNew: boolean, _options: WriteOptions | undefined, changed: ReadonlySet<string> | undefined): void {
		applyTaskToEws(item as EwsTask, record, isNew, changed);
	}

	save(item: Item, folderId: FolderId): Promise<unknown> {
		return item.Save(folderId);
	}

	saveChanges(item: Item, mode: ConflictResolutionMode): Promise<unknown> {
		return item.Update(mode);
	}

	async afterWrite(): Promise<void> {}

	inWindow(item: ExchangeItem<'task'>, window: SyncWindow): boolean {
		const t = item.record;
		// A2: past tasks count by due date; open tasks always sync.
		if (t.status !== 'completed') return true;
		const last = t.dueDate ?? t.completedAt?.slice(0, 10);
		return !last || last >= window.from.slice(0, 10);
	}
}
