import {
	backoffRuns,
	commit,
	MAX_WAIT_RUNS,
	plan,
	StatusTable,
	type ActionOutcome,
	type CommitResult,
	type PlannedAction,
	type PlanOptions,
} from '../../lib/engine';
import { MemorySide } from '../support/memory-side';
import type { CalendarEvent, Component, Contact } from '../../lib/model';

/**
 * Issue 12 §2 "a write that failed is tried again, never dropped" and "change beats deletion" when the
 * deletion is only found by the write (notFound). Pure engine over two memory sides; `refuse` plays a side
 * that refuses a write, as the CRM does for a missing mandatory field.
 */
type Refuse<C extends Component> = (action: PlannedAction<C>) => ActionOutcome<C> | undefined;

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
	let run = 0;
	/** One run; `between` happens after both sides were read and before the writes (a change meanwhile). */
	const sync = (refuse: Refuse<C> = () => undefined, between?: () => void) => {
		const planned = plan(table, crm.changes(table.cursors.crm), exchange.changes(table.cursors.ex), { ...opts, runId: `run${++run}` });
		table.pending = planned.pending;
		between?.();
		const results: Array<CommitResult<C>> = planned.actions.map((action) => {
			if (action.target === null) return { action };
			const side = action.target === 'crm' ? crm : exchange;
			return { action, outcome: refuse(action) ?? side.apply(action) };
		});
		const report = commit(table, results, { component, runId: planned.runId });
		return { plan: planned, report, writes: planned.actions.filter((a) => a.target !== null) };
	};
	return { table, crm, exchange, sync };
}

const meeting = (subject: string, day = '2026-12-01'): CalendarEvent => ({
	subject,
	start: { dateTime: `${day}T09:00:00Z`, timeZone: 'Europe/Berlin' },
	end: { dateTime: `${day}T10:00:00Z`, timeZone: 'Europe/Berlin' },
});
const subjects = (side: MemorySide<'event'>) =>
	side
		.all()
		.map((i) => i.record.subject)
		.sort();

/** The CRM refuses appointments whose subject starts with "Refused" (a mandatory field it misses). */
const crmRefusesMarked: Refuse<'event'> = (action) =>
	action.target === 'crm' && action.kind !== 'delete' && action.record?.subject?.startsWith('Refused')
		? { seq: action.seq, ok: false, code: 'invalid', error: 'Mandatory field missing: Assigned To.' }
		: undefined;

describe('engine safety: a write that failed is tried again, never dropped (issue 12 §2)', () => {
	it('keeps a refused appointment pending with back-off, shows it as a conflict each run, moves the cursors on, and writes it once the CRM accepts it', () => {
		const { crm, exchange, sync, table } = setup('event');
		crm.create(meeting('CRM untouched'));
		const refused = exchange.create(meeting('Refused Board meeting'));
		exchange.create(meeting('Accepted'));

		const first = sync(crmRefusesMarked);
		expect(first.report.counts.errors).toBe(1);
		expect(first.report.counts.created).toBe(2);
		expect(first.report.cursorsCommitted).toBe(true);
		expect(table.retries.get(`exchange:${refused.id}`)).toMatchObject({ n: 1, w: 0, e: 'Mandatory field missing: Assigned To.' });

		// The rest of the sync goes on: a later edit of another item passes while the refused one is retried.
		const accepted = exchange.all().find((i) => i.record.subject === 'Accepted');
		exchange.update(accepted?.id as string, meeting('Accepted, moved', '2026-12-03'));
		const second = sync(crmRefusesMarked);
		expect(second.writes.map((a) => [a.kind, a.target, a.record?.subject])).toEqual(
			expect.arrayContaining([
				['update', 'crm', 'Accepted, moved'],
				['create', 'crm', 'Refused Board meeting'],
			]),
		);
		expect(table.retries.get(`exchange:${refused.id}`)).toMatchObject({ n: 2, w: 1 });

		// Back-off: the next run does not write it but still shows it as an open conflict with the reason.
		const third = sync(crmRefusesMarked);
		expect(third.writes).toEqual([]);
		const pending = third.plan.actions.find((a) => a.conflict?.kind === 'pending');
		expect(pending?.reason).toMatch(/attempt 2 failed \(Mandatory field missing: Assigned To\.\)/);
		expect(pending?.conflict?.exchangeRecord).toMatchObject({ subject: 'Refused Board meeting' });
		expect(third.report.counts.conflicts).toBe(1);

		// The admin fixes the CRM side; the next attempt succeeds and the retry is gone.
		const fourth = sync();
		expect(fourth.report.counts.created).toBe(1);
		expect(table.retries.size).toBe(0);
		expect(subjects(crm)).toEqual(['Accepted, moved', 'CRM untouched', 'Refused Board meeting']);
		expect(subjects(exchange)).toEqual(['Accepted, moved', 'CRM untouched', 'Refused Board meeting']);
		expect(crm.all().find((i) => i.record.subject === 'Refused Board meeting')?.ident).toBe(`x:${refused.id}`);
		expect(sync().writes).toEqual([]);
	});

	it('bounds the back-off: 0, 1, 3, 7, 15, 31 runs and never more', () => {
		expect([1, 2, 3, 4, 5, 6, 7, 20].map(backoffRuns)).toEqual([0, 1, 3, 7, 15, 31, 31, 31]);
		expect(MAX_WAIT_RUNS).toBe(31);
	});

	it('retries at once when the user edits the waiting record, with the new version', () => {
		const { crm, exchange, sync, table } = setup('event');
		const item = exchange.create(meeting('Refused draft'));
		sync(crmRefusesMarked);
		sync(crmRefusesMarked); // second failure → waits one run
		expect(table.retries.get(`exchange:${item.id}`)?.w).toBe(1);
		exchange.update(item.id, meeting('Fixed title'));
		const run = sync(crmRefusesMarked);
		expect(run.writes.map((a) => a.record?.subject)).toEqual(['Fixed title']);
		expect(table.retries.size).toBe(0);
		expect(subjects(crm)).toEqual(['Fixed title']);
		expect(subjects(exchange)).toEqual(['Fixed title']);
	});

	it('drops the retry when the record is deleted on its side meanwhile, creating nothing', () => {
		const { crm, exchange, sync, table } = setup('event');
		const keep = crm.create(meeting('Unrelated'));
		const item = exchange.create(meeting('Refused then deleted'));
		sync(crmRefusesMarked);
		exchange.remove(item.id);
		const run = sync(crmRefusesMarked);
		expect(run.writes).toEqual([]);
		expect(table.retries.size).toBe(0);
		expect(subjects(crm)).toEqual(['Unrelated']);
		expect(crm.getItem(keep.id)?.record.subject).toBe('Unrelated');
		expect(subjects(exchange)).toEqual(['Unrelated']);
	});

	it('retries a transient failure of a CRM → Exchange update while later changes go on', () => {
		const { crm, exchange, sync, table } = setup('event');
		const a = crm.create(meeting('A'));
		const b = crm.create(meeting('B'));
		sync();
		crm.update(a.id, meeting('A edited'));
		const transient: Refuse<'event'> = (action) =>
			action.target === 'exchange' ? { seq: action.seq, ok: false, code: 'transient', error: 'HTTP 503' } : undefined;
		const failed = sync(transient);
		expect(failed.report.cursorsCommitted).toBe(true);
		crm.update(b.id, meeting('B edited'));
		const retried = sync();
		expect(retried.writes.map((w) => w.record?.subject).sort()).toEqual(['A edited', 'B edited']);
		expect(table.retries.size).toBe(0);
		expect(subjects(exchange)).toEqual(['A edited', 'B edited']);
		expect(subjects(crm)).toEqual(['A edited', 'B edited']);
	});

	it('a retried update writes what the failed one had to write: the loser of last-modified-wins does not keep its edit (soak, graph seed 1)', () => {
		const { crm, exchange, sync, table } = setup('contact');
		const c = crm.create({ lastName: 'Muster', jobTitle: 'Buyer', phone: '+49 30 1' });
		sync();
		const outlook = exchange.all()[0];
		// Outlook edits the phone, then the CRM the job title: the CRM changed last and wins the whole record.
		exchange.update(outlook.id, { ...outlook.record, phone: '+49 30 2' });
		crm.update(c.id, { lastName: 'Muster', jobTitle: 'Head of Buying', phone: '+49 30 1' });
		const transient: Refuse<'contact'> = (action) =>
			action.target === 'exchange' ? { seq: action.seq, ok: false, code: 'transient', error: 'HTTP 412' } : undefined;
		const failed = sync(transient);
		expect(failed.writes.map((w) => [...(w.changedFields ?? [])].sort())).toEqual([['jobTitle', 'phone']]);
		expect(table.retries.size).toBe(1);
		// The retry reads only the CRM record again (Outlook's change was read and its cursor moved on).
		const retried = sync();
		expect([...(retried.writes[0]?.changedFields ?? [])].sort()).toEqual(['jobTitle', 'phone']);
		expect(table.retries.size).toBe(0);
		expect(exchange.all().map((i) => i.record)).toEqual([{ lastName: 'Muster', jobTitle: 'Head of Buying', phone: '+49 30 1' }]);
		expect(crm.all().map((i) => i.record)).toEqual([{ lastName: 'Muster', jobTitle: 'Head of Buying', phone: '+49 30 1' }]);
		expect(sync().writes).toEqual([]);
	});

	it('keeps a refused deletion pending and deletes once the CRM lets it', () => {
		const { crm, exchange, sync, table } = setup('event');
		crm.create(meeting('Survivor'));
		const gone = crm.create(meeting('Deleted in Outlook'));
		sync();
		const exId = exchange.all().find((i) => i.record.subject === 'Deleted in Outlook')?.id as string;
		exchange.remove(exId);
		const permission: Refuse<'event'> = (action) =>
			action.kind === 'delete' ? { seq: action.seq, ok: false, code: 'permission', error: 'No permission to delete.' } : undefined;
		const failed = sync(permission);
		expect(failed.report.counts.errors).toBe(1);
		expect(crm.getItem(gone.id)).toBeDefined();
		expect(table.retries.get(`exchange:${exId}`)).toMatchObject({ d: exId });
		const retried = sync();
		expect(retried.report.counts.deleted).toBe(1);
		expect(crm.getItem(gone.id)).toBeUndefined();
		expect(subjects(crm)).toEqual(['Survivor']);
		expect(subjects(exchange)).toEqual(['Survivor']);
		expect(table.retries.size).toBe(0);
	});

	it('an invalid record (S12) stays an open conflict on every run until it is fixed, then syncs', () => {
		const { crm, exchange, sync, table } = setup<'contact'>('contact', { requiredFields: { crm: ['lastName'] } });
		const nameless = exchange.create({ firstName: 'Nur', email: 'nur@example.com' });
		sync();
		for (let i = 0; i < 3; i++) {
			const run = sync();
			const open = run.plan.actions.filter((a) => a.kind === 'conflict');
			expect(open.map((a) => a.reason)).toEqual(['Mandatory field missing: lastName.']);
		}
		expect(crm.size).toBe(0);
		exchange.update(nameless.id, { firstName: 'Nur', lastName: 'Noch', email: 'nur@example.com' });
		sync();
		expect(table.retries.size).toBe(0);
		expect(crm.all().map((i) => i.record.lastName)).toEqual(['Noch']);
		expect(exchange.all().map((i) => i.record.lastName)).toEqual(['Noch']);
	});
});

describe('engine safety: a change beats a deletion found only by the write (issue 12 §2)', () => {
	it('re-creates a contact in Exchange when the CRM edit finds the Outlook copy deleted (notFound), and pairs it', () => {
		const { crm, exchange, sync, table } = setup<'contact'>('contact');
		const c = crm.create({ firstName: 'Ada', lastName: 'Lovelace', mobile: '+49 1' });
		const other = crm.create({ firstName: 'Alan', lastName: 'Turing' });
		sync();
		const exId = exchange.all().find((i) => i.record.lastName === 'Lovelace')?.id as string;
		crm.update(c.id, { firstName: 'Ada', lastName: 'Lovelace', mobile: '+49 2' });
		// Outlook deletes the contact after the run read Exchange, before the update is sent.
		const run = sync(undefined, () => exchange.remove(exId));
		expect(run.report.failures.map((f) => f.code)).toEqual(['notFound']);
		const next = sync();
		expect(next.writes.map((a) => [a.kind, a.target])).toEqual([['create', 'exchange']]);
		const copies = exchange.all().filter((i) => i.record.lastName === 'Lovelace');
		expect(copies).toHaveLength(1);
		expect(copies[0].record.mobile).toBe('+49 2');
		expect(copies[0].ident).toBe(`crm1:contacts:${c.id}`);
		expect(table.get(c.id)?.exchangeId).toBe(copies[0].id);
		expect(exchange.all().find((i) => i.record.lastName === 'Turing')?.ident).toBe(`crm1:contacts:${other.id}`);
		expect(crm.size).toBe(2);
		expect(sync().writes).toEqual([]);
	});

	it('re-creates an appointment in the CRM when the Outlook edit finds the CRM record deleted (notFound), without a duplicate', () => {
		const { crm, exchange, sync } = setup('event');
		const c = crm.create(meeting('Planning'));
		crm.create(meeting('Other'));
		sync();
		const ex = exchange.all().find((i) => i.record.subject === 'Planning');
		exchange.update(ex?.id as string, meeting('Planning, moved', '2026-12-04'));
		sync(undefined, () => crm.remove(c.id));
		sync();
		expect(subjects(crm)).toEqual(['Other', 'Planning, moved']);
		expect(subjects(exchange)).toEqual(['Other', 'Planning, moved']);
		expect(sync().writes).toEqual([]);
		expect(subjects(crm)).toEqual(['Other', 'Planning, moved']);
	});

	it('counts a deletion whose target is already gone as done', () => {
		const { crm, exchange, sync, table } = setup('event');
		const c = crm.create(meeting('Both delete'));
		sync();
		const exId = exchange.all()[0].id;
		crm.remove(c.id);
		const run = sync(undefined, () => exchange.remove(exId));
		expect(run.report.counts.deleted).toBe(1);
		expect(run.report.counts.errors).toBe(0);
		expect(table.size).toBe(0);
		expect(table.retries.size).toBe(0);
		expect(crm.size + exchange.size).toBe(0);
	});
});
