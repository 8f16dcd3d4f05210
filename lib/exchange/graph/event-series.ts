/** Events read by id (series with their occurrences) and a series' exceptions written on its instances. */
import type { CalendarEvent } from '../../model/types';
import type { ExchangeItem, SyncWindow } from '../types';
import { toItem } from './adapter';
import type { BatchStep } from './batch';
import { type GraphContext, q } from './context';
import type { GraphCollection, GraphEvent } from './graph-types';
import { IDENT_EXPAND } from './ident-expand';
import { eventFromGraph, exceptionToGraph, identFromExtendedProperties } from './mappers';

/**
 * A series master read by id. cancelledOccurrences is "Returned only on $select in a Get operation which
 * specifies the ID (seriesMasterId property value) of a series master event"
 * (https://learn.microsoft.com/en-us/graph/api/resources/event?view=graph-rest-1.0#properties), so the
 * properties the mapping (and the raw output) need are selected with it.
 */
const EVENT_SELECT = [
	'id',
	'createdDateTime',
	'lastModifiedDateTime',
	'changeKey',
	'categories',
	'subject',
	'body',
	'bodyPreview',
	'start',
	'end',
	'originalStartTimeZone',
	'originalEndTimeZone',
	'isAllDay',
	'isCancelled',
	'location',
	'locations',
	'sensitivity',
	'showAs',
	'importance',
	'isReminderOn',
	'reminderMinutesBeforeStart',
	'recurrence',
	'type',
	'seriesMasterId',
	'organizer',
	'attendees',
	'webLink',
	'cancelledOccurrences',
].join(',');
const INSTANCE_SELECT = 'id,type,start,end,originalStart,originalStartTimeZone,originalEndTimeZone,subject,location,seriesMasterId,isAllDay';

export interface ReadEvent {
	event: GraphEvent;
	instances?: GraphEvent[];
	window?: SyncWindow;
}

export function eventItem(ctx: GraphContext, g: GraphEvent, folderId: string, instances?: GraphEvent[], window?: SyncWindow): ExchangeItem<'event'> {
	return toItem<'event'>(ctx, g, folderId, eventFromGraph(g, instances, window), identFromExtendedProperties(g));
}

/** Reads events (with ident) and, for series, their instances in the window. Undefined: the event is gone. */
export async function readEvents(ctx: GraphContext, folderId: string, ids: string[], window: SyncWindow): Promise<Map<string, ReadEvent | undefined>> {
	const out = new Map<string, ReadEvent | undefined>();
	if (!ids.length) return out;
	const unique = [...new Set(ids)];
	const base = ctx.eventsPath(folderId);
	const res = await ctx.batch(
		unique.map((id, i) => [{ id: `e${i}`, method: 'GET' as const, url: `${base}/${q(id)}?$select=${EVENT_SELECT}&$expand=${q(IDENT_EXPAND)}` }]),
	);
	const series: Array<{ id: string; i: number }> = [];
	unique.forEach((id, i) => {
		const r = res.get(`e${i}`);
		if (r?.status === 404) out.set(id, undefined);
		else if (r && r.status < 300) {
			const ev = r.body as GraphEvent;
			out.set(id, { event: ev });
			if (ev.type === 'seriesMaster') series.push({ id, i });
		} else throw ctx.batchError(r, 'Reading events');
	});
	if (series.length) {
		const inst = await ctx.batch(
			series.map(({ id, i }) => [
				{
					id: `i${i}`,
					method: 'GET' as const,
					url: `${base}/${q(id)}/instances?startDateTime=${q(window.from)}&endDateTime=${q(window.to)}&$top=1000&$select=${INSTANCE_SELECT}`,
				},
			]),
		);
		for (const { id, i } of series) {
			const r = inst.get(`i${i}`);
			if (!r || r.status >= 300) throw ctx.batchError(r, 'Reading occurrences of a series');
			const entry = out.get(id);
			if (entry) {
				entry.instances = (r.body as GraphCollection<GraphEvent>).value;
				entry.window = window;
			}
		}
	}
	return out;
}

/** S20: modified and cancelled occurrences are written on the series' instances. */
export async function applyExceptions(ctx: GraphContext, folderId: string, masterId: string, event: CalendarEvent): Promise<void> {
	const exceptions = event.recurrence?.exceptions ?? [];
	if (!exceptions.length) return;
	const allDay = event.isAllDay === true;
	const keys = exceptions.map((e) => Date.parse(e.originalStart));
	const from = new Date(Math.min(...keys) - 2 * 86_400_000).toISOString();
	const to = new Date(Math.max(...keys) + 2 * 86_400_000).toISOString();
	const base = ctx.eventsPath(folderId);
	const instances = await ctx.listAll<GraphEvent>(
		`${base}/${q(masterId)}/instances?startDateTime=${q(from)}&endDateTime=${q(to)}&$top=1000&$select=${INSTANCE_SELECT}`,
		'Reading occurrences of a series',
	);
	const steps: BatchStep[][] = [];
	exceptions.forEach((ex, i) => {
		const key = allDay ? ex.originalStart.slice(0, 10) : new Date(ex.originalStart).getTime();
		const match = instances.find((inst) => {
			const original = inst.originalStart ?? (inst.start ? `${inst.start.dateTime.replace(/(\.\d{3})\d*/, '$1')}Z` : undefined);
			if (!original) return false;
			return allDay ? original.slice(0, 10) === key : new Date(original.replace(/Z?$/, 'Z').replace(/([+-]\d\d:\d\d)Z$/, '$1')).getTime() === key;
		});
		if (!match) return;
		if (ex.deleted) steps.push([{ id: `x${i}`, method: 'DELETE', url: `${base}/${q(match.id)}` }]);
		else steps.push([{ id: `x${i}`, method: 'PATCH', url: `${base}/${q(match.id)}`, body: exceptionToGraph(ex, allDay) }]);
	});
	const res = await ctx.batch(steps);
	for (const [id, r] of res) {
		if (r.status >= 300 && r.status !== 404) throw ctx.batchError(r, `Writing an exception of a series (${id})`);
	}
}
