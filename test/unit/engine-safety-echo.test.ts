import { plan, commit, StatusTable, type PlanOptions, type SideChanges, type CommitResult } from '../../lib/engine';
import { MemorySide } from '../support/memory-side';
import type { Component } from '../../lib/model';

/**
 * Issue 12 §2 "A deletion in Exchange always reaches the CRM": an item the connector created in Exchange
 * and the user deleted before the next run is not in the next delta at all (Graph delta and EWS
 * SyncFolderItems report the net change since the cursor). `withoutNetZero` plays such a feed.
 */
function setup<C extends Component>(component: C, options: Partial<PlanOptions<C>> = {}) {
	const table = StatusTable.load();
	const clock = MemorySide.clock(Date.now());
	const crm = new MemorySide<C>('crm', 'c', clock);
	const exchange = new MemorySide<C>('exchange', 'AAMkAGI2THVSAAA-', clock);
	const opts: PlanOptions<C> = { component, crmInstance: 'crm1', crmModule: `${component}s`, ...options };
	let run = 0;
	const sync = (shape: (feed: SideChanges<C>) => SideChanges<C> = (f) => f) => {
		const planned = plan(table, crm.changes(table.cursors.crm), shape(exchange.changes(table.cursors.ex)), { ...opts, runId: `r${++run}` });
		table.pending = planned.pending;
		const results: Array<CommitResult<C>> = planned.actions.map((action) =>
			action.target === null ? { action } : { action, outcome: (action.target === 'crm' ? crm : exchange).apply(action) },
		);
		return commit(table, results, { component, runId: planned.runId });
	};
	return { table, crm, exchange, sync };
}

/** The feed as Microsoft reports it: an item created after the cursor and deleted again is not listed. */
const withoutNetZero =
	<C extends Component>(deletedAfterCreate: string[]) =>
	(feed: SideChanges<C>): SideChanges<C> => ({ ...feed, deletedIds: (feed.deletedIds ?? []).filter((id) => !deletedAfterCreate.includes(id)) });

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('engine safety: an Exchange copy created by the sync and deleted before the next run (issue 12 §2)', () => {
	it('deletes the CRM task when its new Outlook copy is missing from the next delta; the other task stays', () => {
		const { crm, exchange, sync, table } = setup('task', { windowFrom: new Date(Date.now() - 30 * 86_400_000).toISOString() });
		const done = crm.create({ subject: 'Done in CRM', status: 'completed', dueDate: day(0) });
		const open = crm.create({ subject: 'Still open', dueDate: day(1) });
		expect(sync()).toMatchObject({ counts: { created: 2 } });
		const copy = exchange.all().find((i) => i.record.subject === 'Done in CRM')?.id as string;
		exchange.remove(copy);
		const report = sync(withoutNetZero([copy]));
		expect(report.counts.deleted).toBe(1);
		expect(crm.getItem(done.id)).toBeUndefined();
		expect(crm.getItem(open.id)?.record.subject).toBe('Still open');
		expect(exchange.all().map((i) => i.record.subject)).toEqual(['Still open']);
		expect(table.echoes.size).toBe(0);
		expect(sync().counts).toMatchObject({ created: 0, updated: 0, deleted: 0 });
	});

	it('expects an echo only from the delta right after the create: a later delta without the item deletes nothing', () => {
		const { crm, exchange, sync } = setup('task');
		const t = crm.create({ subject: 'Listed once', dueDate: day(3) });
		sync();
		expect(sync().counts.deleted).toBe(0); // the echo came
		const report = sync((f) => ({ ...f, items: [], deletedIds: [] }));
		expect(report.counts.deleted).toBe(0);
		expect(crm.getItem(t.id)).toBeDefined();
		expect(exchange.size).toBe(1);
	});

	it('does not infer a deletion from a delta with more pages to come; the expectation stands for the next page', () => {
		const { crm, exchange, sync, table } = setup('task');
		const paged = crm.create({ subject: 'Paged', dueDate: day(2) });
		const gone = crm.create({ subject: 'Deleted in Outlook', dueDate: day(2) });
		sync();
		const copy = exchange.all().find((i) => i.record.subject === 'Deleted in Outlook')?.id as string;
		exchange.remove(copy);
		const firstPage = sync((f) => ({ ...f, items: [], deletedIds: [], partial: true }));
		expect(firstPage.counts.deleted).toBe(0);
		expect(table.echoes.size).toBe(2);
		const pagedCopy = exchange.all().find((i) => i.record.subject === 'Paged');
		// The next page lists the echo of "Paged" and nothing of the deleted copy.
		const lastPage = sync((f) => ({ ...f, items: pagedCopy ? [pagedCopy] : [], deletedIds: [] }));
		expect(lastPage.counts.deleted).toBe(1);
		expect(crm.getItem(gone.id)).toBeUndefined();
		expect(crm.getItem(paged.id)?.record.subject).toBe('Paged');
		expect(exchange.all().map((i) => i.record.subject)).toEqual(['Paged']);
	});

	it('does not infer a deletion for a task near the window start (the reader may have left it out)', () => {
		const windowFrom = new Date(Date.now() - 30 * 86_400_000).toISOString();
		const { crm, exchange, sync } = setup('task', { windowFrom });
		const edge = crm.create({ subject: 'At the window edge', status: 'completed', dueDate: day(-29) });
		const inside = crm.create({ subject: 'Inside', dueDate: day(2) });
		sync();
		const report = sync((f) => ({ ...f, items: f.items.filter((i) => i.record.subject === 'Inside') }));
		expect(report.counts.deleted).toBe(0);
		expect(crm.getItem(edge.id)).toBeDefined();
		expect(crm.getItem(inside.id)).toBeDefined();
		expect(exchange.size).toBe(2);
	});

	it('a contact copy deleted that way unlinks the CRM contact (S6), which stays, and is not created again', () => {
		const { crm, exchange, sync, table } = setup('contact');
		const c = crm.create({ firstName: 'Ada', lastName: 'Lovelace' });
		sync();
		const copy = exchange.all()[0].id;
		exchange.remove(copy);
		sync(withoutNetZero([copy]));
		expect(crm.getItem(c.id)?.record.lastName).toBe('Lovelace');
		expect(table.get(c.id)?.exchangeId).toBeUndefined();
		expect(exchange.size).toBe(0);
		expect(sync().counts.created).toBe(0);
		expect(exchange.size).toBe(0);
	});

	it('infers nothing for appointments (the calendar delta is windowed and lists series as occurrences)', () => {
		const { crm, exchange, sync } = setup('event');
		const e = crm.create({ subject: 'Kickoff', start: { dateTime: `${day(5)}T09:00:00Z` }, end: { dateTime: `${day(5)}T10:00:00Z` } });
		sync();
		const report = sync((f) => ({ ...f, items: [] }));
		expect(report.counts.deleted).toBe(0);
		expect(crm.getItem(e.id)).toBeDefined();
		expect(exchange.size).toBe(1);
	});
});
