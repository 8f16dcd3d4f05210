import { commit, EmptySideError, StatusTable, migrateState, plan, type PlanOptions } from '../../lib/engine';
import { MemorySide } from '../support/memory-side';
import { runMemorySync } from '../support/memory-run';
import type { CalendarEvent, Component, ComponentRecordMap, Contact } from '../../lib/model';

function setup<C extends Component>(component: C, options: Partial<PlanOptions<C>> = {}) {
	const table = StatusTable.load();
	const clock = MemorySide.clock();
	const crm = new MemorySide<C>('crm', 'c', clock);
	const exchange = new MemorySide<C>('exchange', 'AAMkAGI2THVSAAA-', clock);
	const opts: PlanOptions<C> = {
		component,
		crmInstance: 'crm1',
		crmModule: component === 'contact' ? 'contacts' : component === 'event' ? 'events' : 'tasks',
		...options,
	};
	const sync = (hooks = {}) => runMemorySync(table, crm, exchange, opts, hooks);
	const writes = (run: ReturnType<typeof sync>) => run.plan.actions.filter((a) => a.target !== null).length;
	return { table, crm, exchange, opts, sync, writes };
}

const meeting = (subject: string, day = '2026-12-01', extra: Partial<CalendarEvent> = {}): CalendarEvent => ({
	subject,
	start: { dateTime: `${day}T09:00:00Z`, timeZone: 'Europe/Berlin' },
	end: { dateTime: `${day}T10:00:00Z`, timeZone: 'Europe/Berlin' },
	...extra,
});

const subjects = <C extends Component>(side: MemorySide<C>) =>
	side
		.all()
		.map((i) => (i.record as { subject?: string }).subject)
		.sort();

describe('engine: propagation (S1) and echo suppression (S26)', () => {
	it('copies a CRM record to Exchange with its ident, and a second run writes nothing', () => {
		const { crm, exchange, sync, writes } = setup('event');
		const created = crm.create(meeting('Kickoff'));
		const first = sync();
		expect(first.report?.counts.created).toBe(1);
		expect(exchange.all()).toHaveLength(1);
		expect(exchange.all()[0].ident).toBe(`crm1:events:${created.id}`);
		expect(exchange.all()[0].record.subject).toBe('Kickoff');
		expect(writes(sync())).toBe(0);
		expect(crm.size).toBe(1);
	});

	it('copies an Exchange item to the CRM, marking the CRM record with the Exchange id', () => {
		const { crm, exchange, sync, writes } = setup('event');
		const item = exchange.create(meeting('Review'));
		sync();
		expect(crm.all()).toHaveLength(1);
		expect(crm.all()[0].ident).toBe(`x:${item.id}`);
		expect(crm.all()[0].record.subject).toBe('Review');
		expect(writes(sync())).toBe(0);
		expect(exchange.size).toBe(1);
	});

	it('propagates updates both ways', () => {
		const { crm, exchange, sync } = setup('event');
		const c = crm.create(meeting('A'));
		sync();
		crm.update(c.id, meeting('A2'));
		sync();
		expect(subjects(exchange)).toEqual(['A2']);
		const e = exchange.all()[0];
		exchange.update(e.id, meeting('A3'));
		sync();
		expect(subjects(crm)).toEqual(['A3']);
		expect(subjects(exchange)).toEqual(['A3']);
	});

	it('treats an etag change without a content change as no change', () => {
		const { crm, exchange, sync, writes } = setup('event');
		crm.create(meeting('A'));
		sync();
		exchange.touch(exchange.all()[0].id);
		crm.touch(crm.all()[0].id);
		const run = sync();
		expect(writes(run)).toBe(0);
		expect(run.report?.counts.unchanged).toBe(1);
	});

	it('pairs an appointment read without a zone (CRM) with its zoned Exchange copy without writing', () => {
		const { crm, exchange, sync, writes } = setup('event');
		const c = crm.create({ subject: 'Zone', start: { dateTime: '2026-12-01T09:00:00Z' }, end: { dateTime: '2026-12-01T10:00:00Z' } });
		exchange.create(
			{
				subject: 'Zone',
				start: { dateTime: '2026-12-01T10:00:00', timeZone: 'Europe/Berlin' },
				end: { dateTime: '2026-12-01T11:00:00', timeZone: 'Europe/Berlin' },
			},
			`crm1:events:${c.id}`,
		);
		expect(writes(sync())).toBe(0);
		expect(exchange.all()[0].record.start.timeZone).toBe('Europe/Berlin');
	});

	it('does not count the CRM enrichment block of an appointment text as content (S21)', () => {
		const { crm, exchange, sync, writes, opts } = setup('event');
		opts.enrichmentMarker = '-- CRM --';
		const c = crm.create(meeting('Enriched', '2026-12-01', { body: 'Agenda\n\n-- CRM --\nCategory: Meeting' }));
		exchange.create(meeting('Enriched', '2026-12-01', { body: 'Agenda' }), `crm1:events:${c.id}`);
		expect(writes(sync())).toBe(0);
		crm.update(c.id, meeting('Enriched', '2026-12-01', { body: 'Agenda v2\n\n-- CRM --\nCategory: Meeting' }));
		sync();
		expect(exchange.all()[0].record.body).toBe('Agenda v2\n\n-- CRM --\nCategory: Meeting');
	});

	it('keeps the details of a private Outlook appointment that the CRM holds as a busy block (S17)', () => {
		const { crm, exchange, sync, writes } = setup('event');
		const c = crm.create(meeting('Appointment', '2026-12-01', { isPrivate: true }));
		const e = exchange.create(meeting('Arzttermin', '2026-12-01', { isPrivate: true, location: 'Praxis', body: 'Nüchtern kommen' }), `crm1:events:${c.id}`);
		expect(writes(sync())).toBe(0);
		crm.update(c.id, meeting('Appointment', '2026-12-02', { isPrivate: true }));
		sync();
		expect(exchange.getItem(e.id)?.record).toMatchObject({
			subject: 'Arzttermin',
			location: 'Praxis',
			body: 'Nüchtern kommen',
			start: { dateTime: '2026-12-02T09:00:00.000Z' },
		});
	});

	it('ignores changes to fields the mapping does not sync', () => {
		const { crm, exchange, sync, writes } = setup('event', { syncedFields: ['subject', 'start', 'end'] });
		crm.create(meeting('A'));
		sync();
		const e = exchange.all()[0];
		exchange.update(e.id, { ...e.record, location: 'Raum 1' });
		expect(writes(sync())).toBe(0);
		expect(crm.all()[0].record.location).toBeUndefined();
	});
});

describe('engine: deletions (S1, S6)', () => {
	it('deletes appointments on the other side in both directions', () => {
		const { crm, exchange, sync } = setup('event');
		const a = crm.create(meeting('A'));
		crm.create(meeting('B'));
		sync();
		crm.remove(a.id);
		sync();
		expect(subjects(exchange)).toEqual(['B']);
		exchange.remove(exchange.all()[0].id);
		sync();
		expect(crm.size).toBe(0);
	});

	it('never deletes a CRM contact when its Exchange copy is deleted, and does not resurrect the copy', () => {
		const { crm, exchange, sync, writes } = setup<'contact'>('contact');
		const c = crm.create({ firstName: 'Anna', lastName: 'Schmidt' });
		sync();
		exchange.remove(exchange.all()[0].id);
		const run = sync();
		expect(crm.getItem(c.id)?.record.lastName).toBe('Schmidt');
		expect(exchange.size).toBe(0);
		expect(run.plan.actions.some((a) => a.kind === 'delete')).toBe(false);
		expect(writes(sync())).toBe(0);
		expect(exchange.size).toBe(0);
		// A later change in the CRM beats the deletion: the contact comes back to Exchange.
		crm.update(c.id, { firstName: 'Anna', lastName: 'Schmidt-Weber' });
		sync();
		expect(exchange.all().map((i) => i.record.lastName)).toEqual(['Schmidt-Weber']);
	});

	it('deletes the Exchange contact when the CRM contact is deleted', () => {
		const { crm, exchange, sync } = setup<'contact'>('contact');
		const c = crm.create({ lastName: 'Weg' });
		sync();
		crm.remove(c.id);
		sync();
		expect(exchange.size).toBe(0);
	});

	it('can ignore deletions coming from Exchange (seed 001)', () => {
		const { crm, exchange, sync } = setup('event', { propagateDeletes: { toCrm: false } });
		crm.create(meeting('Bleibt'));
		sync();
		exchange.remove(exchange.all()[0].id);
		sync();
		expect(subjects(crm)).toEqual(['Bleibt']);
		expect(exchange.size).toBe(0);
	});

	it('lets a change beat a deletion', () => {
		const { crm, exchange, sync } = setup('event');
		const c = crm.create(meeting('A'));
		sync();
		exchange.remove(exchange.all()[0].id);
		crm.update(c.id, meeting('A-changed'));
		sync();
		expect(subjects(crm)).toEqual(['A-changed']);
		expect(subjects(exchange)).toEqual(['A-changed']);
	});
});

describe('engine: conflict policies (S3)', () => {
	function bothChanged(policy: PlanOptions<'event'>['policy'], exchangeLater = true) {
		const ctx = setup('event', { policy });
		const c = ctx.crm.create(meeting('Base', '2026-12-01', { location: 'L0', body: 'B0' }));
		ctx.sync();
		const e = ctx.exchange.all()[0];
		if (exchangeLater) {
			ctx.crm.update(c.id, meeting('CRM edit', '2026-12-01', { location: 'L-crm', body: 'B0' }));
			ctx.exchange.update(e.id, meeting('Exchange edit', '2026-12-01', { location: 'L0', body: 'B-ex' }));
		} else {
			ctx.exchange.update(e.id, meeting('Exchange edit', '2026-12-01', { location: 'L0', body: 'B-ex' }));
			ctx.crm.update(c.id, meeting('CRM edit', '2026-12-01', { location: 'L-crm', body: 'B0' }));
		}
		const run = ctx.sync();
		return { ...ctx, run };
	}

	it('crmWins writes the CRM version to Exchange', () => {
		const { crm, exchange } = bothChanged('crmWins');
		expect(subjects(crm)).toEqual(['CRM edit']);
		expect(subjects(exchange)).toEqual(['CRM edit']);
	});

	it('exchangeWins writes the Exchange version to the CRM', () => {
		const { crm, exchange } = bothChanged('exchangeWins');
		expect(subjects(crm)).toEqual(['Exchange edit']);
		expect(subjects(exchange)).toEqual(['Exchange edit']);
	});

	it('lastModifiedWins takes the later edit, whichever side', () => {
		const later = bothChanged('lastModifiedWins', true);
		expect(subjects(later.crm)).toEqual(['Exchange edit']);
		const earlier = bothChanged('lastModifiedWins', false);
		expect(subjects(earlier.exchange)).toEqual(['CRM edit']);
	});

	it('the losing values of lastModifiedWins are reported per field with both values and the winner (issue 12 §2)', () => {
		const { run } = bothChanged('lastModifiedWins', true);
		const update = run.plan.actions.find((a) => a.kind === 'update');
		expect(update?.overridden).toEqual(
			expect.arrayContaining([
				{ field: 'subject', crm: 'CRM edit', exchange: 'Exchange edit', winner: 'exchange' },
				{ field: 'location', crm: 'L-crm', exchange: 'L0', winner: 'exchange' },
			]),
		);
	});

	it('a merge reports the fields its fallback decided, with both values', () => {
		const { run } = bothChanged('merge');
		const updates = run.plan.actions.filter((a) => a.kind === 'update');
		expect(updates[0]?.overridden).toEqual([{ field: 'subject', crm: 'CRM edit', exchange: 'Exchange edit', winner: 'exchange' }]);
	});

	it('none leaves both sides and reports a conflict with both versions', () => {
		const { crm, exchange, run } = bothChanged('none');
		expect(subjects(crm)).toEqual(['CRM edit']);
		expect(subjects(exchange)).toEqual(['Exchange edit']);
		const conflict = run.plan.actions.find((a) => a.kind === 'conflict');
		expect(conflict?.conflict?.crmRecord).toMatchObject({ subject: 'CRM edit' });
		expect(conflict?.conflict?.exchangeRecord).toMatchObject({ subject: 'Exchange edit' });
		expect(run.report?.counts.conflicts).toBe(1);
	});

	it('merge keeps changes to different fields from both sides and decides shared fields by the fallback', () => {
		const { crm, exchange, sync, writes } = bothChanged('merge');
		const [c] = crm.all();
		const [e] = exchange.all();
		// location changed only in the CRM, body only in Exchange, subject on both (lastModifiedWins: Exchange).
		expect(c.record).toMatchObject({ subject: 'Exchange edit', location: 'L-crm', body: 'B-ex' });
		expect(e.record).toMatchObject({ subject: 'Exchange edit', location: 'L-crm', body: 'B-ex' });
		expect(writes(sync())).toBe(0);
	});

	it('merge with fallback none reports only contested fields as a conflict', () => {
		const ctx = setup('event', { policy: 'merge', mergeFallback: 'none' });
		const c = ctx.crm.create(meeting('Base'));
		ctx.sync();
		ctx.crm.update(c.id, meeting('X'));
		ctx.exchange.update(ctx.exchange.all()[0].id, meeting('Y'));
		const run = ctx.sync();
		expect(run.plan.actions.find((a) => a.kind === 'conflict')?.reason).toContain('subject');
		expect(subjects(ctx.crm)).toEqual(['X']);
		expect(subjects(ctx.exchange)).toEqual(['Y']);
	});

	it('equal edits on both sides are no conflict', () => {
		const ctx = setup('event', { policy: 'none' });
		const c = ctx.crm.create(meeting('Base'));
		ctx.sync();
		ctx.crm.update(c.id, meeting('Same'));
		ctx.exchange.update(ctx.exchange.all()[0].id, meeting('Same'));
		const run = ctx.sync();
		expect(run.report?.counts.conflicts).toBe(0);
		expect(ctx.writes(run)).toBe(0);
	});
});

describe('engine: direction (S2)', () => {
	it('CRM → Exchange only: Exchange news and edits do not reach the CRM', () => {
		const { crm, exchange, sync } = setup('event', { direction: 'crmToExchange' });
		const c = crm.create(meeting('From CRM'));
		exchange.create(meeting('From Exchange'));
		sync();
		expect(subjects(crm)).toEqual(['From CRM']);
		expect(subjects(exchange)).toEqual(['From CRM', 'From Exchange']);
		const paired = exchange.all().find((i) => i.ident)!;
		exchange.update(paired.id, meeting('Edited in Outlook'));
		sync();
		expect(crm.getItem(c.id)?.record.subject).toBe('From CRM');
		crm.update(c.id, meeting('CRM again'));
		sync();
		expect(exchange.getItem(paired.id)?.record.subject).toBe('CRM again');
	});

	it('Exchange → CRM only: CRM news do not reach Exchange', () => {
		const { crm, exchange, sync } = setup('event', { direction: 'exchangeToCrm' });
		crm.create(meeting('From CRM'));
		exchange.create(meeting('From Exchange'));
		sync();
		expect(subjects(exchange)).toEqual(['From Exchange']);
		expect(subjects(crm)).toEqual(['From CRM', 'From Exchange']);
	});
});

describe('engine: window (A2) and modified-since (S13)', () => {
	it('does not create records that ended before the window, and does not delete pairs that leave it', () => {
		const { crm, exchange, sync, table, opts } = setup('event', { windowFrom: '2026-11-01T00:00:00Z' });
		crm.create(meeting('Old', '2026-06-01'));
		crm.create(meeting('Current', '2026-11-20'));
		sync();
		expect(subjects(exchange)).toEqual(['Current']);
		// A complete listing of Exchange that omits the pair (it left the window) is not a deletion.
		opts.windowFrom = '2026-12-01T00:00:00Z';
		const crmChanges = crm.changes(table.cursors.crm);
		const result = plan(table, crmChanges, { complete: true, items: [], cursor: 'x' }, { ...opts, allowEmptySide: true });
		table.pending = result.pending;
		expect(result.actions.filter((a) => a.kind === 'delete')).toEqual([]);
		expect(crm.size).toBe(2);
	});

	it('does not sync unpaired records not modified since the cut-off', () => {
		const { crm, exchange, sync } = setup<'contact'>('contact', { modifiedSince: '2027-01-01T00:00:00Z' });
		crm.create({ lastName: 'Alt' });
		sync();
		expect(exchange.size).toBe(0);
	});
});

describe('engine: invalid records (S12)', () => {
	it('turns an invalid record into a conflict with a reason and syncs the rest', () => {
		const { crm, exchange, sync } = setup('event');
		crm.create(meeting('Good'));
		crm.create({ subject: 'Backwards', start: { dateTime: '2026-12-01T10:00:00Z' }, end: { dateTime: '2026-12-01T09:00:00Z' } });
		exchange.create({ subject: '', start: { dateTime: '2026-12-02T10:00:00Z' }, end: { dateTime: '2026-12-02T11:00:00Z' } });
		const run = sync();
		expect(subjects(exchange).filter(Boolean)).toEqual(['Good']);
		const reasons = run.plan.actions
			.filter((a) => a.kind === 'conflict')
			.map((a) => a.reason)
			.sort();
		expect(reasons).toEqual(['The appointment ends before it starts.', 'The appointment has no subject.']);
		expect(crm.size).toBe(2);
	});

	it('reports missing mandatory CRM fields by name', () => {
		const { crm, exchange, sync } = setup<'contact'>('contact', { requiredFields: { crm: ['lastName'] } });
		exchange.create({ firstName: 'Nur', email: 'nur@example.com' });
		exchange.create({ firstName: 'Voll', lastName: 'Ständig' });
		const run = sync();
		expect(crm.all().map((i) => i.record.lastName)).toEqual(['Ständig']);
		const conflict = run.plan.actions.find((a) => a.kind === 'conflict');
		expect(conflict?.reason).toBe('Mandatory field missing: lastName.');
		expect(conflict?.conflict).toMatchObject({ kind: 'invalid', side: 'exchange' });
	});
});

describe('engine: safety', () => {
	it('stops when a side suddenly reports nothing (empty-side guard)', () => {
		const { crm, exchange, sync, table, opts } = setup('event');
		crm.create(meeting('A'));
		crm.create(meeting('B'));
		sync();
		expect(() => plan(table, crm.changes(table.cursors.crm), { complete: true, items: [] }, opts)).toThrow(EmptySideError);
		const ids = exchange.all().map((i) => i.id);
		expect(() => plan(table, crm.changes(table.cursors.crm), { complete: false, items: [], deletedIds: ids }, opts)).toThrow(
			/reported no items although 2 were synced/,
		);
		expect(
			plan(table, crm.changes(table.cursors.crm), { complete: true, items: [] }, { ...opts, allowEmptySide: true }).actions.filter((a) => a.kind === 'delete'),
		).toHaveLength(2);
	});

	it('"allow emptying" lets a small folder be emptied, a bigger one only when its size is given (allowEmptyUpTo)', () => {
		const { crm, exchange, sync, table, opts } = setup('event');
		for (const name of ['A', 'B', 'C', 'D']) crm.create(meeting(name));
		sync();
		expect(exchange.all()).toHaveLength(4);
		const emptied = () => crm.changes(table.cursors.crm);
		const gone = { complete: true, items: [], cursor: 'x' };
		expect(() => plan(table, emptied(), gone, { ...opts, allowEmptySide: true, allowEmptyUpTo: 3 })).toThrow(/emptying is allowed for up to 3 records only/);
		expect(crm.all()).toHaveLength(4);
		const through = plan(table, emptied(), gone, { ...opts, allowEmptySide: true, allowEmptyUpTo: 4 });
		table.pending = through.pending;
		expect(through.actions.filter((a) => a.kind === 'delete')).toHaveLength(4);
	});

	it('recovers from a crash between a write and the commit without duplicates', () => {
		const { crm, exchange, sync, writes } = setup('event');
		crm.create(meeting('A'));
		exchange.create(meeting('B'));
		const crashed = sync({ crashAfter: 1 });
		expect(crashed.crashed).toBe(true);
		sync();
		expect(writes(sync())).toBe(0);
		expect(subjects(crm)).toEqual(['A', 'B']);
		expect(subjects(exchange)).toEqual(['A', 'B']);
	});

	it('re-pairs from the idents when the state is lost (A4 re-sync) without writing', () => {
		const { crm, exchange, sync, opts } = setup('event');
		crm.create(meeting('A'));
		exchange.create(meeting('B'));
		sync();
		const fresh = StatusTable.load();
		const run = runMemorySync(fresh, crm, exchange, opts);
		expect(run.plan.actions.filter((a) => a.target !== null)).toEqual([]);
		expect(fresh.size).toBe(2);
		expect(subjects(crm)).toEqual(['A', 'B']);
		expect(subjects(exchange)).toEqual(['A', 'B']);
	});

	it('keeps a failed write as a pending retry (the cursors move on), so the next run retries it', () => {
		const { crm, exchange, sync, table } = setup('event');
		crm.create(meeting('A'));
		crm.create(meeting('B'));
		const failed = sync({ beforeApply: (_a: unknown, i: number) => i !== 1 });
		expect(failed.report?.cursorsCommitted).toBe(true);
		expect(failed.report?.counts.errors).toBe(1);
		expect(table.retries.size).toBe(1);
		sync();
		expect(subjects(exchange)).toEqual(['A', 'B']);
	});

	it('treats a 412 from the target as a conflict, overwrites nothing, and converges on the next run', () => {
		const { crm, exchange, sync, table, opts } = setup('event');
		const c = crm.create(meeting('A'));
		sync();
		crm.update(c.id, meeting('CRM'));
		const planned = plan(table, crm.changes(table.cursors.crm), exchange.changes(), opts);
		table.pending = planned.pending;
		const e = exchange.all()[0];
		exchange.update(e.id, meeting('Outlook meanwhile'));
		const results = planned.actions.map((action) => ({
			action,
			outcome: action.target === 'exchange' ? exchange.apply(action) : action.target === 'crm' ? crm.apply(action) : undefined,
		}));
		expect(results.find((r) => r.outcome)?.outcome?.code).toBe('conflict');
		const report = commit(table, results, { component: 'event', runId: planned.runId });
		expect(report.cursorsCommitted).toBe(true);
		expect(report.pendingRetries).toBe(1);
		expect(report.counts.conflicts).toBe(1);
		expect(exchange.getItem(e.id)?.record.subject).toBe('Outlook meanwhile');
		sync();
		expect(subjects(crm)).toEqual(['Outlook meanwhile']);
		expect(subjects(exchange)).toEqual(['Outlook meanwhile']);
	});

	it('takes a record reported twice in one run (a series on several delta pages) once, without duplicates', () => {
		const { crm, exchange, table, opts } = setup('event');
		const item = exchange.create(meeting('Serie'));
		const changes = exchange.changes();
		const twice = { ...changes, items: [...changes.items, ...changes.items] };
		const planned = plan(table, crm.changes(), twice, opts);
		table.pending = planned.pending;
		expect(planned.actions.filter((a) => a.kind === 'create')).toHaveLength(1);
		expect(planned.actions[0].writeIdent).toBe(`x:${item.id}`);
	});

	it('ignores Exchange items that belong to another CRM instance (S25)', () => {
		const { crm, exchange, sync } = setup('event');
		exchange.create(meeting('Staging item'), 'staging:events:42');
		sync();
		expect(crm.size).toBe(0);
	});
});

describe('engine: state layout', () => {
	it('round-trips and stays compact', () => {
		const { crm, sync, table } = setup<'contact'>('contact');
		for (let i = 0; i < 100; i++) crm.create({ lastName: `Name ${i}`, email: `n${i}@example.com` });
		sync();
		const saved = table.save();
		const bytes = JSON.stringify(saved).length;
		expect(bytes / 100).toBeLessThan(120);
		const reloaded = StatusTable.load(JSON.parse(JSON.stringify(saved)));
		expect(reloaded.size).toBe(100);
		for (const [id, row] of table.entries()) expect(reloaded.get(id)).toEqual(row);
	});

	it('migrates missing or old layouts and refuses newer ones', () => {
		expect(migrateState(undefined)).toEqual({ v: 1, tables: {} });
		expect(migrateState({ some: 'legacy' })).toEqual({ v: 1, tables: {} });
		const current = { v: 1, tables: { t: { c: {}, r: {} } } };
		expect(migrateState(current)).toBe(current);
		expect(() => migrateState({ v: 99, tables: {} })).toThrow(/newer version/);
	});
});

export type { ComponentRecordMap, Contact };
