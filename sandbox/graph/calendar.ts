/**
 * calendars, events (CRUD, transactionId de-duplication, occurrences and exceptions),
 * calendarView, calendarView/delta, instances.
 */
import {
	expandOccurrences,
	instantRange,
	parseOccurrenceId,
	utcToLocal,
	type EventData,
	type EventException,
	type EventTimes,
	type StoredFolder,
	type StoredItem,
} from '../store';
import { created, noContent, ok, preferenceApplied, type GraphContext } from './context';
import { listResponse, shape, type Entry } from './collection';
import { CalendarDeltaState, type CalendarInstance } from './delta';
import { GraphError, badRequest, notFound } from './errors';
import { ifMatch } from './mail';
import { eventCreate, eventPatch, extendedPropertiesFrom } from './parse';
import { instanceView, renderCalendar, renderEvent, renderInstance } from './render';
import type { GraphRouter } from './router';
import { checkRecurrenceRules } from './strictRules';

function calendar(ctx: GraphContext, id: string | undefined): StoredFolder {
	const folder = id === undefined ? ctx.mailbox.wellKnownFolder('calendar') : ctx.mailbox.resolveFolder(id);
	if (!folder || folder.kind !== 'calendar') throw notFound();
	return folder;
}

const eventContext = (ctx: GraphContext): string => `${ctx.base}/$metadata#users('${ctx.mailbox.address}')/events/$entity`;

function eventEntry(ctx: GraphContext, item: StoredItem<'event'>): Entry {
	return { entity: renderEvent(item, ctx.render), extendedProperties: item.extendedProperties };
}

function overlaps(times: EventTimes, from: number, to: number, zone: string): boolean {
	const { start, end } = instantRange(times, zone);
	if (start === end) return start >= from && start < to;
	return start < to && end > from;
}

/** Instances (single events, occurrences, exceptions) of the calendars overlapping [from, to). */
export function instancesIn(ctx: GraphContext, folders: StoredFolder[], fromIso: string, toIso: string): Array<CalendarInstance & { start: number }> {
	const from = Date.parse(fromIso);
	const to = Date.parse(toIso);
	const zone = ctx.prefer.timeZone ?? 'UTC';
	const result: Array<CalendarInstance & { start: number }> = [];
	for (const folder of folders) {
		for (const item of ctx.mailbox.listItems(folder.id, 'event')) {
			if (!item.data.recurrence) {
				if (overlaps(item.data.times, from, to, zone)) {
					result.push({ id: item.id, changeKey: item.changeKey, start: instantRange(item.data.times, zone).start, entry: () => eventEntry(ctx, item) });
				}
				continue;
			}
			result.push(...seriesInstances(ctx, item, from, to, zone));
		}
	}
	return result.sort((a, b) => a.start - b.start);
}

function seriesInstances(ctx: GraphContext, master: StoredItem<'event'>, from: number, to: number, zone: string): Array<CalendarInstance & { start: number }> {
	const recurrence = master.data.recurrence;
	if (!recurrence) return [];
	const exceptions = new Map((master.data.exceptions ?? []).map((e) => [e.originalStart, e]));
	// look a little wider so exceptions moved into the window are found
	const pad = 31 * 24 * 3600 * 1000;
	const occurrences = expandOccurrences(recurrence, master.data.times, new Date(from - pad).toISOString(), new Date(to + pad).toISOString());
	const result: Array<CalendarInstance & { start: number }> = [];
	for (const occurrence of occurrences) {
		const exception = exceptions.get(occurrence.originalStart);
		if (exception?.deleted) continue;
		const times = exception?.times ?? occurrence.times;
		if (!overlaps(times, from, to, zone)) continue;
		const view = instanceView(master, occurrence.originalStart, occurrence.times, exception);
		result.push({
			id: view.id,
			changeKey: view.changeKey,
			start: instantRange(times, zone).start,
			entry: () => ({
				entity: renderInstance(master, occurrence.originalStart, occurrence.times, exception, ctx.render),
				extendedProperties: { ...master.extendedProperties, ...(exception?.extendedProperties ?? {}) },
			}),
		});
	}
	return result;
}

/** The occurrence an occurrence id names, or undefined when the id is not an occurrence id. */
function findOccurrence(
	ctx: GraphContext,
	id: string,
): { master: StoredItem<'event'>; originalStart: string; times: EventTimes; exception?: EventException } | undefined {
	const parsed = parseOccurrenceId(id);
	if (!parsed) return undefined;
	const master = ctx.mailbox.getItem(parsed.masterId);
	if (!master || master.kind !== 'event' || !(master as StoredItem<'event'>).data.recurrence) throw notFound();
	const event = master as StoredItem<'event'>;
	const exception = event.data.exceptions?.find((e) => e.originalStart === parsed.originalStart);
	if (exception?.deleted) throw notFound();
	const window = parsed.originalStart.length === 10 ? `${parsed.originalStart}T00:00:00.000Z` : parsed.originalStart;
	const occurrence = expandOccurrences(
		event.data.recurrence as NonNullable<EventData['recurrence']>,
		event.data.times,
		new Date(Date.parse(window) - 1).toISOString(),
		new Date(Date.parse(window) + 48 * 3600 * 1000).toISOString(),
	).find((o) => o.originalStart === parsed.originalStart);
	if (!occurrence) throw notFound();
	return { master: event, originalStart: parsed.originalStart, times: occurrence.times, exception };
}

function event(ctx: GraphContext, folder: StoredFolder | undefined, id: string): StoredItem<'event'> {
	const item = ctx.mailbox.getItem(id);
	if (!item || item.kind !== 'event' || (folder && item.folderId !== folder.id)) throw notFound();
	return item as StoredItem<'event'>;
}

/**
 * S18: would Exchange send meeting messages for this event? Only for a meeting (attendees) the
 * mailbox organizes, and not for a draft (isDraft: the changes are not sent yet).
 * https://learn.microsoft.com/en-us/graph/api/resources/event?view=graph-rest-1.0#properties (isDraft, isOrganizer)
 */
function isSentMeeting(ctx: GraphContext, data: Pick<EventData, 'attendees' | 'organizer' | 'isDraft'>): boolean {
	return Boolean(data.attendees?.length) && data.isDraft !== true && isOrganizer(ctx, data);
}

function isOrganizer(ctx: GraphContext, data: Pick<EventData, 'organizer'>): boolean {
	return !data.organizer || data.organizer.emailAddress.address.toLowerCase() === ctx.mailbox.address;
}

/**
 * event.cancelledOccurrences: "Returned only on $select in a Get operation which specifies the ID
 * (seriesMasterId property value) of a series master event", values "OID.{seriesMasterId}.{yyyy-MM-dd}".
 * https://learn.microsoft.com/en-us/graph/api/resources/event?view=graph-rest-1.0#properties
 */
function cancelledOccurrences(master: StoredItem<'event'>): string[] {
	const zone = master.data.recurrence?.range.recurrenceTimeZone ?? master.data.times.startTimeZone;
	return (master.data.exceptions ?? [])
		.filter((e) => e.deleted)
		.map((e) => `OID.${master.id}.${e.originalStart.length === 10 ? e.originalStart : utcToLocal(e.originalStart, zone).slice(0, 10)}`)
		.sort();
}

function windowOf(ctx: GraphContext): { from: string; to: string } {
	const start = ctx.query.get('startDateTime') ?? ctx.query.get('startdatetime');
	const end = ctx.query.get('endDateTime') ?? ctx.query.get('enddatetime');
	if (!start || !end)
		throw badRequest('This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.', 'ErrorInvalidParameter');
	const from = Date.parse(start);
	const to = Date.parse(end);
	if (Number.isNaN(from) || Number.isNaN(to)) throw badRequest('The value of StartDateTime or EndDateTime is not a valid date-time.', 'ErrorInvalidParameter');
	return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

export function registerCalendar(router: GraphRouter, deltaState: CalendarDeltaState): void {
	const folderOf = (ctx: GraphContext): StoredFolder => calendar(ctx, ctx.params.calendar);
	const calendarEntry = (ctx: GraphContext, folder: StoredFolder): Entry => ({
		entity: renderCalendar(folder, ctx.mailbox),
		extendedProperties: folder.extendedProperties,
	});

	const listEvents = (ctx: GraphContext) => {
		const folder = folderOf(ctx);
		return listResponse(
			ctx,
			ctx.mailbox.listItems(folder.id, 'event').map((e) => eventEntry(ctx, e)),
			`users('${ctx.mailbox.address}')/events`,
			preferenceApplied(ctx),
		);
	};

	const createEvent = (ctx: GraphContext) => {
		const folder = folderOf(ctx);
		const body = ctx.body();
		checkRecurrenceRules(body.recurrence);
		const data = eventCreate(body);
		if (data.transactionId) {
			const duplicate = ctx.mailbox.listItems(folder.id, 'event').find((e) => e.data.transactionId === data.transactionId);
			if (duplicate) return created({ '@odata.context': eventContext(ctx), ...shape(ctx, eventEntry(ctx, duplicate)) });
		}
		if (Array.isArray(data.attendees)) {
			data.attendees = data.attendees.map((a) => ({
				type: a.type ?? 'required',
				emailAddress: a.emailAddress,
				status: { response: 'none', time: '0001-01-01T00:00:00Z' },
			}));
		}
		const item = ctx.mailbox.createItem(folder.id, 'event', data, { extendedProperties: extendedPropertiesFrom(body) });
		if (isSentMeeting(ctx, item.data)) ctx.meetingMessage('invitations');
		return created({ '@odata.context': eventContext(ctx), ...shape(ctx, eventEntry(ctx, item)) }, preferenceApplied(ctx));
	};

	const getEvent = (ctx: GraphContext) => {
		const occurrence = findOccurrence(ctx, ctx.params.event);
		if (occurrence) {
			const entity = renderInstance(occurrence.master, occurrence.originalStart, occurrence.times, occurrence.exception, ctx.render);
			return ok(
				{ '@odata.context': eventContext(ctx), ...shape(ctx, { entity, extendedProperties: occurrence.master.extendedProperties }) },
				preferenceApplied(ctx),
			);
		}
		const item = event(ctx, ctx.params.calendar ? folderOf(ctx) : undefined, ctx.params.event);
		const entity = shape(ctx, eventEntry(ctx, item));
		if (item.data.recurrence && /(^|,)\s*cancelledOccurrences\s*(,|$)/i.test(ctx.query.get('$select') ?? ''))
			entity.cancelledOccurrences = cancelledOccurrences(item);
		return ok({ '@odata.context': eventContext(ctx), ...entity }, preferenceApplied(ctx));
	};

	const updateEvent = (ctx: GraphContext) => {
		const body = ctx.body();
		checkRecurrenceRules(body.recurrence);
		const occurrence = findOccurrence(ctx, ctx.params.event);
		if (occurrence) {
			if (body.recurrence !== undefined) throw badRequest('The recurrence of an occurrence cannot be changed.', 'ErrorInvalidRequest');
			const view = instanceView(occurrence.master, occurrence.originalStart, occurrence.times, occurrence.exception);
			const next = eventPatch({ ...view.data, times: view.times }, body);
			const {
				times,
				subject,
				body: text,
				location,
				locations,
				categories,
				sensitivity,
				showAs,
				importance,
				isReminderOn,
				reminderMinutesBeforeStart,
				attendees,
			} = next;
			const exception = ctx.mailbox.updateOccurrence(
				occurrence.master.id,
				occurrence.originalStart,
				{ times, subject, body: text, location, locations, categories, sensitivity, showAs, importance, isReminderOn, reminderMinutesBeforeStart, attendees },
				{ ifMatch: ifMatch(ctx), extendedProperties: extendedPropertiesFrom(body) },
			);
			const master = event(ctx, undefined, occurrence.master.id);
			if (isSentMeeting(ctx, { ...master.data, ...exception })) ctx.meetingMessage('invitations');
			return ok({
				'@odata.context': eventContext(ctx),
				...shape(ctx, {
					entity: renderInstance(master, occurrence.originalStart, occurrence.times, exception, ctx.render),
					extendedProperties: master.extendedProperties,
				}),
			});
		}
		event(ctx, ctx.params.calendar ? folderOf(ctx) : undefined, ctx.params.event);
		const updated = ctx.mailbox.updateItem<'event'>(
			ctx.params.event,
			(d) => {
				const next = eventPatch(d, body);
				for (const key of Object.keys(d)) delete (d as unknown as Record<string, unknown>)[key];
				Object.assign(d, next);
			},
			{ ifMatch: ifMatch(ctx), extendedProperties: extendedPropertiesFrom(body) },
		);
		if (isSentMeeting(ctx, updated.data)) ctx.meetingMessage('invitations');
		return ok({ '@odata.context': eventContext(ctx), ...shape(ctx, eventEntry(ctx, updated)) }, preferenceApplied(ctx));
	};

	/** Deleting (or cancelling) a meeting the mailbox organizes sends a cancellation to its attendees. */
	const removeEvent = (ctx: GraphContext, options: { cancel: boolean }) => {
		const occurrence = findOccurrence(ctx, ctx.params.event);
		const target = occurrence
			? { ...occurrence.master.data, ...(occurrence.exception ?? {}) }
			: event(ctx, ctx.params.calendar ? folderOf(ctx) : undefined, ctx.params.event).data;
		// event: cancel — "This action is available only to the organizer of a meeting."
		// https://learn.microsoft.com/en-us/graph/api/event-cancel?view=graph-rest-1.0
		if (options.cancel && !isOrganizer(ctx, target)) {
			throw new GraphError(400, 'ErrorAccessDenied', "Your request can't be completed. You need to be an organizer to cancel a meeting.");
		}
		if (occurrence) ctx.mailbox.cancelOccurrence(occurrence.master.id, occurrence.originalStart);
		else ctx.mailbox.deleteItem(ctx.params.event, { ifMatch: ifMatch(ctx) });
		if (options.cancel || isSentMeeting(ctx, target)) ctx.meetingMessage('cancellations');
		return options.cancel ? { status: 202 } : noContent();
	};

	/** event: forward — sends the meeting request to new recipients (an invitation). https://learn.microsoft.com/en-us/graph/api/event-forward?view=graph-rest-1.0 */
	const forwardEvent = (ctx: GraphContext) => {
		const body = ctx.body();
		if (!Array.isArray(body.toRecipients) || body.toRecipients.length === 0)
			throw badRequest('The toRecipients parameter is required.', 'ErrorInvalidRecipients');
		if (!findOccurrence(ctx, ctx.params.event)) event(ctx, ctx.params.calendar ? folderOf(ctx) : undefined, ctx.params.event);
		ctx.meetingMessage('invitations');
		return { status: 202 };
	};

	const calendarView = (ctx: GraphContext) => {
		const { from, to } = windowOf(ctx);
		const folders = [folderOf(ctx)];
		return listResponse(
			ctx,
			instancesIn(ctx, folders, from, to).map((i) => i.entry()),
			`users('${ctx.mailbox.address}')/calendarView`,
			preferenceApplied(ctx),
		);
	};

	const calendarViewDelta = (ctx: GraphContext) => {
		const folder = folderOf(ctx);
		return deltaState.handle(
			ctx,
			folder,
			(from, to) => instancesIn(ctx, [folder], from, to),
			(id) => {
				const parsed = parseOccurrenceId(id);
				const item = ctx.mailbox.getItem(parsed ? parsed.masterId : id);
				if (!item) return 'deleted';
				if (parsed && (item as StoredItem<'event'>).data.exceptions?.some((e) => e.originalStart === parsed.originalStart && e.deleted)) return 'deleted';
				return 'changed';
			},
		);
	};

	const instances = (ctx: GraphContext) => {
		const master = event(ctx, ctx.params.calendar ? folderOf(ctx) : undefined, ctx.params.event);
		const { from, to } = windowOf(ctx);
		const zone = ctx.prefer.timeZone ?? 'UTC';
		const list = master.data.recurrence
			? seriesInstances(ctx, master, Date.parse(from), Date.parse(to), zone).sort((a, b) => a.start - b.start)
			: overlaps(master.data.times, Date.parse(from), Date.parse(to), zone)
				? [{ id: master.id, changeKey: master.changeKey, start: 0, entry: () => eventEntry(ctx, master) }]
				: [];
		return listResponse(
			ctx,
			list.map((i) => i.entry()),
			`users('${ctx.mailbox.address}')/events('${master.id}')/instances`,
			preferenceApplied(ctx),
		);
	};

	router
		.get('/calendars', (ctx) =>
			listResponse(
				ctx,
				ctx.mailbox.listFolders({ kind: 'calendar' }).map((f) => calendarEntry(ctx, f)),
				`users('${ctx.mailbox.address}')/calendars`,
			),
		)
		.post('/calendars', (ctx) => {
			const body = ctx.body();
			if (typeof body.name !== 'string' || !body.name.trim()) throw badRequest('The name property is required.', 'ErrorInvalidRequest');
			// Exchange files calendars created through Graph under the default Calendar folder, not at
			// the mailbox root, so a calendar may share its name with a top-level mail folder.
			const parent = calendar(ctx, undefined);
			const folder = ctx.mailbox.createFolder({
				parentId: parent.id,
				displayName: body.name,
				kind: 'calendar',
				extendedProperties: extendedPropertiesFrom(body),
			});
			return created({
				'@odata.context': `${ctx.base}/$metadata#users('${ctx.mailbox.address}')/calendars/$entity`,
				...shape(ctx, calendarEntry(ctx, folder)),
			});
		})
		.get('/calendar', (ctx) => ok(shape(ctx, calendarEntry(ctx, calendar(ctx, undefined)))))
		.get('/calendars/:calendar', (ctx) =>
			ok({ '@odata.context': `${ctx.base}/$metadata#users('${ctx.mailbox.address}')/calendars/$entity`, ...shape(ctx, calendarEntry(ctx, folderOf(ctx))) }),
		)
		.patch('/calendars/:calendar', (ctx) => {
			const body = ctx.body();
			const updated = ctx.mailbox.updateFolder(folderOf(ctx).id, {
				displayName: typeof body.name === 'string' ? body.name : undefined,
				extendedProperties: extendedPropertiesFrom(body),
			});
			return ok(shape(ctx, calendarEntry(ctx, updated)));
		})
		.delete('/calendars/:calendar', (ctx) => {
			const folder = folderOf(ctx);
			if (folder.wellKnownName) throw new GraphError(400, 'ErrorInvalidRequest', 'The default calendar cannot be deleted.');
			ctx.mailbox.deleteFolder(folder.id);
			return noContent();
		});

	for (const prefix of ['', '/calendar', '/calendars/:calendar']) {
		router
			.get(`${prefix}/calendarView/delta`, calendarViewDelta)
			.get(`${prefix}/calendarView`, calendarView)
			.get(`${prefix}/events`, listEvents)
			.post(`${prefix}/events`, createEvent)
			.get(`${prefix}/events/:event/instances`, instances)
			.get(`${prefix}/events/:event`, getEvent)
			.patch(`${prefix}/events/:event`, updateEvent)
			.delete(`${prefix}/events/:event`, (ctx) => removeEvent(ctx, { cancel: false }))
			.post(`${prefix}/events/:event/cancel`, (ctx) => removeEvent(ctx, { cancel: true }))
			.post(`${prefix}/events/:event/forward`, forwardEvent);
	}
}
