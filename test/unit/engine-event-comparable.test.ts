/**
 * Found by the soak on appointments: changed-field detection, merge and merge bases compared the raw
 * records, while the hash compares times as instants and ignores the CRM's enrichment block (decisions
 * §3). The CRM's record (no zone, body with the block) and the Exchange one (a zone, the owner's body)
 * then differed in fields nobody changed:
 * - a CRM edit of the place also rewrote the unchanged description in Exchange (HTML formatting lost);
 * - under merge, an Outlook move of the time lost against a CRM edit of another field.
 */
import { StatusTable, type PlanOptions } from '../../lib/engine';
import { MemorySide } from '../support/memory-side';
import { runMemorySync } from '../support/memory-run';
import type { CalendarEvent } from '../../lib/model/types';

const MARKER = '-- CRM --';
const ENRICHED = `Bring samples\n\n${MARKER}\nCategory: Meeting`;

function setup(policy: PlanOptions<'event'>['policy']) {
	const table = StatusTable.load();
	const clock = MemorySide.clock();
	const crm = new MemorySide<'event'>('crm', 'c', clock);
	const exchange = new MemorySide<'event'>('exchange', 'AAMkAGI2THVSAAA-', clock);
	const opts: PlanOptions<'event'> = {
		component: 'event',
		crmInstance: 'crm1',
		crmModule: 'events',
		enrichmentMarker: MARKER,
		policy,
		mergeFallback: 'lastModifiedWins',
	};
	// Born in Outlook, entered in Berlin time, description without the CRM's block.
	const outlook: CalendarEvent = {
		subject: 'Review',
		start: { dateTime: '2030-03-04T10:00:00.000Z', timeZone: 'Europe/Berlin' },
		end: { dateTime: '2030-03-04T11:00:00.000Z', timeZone: 'Europe/Berlin' },
		location: 'Room 1',
		body: 'Bring samples',
	};
	const born = exchange.create(outlook);
	runMemorySync(table, crm, exchange, opts);
	runMemorySync(table, crm, exchange, opts);
	const crmRecord = crm.all()[0];
	// As the CRM's mapping shows it: no zone, the enrichment block below the description.
	const fromCrm: CalendarEvent = { ...outlook, start: { dateTime: outlook.start.dateTime }, end: { dateTime: outlook.end.dateTime }, body: ENRICHED };
	return { table, crm, exchange, opts, born, crmRecord, fromCrm };
}

it('a CRM edit of the place updates only the location in Exchange, not the unchanged description or times', () => {
	const { table, crm, exchange, opts, crmRecord, fromCrm } = setup('lastModifiedWins');
	crm.update(crmRecord.id, { ...fromCrm, location: 'Room 2' });
	const run = runMemorySync(table, crm, exchange, opts);
	const updates = run.plan.actions.filter((a) => a.kind === 'update');
	expect(updates).toHaveLength(1);
	expect(updates[0].target).toBe('exchange');
	expect(updates[0].changedFields).toEqual(['location']);
});

it('merge: an Outlook move of the time and a later CRM edit of the place both survive', () => {
	const { table, crm, exchange, opts, born, crmRecord, fromCrm } = setup('merge');
	const moved = {
		start: { dateTime: '2030-03-05T08:00:00.000Z', timeZone: 'Europe/Berlin' },
		end: { dateTime: '2030-03-05T09:30:00.000Z', timeZone: 'Europe/Berlin' },
	};
	exchange.update(born.id, { ...(exchange.all()[0].record as CalendarEvent), ...moved });
	crm.update(crmRecord.id, { ...fromCrm, location: 'Room 2' });
	runMemorySync(table, crm, exchange, opts);
	const onExchange = exchange.all()[0].record as CalendarEvent;
	const onCrm = crm.all()[0].record as CalendarEvent;
	expect(onExchange.start.dateTime).toBe('2030-03-05T08:00:00.000Z');
	expect(onExchange.start.timeZone).toBe('Europe/Berlin');
	expect(onExchange.location).toBe('Room 2');
	expect(onCrm.start.dateTime).toBe('2030-03-05T08:00:00.000Z');
	expect(onCrm.end.dateTime).toBe('2030-03-05T09:30:00.000Z');
	expect(onCrm.location).toBe('Room 2');
});
