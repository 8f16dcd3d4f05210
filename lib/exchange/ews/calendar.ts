/**
 * Calendar: the event adapter (appointments with their series: pattern, modified and cancelled
 * occurrences), A2's window rule for events, and CalendarView listings of occurrences.
 */
import {
	AffectedTaskOccurrence,
	Appointment,
	AppointmentOccurrenceId,
	AppointmentSchema,
	BasePropertySet,
	CalendarView,
	ConflictResolutionMode,
	DateTime as EwsDateTime,
	DeleteMode,
	FolderId,
	Item,
	ItemId,
	PropertySet,
	SendCancellationsMode,
	SendInvitationsMode,
	SendInvitationsOrCancellationsMode,
	ServiceError,
	ServiceResult,
	type PropertyDefinitionBase,
} from 'ews-javascript-api';

import type { CalendarEvent } from '../../model/types';
import { expandRecurrence } from '../recurrence';
import { ExchangeError, type ExchangeItem, type SyncWindow, type WriteOptions } from '../types';
import { chunks, GET_ITEM_BATCH, toExchangeItem, type EwsComponentAdapter } from './adapter';
import { folderIdOf, type EwsContext } from './context';
import { ewsError } from './errors';
import { applyEventToEws, applyExceptionToEws, eventFromEws } from './mappers/event';
import { read } from './mappers/values';

/** Answers to cancelling an occurrence that mean it is already gone. */
const OCCURRENCE_GONE = new Set(['ErrorCalendarOccurrenceIsDeletedFromRecurrence', 'ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange', 'ErrorItemNotFound']);

export class EventAdapter implements EwsComponentAdapter<'event'> {
	readonly sendCancellations = SendCancellationsMode.SendToNone;
	readonly affectedTaskOccurrences = null as unknown as AffectedTaskOccurrence;

	constructor(private readonly ctx: EwsContext) {}

	extraProperties(): PropertyDefinitionBase[] {
		return [AppointmentSchema.StartTimeZone, AppointmentSchema.Recurrence, AppointmentSchema.ModifiedOccurrences, AppointmentSchema.DeletedOccurrences];
	}

	newItem(): Item {
		return new Appointment(this.ctx.service);
	}

	bind(id: ItemId, properties: PropertySet): Promise<Item> {
		return Appointment.Bind(this.ctx.service, id, properties);
	}

	/** Series masters list their modified occurrences by id only; those are loaded for subject/location/body. */
	async related(loaded: Item[]): Promise<Item[]> {
		const exceptionIds: string[] = [];
		for (const item of loaded) {
			for (const m of read(() => (item as Appointment).ModifiedOccurrences?.GetEnumerator()) ?? []) exceptionIds.push(m.ItemId.UniqueId);
		}
		const exceptions: Item[] = [];
		for (const batch of chunks(exceptionIds, GET_ITEM_BATCH)) {
			const responses = await this.ctx.call(() =>
				this.ctx.service.BindToItems(
					batch.map((id) => new ItemId(id)),
					new PropertySet(BasePropertySet.FirstClassProperties),
				),
			);
			for (const r of responses.Responses) if (r.Result === ServiceResult.Success && r.Item) exceptions.push(r.Item);
		}
		return exceptions;
	}

	toRecord(item: Item, related: Item[]): CalendarEvent {
		return eventFromEws(item as Appointment, related as Appointment[]);
	}

	apply(item: Item, record: CalendarEvent, isNew: boolean, options: WriteOptions | undefined, changed: ReadonlySet<string> | undefined): void {
		applyEventToEws(item as Appointment, record, isNew, options?.attendeesInBody, this.ctx.defaultReminderMinutes, changed);
	}

	save(item: Item, folderId: FolderId): Promise<unknown> {
		return (item as Appointment).Save(folderId, SendInvitationsMode.SendToNone);
	}

	saveChanges(item: Item, mode: ConflictResolutionMode): Promise<unknown> {
		return (item as Appointment).Update(mode, SendInvitationsOrCancellationsMode.SendToNone);
	}

	afterWrite(id: string, record: CalendarEvent): Promise<void> {
		return this.applyExceptions(id, record);
	}

	inWindow(item: ExchangeItem<'event'>, window: SyncWindow): boolean {
		const e = item.record;
		const lastDay = e.recurrence ? (e.recurrence.range.type === 'endDate' ? e.recurrence.range.endDate : undefined) : e.end?.dateTime;
		const firstDay = e.recurrence ? e.recurrence.range.startDate : e.start?.dateTime;
		if (lastDay && lastDay.slice(0, 10) < window.from.slice(0, 10)) return false;
		if (firstDay && firstDay.slice(0, 10) > window.to.slice(0, 10)) return false;
		return true;
	}

	/**
	 * S20: moved and cancelled occurrences of a series, written on the occurrences themselves,
	 * addressed by their position in the pattern (OccurrenceItemId InstanceIndex; cancelled and
	 * moved occurrences keep theirs). Occurrences already cancelled are left as they are.
	 */
	private async applyExceptions(masterId: string, event: CalendarEvent): Promise<void> {
		const recurrence = event.recurrence;
		const exceptions = recurrence?.exceptions ?? [];
		if (!recurrence || !exceptions.length) return;
		const allDay = event.isAllDay === true;
		const keyOf = (start: string) => (allDay ? start.slice(0, 10) : String(Date.parse(start)));
		const last = Math.max(...exceptions.map((e) => Date.parse(e.originalStart)));
		const starts = expandRecurrence(recurrence, event.start, allDay, '0001-01-01T00:00:00.000Z', new Date(last + 86_400_000).toISOString());
		const indexOf = new Map(starts.map((start, i) => [keyOf(start), i + 1]));
		const zone = recurrence.range.recurrenceTimeZone ?? event.start.timeZone;
		const cancelled: ItemId[] = [];
		for (const ex of exceptions) {
			const index = indexOf.get(keyOf(ex.originalStart));
			if (index === undefined) continue;
			if (ex.deleted) {
				cancelled.push(new AppointmentOccurrenceId(masterId, index));
				continue;
			}
			try {
				const occurrence = await this.ctx.call(() =>
					Appointment.BindToOccurrence(this.ctx.service, new ItemId(masterId), index, PropertySet.FirstClassProperties),
				);
				applyExceptionToEws(occurrence, ex, allDay, zone);
				await this.ctx.call(() => occurrence.Update(ConflictResolutionMode.AlwaysOverwrite, SendInvitationsOrCancellationsMode.SendToNone));
			} catch (e) {
				if (!(e instanceof ExchangeError) || e.code !== 'notFound') throw e;
			}
		}
		if (!cancelled.length) return;
		const responses = await this.ctx.call(() =>
			this.ctx.service.DeleteItems(cancelled, DeleteMode.MoveToDeletedItems, SendCancellationsMode.SendToNone, null as unknown as AffectedTaskOccurrence),
		);
		for (const r of responses.Responses) {
			if (r.Result !== ServiceResult.Error || OCCURRENCE_GONE.has(ServiceError[r.ErrorCode])) continue;
			throw ewsError('invalid', `Cancelling an occurrence of a series failed: ${r.ErrorMessage ?? ServiceError[r.ErrorCode]}`);
		}
	}
}

/** CalendarView (FindItem) over a window: single items, occurrences and exceptions. */
export async function listOccurrences(ctx: EwsContext, folderId: string, window: SyncWindow): Promise<Array<ExchangeItem<'event'>>> {
	const view = new CalendarView(new EwsDateTime(Date.parse(window.from)), new EwsDateTime(Date.parse(window.to)), 1000);
	const found = await ctx.call(() => ctx.service.FindAppointments(folderIdOf(folderId), view));
	return found.Items.map((a) => toExchangeItem<'event'>(a, eventFromEws(a, [])));
}
