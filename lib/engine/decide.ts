/**
 * Decide: one small function per rule of DESIGN.md §2, in the manner of vdirsyncer's sync: given each
 * key's state on each side (classify.ts), choose what to do and emit it (emit.ts) with its reason.
 */
import { stableStringify } from '../model/hash';
import type { Component, ComponentRecordMap } from '../model/types';
import { changedFields, fieldVector, withoutUnheldClears } from './content';
import type { ActionLog } from './emit';
import { exchangeBornIdent } from './ident';
import { mergeRecords, winnerFor } from './merge';
import type { PlanContext, Prepared } from './plan-context';
import type { StatusRow } from './state';

/** State of one side of one key in this run. */
export type SideState<C extends Component> =
	| { kind: 'present'; p: Prepared<C>; changed: boolean }
	| { kind: 'deleted' }
	| { kind: 'leftScope' } // CRM only: no longer this mailbox's (S5, S14); not a deletion
	| { kind: 'unchanged' } // paired and not reported by a change feed
	| { kind: 'absent' } // never paired, not reported
	| { kind: 'linked'; id: string }; // not reported, but the other side's ident names it (lost state)

export interface Decider<C extends Component> {
	ctx: PlanContext<C>;
	out: ActionLog<C>;
}

/** One key (a CRM id, paired or pairable) with its state on both sides. */
export interface KeyState<C extends Component> {
	crmId: string;
	row: StatusRow | undefined;
	crm: SideState<C>;
	exchange: SideState<C>;
	/** Windowed component, complete listing: neither side holds the pair any more inside the window. */
	leftWindow?: boolean;
}

const presentOf = <C extends Component>(s: SideState<C>) => (s.kind === 'present' ? s.p : undefined);
const changedOf = <C extends Component>(s: SideState<C>) => s.kind === 'present' && s.changed;

/** Decide one key. */
export function decideKey<C extends Component>(d: Decider<C>, key: KeyState<C>): void {
	if (key.leftWindow) return d.out.noop(d.ctx.ident(key.crmId), 'drop', 'Left the sync window.');
	if (key.crm.kind === 'leftScope') return leftScope(d, key);
	const c = presentOf(key.crm);
	const e = presentOf(key.exchange);
	if (c && e) return bothPresent(d, key, c, e);
	if (c) return onlyInCrm(d, key, c);
	if (e) return onlyInExchange(d, key, e);
	return neitherReported(d, key);
}

/** Both sides report the key: a change on one side goes to the other; on both, the policy decides. */
function bothPresent<C extends Component>({ ctx, out }: Decider<C>, key: KeyState<C>, c: Prepared<C>, e: Prepared<C>): void {
	const ident = ctx.ident(key.crmId);
	const cChanged = changedOf(key.crm);
	const eChanged = changedOf(key.exchange);
	const base = key.row?.mergeBase;
	if (cChanged && eChanged) return bothChanged({ ctx, out }, key.crmId, key.row, c, e);
	if (cChanged) {
		if (ctx.canWrite('exchange')) return out.write('update', 'exchange', ident, c, { p: e, base }, 'Changed in the CRM.');
		return out.noop(ident, 'keep', 'Changed in the CRM; direction is Exchange → CRM only.');
	}
	if (eChanged) {
		if (ctx.canWrite('crm')) return out.write('update', 'crm', ident, e, { p: c, base }, 'Changed in Exchange.');
		return out.noop(ident, 'keep', 'Changed in Exchange; direction is CRM → Exchange only.');
	}
	out.noop(ident, 'pair', 'Unchanged.', c, e);
}

/** The CRM reports the key; its Exchange side is deleted, unchanged, absent, or known only by the CRM record's ident. */
function onlyInCrm<C extends Component>({ ctx, out }: Decider<C>, { crmId, row, crm, exchange: es }: KeyState<C>, c: Prepared<C>): void {
	const ident = ctx.ident(crmId);
	const cChanged = changedOf(crm);
	if (es.kind === 'unchanged' || es.kind === 'linked') {
		if (!cChanged) return out.noop(ident, 'pair', 'Unchanged (metadata only).', c, undefined, { exchange: out.rowRef('exchange', row) });
		if (!ctx.canWrite('exchange')) return out.noop(ident, 'keep', 'Changed in the CRM; direction is Exchange → CRM only.');
		const id = es.kind === 'linked' ? es.id : row?.exchangeId;
		return out.write('update', 'exchange', ident, c, { id, base: row?.mergeBase }, 'Changed in the CRM.', { exchange: out.rowRef('exchange', row, id) });
	}
	if (es.kind === 'deleted' && !cChanged) {
		if (ctx.deleteToCrm && ctx.canWrite('crm')) return out.remove('crm', ident, crmId, c.item.etag, 'Deleted in Exchange.', row?.exchangeId);
		return out.noop(ident, 'unlinkExchange', 'Deleted in Exchange; the CRM record is kept.', c);
	}
	// New in the CRM, re-created after a deletion (a change beats a deletion), or paired-but-gone.
	if (!row && !ctx.creatable(c)) return out.noop(ident, 'keep', 'Outside the sync window or modified-since filter.');
	if (row && !cChanged) return out.noop(ident, 'keep', 'Exchange copy deleted; the CRM record is kept.');
	if (!ctx.canWrite('exchange')) return out.noop(ident, 'keep', 'New in the CRM; direction is Exchange → CRM only.');
	out.write('create', 'exchange', ident, c, {}, row ? 'Changed in the CRM after its Exchange copy was deleted.' : 'New in the CRM.', {
		writeIdent: ident,
	});
}

/** Exchange reports the key; its CRM side is deleted, unchanged, absent, or known only by the item's ident. */
function onlyInExchange<C extends Component>({ ctx, out }: Decider<C>, { crmId, row, crm: cs, exchange }: KeyState<C>, e: Prepared<C>): void {
	const ident = ctx.ident(crmId);
	const eChanged = changedOf(exchange);
	if (cs.kind === 'unchanged' || cs.kind === 'linked') {
		if (!eChanged) return out.noop(ident, 'pair', 'Unchanged (metadata only).', undefined, e, { crm: out.rowRef('crm', row, crmId) });
		if (!ctx.canWrite('crm')) return out.noop(ident, 'keep', 'Changed in Exchange; direction is CRM → Exchange only.');
		return out.write('update', 'crm', ident, e, { id: crmId, base: row?.mergeBase }, 'Changed in Exchange.', { crm: out.rowRef('crm', row, crmId) });
	}
	if (cs.kind === 'deleted' && !eChanged) {
		if (ctx.deleteToExchange && ctx.canWrite('exchange')) return out.remove('exchange', ident, e.item.id, e.item.etag, 'Deleted in the CRM.', crmId);
		return out.noop(ident, 'drop', 'Deleted in the CRM; the Exchange item is kept.');
	}
	if (!row && !ctx.creatable(e, 'exchange')) return out.noop(ident, 'keep', 'Outside the sync window or without the required category.');
	if (!ctx.canWrite('crm')) return out.noop(ident, 'keep', 'Direction is CRM → Exchange only.');
	// Deleted in the CRM but changed in Exchange, or an ident pointing at a CRM record we never saw:
	// the change wins and becomes a new CRM record.
	const born = exchangeBornIdent(e.item.id);
	out.write('create', 'crm', born, e, {}, 'Changed in Exchange after its CRM record was deleted.', { writeIdent: born });
}

/** Neither side reports the key in this run: deletions of a known pair. */
function neitherReported<C extends Component>({ ctx, out }: Decider<C>, { crmId, row, crm: cs, exchange: es }: KeyState<C>): void {
	if (!row) return;
	const ident = ctx.ident(crmId);
	if (cs.kind === 'deleted' && es.kind === 'deleted') return out.noop(ident, 'drop', 'Deleted on both sides.');
	if (cs.kind === 'deleted' && row.exchangeId && es.kind !== 'absent') {
		if (ctx.deleteToExchange && ctx.canWrite('exchange')) return out.remove('exchange', ident, row.exchangeId, undefined, 'Deleted in the CRM.', crmId);
		return out.noop(ident, 'drop', 'Deleted in the CRM; the Exchange item is kept.');
	}
	if (cs.kind === 'deleted') return out.noop(ident, 'drop', 'Deleted in the CRM.');
	if (es.kind === 'deleted') {
		if (ctx.deleteToCrm && ctx.canWrite('crm')) return out.remove('crm', ident, crmId, undefined, 'Deleted in Exchange.', row.exchangeId);
		return out.noop(ident, 'unlinkExchange', 'Deleted in Exchange; the CRM record is kept.', undefined, undefined, { crm: out.rowRef('crm', row, crmId) });
	}
}

/** Both sides changed (or are first seen together): equal content pairs silently, else the policy decides. */
function bothChanged<C extends Component>(d: Decider<C>, crmId: string, row: StatusRow | undefined, c: Prepared<C>, e: Prepared<C>): void {
	const { ctx, out } = d;
	const ident = ctx.ident(crmId);
	if (c.hash === e.hash) return out.noop(ident, 'pair', row ? 'Both sides changed to the same content.' : 'Paired by ident; same content.', c, e);
	const base = row?.mergeBase;
	if (ctx.direction === 'crmToExchange') return out.write('update', 'exchange', ident, c, { p: e, base }, 'CRM → Exchange only: the CRM version is written.');
	if (ctx.direction === 'exchangeToCrm') return out.write('update', 'crm', ident, e, { p: c, base }, 'Exchange → CRM only: the Exchange version is written.');
	if (ctx.policy === 'merge') return merge(d, ident, row, c, e);
	const winner = winnerFor(ctx.policy, c.modifiedAt, e.modifiedAt);
	if (winner === null) return out.conflict(ident, 'Changed in the CRM and in Exchange since the last sync; policy "none" leaves both as they are.', c, e);
	const why = `Changed on both sides; ${ctx.policy} → the ${winner === 'crm' ? 'CRM' : 'Exchange'} version wins.`;
	const written = withoutUnheldClears(changedFields(c.record, e.record, ctx.fields), (winner === 'crm' ? c : e).record, base, ctx.fields);
	const overridden = out.overridden(c, e, written, winner);
	if (winner === 'crm') out.write('update', 'exchange', ident, c, { p: e, base }, why, { overridden });
	else out.write('update', 'crm', ident, e, { p: c, base }, why, { overridden });
}

/**
 * The merged values back from the comparable view to real values: Exchange's times keep their zone, the
 * CRM's description its enrichment block.
 */
function realValues<C extends Component>(
	merged: Record<string, unknown>,
	views: { crm: Record<string, unknown>; exchange: Record<string, unknown> },
	c: Prepared<C>,
	e: Prepared<C>,
): void {
	const { crm: crmView, exchange: exchangeView } = views;
	const crmReal = c.record as Record<string, unknown>;
	const exchangeReal = e.record as Record<string, unknown>;
	for (const field of Object.keys(merged)) {
		const value = stableStringify(merged[field]);
		const sides: Array<[Record<string, unknown>, Record<string, unknown>]> =
			field === 'start' || field === 'end'
				? [
						[exchangeView, exchangeReal],
						[crmView, crmReal],
					]
				: [
						[crmView, crmReal],
						[exchangeView, exchangeReal],
					];
		const same = sides.find(([view]) => stableStringify(view[field]) === value);
		if (same) merged[field] = same[1][field];
	}
}

/** Policy "merge": field by field against the pair's base; fields changed on both go to the fallback. */
function merge<C extends Component>({ ctx, out }: Decider<C>, ident: string, row: StatusRow | undefined, c: Prepared<C>, e: Prepared<C>): void {
	const fallback = ctx.options.mergeFallback ?? 'lastModifiedWins';
	const views = { crm: ctx.comparable(c.record) as Record<string, unknown>, exchange: ctx.comparable(e.record) as Record<string, unknown> };
	const result = mergeRecords(views.crm, views.exchange, row?.mergeBase, ctx.fields, () => winnerFor(fallback, c.modifiedAt, e.modifiedAt));
	realValues(result.record, views, c, e);
	if (result.contested.length) {
		return out.conflict(ident, `Fields changed on both sides: ${result.contested.join(', ')}; the merge fallback "none" leaves both as they are.`, c, e);
	}
	// The merged record, carried as the change of the side that is not written (its retry source).
	const mergedRecord = result.record as unknown as ComponentRecordMap[C];
	const fromExchange = ctx.prepare({ ...e.item, record: mergedRecord });
	const fromCrm = ctx.prepare({ ...c.item, record: mergedRecord });
	const base = fieldVector(ctx.comparable(fromCrm.record), ctx.fields);
	const reason = 'Changed on both sides; merged field by field.';
	const overridden = result.decided.flatMap(({ field, winner }) => out.overridden(c, e, [field], winner));
	const refs = { crm: out.ref(c), exchange: out.ref(e), mergeBase: base, ...(overridden.length ? { overridden } : {}) };
	if (fromExchange.hash !== c.hash) out.write('update', 'crm', ident, fromExchange, { p: c, base: row?.mergeBase }, reason, refs);
	if (fromCrm.hash !== e.hash) out.write('update', 'exchange', ident, fromCrm, { p: e, base: row?.mergeBase }, reason, refs);
}

/**
 * A CRM record that left this mailbox's scope (assigned to someone else, S5; filtered out, S14) is not
 * deleted: its Exchange copy leaves the mailbox and the pair is forgotten. An Outlook edit of the copy
 * since the last sync is not copied into a record that is no longer this mailbox's, nor made into a new
 * CRM record: it is reported as a conflict with the edited version, so it is not lost without a record.
 */
function leftScope<C extends Component>({ ctx, out }: Decider<C>, { crmId, row, exchange: es }: KeyState<C>): void {
	const ident = ctx.ident(crmId);
	if (!row) return out.noop(ident, 'keep', "Outside this mailbox's scope (assigned user, filters).");
	const e = presentOf(es);
	if (e && changedOf(es)) {
		out.push({
			ident,
			kind: 'conflict',
			target: null,
			reason:
				"Left this mailbox's scope (assigned to someone else or filtered out) after its Outlook copy was edited; " +
				'the edit is not copied into the CRM record, and the copy leaves the mailbox.',
			rowEffect: 'keep',
			exchange: out.ref(e),
			conflict: { kind: 'leftScope', side: 'exchange', exchangeRecord: e.record },
		});
	}
	const exchangeId = e?.item.id ?? row.exchangeId;
	if (!exchangeId || es.kind === 'deleted') return out.noop(ident, 'drop', "Left this mailbox's scope.");
	if (!ctx.deleteToExchange || !ctx.canWrite('exchange')) return out.noop(ident, 'drop', "Left this mailbox's scope; the Exchange copy is kept.");
	// No retry source: if this delete fails the run holds its cursors and the record is read again, still
	// out of scope (a retried deletion would be taken for a CRM deletion, and an edit would re-create it).
	out.push({
		ident,
		kind: 'delete',
		target: 'exchange',
		targetId: exchangeId,
		targetEtag: e?.item.etag,
		reason: "Left this mailbox's scope (S5/S14): the copy leaves the mailbox; the CRM record stays.",
		rowEffect: 'drop',
	});
}

/** An Exchange item nobody knows: a new CRM record, when the window, the category and the direction allow. */
export function decideNewInExchange<C extends Component>({ ctx, out }: Decider<C>, e: Prepared<C>): void {
	const ident = exchangeBornIdent(e.item.id);
	if (!ctx.creatable(e, 'exchange')) return out.noop(ident, 'keep', 'Outside the sync window or without the required category.');
	if (!ctx.canWrite('crm')) return out.noop(ident, 'keep', 'New in Exchange; direction is CRM → Exchange only.');
	out.write('create', 'crm', ident, e, {}, 'New in Exchange.', { writeIdent: ident });
}

/** The product's surplus Exchange copy of a pair (isSurplusTwin) is removed; the pair itself is untouched. */
export function decideExchangeTwin<C extends Component>({ ctx, out }: Decider<C>, twin: Prepared<C>, crmId: string): void {
	const ident = exchangeBornIdent(twin.item.id);
	if (!ctx.canWrite('exchange')) return out.noop(ident, 'keep', `A second Exchange copy of CRM record ${crmId}; direction is Exchange → CRM only.`);
	// No retry source: a failed removal holds the cursors, so the twin is reported again.
	out.push({
		ident,
		kind: 'delete',
		target: 'exchange',
		targetId: twin.item.id,
		targetEtag: twin.item.etag,
		reason: `A second Exchange copy of CRM record ${crmId} with the synced content (e.g. from two overlapping runs); removed.`,
		rowEffect: 'keep',
	});
}

/**
 * A second CRM record made from the same Exchange item. With the pair's content it is the product's
 * surplus and is deleted, except contacts (S6: the sync never deletes them), which are reported.
 */
export function decideCrmTwin<C extends Component>(
	{ ctx, out }: Decider<C>,
	twin: Prepared<C>,
	pair: Prepared<C> | undefined,
	row: StatusRow | undefined,
): void {
	const ident = ctx.ident(twin.item.id);
	if (pair !== undefined && pair.hash === twin.hash && ctx.component !== 'contact' && ctx.canWrite('crm')) {
		out.push({
			ident,
			kind: 'delete',
			target: 'crm',
			targetId: twin.item.id,
			targetEtag: twin.item.etag,
			reason: `A second CRM record made from the same Exchange item as CRM record ${pair.item.id} (e.g. by two overlapping runs); removed.`,
			rowEffect: 'drop',
		});
		return;
	}
	out.push({
		ident,
		kind: 'conflict',
		target: null,
		reason: `A second CRM record made from the same Exchange item${pair ? ` as CRM record ${pair.item.id}` : ''}; it is not synced. Merge or delete one of them in the CRM.`,
		rowEffect: row ? 'drop' : 'keep',
		crm: out.ref(twin),
		conflict: { kind: 'duplicate', side: 'crm', crmRecord: twin.record },
	});
}
