/** Issue 14: the rules of the sync run lease and the account status (lib/crm/run-log.ts). */
import {
	accountStatus,
	decideFinish,
	decidePause,
	decideStart,
	keepsCommittedState,
	matchesFilter,
	startSyncRunWaiting,
	type CrmSyncRunLog,
	type SyncRunStatus,
} from '../../lib/crm';

const key = { mailbox: 'anna@contoso.example', component: 'contact' };
const at = (iso: string) => new Date(iso);
const LEASE = 30 * 60_000;

it('a first start takes the lease for its length', () => {
	const { start, next } = decideStart(undefined, key, 'exec-1', LEASE, at('2026-12-07T10:00:00Z'));
	expect(start.acquired).toBe(true);
	expect(next).toMatchObject({ ...key, holder: 'exec-1', leaseUntil: '2026-12-07T10:30:00.000Z', lastStartedAt: '2026-12-07T10:00:00.000Z' });
	expect(next.lastError).toBeUndefined();
});

it('a second start while the lease is live is refused, says why, and is counted', () => {
	const held = decideStart(undefined, key, 'exec-1', LEASE, at('2026-12-07T10:00:00Z')).next;
	const { start, next } = decideStart(held, key, 'exec-2', LEASE, at('2026-12-07T10:05:00Z'));
	expect(start.acquired).toBe(false);
	if (start.acquired) return;
	expect(start.reason).toContain('exec-1');
	expect(start.reason).toContain('next run');
	expect(next).toMatchObject({ holder: 'exec-1', leaseUntil: held.leaseUntil, skippedStarts: 1 });
});

it('the same run starting again renews its own lease', () => {
	const held = decideStart(undefined, key, 'exec-1', LEASE, at('2026-12-07T10:00:00Z')).next;
	const { start, next } = decideStart(held, key, 'exec-1', LEASE, at('2026-12-07T10:20:00Z'));
	expect(start.acquired).toBe(true);
	expect(next.leaseUntil).toBe('2026-12-07T10:50:00.000Z');
	expect(next.lastError).toBeUndefined();
});

it('an expired lease of a run that never finished is taken over and reported as an error in plain words', () => {
	const held = decideStart(undefined, key, 'exec-1', LEASE, at('2026-12-07T10:00:00Z')).next;
	const { start, next } = decideStart(held, key, 'exec-2', LEASE, at('2026-12-07T10:31:00Z'));
	expect(start.acquired).toBe(true);
	expect(next.holder).toBe('exec-2');
	expect(next.lastError).toMatch(/started at 2026-12-07T10:00:00.000Z did not finish/);
});

it('finishing gives the lease back and records the summary and the success', () => {
	const held = decideStart(undefined, key, 'exec-1', LEASE, at('2026-12-07T10:00:00Z')).next;
	const done = decideFinish(held, key, 'exec-1', { summary: 'contact: 1 created' }, at('2026-12-07T10:01:00Z'));
	expect(done.holder).toBeUndefined();
	expect(done.leaseUntil).toBeUndefined();
	expect(done).toMatchObject({ lastSummary: 'contact: 1 created', lastSuccessAt: '2026-12-07T10:01:00.000Z', lastFinishedAt: '2026-12-07T10:01:00.000Z' });
	expect(decideStart(done, key, 'exec-2', LEASE, at('2026-12-07T10:02:00Z')).start.acquired).toBe(true);
});

it('a finish with an error keeps the last success and records the error; the next success clears it', () => {
	const ok: SyncRunStatus = { ...key, lastSuccessAt: '2026-12-07T09:00:00.000Z' };
	const failed = decideFinish(ok, key, 'exec-1', { summary: 's', error: '2 changes could not be written' }, at('2026-12-07T10:00:00Z'));
	expect(failed).toMatchObject({ lastSuccessAt: '2026-12-07T09:00:00.000Z', lastError: '2 changes could not be written' });
	const fixed = decideFinish(failed, key, 'exec-2', { summary: 's' }, at('2026-12-07T10:05:00Z'));
	expect(fixed.lastError).toBeUndefined();
	expect(fixed.lastSuccessAt).toBe('2026-12-07T10:05:00.000Z');
});

it('a late finish of a run whose lease was taken over leaves the newer lease alone', () => {
	const first = decideStart(undefined, key, 'exec-1', LEASE, at('2026-12-07T10:00:00Z')).next;
	const second = decideStart(first, key, 'exec-2', LEASE, at('2026-12-07T10:31:00Z')).next;
	const late = decideFinish(second, key, 'exec-1', { summary: 'late' }, at('2026-12-07T10:32:00Z'));
	expect(late).toMatchObject({ holder: 'exec-2', leaseUntil: second.leaseUntil, lastSummary: 'late' });
});

/** A run log in memory on a fake clock, with the pure rules (the embedded CRM runs the same ones in SQLite). */
function memoryLog(clock: { t: number }): CrmSyncRunLog {
	let row: SyncRunStatus | undefined;
	return {
		async startSyncRun(k, holder, leaseMs, options) {
			const { start, next } = decideStart(row, k, holder, leaseMs, new Date(clock.t), options?.countRefusal ?? true);
			row = next;
			return start;
		},
		async finishSyncRun(k, holder, result) {
			const stateKept = keepsCommittedState(row, holder, result);
			row = decideFinish(row, k, holder, result, new Date(clock.t));
			return { ...row, stateKept };
		},
		async loadSyncState() {
			return undefined;
		},
		async listSyncRuns() {
			return row ? [row] : [];
		},
		async setSyncRunsPaused(filter, pause) {
			if (!row || !matchesFilter(row, filter)) return [];
			row = decidePause(row, pause, new Date(clock.t));
			return [row];
		},
	};
}

it('a waiting start runs right after the running sync finishes, within its wait', async () => {
	const clock = { t: Date.parse('2026-12-07T10:00:00Z') };
	const log = memoryLog(clock);
	await log.startSyncRun(key, 'exec-1', LEASE);
	let polls = 0;
	const sleep = async (ms: number) => {
		clock.t += ms;
		if (++polls === 3) await log.finishSyncRun(key, 'exec-1', { summary: 'done' });
	};
	const start = await startSyncRunWaiting(log, key, 'exec-2', LEASE, { waitMs: 60_000, pollMs: 2_000, sleep, now: () => clock.t });
	expect(start.acquired).toBe(true);
	expect(polls).toBe(3);
	expect(start.status.holder).toBe('exec-2');
});

it('a waiting start gives up after its wait and is skipped', async () => {
	const clock = { t: Date.parse('2026-12-07T10:00:00Z') };
	const log = memoryLog(clock);
	await log.startSyncRun(key, 'exec-1', LEASE);
	const sleep = async (ms: number) => void (clock.t += ms);
	const start = await startSyncRunWaiting(log, key, 'exec-2', LEASE, { waitMs: 10_000, pollMs: 3_000, sleep, now: () => clock.t });
	expect(start.acquired).toBe(false);
	expect(clock.t - Date.parse('2026-12-07T10:00:00Z')).toBe(10_000);
	// Only the final refusal counts as a skipped start, not every look in between.
	expect((await log.listSyncRuns())[0].skippedStarts).toBe(1);
});

it('a paused sync refuses every start with the reason, even with its lease free, until it is resumed', () => {
	const done = decideFinish(
		decideStart(undefined, key, 'exec-1', LEASE, at('2026-12-07T10:00:00Z')).next,
		key,
		'exec-1',
		{ summary: 's' },
		at('2026-12-07T10:01:00Z'),
	);
	const paused = decidePause(done, { reason: 'mailbox migration' }, at('2026-12-07T11:00:00Z'));
	const refused = decideStart(paused, key, 'exec-2', LEASE, at('2026-12-07T12:00:00Z'));
	expect(refused.start).toMatchObject({ acquired: false, paused: true });
	expect(!refused.start.acquired && refused.start.reason).toContain('mailbox migration');
	expect(refused.next).toMatchObject({ skippedStarts: 1, lastSummary: 's', lastSuccessAt: done.lastSuccessAt });
	expect(refused.next.holder).toBeUndefined();
	const [status] = accountStatus([refused.next], [], at('2026-12-07T12:00:00Z'));
	expect(status).toMatchObject({ state: 'paused', pausedAt: '2026-12-07T11:00:00.000Z' });
	expect(status.message).toContain('Resume');

	const resumed = decidePause(refused.next, undefined, at('2026-12-07T13:00:00Z'));
	expect(resumed.pausedAt).toBeUndefined();
	expect(resumed).toMatchObject({ skippedStarts: 0, lastSummary: 's' });
	expect(decideStart(resumed, key, 'exec-3', LEASE, at('2026-12-07T13:00:00Z')).start.acquired).toBe(true);
});

it('pausing keeps the lease of the run already working; a second pause keeps the first time', () => {
	const running = decideStart(undefined, key, 'exec-1', LEASE, at('2026-12-07T10:00:00Z')).next;
	const paused = decidePause(running, { reason: '' }, at('2026-12-07T10:05:00Z'));
	expect(paused).toMatchObject({ holder: 'exec-1', leaseUntil: running.leaseUntil, pausedAt: '2026-12-07T10:05:00.000Z' });
	expect(paused.pauseReason).toBeUndefined();
	expect(decidePause(paused, { reason: 'again' }, at('2026-12-07T10:09:00Z')).pausedAt).toBe('2026-12-07T10:05:00.000Z');
	const finished = decideFinish(paused, key, 'exec-1', { summary: 'ok' }, at('2026-12-07T10:10:00Z'));
	expect(finished).toMatchObject({ pausedAt: '2026-12-07T10:05:00.000Z' });
	expect(finished.holder).toBeUndefined();
});

it('a waiting start does not wait for a paused sync', async () => {
	const clock = { t: Date.parse('2026-12-07T10:00:00Z') };
	const log = memoryLog(clock);
	await log.finishSyncRun(key, 'exec-0', { summary: 'first' });
	await log.setSyncRunsPaused({ mailbox: 'ANNA@contoso.example ', components: ['contact'] }, { reason: 'r' });
	let sleeps = 0;
	const start = await startSyncRunWaiting(log, key, 'exec-2', LEASE, { waitMs: 60_000, sleep: async () => void sleeps++, now: () => clock.t });
	expect(start).toMatchObject({ acquired: false, paused: true });
	expect(sleeps).toBe(0);
});

it('a pause applies to the mailbox it names (any case) and the components chosen, all when none', () => {
	expect(matchesFilter({ mailbox: 'Anna@Contoso.example', component: 'event', scope: 'f' }, { mailbox: 'anna@contoso.example' })).toBe(true);
	expect(matchesFilter({ mailbox: 'anna@contoso.example', component: 'event' }, { mailbox: 'anna@contoso.example', components: ['contact'] })).toBe(false);
	expect(matchesFilter({ mailbox: 'ben@contoso.example', component: 'contact' }, { mailbox: 'anna@contoso.example' })).toBe(false);
});
