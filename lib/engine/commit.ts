import type { Component } from '../model/types';
import { contentHash, fieldsOf, fieldVector, prepareRecord } from './content';
import { etagHash, type StatusRow, type StatusTable } from './state';
import type { ActionOutcome, PlannedAction, RunCounts, SideRef } from './types';

export interface CommitResult<C extends Component = Component> {
	action: PlannedAction<C>;
	/** Missing for a write action = it was not applied (e.g. the run was interrupted). */
	outcome?: ActionOutcome<C>;
}

export interface CommitOptions {
	component: Component;
	runId: string;
	syncedFields?: readonly string[];
	/** Marker line of the CRM's enrichment block in appointment texts (see PlanOptions). */
	enrichmentMarker?: string;
	/** Keep per-field merge bases (policy "merge"). */
	keepMergeBase?: boolean;
}

export interface CommitReport {
	counts: RunCounts;
	/** true: the staged cursors were promoted; false: they were dropped and the next run re-reads the changes. */
	cursorsCommitted: boolean;
	failures: Array<{ seq: number; ident: string; error: string; code?: string }>;
}

const WRITES = new Set(['create', 'update', 'delete']);

/** Failures that must not hold back the cursors: the record is gone, or it can never be written as is. */
function isFinalFailure(outcome: ActionOutcome): boolean {
	return outcome.code === 'notFound' || outcome.code === 'invalid' || outcome.code === 'permission';
}

/** A ref as stored: etags and hashes hashed once (refs built from status rows carry `#<etagHash>`). */
function storedEtag(etag: string): string {
	return etag.startsWith('#') ? etag.slice(1) : etagHash(etag);
}

/**
 * Record the outcome of a plan (DESIGN.md §2): a status row changes only when every action of its ident
 * succeeded, so a crash or failure leaves the old status and the next run repeats the work without
 * duplicates. The cursors staged by the plan are promoted only when nothing failed that the next run must
 * retry.
 */
export function commit<C extends Component>(table: StatusTable, results: Array<CommitResult<C>>, options: CommitOptions): CommitReport {
	const fields = fieldsOf(options.component, options.syncedFields);
	const counts: RunCounts = { created: 0, updated: 0, deleted: 0, conflicts: 0, skipped: 0, errors: 0, unchanged: 0 };
	const failures: CommitReport['failures'] = [];
	let retryNeeded = false;

	const groups = new Map<string, Array<CommitResult<C>>>();
	for (const result of results) {
		const list = groups.get(result.action.ident);
		if (list) list.push(result);
		else groups.set(result.action.ident, [result]);
	}

	const targetRef = (action: PlannedAction<C>, outcome: ActionOutcome<C>): SideRef => {
		const record = outcome.record ? prepareRecord(options.component, outcome.record, fields) : action.record;
		return {
			id: outcome.id ?? action.targetId ?? '',
			etag: outcome.etag ?? '',
			hash: record ? contentHash(options.component, record, fields, options.enrichmentMarker) : '',
		};
	};

	for (const group of groups.values()) {
		let allOk = true;
		for (const { action, outcome } of group) {
			if (action.kind === 'conflict') counts.conflicts++;
			else if (action.kind === 'noop') {
				if (action.rowEffect === 'pair') counts.unchanged++;
				else counts.skipped++;
			} else if (!outcome || !outcome.ok) {
				allOk = false;
				if (outcome?.code === 'conflict') counts.conflicts++;
				else counts.errors++;
				failures.push({
					seq: action.seq,
					ident: action.ident,
					error: outcome?.error ?? 'The action was not applied.',
					code: outcome?.code,
				});
				if (!outcome || !isFinalFailure(outcome)) retryNeeded = true;
			} else if (action.kind === 'create') counts.created++;
			else if (action.kind === 'update') counts.updated++;
			else counts.deleted++;
		}
		if (!allOk) continue;

		let crmId: string | undefined;
		let crm: SideRef | undefined;
		let exchange: SideRef | undefined;
		let effect: PlannedAction['rowEffect'] = 'keep';
		let mergeBase: string | undefined;
		let finalRecord: object | undefined;
		for (const { action, outcome } of group) {
			crmId = crmId ?? action.crmId;
			crm = crm ?? action.crm;
			exchange = exchange ?? action.exchange;
			if (WRITES.has(action.kind) && outcome) {
				if (action.target === 'crm') {
					crm = action.kind === 'delete' ? undefined : targetRef(action, outcome);
					crmId = crmId ?? crm?.id;
				}
				if (action.target === 'exchange') exchange = action.kind === 'delete' ? undefined : targetRef(action, outcome);
			}
			if (action.rowEffect !== 'keep') effect = action.rowEffect;
			mergeBase = action.mergeBase ?? mergeBase;
			finalRecord = action.record ?? finalRecord;
		}
		applyRow(table, effect, crmId ?? crm?.id, crm, exchange, options.keepMergeBase ? (mergeBase ?? (finalRecord && fieldVector(finalRecord, fields))) : undefined);
	}

	let cursorsCommitted = false;
	if (table.pending && table.pending.run === options.runId) {
		if (!retryNeeded) {
			if (table.pending.crm !== undefined) table.cursors.crm = table.pending.crm;
			if (table.pending.ex !== undefined) table.cursors.ex = table.pending.ex;
			cursorsCommitted = true;
		}
		table.pending = undefined;
	}
	return { counts, cursorsCommitted, failures };
}

function applyRow(
	table: StatusTable,
	effect: PlannedAction['rowEffect'],
	crmId: string | undefined,
	crm: SideRef | undefined,
	exchange: SideRef | undefined,
	mergeBase: string | undefined,
): void {
	if (effect === 'keep' || crmId === undefined) return;
	if (effect === 'drop') {
		table.delete(crmId);
		return;
	}
	if (!crm) return;
	const old = table.get(crmId);
	const row: StatusRow = {
		crmEtag: storedEtag(crm.etag),
		crmHash: crm.hash,
		exchangeEtag: '',
		exchangeHash: '',
	};
	if (effect === 'pair' && exchange) {
		row.exchangeId = exchange.id;
		row.exchangeEtag = storedEtag(exchange.etag);
		row.exchangeHash = exchange.hash;
	}
	if (mergeBase) row.mergeBase = mergeBase;
	else if (old?.mergeBase && effect === 'pair') row.mergeBase = old.mergeBase;
	table.set(crmId, row);
}
