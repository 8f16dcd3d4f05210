/** docs/decisions.md §17: which state a start works from, and which committed state the run log keeps. */
import { decideFinish, decideStart, keepsCommittedState, type SyncRunKey } from '../../lib/crm';
import { adoptCommittedState, commit, needsNewerState, StatusTable, type TableData } from '../../lib/engine';

const key: SyncRunKey = { mailbox: 'anna@contoso.example', component: 'contact', scope: 'anna|contact|crm|f1' };
const LEASE = 15 * 60_000;
const at = (iso: string) => new Date(iso);
const committed = (generation: number, crmCursor: string): TableData => ({ c: { crm: crmCursor, ex: 'delta-2' }, r: { '7': 'ex7|a|b|c|d' }, g: generation });

it('the generation and the reset mark survive a save and load; an untouched table has neither', () => {
	const table = StatusTable.load(committed(3, 'c3'));
	expect(table.generation).toBe(3);
	expect(StatusTable.load(table.save()).generation).toBe(3);
	const reset = StatusTable.emptied(3);
	expect(StatusTable.load(reset.save())).toMatchObject({ generation: 3, reset: true, size: 0 });
	expect(StatusTable.load(undefined).save()).toEqual({ c: {}, r: {} });
});

it('a newer committed state replaces an older or missing one, never a reset one or an equal one', () => {
	expect(needsNewerState(StatusTable.load(committed(2, 'c2')), 3)).toBe(true);
	expect(needsNewerState(StatusTable.load(undefined), 1)).toBe(true);
	expect(needsNewerState(StatusTable.load(committed(3, 'c3')), 3)).toBe(false);
	expect(needsNewerState(StatusTable.load(committed(3, 'c3')), undefined)).toBe(false);
	expect(needsNewerState(StatusTable.emptied(2), 3)).toBe(false);
});

it('the adopted copy carries its generation and cursors; a copy that is not a sync state is not taken', () => {
	const own = StatusTable.load(committed(2, 'c2'));
	const adopted = adoptCommittedState(own, { generation: 5, data: committed(4, 'c5') });
	expect(adopted).toMatchObject({ generation: 5, reset: false, cursors: { crm: 'c5' }, size: 1 });
	expect(adoptCommittedState(own, { generation: 5, data: { hello: 'world' } })).toBeUndefined();
	expect(adoptCommittedState(own, { generation: 2, data: committed(2, 'c2b') })).toBeUndefined();
	expect(adoptCommittedState(own, undefined)).toBeUndefined();
});

it('the run log keeps the state of the run that holds the lease as the next generation, not that of a run whose lease was taken over', () => {
	const started = decideStart(undefined, key, 'exec-1', LEASE, at('2026-12-07T10:00:00Z')).next;
	expect(keepsCommittedState(started, 'exec-1', { state: committed(0, 'c1') })).toBe(true);
	const first = decideFinish(started, key, 'exec-1', { summary: 'ok', state: committed(0, 'c1') }, at('2026-12-07T10:01:00Z'));
	expect(first).toMatchObject({ stateGeneration: 1, stateSavedAt: '2026-12-07T10:01:00.000Z' });

	const slow = decideStart(first, key, 'exec-2', LEASE, at('2026-12-07T11:00:00Z')).next;
	const takeover = decideStart(slow, key, 'exec-3', LEASE, at('2026-12-07T11:16:00Z')).next;
	expect(keepsCommittedState(takeover, 'exec-2', { state: committed(1, 'old') })).toBe(false);
	const late = decideFinish(takeover, key, 'exec-2', { summary: 'late', state: committed(1, 'old') }, at('2026-12-07T11:17:00Z'));
	expect(late).toMatchObject({ stateGeneration: 1, holder: 'exec-3' });
	// A finish without a state (a dry run) keeps the generation as it is.
	expect(keepsCommittedState(takeover, 'exec-3', { summary: 'dry' })).toBe(false);
});

it('a commit ends the reset mark', () => {
	const table = StatusTable.emptied(4);
	commit(table, [], { component: 'contact', runId: 'r1' });
	expect(table.reset).toBe(false);
	expect(table.save().z).toBeUndefined();
});
