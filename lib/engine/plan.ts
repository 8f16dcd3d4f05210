/**
 * Plan one run (DESIGN.md §2): take up due retries, classify each key's state on both sides (classify.ts),
 * decide per key by the rules (decide.ts), emit the actions with their reasons (emit.ts). Pure: reads the
 * status table and both sides' changes and returns the actions and the cursors to stage as pending; the
 * caller puts `pending` on the table, and `commit` promotes it.
 */
import type { Component } from '../model/types';
import { classify } from './classify';
import { decideCrmTwin, decideExchangeTwin, decideKey, decideNewInExchange, type Decider } from './decide';
import { withMissingEchoes } from './echo';
import { ActionLog } from './emit';
import { adoptMapping } from './mapping-change';
import { PlanContext } from './plan-context';
import { holdWaitingRetries, takeUpRetries } from './retry';
import type { StatusTable } from './state';
import type { PlanOptions, SideChanges, SyncPlan } from './types';

export function plan<C extends Component>(table: StatusTable, crmFeed: SideChanges<C>, exchangeFeed: SideChanges<C>, options: PlanOptions<C>): SyncPlan<C> {
	const ctx = new PlanContext(options);
	const d: Decider<C> = { ctx, out: new ActionLog(ctx) };
	adoptMapping(table, ctx.fields, options.mappingCodes);
	// Failed writes of earlier runs come back as changes of their side (DESIGN.md §2); copies created last
	// run that the Exchange delta does not list were deleted meanwhile.
	const retries = takeUpRetries(table, crmFeed, withMissingEchoes(table, exchangeFeed, options.component, options.windowFrom));
	const { crm, exchange } = retries;

	const classified = classify(ctx, table, crm, exchange);
	for (const { twin, pair, row } of classified.crmTwins) decideCrmTwin(d, twin, pair, row);
	for (const { twin, crmId } of classified.exchangeTwins) decideExchangeTwin(d, twin, crmId);
	for (const key of classified.keys) decideKey(d, key);
	for (const e of classified.exchangeNew) decideNewInExchange(d, e);

	const runId = options.runId ?? new Date().toISOString();
	const actions = holdWaitingRetries(d.out.actions, retries.waiting, retries.due);
	return {
		runId,
		component: options.component,
		actions,
		counts: {
			toCrm: actions.filter((a) => a.target === 'crm').length,
			toExchange: actions.filter((a) => a.target === 'exchange').length,
			conflicts: actions.filter((a) => a.kind === 'conflict').length,
			noops: actions.filter((a) => a.kind === 'noop').length,
		},
		pending: {
			run: runId,
			crm: crm.cursor,
			ex: exchange.cursor,
			...(retries.taken.length ? { q: retries.taken } : {}),
			...(exchangeFeed.partial ? { e: 1 as const } : {}),
		},
	};
}
