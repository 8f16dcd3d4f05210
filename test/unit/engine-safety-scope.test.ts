import { commit, plan, StatusTable, type CommitResult, type PlanOptions, type SideChanges } from '../../lib/engine';
import { MemorySide } from '../support/memory-side';
import type { Component } from '../../lib/model';

/**
 * Issue 12 §2: a record that leaves a mailbox's scope (assigned to another CRM user S5, filtered out S14)
 * is not a deletion: its copy leaves the mailbox, the CRM record stays, and an Outlook edit of the old copy
 * made meanwhile creates nothing in the CRM (it is reported). `outOfScope` plays the Plan node's filters.
 */
function setup<C extends Component>(component: C, options: Partial<PlanOptions<C>> = {}) {
	const table = StatusTable.load();
	const clock = MemorySide.clock();
	const crm = new MemorySide<C>('crm', 'c', clock);
	const exchange = new MemorySide<C>('exchange', 'AAMkAGI2THVSAAA-', clock);
	const opts: PlanOptions<C> = { component, crmInstance: 'crm1', crmModule: `${component}s`, ...options };
	const outOfScope = new Set<string>();
	let run = 0;
	const scoped = (feed: SideChanges<C>): SideChanges<C> => ({
		...feed,
		items: feed.items.filter((i) => !outOfScope.has(i.id)),
		leftScopeIds: feed.items.filter((i) => outOfScope.has(i.id)).map((i) => i.id),
	});
	const sync = () => {
		const planned = plan(table, scoped(crm.changes(table.cursors.crm)), exchange.changes(table.cursors.ex), { ...opts, runId: `r${++run}` });
		table.pending = planned.pending;
		const results: Array<CommitResult<C>> = planned.actions.map((action) =>
			action.target === null ? { action } : { action, outcome: (action.target === 'crm' ? crm : exchange).apply(action) },
		);
		return { plan: planned, report: commit(table, results, { component, runId: planned.runId }) };
	};
	return { table, crm, exchange, sync, outOfScope };
}

describe("engine safety: a record that leaves the mailbox's scope is not a deletion (issue 12 §2, S5/S14)", () => {
	it('removes the Outlook copy of a contact reassigned to another user; the CRM contact stays; nothing comes back', () => {
		const { crm, exchange, sync, table, outOfScope } = setup('contact');
		const moved = crm.create({ firstName: 'Ada', lastName: 'Lovelace' });
		const stays = crm.create({ firstName: 'Alan', lastName: 'Turing' });
		sync();
		crm.update(moved.id, { firstName: 'Ada', lastName: 'Lovelace', jobTitle: 'reassigned' });
		outOfScope.add(moved.id);
		const run = sync();
		expect(run.report.counts.deleted).toBe(1);
		expect(exchange.all().map((i) => i.record.lastName)).toEqual(['Turing']);
		expect(crm.getItem(moved.id)?.record.jobTitle).toBe('reassigned');
		expect(crm.getItem(stays.id)?.record.lastName).toBe('Turing');
		expect(table.get(moved.id)).toBeUndefined();
		expect(sync().plan.actions.filter((a) => a.target !== null)).toEqual([]);
		expect(crm.size).toBe(2);
	});

	it('an Outlook edit of the old copy made meanwhile creates no CRM record: it is reported and the copy leaves', () => {
		const { crm, exchange, sync, outOfScope } = setup('event');
		const slot = { start: { dateTime: '2026-12-01T09:00:00Z' }, end: { dateTime: '2026-12-01T10:00:00Z' } };
		const moved = crm.create({ subject: 'Handover', ...slot });
		crm.create({ subject: 'Mine', ...slot });
		sync();
		const copy = exchange.all().find((i) => i.record.subject === 'Handover');
		exchange.update(copy?.id as string, { subject: 'Handover (my notes)', ...slot });
		crm.update(moved.id, { subject: 'Handover', ...slot, location: 'reassigned' });
		outOfScope.add(moved.id);
		const run = sync();
		const conflict = run.plan.actions.find((a) => a.conflict?.kind === 'leftScope');
		expect(conflict?.conflict?.exchangeRecord).toMatchObject({ subject: 'Handover (my notes)' });
		expect(run.plan.actions.filter((a) => a.kind === 'create')).toEqual([]);
		expect(
			crm
				.all()
				.map((i) => i.record.subject)
				.sort(),
		).toEqual(['Handover', 'Mine']);
		expect(crm.getItem(moved.id)?.record.location).toBe('reassigned');
		expect(exchange.all().map((i) => i.record.subject)).toEqual(['Mine']);
		sync();
		expect(crm.size).toBe(2);
		expect(exchange.size).toBe(1);
	});

	it('stops when every synced record leaves the scope at once (a wrong user in the filter)', () => {
		const { crm, sync, outOfScope, exchange } = setup('contact');
		const a = crm.create({ lastName: 'A' });
		const b = crm.create({ lastName: 'B' });
		sync();
		crm.touch(a.id);
		crm.touch(b.id);
		outOfScope.add(a.id).add(b.id);
		expect(() => sync()).toThrow(/reported no items although 2 were synced/);
		expect(exchange.size).toBe(2);
	});
});
