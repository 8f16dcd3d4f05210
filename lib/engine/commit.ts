import type { Component } from '../model/types';
import { comparableRecord, contentHash, fieldsOf, fieldVector, prepareRecord } from './content';
import { echoEntry, rememberEchoes } from './echo';
import { rememberFailures, sourceKey, type FailedChange } from './retry';
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
}

export interface CommitReport {
	counts: RunCounts;
	/** true: the staged cursors were promoted; false: they were dropped and the next run re-reads the changes. */
	cursorsCommitted: boolean;
	failures: Array<{ seq: number; ident: string; error: string; code?: string }>;
	/** Failed changes kept for a retry in a later run (each also counted as an error or conflict). */
	pendingRetries: number;
}

const WRITES = new Set(['create', 'update', 'delete']);

/** A deletion whose target is gone already did what it was meant to do. */
function succeeded(action: PlannedAction, outcome: ActionOutcome | undefined): boolean {
	if (!outcome) return false;
	return outcome.ok || (action.kind === 'delete' && outcome.code === 'notFound');
}

/** The CRM writer files a sync-conflict entry and notes its id on the item. */
function filedConflictId(action: PlannedAction): string | undefined {
	const id = (action as { conflictId?: unknown }).conflictId;
	return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/** A ref as stored: etags and hashes hashed once (refs built from status rows carry `#<etagHash>`). */
function storedEtag(etag: string): string {
	return etag.startsWith('#') ? etag.slice(1) : etagHash(etag);
}

/**
 * Record the outcome of a plan (DESIGN.md §2): a status row changes only when every action of its ident
 * succeeded, so a crash or failure leaves the old status and the next run repeats the work without
 * duplicates. A failed change is kept as a pending retry (retry.ts), so the staged cursors are promoted;
 * they are held only when a failure could not be kept.
 */
export function commit<C extends Component>(table: StatusTable, results: Array<CommitResult<C>>, options: CommitOptions): CommitReport {
	const fields = fieldsOf(options.component, options.syncedFields);
	// A committed state is no longer the empty one Reset State left (lib/engine/state-handover.ts).
	table.reset = false;
	const counts: RunCounts = { created: 0, updated: 0, deleted: 0, conflicts: 0, skipped: 0, errors: 0, unchanged: 0 };
	const failures: CommitReport['failures'] = [];
	const failed: FailedChange[] = [];
	const createdInExchange: string[] = [];

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
			if (action.kind === 'conflict') {
				counts.conflicts++;
				// S12: an invalid record stays an open conflict, checked again each run until it is fixed.
				if (action.conflict?.kind === 'invalid' && action.source) {
					failed.push({ action, error: action.reason, code: 'invalid', conflictId: filedConflictId(action) });
				}
				const waiting = action.conflict?.kind === 'pending' && action.source ? table.retries.get(sourceKey(action.source)) : undefined;
				const filed = filedConflictId(action);
				if (waiting && !waiting.cf && filed) waiting.cf = filed;
			} else if (action.kind === 'noop') {
				if (action.rowEffect === 'pair') counts.unchanged++;
				else counts.skipped++;
			} else if (!succeeded(action, outcome)) {
				allOk = false;
				if (outcome?.code === 'conflict') counts.conflicts++;
				else counts.errors++;
				const error = outcome?.error ?? 'The action was not applied.';
				failures.push({ seq: action.seq, ident: action.ident, error, code: outcome?.code });
				failed.push({ action, error, code: outcome?.code, conflictId: filedConflictId(action) });
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
				if (action.target === 'exchange' && action.kind === 'create' && crmId !== undefined)
					createdInExchange.push(echoEntry(options.component, crmId, action.record));
			}
			if (action.rowEffect !== 'keep') effect = action.rowEffect;
			mergeBase = action.mergeBase ?? mergeBase;
			finalRecord = action.record ?? finalRecord;
		}
		applyRow(
			table,
			effect,
			crmId ?? crm?.id,
			crm,
			exchange,
			mergeBase ?? (finalRecord && fieldVector(comparableRecord(options.component, finalRecord, options.enrichmentMarker), fields)),
		);
	}

	const ownRun = table.pending !== undefined && table.pending.run === options.runId;
	const echoesChecked = ownRun && table.pending?.e !== 1;
	const allKept = rememberFailures(table, failed, ownRun ? (table.pending?.q ?? []) : []);
	let cursorsCommitted = false;
	if (table.pending && ownRun) {
		if (allKept) {
			if (table.pending.crm !== undefined) table.cursors.crm = table.pending.crm;
			if (table.pending.ex !== undefined) table.cursors.ex = table.pending.ex;
			cursorsCommitted = true;
		}
		table.pending = undefined;
	}
	// Also for the calendar, where they are not inferred but looked up (echoIdsToConfirm).
	rememberEchoes(table, createdInExchange, cursorsCommitted && echoesChecked);
	return { counts, cursorsCommitted, failures, pendingRetries: table.retries.size };
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
