/**
 * Handover of the newest committed state (docs/decisions.md §17). n8n gives an execution the static
 * data of the moment it was created — in queue mode of the moment it was enqueued — so a run that
 * started, or waited for the lease, while another run of the same sync was working carries an older
 * state than the one that run committed; a run of another workflow of the same sync (the initial sync)
 * carries none of it; a manual run's state is never saved at all. The CRM's run log keeps every
 * committed state's newest copy with a generation number, and a start whose own state is older works
 * from that copy instead of reading everything again from older cursors.
 */

import { StatusTable, type TableData } from './state';

/** Rule: the run log's copy replaces the run's own state when it is newer and the state was not reset on purpose. */
export function needsNewerState(own: StatusTable, committedGeneration: number | undefined): boolean {
	return !own.reset && (committedGeneration ?? 0) > own.generation;
}

function isTableData(data: unknown): data is TableData {
	if (!data || typeof data !== 'object') return false;
	const candidate = data as Partial<TableData>;
	return typeof candidate.c === 'object' && candidate.c !== null && typeof candidate.r === 'object' && candidate.r !== null;
}

/** The kept copy as the run's state, or `undefined` when it is missing or not a sync state (the run keeps its own). */
export function adoptCommittedState(own: StatusTable, saved: { generation: number; data: unknown } | undefined): StatusTable | undefined {
	if (!saved || !needsNewerState(own, saved.generation) || !isTableData(saved.data)) return undefined;
	const table = StatusTable.load(saved.data);
	table.generation = saved.generation;
	table.reset = false;
	return table;
}
