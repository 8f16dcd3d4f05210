import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { commit, isActionItem, isRunMarker, type ActionItem, type CommitResult, type RunMarkerItem } from '../../../lib/engine';
import { loadTable, saveTable, stateSizeBytes } from '../helpers/state';

export const description: INodeProperties[] = [];

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
		const json: IDataObject = {
			table: first.table,
			component: first.component,
			runId: first.runId,
			dryRun,
			...counts,
			planned: run.marker?.counts ?? null,
			cursorsCommitted: report?.cursorsCommitted ?? false,
			failures: (report?.failures ?? []) as unknown as IDataObject[],
			// Failed changes kept for a retry in a later run (issue 12 §2), shown as conflicts until they succeed.
			pendingRetries: table.retries.size,
			pairs: table.size,
			stateBytes: stateSizeBytes(this),
		};
		if (dryRun) {
			json.plannedActions = run.results
				.filter((r) => r.action.kind !== 'noop')
				.map((r) => ({ kind: r.action.kind, target: r.action.target, ident: r.action.ident, reason: r.action.reason })) as IDataObject[];
		}
		reports.push({ json, pairedItem: { item: 0 } });
	}
	return [reports, []];
}
