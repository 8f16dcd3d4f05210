/** A calendar's change feed: calendarView delta (or its listing fallback) resolved to series masters. */
import { ExchangeError, type ExchangeChangePage, type ExchangeItem, type SyncWindow } from '../types';
import { changePage, safeMap, type ChangeOptions, type InvalidItems } from './adapter';
import { DEFAULT_CALENDAR, type GraphContext, q } from './context';
import { decodeCursor, deltaPage, listingCursor, nextCursor } from './delta';
import type { GraphCollection, GraphEvent, GraphItemBase } from './graph-types';
import { IDENT_EXPAND } from './ident-expand';
import { identFromExtendedProperties } from './mappers';
import { eventItem, readEvents } from './event-series';

export async function listEventChanges(
	ctx: GraphContext,
	folderId: string,
	cursor: string | undefined,
	options: ChangeOptions,
): Promise<ExchangeChangePage<'event'>> {
	const pageSize = options.pageSize ?? ctx.pageSize;
	const { page, full, listing } = await eventPage(ctx, folderId, cursor, options.window, pageSize, 'Reading event changes');
	const removed = page.value.filter((v) => v['@removed']).map((v) => v.id);
	const present = page.value.filter((v) => !v['@removed']) as GraphEvent[];
	const invalid: InvalidItems = [];
	const known = new Set(decodeCursor(cursor)?.s ?? []);
	const { items, deletedIds } = await resolveEventDelta(ctx, folderId, present, removed, options.window ?? ctx.defaultWindow(), invalid, known);
	const series = [...known];
	const next = listing ? listingCursor(ctx, page, series) : nextCursor(ctx, page, full, series);
	return changePage(items, deletedIds, next, full, invalid);
}

/**
 * The CRM-Sync calendar's changes. calendars/{id}/calendarView/delta is used although the event-delta
 * reference lists only the primary calendar's /calendarView/delta: the delta-query guide
 * (https://learn.microsoft.com/en-us/graph/delta-query-events) names "the default calendar or some other
 * specified calendar". Should Graph refuse it (400/501), the documented List calendarView of that
 * calendar (https://learn.microsoft.com/en-us/graph/api/calendar-list-calendarview?view=graph-rest-1.0)
 * is read instead: a full listing every round (fullResync: absence in the window means deletion).
 */
async function eventPage(
	ctx: GraphContext,
	folderId: string,
	cursor: string | undefined,
	window: SyncWindow | undefined,
	pageSize: number,
	what: string,
): Promise<{ page: GraphCollection<GraphItemBase>; full: boolean; listing: boolean }> {
	const decoded = decodeCursor(cursor);
	const w = window ?? ctx.defaultWindow();
	const listingUrl = `${ctx.calendarPath(folderId)}/calendarView?startDateTime=${q(w.from)}&endDateTime=${q(w.to)}`;
	const prefer = [`odata.maxpagesize=${pageSize}`];
	if (decoded?.l) {
		const page = await ctx.request<GraphCollection<GraphItemBase>>('GET', decoded.u || listingUrl, what, { prefer });
		return { page, full: true, listing: true };
	}
	try {
		const dw = window ?? ctx.defaultWindow();
		const deltaUrl = `${ctx.calendarPath(folderId)}/calendarView/delta?startDateTime=${q(dw.from)}&endDateTime=${q(dw.to)}`;
		const { page, full } = await deltaPage<GraphItemBase>(ctx, deltaUrl, cursor, pageSize, what);
		return { page, full, listing: false };
	} catch (e) {
		const refused = e instanceof ExchangeError && (e.status === 400 || e.status === 501) && folderId !== DEFAULT_CALENDAR;
		if (!refused) throw e;
		const page = await ctx.request<GraphCollection<GraphItemBase>>('GET', listingUrl, what, { prefer });
		return { page, full: true, listing: true };
	}
}

/**
 * calendarView delta reports occurrences; the sync works on series masters. Removals are
 * checked: an item that still exists only left the window (not a deletion, DESIGN.md §2).
 */
async function resolveEventDelta(
	ctx: GraphContext,
	folderId: string,
	present: GraphEvent[],
	removed: string[],
	window: SyncWindow,
	invalid: InvalidItems,
	knownSeries: Set<string>,
): Promise<{ items: Array<ExchangeItem<'event'>>; deletedIds: string[] }> {
	const singles = present.filter((e) => e.type !== 'occurrence' && e.type !== 'exception' && e.type !== 'seriesMaster');
	const masterIds = new Set<string>();
	for (const e of present) {
		if (e.type === 'seriesMaster') masterIds.add(e.id);
		else if ((e.type === 'occurrence' || e.type === 'exception') && e.seriesMasterId) masterIds.add(e.seriesMasterId);
	}
	const deletedIds: string[] = [];
	if (removed.length) {
		const steps = removed.map((id, i) => [{ id: `r${i}`, method: 'GET' as const, url: `${ctx.eventsPath(folderId)}/${q(id)}?$select=id,type,seriesMasterId` }]);
		const res = await ctx.batch(steps);
		let gone = false;
		removed.forEach((id, i) => {
			const r = res.get(`r${i}`);
			if (r?.status === 404) {
				deletedIds.push(id);
				gone ||= !knownSeries.has(id);
			} else if (r && r.status < 300) {
				const ev = r.body as GraphEvent;
				if (ev.seriesMasterId) masterIds.add(ev.seriesMasterId);
				// else: still there, only outside the window → not a deletion.
			} else throw ctx.batchError(r, 'Checking removed events');
		});
		// A deleted series is reported as its removed occurrences, whose ids are not the series id the
		// pair knows: check the series seen before (one GET each, in $batches of 20).
		const unchecked = [...knownSeries].filter((id) => !removed.includes(id) && !masterIds.has(id));
		if (gone && unchecked.length) {
			const check = await ctx.batch(
				unchecked.map((id, i) => [{ id: `s${i}`, method: 'GET' as const, url: `${ctx.eventsPath(folderId)}/${q(id)}?$select=id` }]),
			);
			unchecked.forEach((id, i) => {
				const r = check.get(`s${i}`);
				if (r?.status === 404) deletedIds.push(id);
				else if (!r || r.status >= 300) throw ctx.batchError(r, 'Checking series of removed occurrences');
			});
		}
	}
	const items: Array<ExchangeItem<'event'>> = singles.flatMap((e) => safeMap(e, invalid, () => eventItem(ctx, e, folderId)));
	const needsIdent = items.filter((i) => i.ident === undefined && !singles.find((s) => s.id === i.id)?.singleValueExtendedProperties);
	await addEventIdents(ctx, folderId, needsIdent, items);
	const masters = await readEvents(ctx, folderId, [...masterIds], window);
	for (const [id, m] of masters) {
		const at = items.findIndex((i) => i.id === id);
		if (m === undefined) {
			if (at >= 0) items.splice(at, 1);
			if (masterIds.has(id)) deletedIds.push(id);
			continue;
		}
		const mapped = safeMap(m.event, invalid, () => eventItem(ctx, m.event, folderId, m.instances, m.window));
		if (at >= 0) items.splice(at, 1, ...mapped);
		else items.push(...mapped);
		if (m.event.type === 'seriesMaster') {
			knownSeries.delete(id);
			knownSeries.add(id);
		}
	}
	for (const id of deletedIds) knownSeries.delete(id);
	return { items, deletedIds };
}

/**
 * Single events from the delta carry everything but the pairing ident (calendarView delta takes no
 * $expand): only that is read, in $batches of 20 (issue 15: no re-read of the whole event). An event
 * gone meanwhile is left out; the next delta reports its removal.
 */
async function addEventIdents(ctx: GraphContext, folderId: string, targets: Array<ExchangeItem<'event'>>, items: Array<ExchangeItem<'event'>>): Promise<void> {
	if (!targets.length) return;
	const base = ctx.eventsPath(folderId);
	const res = await ctx.batch(
		targets.map((t, i) => [{ id: `p${i}`, method: 'GET' as const, url: `${base}/${q(t.id)}?$select=id&$expand=${q(IDENT_EXPAND)}` }]),
	);
	targets.forEach((t, i) => {
		const r = res.get(`p${i}`);
		if (r?.status === 404) {
			items.splice(items.indexOf(t), 1);
			return;
		}
		if (!r || r.status >= 300) throw ctx.batchError(r, 'Reading the pairing ident of events');
		const ident = identFromExtendedProperties(r.body as GraphEvent);
		if (ident) t.ident = ident;
	});
}
