import type { Component } from '../../lib/model/types';
import { commit, plan, type CommitResult, type PlanOptions, type StatusTable } from '../../lib/engine';
import type { MemoryRunHooks, MemoryRunResult, MemorySide } from './memory-side';

/** One sync run over two memory sides: read changes since the committed cursors, plan, apply, commit. */
export function runMemorySync<C extends Component>(
	table: StatusTable,
	crm: MemorySide<C>,
	exchange: MemorySide<C>,
	options: PlanOptions<C>,
	hooks: MemoryRunHooks<C> = {},
): MemoryRunResult<C> {
	const syncPlan = plan(table, crm.changes(table.cursors.crm), exchange.changes(table.cursors.ex), options);
	table.pending = syncPlan.pending;
	const results: Array<CommitResult<C>> = [];
	let writes = 0;
	for (const action of syncPlan.actions) {
		if (action.target === null) {
			results.push({ action });
			continue;
		}
		if (hooks.crashAfter !== undefined && writes >= hooks.crashAfter) {
			// n8n keeps static data of a failed execution: the staged cursors stay pending, never committed.
			return { plan: syncPlan, crashed: true };
		}
		writes++;
		if (hooks.beforeApply && !hooks.beforeApply(action, writes - 1)) {
			results.push({ action, outcome: { seq: action.seq, ok: false, code: 'transient', error: 'injected failure' } });
			continue;
		}
		const side = action.target === 'crm' ? crm : exchange;
		results.push({ action, outcome: side.apply(action) });
	}
	const report = commit(table, results, {
		component: options.component,
		runId: syncPlan.runId,
		syncedFields: options.syncedFields,
	});
	return { plan: syncPlan, report, crashed: false };
}
