/**
 * The sync run log (issue 14, A6): per mailbox and component, a lease that lets one run at a time work
 * on a sync state, and the account status an admin reads (last run, last success, last error, what the
 * last run did). It lives in the CRM because n8n saves a production execution's static data only at its
 * end, so two overlapping executions cannot see each other there.
 *
 * The rules are pure functions here; a backend only stores the row and runs `decideStart` /
 * `decideFinish` inside one atomic read-modify-write.
 */

import { COMPONENT_MODULE } from './types';

export interface SyncRunKey {
	mailbox: string;
	component: string;
	/**
	 * What else tells two syncs of one mailbox name apart, e.g. the Exchange folder id: every signed-in
	 * user's workflow calls its own mailbox "me".
	 */
	scope?: string;
}

export interface SyncRunStatus extends SyncRunKey {
	/** The run that holds the lease (an n8n execution id), while one does. */
	holder?: string;
	/** ISO instant the lease ends unless its run finishes first. */
	leaseUntil?: string;
	lastStartedAt?: string;
	lastFinishedAt?: string;
	lastSuccessAt?: string;
	/** In plain words; cleared by the next successful run. */
	lastError?: string;
	/** The last finished run's one-line report, e.g. "contacts: 3 created, 1 updated, …". */
	lastSummary?: string;
	/** Starts refused because another run held the lease, since the last start that got it. */
	skippedStarts?: number;
	/** Set while an admin has paused this sync (A6); every start is refused until it is resumed. */
	pausedAt?: string;
	pauseReason?: string;
	/** How many committed sync states the run log has kept for this sync; the newest is `loadSyncState`'s. */
	stateGeneration?: number;
	stateSavedAt?: string;
}

export type SyncRunStart = { acquired: true; status: SyncRunStatus } | { acquired: false; status: SyncRunStatus; reason: string; paused?: true };

export interface SyncRunResult {
	summary?: string;
	/** Set when the run did not do all it had to (per-item errors, a failed step). */
	error?: string;
	/**
	 * The sync state the run committed, kept as this sync's newest state when the run still holds the
	 * lease (docs/decisions.md §17): a later start whose static data is older works from it.
	 */
	state?: unknown;
}

/** The newest committed state of one sync, as the run log keeps it. */
export interface SavedSyncState {
	generation: number;
	savedAt: string;
	data: unknown;
}

/** The role a CRM backend plays when it can keep the run log (the embedded CRM; see docs/decisions.md §12). */
export interface CrmSyncRunLog {
	/** `countRefusal: false` for the intermediate tries of a waiting start (only a real skip is counted). */
	startSyncRun(key: SyncRunKey, holder: string, leaseMs: number, options?: { countRefusal?: boolean }): Promise<SyncRunStart>;
	/** `stateKept`: the result's `state` became this sync's newest committed state. */
	finishSyncRun(key: SyncRunKey, holder: string, result: SyncRunResult): Promise<SyncRunStatus & { stateKept: boolean }>;
	listSyncRuns(): Promise<SyncRunStatus[]>;
	/** Pauses (with a reason) or resumes (`undefined`) the recorded syncs the filter matches; returns them. */
	setSyncRunsPaused(filter: SyncRunFilter, pause: { reason: string } | undefined): Promise<SyncRunStatus[]>;
	/** The newest committed state of this sync (`finishSyncRun`'s `state`), if one was kept. */
	loadSyncState(key: SyncRunKey): Promise<SavedSyncState | undefined>;
}

/** Which recorded syncs a pause or resume applies to: one mailbox, all its components or some. */
export interface SyncRunFilter {
	mailbox: string;
	components?: readonly string[];
}

/** Mailbox addresses compare case-insensitively and without surrounding blanks. */
export function mailboxKey(mailbox: string): string {
	return mailbox.trim().toLowerCase();
}

export function matchesFilter(status: SyncRunKey, filter: SyncRunFilter): boolean {
	if (mailboxKey(status.mailbox) !== mailboxKey(filter.mailbox)) return false;
	return !filter.components?.length || filter.components.includes(status.component);
}

export function hasSyncRunLog<T extends object>(backend: T): backend is T & CrmSyncRunLog {
	const candidate = backend as Partial<CrmSyncRunLog>;
	return (
		typeof candidate.startSyncRun === 'function' &&
		typeof candidate.finishSyncRun === 'function' &&
		typeof candidate.listSyncRuns === 'function' &&
		typeof candidate.setSyncRunsPaused === 'function' &&
		typeof candidate.loadSyncState === 'function'
	);
}

function leaseIsLive(status: SyncRunStatus | undefined, now: Date): status is SyncRunStatus & { holder: string; leaseUntil: string } {
	return status?.holder !== undefined && status.leaseUntil !== undefined && Date.parse(status.leaseUntil) > now.getTime();
}

/** A run that took the lease and never gave it back: stopped, crashed, or longer than its lease. */
function unfinishedRunError(previous: SyncRunStatus): string {
	return `The run started at ${previous.lastStartedAt ?? 'an unknown time'} did not finish (it stopped with an error, was cancelled, or took longer than its lease). Look at that execution in n8n.`;
}

/** A refused start is counted, except the intermediate tries of a waiting start. */
function refused(current: SyncRunStatus, count: boolean): SyncRunStatus {
	return count ? { ...current, skippedStarts: (current.skippedStarts ?? 0) + 1 } : current;
}

/**
 * Start rule: a paused sync refuses every start; a live lease of another run refuses the start; a lease of
 * the same run is renewed; otherwise the start takes it.
 */
export function decideStart(
	current: SyncRunStatus | undefined,
	key: SyncRunKey,
	holder: string,
	leaseMs: number,
	now: Date,
	countRefusal = true,
): { start: SyncRunStart; next: SyncRunStatus } {
	if (current?.pausedAt) {
		const next = refused(current, countRefusal);
		return { start: { acquired: false, status: next, reason: pausedMessage(current, key), paused: true }, next };
	}
	if (leaseIsLive(current, now) && current.holder !== holder) {
		const next = refused(current, countRefusal);
		const reason = `Another run of this sync (execution ${current.holder}) is still working on ${key.component} of ${key.mailbox} (until ${current.leaseUntil} at the latest); this start is skipped and its changes are picked up by the next run.`;
		return { start: { acquired: false, status: next, reason }, next };
	}
	const abandoned = current?.holder !== undefined && current.holder !== holder;
	const next: SyncRunStatus = {
		...(current ?? {}),
		...key,
		holder,
		leaseUntil: new Date(now.getTime() + leaseMs).toISOString(),
		lastStartedAt: now.toISOString(),
		skippedStarts: 0,
		...(abandoned && current ? { lastError: unfinishedRunError(current) } : {}),
	};
	return { start: { acquired: true, status: next }, next };
}

function pausedMessage(status: SyncRunStatus, key: SyncRunKey): string {
	const why = status.pauseReason ? ` (${status.pauseReason})` : '';
	return `The sync of ${key.component} for ${key.mailbox} is paused since ${status.pausedAt ?? 'an unknown time'}${why}; nothing is read or written until it is resumed with the CRM node's "Sync Status → Resume".`;
}

/** Pause rule: pausing keeps the lease of a run already working (it finishes); resuming clears the pause only. */
export function decidePause(current: SyncRunStatus, pause: { reason: string } | undefined, now: Date): SyncRunStatus {
	const next: SyncRunStatus = { ...current };
	if (pause) {
		next.pausedAt = current.pausedAt ?? now.toISOString();
		const reason = pause.reason.trim();
		if (reason) next.pauseReason = reason;
		else delete next.pauseReason;
	} else {
		delete next.pausedAt;
		delete next.pauseReason;
		next.skippedStarts = 0;
	}
	return next;
}

/**
 * State rule: a committed state becomes the sync's newest (the next generation) only when its run still
 * holds the lease. A run whose lease was taken over worked beside a newer run and must not replace that
 * run's state with its own.
 */
export function keepsCommittedState(current: SyncRunStatus | undefined, holder: string, result: SyncRunResult): boolean {
	return result.state !== undefined && current?.holder === holder;
}

/**
 * Finish rule: the holder gives the lease back and records its result. A run whose lease was taken over
 * meanwhile records its result but leaves the newer run's lease alone.
 */
export function decideFinish(current: SyncRunStatus | undefined, key: SyncRunKey, holder: string, result: SyncRunResult, now: Date): SyncRunStatus {
	const base: SyncRunStatus = { ...(current ?? {}), ...key, lastFinishedAt: now.toISOString() };
	if (keepsCommittedState(current, holder, result)) {
		base.stateGeneration = (current?.stateGeneration ?? 0) + 1;
		base.stateSavedAt = now.toISOString();
	}
	if (result.summary !== undefined) base.lastSummary = result.summary;
	if (result.error) base.lastError = result.error;
	else {
		base.lastSuccessAt = now.toISOString();
		delete base.lastError;
	}
	if (current?.holder === holder) {
		delete base.holder;
		delete base.leaseUntil;
	}
	return base;
}

export type SyncRunState = 'running' | 'paused' | 'ok' | 'failing' | 'neverFinished';

/** What an admin reads per mailbox and component (A6): the run log row, its state in one word, its open conflicts. */
export interface SyncAccountStatus extends SyncRunStatus {
	state: SyncRunState;
	/** One line in plain words, e.g. "working since 10:00 UTC" or "last run failed: …". */
	message: string;
	openConflicts: number;
}

function stateOf(status: SyncRunStatus, now: Date): { state: SyncRunState; message: string } {
	if (status.pausedAt) return { state: 'paused', message: pausedMessage(status, status) };
	if (leaseIsLive(status, now))
		return { state: 'running', message: `A run has been working since ${status.lastStartedAt ?? 'an unknown time'} (execution ${status.holder}).` };
	if (status.holder !== undefined) return { state: 'neverFinished', message: unfinishedRunError(status) };
	if (status.lastError) return { state: 'failing', message: `The last run had a problem: ${status.lastError}` };
	return { state: 'ok', message: status.lastSummary ? `Last run: ${status.lastSummary}` : 'The last run finished without problems.' };
}

/** The run log joined with the open sync conflicts of the same mailbox and component's CRM module. */
export function accountStatus(
	runs: readonly SyncRunStatus[],
	openConflicts: ReadonlyArray<{ mailbox?: string; module: string }>,
	now: Date,
): SyncAccountStatus[] {
	return runs.map((run) => {
		const module = (COMPONENT_MODULE as Readonly<Record<string, string>>)[run.component] ?? run.component;
		const mailbox = mailboxKey(run.mailbox);
		const conflicts = openConflicts.filter((c) => c.module === module && (c.mailbox === undefined || mailboxKey(c.mailbox) === mailbox)).length;
		return { ...run, ...stateOf(run, now), openConflicts: conflicts };
	});
}

export interface WaitOptions {
	/** How long a start waits for a running sync to finish before it is skipped (0: skip at once). */
	waitMs: number;
	/** How often it looks again (default 2 s). */
	pollMs?: number;
	sleep?: (ms: number) => Promise<void>;
	now?: () => number;
}

/**
 * A start that waits for the running sync instead of being skipped at once: a change notified while a run
 * works may have come after that run read the delta, so the next start should run after it, not instead.
 */
export async function startSyncRunWaiting(log: CrmSyncRunLog, key: SyncRunKey, holder: string, leaseMs: number, options: WaitOptions): Promise<SyncRunStart> {
	const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
	const now = options.now ?? Date.now;
	const until = now() + Math.max(0, options.waitMs);
	for (;;) {
		const last = now() >= until;
		const start = await log.startSyncRun(key, holder, leaseMs, { countRefusal: last });
		if (start.acquired || last || start.paused) return start;
		await sleep(Math.min(options.pollMs ?? 2_000, Math.max(0, until - now())));
	}
}
