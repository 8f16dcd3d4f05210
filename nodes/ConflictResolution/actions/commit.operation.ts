import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { commit, isActionItem, isRunMarker, type ActionItem, type CommitResult, type RunCounts, type RunMarkerItem } from '../../../lib/engine';
import { runHolder, runKey, runLog } from '../helpers/runLease';
import { loadTable, saveTable, stateSizeBytes, tableRef } from '../helpers/state';

export const description: INodeProperties[] = [];

/** One line a person reads first, e.g. "contacts: 3 created, 1 updated, 0 deleted, 0 conflicts, 0 errors". */
function runSummary(component: string, counts: RunCounts, dryRun: boolean): string {
	const parts = [
		`${counts.created} created`,
		`${counts.updated} updated`,
		`${counts.deleted} deleted`,
		`${counts.conflicts} conflicts`,
		`${counts.errors} errors`,
	];
	return `${component}${dryRun ? ' (dry run, nothing written)' : ''}: ${parts.join(', ')}`;
}

interface Run {
	marker?: RunMarkerItem & { skipped?: number; invalidInputs?: number };
	results: CommitResult[];
}

/**
 * Input: the action items after the writer nodes added their outcomes, and the plan's run marker.
 * Output: one report item per run (O2).
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const runs = new Map<string, Run>();
	const runFor = (table: string, runId: string): Run => {
		const key = `${table}\u0000${runId}`;
		let run = runs.get(key);
		if (!run) runs.set(key, (run = { results: [] }));
		return run;
	};
	for (const item of this.getInputData()) {
		const json = item.json as unknown;
		if (isActionItem(json)) {
			const action = json as ActionItem;
			runFor(action.table, action.runId).results.push({ action, outcome: action.outcome });
		} else if (isRunMarker(json)) {
			runFor(json.table, json.runId).marker = json;
		}
	}
	if (runs.size === 0) {
		throw new NodeOperationError(this.getNode(), 'No sync actions reached the Commit step', {
			description: 'Connect the output of the Plan operation (through the CRM and Exchange writers) to this node.',
		});
	}

	const log = await runLog(this);
	const reports: INodeExecutionData[] = [];
	for (const run of runs.values()) {
		const first = run.marker ?? (run.results[0]?.action as ActionItem);
		const dryRun = run.marker?.dryRun === true || run.results.some((r) => (r.action as ActionItem).dryRun);
		const table = loadTable(this, first.table);
		let report: ReturnType<typeof commit> | undefined;
		if (!dryRun) {
			report = commit(table, run.results, {
				component: first.component,
				runId: first.runId,
				syncedFields: run.marker?.syncedFields,
				enrichmentMarker: run.marker?.enrichmentMarker,
			});
			saveTable(this, first.table, table);
		}
		const counts = report?.counts ?? { created: 0, updated: 0, deleted: 0, conflicts: 0, skipped: 0, errors: 0, unchanged: 0 };
		counts.skipped += run.marker?.skipped ?? 0;
		counts.conflicts += run.marker?.invalidInputs ?? 0;
		// Key order is the column order of n8n's table view: the answer (counts) first, identifiers last (issue 16).
		const json: IDataObject = {
			summary: runSummary(first.component, counts, dryRun),
			created: counts.created,
			updated: counts.updated,
			deleted: counts.deleted,
			conflicts: counts.conflicts,
			errors: counts.errors,
			skipped: counts.skipped,
			unchanged: counts.unchanged,
			// Failed changes kept for a retry in a later run (issue 12 §2), shown as conflicts until they succeed.
			pendingRetries: table.retries.size,
			pairs: table.size,
			component: first.component,
			dryRun,
			cursorsCommitted: report?.cursorsCommitted ?? false,
			failures: (report?.failures ?? []) as unknown as IDataObject[],
			planned: run.marker?.counts ?? null,
			table: first.table,
			runId: first.runId,
			stateBytes: stateSizeBytes(this),
		};
		if (log) {
			// Gives Read State's lease back (issue 14) and leaves the account status for the admin (A6).
			const mailbox = run.marker?.mailbox ?? tableRef(this).mailbox;
			const status = await log.finishSyncRun(runKey(mailbox, first.component, first.table), runHolder(this), {
				summary: json.summary as string,
				...(counts.errors > 0
					? { error: `${counts.errors} change(s) could not be written; they are tried again in the next run (the Commit report lists them under "failures").` }
					: {}),
				// The run log keeps it as this sync's newest state (docs/decisions.md §17); a dry run changed nothing.
				...(report ? { state: table.save() } : {}),
			});
			json.leaseReleased = status.holder === undefined;
			if (status.stateKept && status.stateGeneration !== undefined) {
				table.generation = status.stateGeneration;
				saveTable(this, first.table, table);
			}
		}
		if (dryRun) {
			json.plannedActions = run.results
				.filter((r) => r.action.kind !== 'noop')
				.map((r) => ({ kind: r.action.kind, target: r.action.target, ident: r.action.ident, reason: r.action.reason })) as IDataObject[];
		}
		reports.push({ json, pairedItem: { item: 0 } });
	}
	return [reports, []];
}
