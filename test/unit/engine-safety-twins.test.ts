import { commit, plan, StatusTable, type CommitResult, type PlanOptions } from '../../lib/engine';
import { MemorySide } from '../support/memory-side';
import type { CalendarEvent, Component } from '../../lib/model';

/**
 * Issue 12 §2: two Exchange items carrying the same ident (an Outlook copy, or two runs that overlapped)
 * give one CRM record; the surplus copy the product created is removed, a user's copy is a new item.
 */
function sides<C extends Component>(component: C) {
	const clock = MemorySide.clock();
	const crm = new MemorySide<C>('crm', 'c', clock);
	const exchange = new MemorySide<C>('exchange', 'AAMkAGI2THVSAAA-', clock);
	const opts: PlanOptions<C> = { component, crmInstance: 'crm1', crmModule: `${component}s` };
	let run = 0;
	const read = (table: StatusTable) => {
		const planned = plan(table, crm.changes(table.cursors.crm), exchange.changes(table.cursors.ex), { ...opts, runId: `r${++run}` });
		table.pending = planned.pending;
		return planned;
	};
	const write = (table: StatusTable, planned: ReturnType<typeof read>) => {
		const results: Array<CommitResult<C>> = planned.actions.map((action) =>
			action.target === null ? { action } : { action, outcome: (action.target === 'crm' ? crm : exchange).apply(action) },
		);
		return { plan: planned, report: commit(table, results, { component, runId: planned.runId }) };
	};
	const sync = (table: StatusTable) => write(table, read(table));
	return { crm, exchange, sync, read, write };
}

const meeting = (subject: string): CalendarEvent => ({
	subject,
	start: { dateTime: '2026-12-01T09:00:00Z' },
	end: { dateTime: '2026-12-01T10:00:00Z' },
});

describe('engine safety: two Exchange items with one ident (issue 12 §2)', () => {
	it('two CRM contacts made from one Outlook contact by overlapping runs: neither is deleted (S6), the surplus one is reported and not synced', () => {
		const { crm, exchange, read, write, sync } = sides('contact');
		const outlook = exchange.create({ firstName: 'Grace', lastName: 'Hopper' });
		const state = StatusTable.load().save();
		const earlier = StatusTable.load(state);
		const later = StatusTable.load(state);
		const first = read(earlier);
		const second = read(later);
		write(earlier, first);
		write(later, second);
		expect(crm.all().map((i) => i.ident)).toEqual([`x:${outlook.id}`, `x:${outlook.id}`]);
		const run = sync(later);
		const duplicate = run.plan.actions.find((a) => a.conflict?.kind === 'duplicate');
		expect(duplicate?.reason).toMatch(/second CRM record made from the same Exchange item/);
		expect(run.plan.actions.filter((a) => a.target !== null)).toEqual([]);
		expect(crm.size).toBe(2);
		expect(exchange.all().map((i) => i.record.lastName)).toEqual(['Hopper']);
		expect(sync(later).plan.actions.filter((a) => a.target !== null)).toEqual([]);
	});

	it('two overlapping runs that both created the Outlook copy end with one copy and one CRM record', () => {
		const { crm, exchange, sync, read, write } = sides('event');
		const c = crm.create(meeting('Kickoff'));
		const bystander = exchange.create(meeting('Private lunch'));
		const state = StatusTable.load().save();
		// Both runs start from the same static data; the later one's state is what n8n keeps.
		const earlier = StatusTable.load(state);
		const later = StatusTable.load(state);
		const first = read(earlier);
		const second = read(later);
		write(earlier, first);
		write(later, second);
		expect(exchange.all().filter((i) => i.ident === `crm1:events:${c.id}`)).toHaveLength(2);
		const run = sync(later);
		// The surplus Outlook copy of the CRM record and the surplus CRM record of the Outlook item are removed.
		expect(run.report.counts.deleted).toBe(2);
		expect(exchange.all().filter((i) => i.ident === `crm1:events:${c.id}`)).toHaveLength(1);
		expect(
			crm
				.all()
				.map((i) => i.record.subject)
				.sort(),
		).toEqual(['Kickoff', 'Private lunch']);
		expect(exchange.getItem(bystander.id)?.record.subject).toBe('Private lunch');
		expect(later.get(c.id)?.exchangeId).toBe(exchange.all().find((i) => i.ident === `crm1:events:${c.id}`)?.id);
		const quiet = sync(later);
		expect(quiet.plan.actions.filter((a) => a.target !== null)).toEqual([]);
		expect(crm.size).toBe(2);
		expect(exchange.size).toBe(2);
	});

	it("a user's Outlook copy with its own content becomes a new CRM record; the original pair is untouched", () => {
		const { crm, exchange, sync } = sides('event');
		const table = StatusTable.load();
		const c = crm.create(meeting('Weekly'));
		sync(table);
		const original = exchange.all()[0];
		// Outlook copies keep the extended properties, so the copy carries the same ident.
		const copy = exchange.create(
			{ ...meeting('Weekly'), start: { dateTime: '2026-12-08T09:00:00Z' }, end: { dateTime: '2026-12-08T10:00:00Z' } },
			original.ident,
		);
		const run = sync(table);
		expect(run.plan.actions.filter((a) => a.target !== null).map((a) => [a.kind, a.target])).toEqual([['create', 'crm']]);
		expect(crm.size).toBe(2);
		expect(crm.all().find((i) => i.id !== c.id)?.ident).toBe(`x:${copy.id}`);
		expect(crm.getItem(c.id)?.record.start.dateTime).toBe('2026-12-01T09:00:00Z');
		expect(exchange.size).toBe(2);
		expect(table.get(c.id)?.exchangeId).toBe(original.id);
		expect(sync(table).plan.actions.filter((a) => a.target !== null)).toEqual([]);
		expect(crm.size).toBe(2);
	});
});
