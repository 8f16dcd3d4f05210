import { toUtcInstant } from '../model/normalize';
import type { Component, ComponentRecordMap } from '../model/types';
import { stableStringify } from '../model/hash';
import { changedFields, changedSinceBase, comparableRecord, contentHash, fieldsOf, fieldVector, prepareRecord, PRIVATE_EVENT_FIELDS } from './content';
import { crmIdent, exchangeBornIdent, isForeignIdent, parseCrmIdent, parseExchangeBornIdent } from './ident';
import { mergeRecords, winnerFor } from './merge';
import { inWindow, validationError } from './rules';
import { withMissingEchoes } from './echo';
import { holdWaitingRetries, takeUpRetries } from './retry';
import { etagHash, type StatusRow, type StatusTable } from './state';
import {
	EmptySideError,
	type PlanOptions,
	type PlannedAction,
	type Side,
	type SideChanges,
	type SideItem,
	type SideRef,
	type SourceRef,
	type SyncPlan,
} from './types';

interface Prepared<C extends Component> {
	item: SideItem<C>;
	record: ComponentRecordMap[C];
	hash: string;
	etagHash: string;
	modifiedAt?: string;
}

/** State of one side of one ident in this run. */
type SideState<C extends Component> =
	| { kind: 'present'; p: Prepared<C>; changed: boolean }
	| { kind: 'deleted' }
	| { kind: 'leftScope' } // CRM only: no longer this mailbox's (S5, S14); not a deletion
	| { kind: 'unchanged' } // paired and not reported by a change feed
	| { kind: 'absent' } // never paired, not reported
	| { kind: 'linked'; id: string }; // not reported, but the other side's ident names it (lost state)

function safeInstant(value: string | undefined): string | undefined {
	if (!value) return undefined;
	try {
		return toUtcInstant(value);
	} catch {
		return undefined;
	}
}

class Planner<C extends Component> {
	readonly actions: Array<PlannedAction<C>> = [];
	private readonly fields: readonly string[];
	private readonly direction;
	private readonly policy;
	private readonly deleteToExchange: boolean;
	private readonly deleteToCrm: boolean;

	constructor(private readonly options: PlanOptions<C>) {
		this.fields = fieldsOf(options.component, options.syncedFields);
		this.direction = options.direction ?? 'both';
		this.policy = options.policy ?? 'lastModifiedWins';
		this.deleteToExchange = options.propagateDeletes?.toExchange ?? true;
		// S6: the sync never deletes CRM contacts (or accounts).
		this.deleteToCrm = options.component !== 'contact' && (options.propagateDeletes?.toCrm ?? true);
	}

	prepare(item: SideItem<C>): Prepared<C> {
		const record = prepareRecord(this.options.component, item.record, this.fields);
		return {
			item,
			record,
			hash: contentHash(this.options.component, record, this.fields, this.options.enrichmentMarker),
			etagHash: etagHash(item.etag),
			modifiedAt: safeInstant(item.modifiedAt),
		};
	}

	canWrite(target: Side): boolean {
		if (this.direction === 'both') return true;
		return this.direction === (target === 'exchange' ? 'crmToExchange' : 'exchangeToCrm');
	}

	ident(crmId: string): string {
		return crmIdent(this.options.crmInstance, this.options.crmModule, crmId);
	}

	ref(p: Prepared<C>): SideRef {
		return { id: p.item.id, etag: p.item.etag, hash: p.hash };
	}

	/** The change an action carries out, kept by commit as a pending retry if the write fails. */
	sourceOf(side: Side, p: Prepared<C>): SourceRef {
		const { id, etag, ident, modifiedAt } = p.item;
		return { side, id, etag, ...(ident !== undefined ? { ident } : {}), ...(modifiedAt !== undefined ? { modifiedAt } : {}) };
	}

	push(action: Omit<PlannedAction<C>, 'seq' | 'crmId'>): void {
		const crmId = parseCrmIdent(action.ident, this.options.crmInstance, this.options.crmModule);
		this.actions.push({ seq: this.actions.length, ...(crmId !== undefined ? { crmId } : {}), ...action });
	}

	/** A write of `source` onto `target`, after validation (S12). */
	write(
		kind: 'create' | 'update',
		target: Side,
		ident: string,
		source: Prepared<C>,
		other: { p?: Prepared<C>; id?: string; base?: string },
		reason: string,
		extra: Partial<PlannedAction<C>> = {},
	): void {
		const required = this.options.requiredFields?.[target] ?? [];
		const invalid = validationError(this.options.component, source.record, required);
		const sourceSide: Side = target === 'crm' ? 'exchange' : 'crm';
		const refs = sourceSide === 'crm' ? { crm: this.ref(source), exchange: other.p && this.ref(other.p) } : { exchange: this.ref(source), crm: other.p && this.ref(other.p) };
		if (invalid) {
			this.push({
				ident,
				kind: 'conflict',
				target: null,
				reason: invalid,
				rowEffect: 'keep',
				...refs,
				conflict: { kind: 'invalid', side: sourceSide, [sourceSide === 'crm' ? 'crmRecord' : 'exchangeRecord']: source.record },
				source: this.sourceOf(sourceSide, source),
			});
			return;
		}
		const record = this.keepPrivateDetails(kind, target, source, other.p);
		const privateUnseen =
			this.options.component === 'event' && target === 'exchange' && kind === 'update' && !other.p && (source.record as { isPrivate?: boolean }).isPrivate === true;
		this.push({
			ident,
			kind,
			target,
			targetId: kind === 'update' ? (other.p?.item.id ?? other.id) : undefined,
			targetEtag: kind === 'update' ? other.p?.item.etag : undefined,
			record,
			...(privateUnseen ? { onlyFields: [...PRIVATE_EVENT_FIELDS] } : {}),
			changedFields:
				kind === 'update'
					? other.p
						? changedFields(this.comparable(other.p.record), this.comparable(record), this.fields)
						: changedSinceBase(this.comparable(record), other.base, this.fields)
					: undefined,
			reason,
			rowEffect: 'pair',
			...refs,
			source: this.sourceOf(sourceSide, source),
			...extra,
		});
	}

	/**
	 * S17: the CRM knows a private appointment only as a busy block, so an update from the CRM may move it,
	 * but must not overwrite the subject, place and text the owner keeps in Exchange.
	 */
	keepPrivateDetails(kind: 'create' | 'update', target: Side, source: Prepared<C>, current: Prepared<C> | undefined): ComponentRecordMap[C] {
		const existing = current?.record as Record<string, unknown> | undefined;
		if (this.options.component !== 'event' || target !== 'exchange' || kind !== 'update' || existing?.isPrivate !== true) return source.record;
		const incoming = source.record as Record<string, unknown>;
		const merged: Record<string, unknown> = { ...existing };
		for (const field of PRIVATE_EVENT_FIELDS) {
			if (incoming[field] === undefined) delete merged[field];
			else merged[field] = incoming[field];
		}
		return merged as unknown as ComponentRecordMap[C];
	}

	noop(ident: string, rowEffect: PlannedAction<C>['rowEffect'], reason: string, c?: Prepared<C>, e?: Prepared<C>, extra: Partial<PlannedAction<C>> = {}): void {
		this.push({
			ident,
			kind: 'noop',
			target: null,
			reason,
			rowEffect,
			crm: c && this.ref(c),
			exchange: e && this.ref(e),
			record: rowEffect === 'pair' ? (c ?? e)?.record : undefined,
			...extra,
		});
	}

	/** Delete `id` on `target` because `deletedId` was deleted on the other side. */
	remove(target: Side, ident: string, id: string, etag: string | undefined, reason: string, deletedId: string | undefined): void {
		const sourceSide: Side = target === 'crm' ? 'exchange' : 'crm';
		this.push({
			ident,
			kind: 'delete',
			target,
			targetId: id,
			targetEtag: etag,
			reason,
			rowEffect: 'drop',
			...(deletedId ? { source: { side: sourceSide, id: deletedId, deleted: true as const } } : {}),
		});
	}

	/** The product's surplus copy of a pair (isSurplusTwin) is removed; the pair itself is untouched. */
	removeTwin(twin: Prepared<C>, crmId: string): void {
		const ident = exchangeBornIdent(twin.item.id);
		if (!this.canWrite('exchange')) return this.noop(ident, 'keep', `A second Exchange copy of CRM record ${crmId}; direction is Exchange → CRM only.`);
		// No retry source: a failed removal holds the cursors, so the twin is reported again.
		this.push({
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
	crmTwin(twin: Prepared<C>, pair: Prepared<C> | undefined, row: StatusRow | undefined): void {
		const ident = this.ident(twin.item.id);
		const same = pair !== undefined && pair.hash === twin.hash;
		if (same && this.options.component !== 'contact' && this.canWrite('crm')) {
			this.push({
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
		this.push({
			ident,
			kind: 'conflict',
			target: null,
			reason: `A second CRM record made from the same Exchange item${pair ? ` as CRM record ${pair.item.id}` : ''}; it is not synced. Merge or delete one of them in the CRM.`,
			rowEffect: row ? 'drop' : 'keep',
			crm: this.ref(twin),
			conflict: { kind: 'duplicate', side: 'crm', crmRecord: twin.record },
		});
	}

	/** Both sides changed (or are first seen together): equal content pairs silently, else the policy decides. */
	bothChanged(crmId: string, row: StatusRow | undefined, c: Prepared<C>, e: Prepared<C>): void {
		const ident = this.ident(crmId);
		if (c.hash === e.hash) {
			this.noop(ident, 'pair', row ? 'Both sides changed to the same content.' : 'Paired by ident; same content.', c, e);
			return;
		}
		if (this.direction === 'crmToExchange') return this.write('update', 'exchange', ident, c, { p: e }, 'CRM → Exchange only: the CRM version is written.');
		if (this.direction === 'exchangeToCrm') return this.write('update', 'crm', ident, e, { p: c }, 'Exchange → CRM only: the Exchange version is written.');

		if (this.policy === 'merge') return this.merge(ident, row, c, e);
		const winner = winnerFor(this.policy, c.modifiedAt, e.modifiedAt);
		if (winner === null) {
			this.push({
				ident,
				kind: 'conflict',
				target: null,
				reason: 'Changed in the CRM and in Exchange since the last sync; policy "none" leaves both as they are.',
				rowEffect: 'keep',
				crm: this.ref(c),
				exchange: this.ref(e),
				conflict: { kind: 'bothChanged', crmRecord: c.record, exchangeRecord: e.record },
			});
			return;
		}
		const why = `Changed on both sides; ${this.policy} → the ${winner === 'crm' ? 'CRM' : 'Exchange'} version wins.`;
		const overridden = this.overridden(c, e, changedFields(c.record, e.record, this.fields), winner);
		if (winner === 'crm') this.write('update', 'exchange', ident, c, { p: e }, why, { overridden });
		else this.write('update', 'crm', ident, e, { p: c }, why, { overridden });
	}

	/** The fields a winner overwrites, with both values, for the notification output. */
	overridden(c: Prepared<C>, e: Prepared<C>, fields: readonly string[], winner: Side): NonNullable<PlannedAction<C>['overridden']> {
		const crm = c.record as Record<string, unknown>;
		const exchange = e.record as Record<string, unknown>;
		return fields.map((field) => ({ field, crm: crm[field], exchange: exchange[field], winner }));
	}

	/** See comparableRecord. */
	private comparable(record: object): object {
		return comparableRecord(this.options.component, record, this.options.enrichmentMarker);
	}

	merge(ident: string, row: StatusRow | undefined, c: Prepared<C>, e: Prepared<C>): void {
		const fallback = this.options.mergeFallback ?? 'lastModifiedWins';
		const crmView = this.comparable(c.record) as Record<string, unknown>;
		const result = mergeRecords(crmView, this.comparable(e.record) as Record<string, unknown>, row?.mergeBase, this.fields, () =>
			winnerFor(fallback, c.modifiedAt, e.modifiedAt),
		);
		// Back from the comparable view to real values: Exchange's times keep their zone, the CRM's
		// description its enrichment block.
		const exchangeView = this.comparable(e.record) as Record<string, unknown>;
		for (const field of Object.keys(result.record)) {
			const value = stableStringify(result.record[field]);
			const prefersExchange = field === 'start' || field === 'end';
			const exchangeReal = e.record as Record<string, unknown>;
			const crmReal = c.record as Record<string, unknown>;
			const sides: Array<[Record<string, unknown>, Record<string, unknown>]> = prefersExchange
				? [[exchangeView, exchangeReal], [crmView, crmReal]]
				: [[crmView, crmReal], [exchangeView, exchangeReal]];
			const same = sides.find(([view]) => stableStringify(view[field]) === value);
			if (same) result.record[field] = same[1][field];
		}
		if (result.contested.length) {
			this.push({
				ident,
				kind: 'conflict',
				target: null,
				reason: `Fields changed on both sides: ${result.contested.join(', ')}; the merge fallback "none" leaves both as they are.`,
				rowEffect: 'keep',
				crm: this.ref(c),
				exchange: this.ref(e),
				conflict: { kind: 'bothChanged', crmRecord: c.record, exchangeRecord: e.record },
			});
			return;
		}
		// The merged record, carried as the change of the side that is not written (its retry source).
		const mergedRecord = result.record as unknown as ComponentRecordMap[C];
		const fromExchange = this.prepare({ ...e.item, record: mergedRecord });
		const fromCrm = this.prepare({ ...c.item, record: mergedRecord });
		const base = fieldVector(this.comparable(fromCrm.record), this.fields);
		const reason = 'Changed on both sides; merged field by field.';
		const overridden = result.decided.flatMap(({ field, winner }) => this.overridden(c, e, [field], winner));
		const refs = { crm: this.ref(c), exchange: this.ref(e), mergeBase: base, ...(overridden.length ? { overridden } : {}) };
		if (fromExchange.hash !== c.hash) this.write('update', 'crm', ident, fromExchange, { p: c }, reason, refs);
		if (fromCrm.hash !== e.hash) this.write('update', 'exchange', ident, fromCrm, { p: e }, reason, refs);
	}

	/**
	 * A CRM record that left this mailbox's scope (assigned to someone else, S5; filtered out, S14) is not
	 * deleted: its Exchange copy leaves the mailbox and the pair is forgotten. An Outlook edit of the copy
	 * since the last sync is not copied into a record that is no longer this mailbox's, nor made into a new
	 * CRM record: it is reported as a conflict with the edited version, so it is not lost without a record.
	 */
	leftScope(crmId: string, es: SideState<C>, row: StatusRow | undefined): void {
		const ident = this.ident(crmId);
		if (!row) return this.noop(ident, 'keep', "Outside this mailbox's scope (assigned user, filters).");
		const e = es.kind === 'present' ? es.p : undefined;
		if (e && es.kind === 'present' && es.changed) {
			this.push({
				ident,
				kind: 'conflict',
				target: null,
				reason:
					"Left this mailbox's scope (assigned to someone else or filtered out) after its Outlook copy was edited; " +
					'the edit is not copied into the CRM record, and the copy leaves the mailbox.',
				rowEffect: 'keep',
				exchange: this.ref(e),
				conflict: { kind: 'leftScope', side: 'exchange', exchangeRecord: e.record },
			});
		}
		const exchangeId = e?.item.id ?? row.exchangeId;
		if (!exchangeId || es.kind === 'deleted') return this.noop(ident, 'drop', "Left this mailbox's scope.");
		if (!this.deleteToExchange || !this.canWrite('exchange')) return this.noop(ident, 'drop', "Left this mailbox's scope; the Exchange copy is kept.");
		// No retry source: if this delete fails the run holds its cursors and the record is read again, still
		// out of scope (a retried deletion would be taken for a CRM deletion, and an edit would re-create it).
		this.push({
			ident,
			kind: 'delete',
			target: 'exchange',
			targetId: exchangeId,
			targetEtag: e?.item.etag,
			reason: "Left this mailbox's scope (S5/S14): the copy leaves the mailbox; the CRM record stays.",
			rowEffect: 'drop',
		});
	}

	/** Decide one paired-or-pairable ident (keyed by CRM id). */
	decide(crmId: string, cs: SideState<C>, es: SideState<C>, row: StatusRow | undefined): void {
		if (cs.kind === 'leftScope') return this.leftScope(crmId, es, row);
		const ident = this.ident(crmId);
		const c = cs.kind === 'present' ? cs.p : undefined;
		const e = es.kind === 'present' ? es.p : undefined;
		const cChanged = cs.kind === 'present' && cs.changed;
		const eChanged = es.kind === 'present' && es.changed;

		if (c && e) {
			if (cChanged && eChanged) return this.bothChanged(crmId, row, c, e);
			if (cChanged) {
				if (this.canWrite('exchange')) return this.write('update', 'exchange', ident, c, { p: e }, 'Changed in the CRM.');
				return this.noop(ident, 'keep', 'Changed in the CRM; direction is Exchange → CRM only.');
			}
			if (eChanged) {
				if (this.canWrite('crm')) return this.write('update', 'crm', ident, e, { p: c }, 'Changed in Exchange.');
				return this.noop(ident, 'keep', 'Changed in Exchange; direction is CRM → Exchange only.');
			}
			return this.noop(ident, 'pair', 'Unchanged.', c, e);
		}

		if (c) {
			// Exchange side is deleted, unchanged, absent, or known only by the CRM record's ident.
			if (es.kind === 'unchanged' || es.kind === 'linked') {
				if (!cChanged) return this.noop(ident, 'pair', 'Unchanged (metadata only).', c, undefined, { exchange: this.rowRef('exchange', row) });
				if (!this.canWrite('exchange')) return this.noop(ident, 'keep', 'Changed in the CRM; direction is Exchange → CRM only.');
				const id = es.kind === 'linked' ? es.id : row?.exchangeId;
				return this.write('update', 'exchange', ident, c, { id, base: row?.mergeBase }, 'Changed in the CRM.', { exchange: this.rowRef('exchange', row, id) });
			}
			if (es.kind === 'deleted' && !cChanged) {
				if (this.deleteToCrm && this.canWrite('crm')) return this.remove('crm', ident, crmId, c.item.etag, 'Deleted in Exchange.', row?.exchangeId);
				return this.noop(ident, 'unlinkExchange', 'Deleted in Exchange; the CRM record is kept.', c);
			}
			// New in the CRM, re-created after a deletion (a change beats a deletion), or paired-but-gone.
			if (!row && !this.creatable(c)) return this.noop(ident, 'keep', 'Outside the sync window or modified-since filter.');
			if (row && !cChanged) return this.noop(ident, 'keep', 'Exchange copy deleted; the CRM record is kept.');
			if (!this.canWrite('exchange')) return this.noop(ident, 'keep', 'New in the CRM; direction is Exchange → CRM only.');
			return this.write('create', 'exchange', ident, c, {}, row ? 'Changed in the CRM after its Exchange copy was deleted.' : 'New in the CRM.', {
				writeIdent: ident,
			});
		}

		if (e) {
			if (cs.kind === 'unchanged' || cs.kind === 'linked') {
				if (!eChanged) return this.noop(ident, 'pair', 'Unchanged (metadata only).', undefined, e, { crm: this.rowRef('crm', row, crmId) });
				if (!this.canWrite('crm')) return this.noop(ident, 'keep', 'Changed in Exchange; direction is CRM → Exchange only.');
				return this.write('update', 'crm', ident, e, { id: crmId, base: row?.mergeBase }, 'Changed in Exchange.', { crm: this.rowRef('crm', row, crmId) });
			}
			if (cs.kind === 'deleted' && !eChanged) {
				if (this.deleteToExchange && this.canWrite('exchange')) return this.remove('exchange', ident, e.item.id, e.item.etag, 'Deleted in the CRM.', crmId);
				return this.noop(ident, 'drop', 'Deleted in the CRM; the Exchange item is kept.');
			}
			if (!row && !this.creatable(e, 'exchange')) return this.noop(ident, 'keep', 'Outside the sync window or without the required category.');
			if (!this.canWrite('crm')) return this.noop(ident, 'keep', 'Direction is CRM → Exchange only.');
			// Deleted in the CRM but changed in Exchange, or an ident pointing at a CRM record we never saw:
			// the change wins and becomes a new CRM record.
			return this.write('create', 'crm', exchangeBornIdent(e.item.id), e, {}, 'Changed in Exchange after its CRM record was deleted.', {
				writeIdent: exchangeBornIdent(e.item.id),
			});
		}

		// Neither side present in this run.
		if (!row) return;
		if (cs.kind === 'deleted' && es.kind === 'deleted') return this.noop(ident, 'drop', 'Deleted on both sides.');
		if (cs.kind === 'deleted' && row.exchangeId && es.kind !== 'absent') {
			if (this.deleteToExchange && this.canWrite('exchange')) return this.remove('exchange', ident, row.exchangeId, undefined, 'Deleted in the CRM.', crmId);
			return this.noop(ident, 'drop', 'Deleted in the CRM; the Exchange item is kept.');
		}
		if (cs.kind === 'deleted') return this.noop(ident, 'drop', 'Deleted in the CRM.');
		if (es.kind === 'deleted') {
			if (this.deleteToCrm && this.canWrite('crm')) return this.remove('crm', ident, crmId, undefined, 'Deleted in Exchange.', row.exchangeId);
			return this.noop(ident, 'unlinkExchange', 'Deleted in Exchange; the CRM record is kept.', undefined, undefined, { crm: this.rowRef('crm', row, crmId) });
		}
	}

	/** A status row's side as a ref (etag and hash are hashes already; commit copies them through). */
	rowRef(side: Side, row: StatusRow | undefined, id?: string): SideRef | undefined {
		if (!row) return undefined;
		if (side === 'crm') return id ? { id, etag: `#${row.crmEtag}`, hash: row.crmHash } : undefined;
		const exId = id ?? row.exchangeId;
		return exId ? { id: exId, etag: `#${row.exchangeEtag}`, hash: row.exchangeHash } : undefined;
	}

	creatable(p: Prepared<C>, from: Side = 'crm'): boolean {
		if (!inWindow(this.options.component, p.record, this.options.windowFrom)) return false;
		const category = this.options.requiredCategoryForCrm;
		if (from === 'exchange' && category) {
			const categories = (p.record as { categories?: string[] }).categories ?? [];
			if (!categories.some((c) => c.toLowerCase() === category.toLowerCase())) return false;
		}
		const since = this.options.modifiedSince && safeInstant(this.options.modifiedSince);
		if (since && p.modifiedAt && p.modifiedAt < since) return false;
		return true;
	}

	isChanged(p: Prepared<C>, side: Side, row: StatusRow | undefined): boolean {
		if (!row) return true;
		if (side === 'exchange' && !row.exchangeId) return true;
		const [etag, hash] = side === 'crm' ? [row.crmEtag, row.crmHash] : [row.exchangeEtag, row.exchangeHash];
		return p.etagHash !== etag && p.hash !== hash;
	}
}

/**
 * A feed may report one record more than once in a run (Graph's calendar delta lists a series once for
 * every page that holds one of its occurrences); the last report is the newest.
 */
function latestById<T extends { id: string }>(items: readonly T[]): T[] {
	const byId = new Map<string, T>();
	for (const item of items) {
		byId.delete(item.id);
		byId.set(item.id, item);
	}
	return [...byId.values()];
}

/**
 * Two Exchange items carry one ident: an Outlook copy, or two overlapping runs that both created the copy.
 * A twin with the content last synced (or the pair's content) is the product's own surplus copy and holds
 * nothing of the user's; a twin with other content is the user's copy and becomes a new record.
 */
function isSurplusTwin<C extends Component>(twin: Prepared<C>, pair: Prepared<C>, row: StatusRow | undefined, crm: Prepared<C> | undefined): boolean {
	return [pair.hash, row?.exchangeHash, row?.crmHash, crm?.hash].includes(twin.hash);
}

function guardEmptySide(side: Side, changes: SideChanges, known: number, deletedKnown: number, options: PlanOptions): void {
	// Losing the single synced item is ordinary; losing all of two or more at once is what a wrong folder,
	// a revoked permission or a wiped mailbox looks like.
	if (known < 2 || changes.items.length > 0) return;
	const lostAll = changes.complete || deletedKnown >= known;
	if (!lostAll) return;
	// The option empties a small folder on purpose; a big one needs its size said out loud (allowEmptyUpTo).
	const limit = options.allowEmptyUpTo ?? Infinity;
	if (options.allowEmptySide && known <= limit) return;
	throw new EmptySideError(side, known, options.allowEmptySide ? limit : undefined);
}

/**
 * Plan one run (DESIGN.md §2). Pure: reads the status table and both sides' changes, returns the actions.
 * Stages the sides' new cursors as pending on the table; `commit` promotes them.
 */
export function plan<C extends Component>(
	table: StatusTable,
	crmFeed: SideChanges<C>,
	exchangeFeed: SideChanges<C>,
	options: PlanOptions<C>,
): SyncPlan<C> {
	const planner = new Planner(options);
	// Failed writes of earlier runs come back as changes of their side (DESIGN.md §2); copies created last
	// run that the Exchange delta does not list were deleted meanwhile.
	const retries = takeUpRetries(table, crmFeed, withMissingEchoes(table, exchangeFeed, options.component, options.windowFrom));
	const { crm, exchange } = retries;
	const { crmInstance, crmModule } = options;

	const crmItems = new Map<string, Prepared<C>>();
	const exchangeBornLinks = new Map<string, string>(); // exchange id → crm id, from CRM records' idents
	const bornClaims = new Map<string, string[]>();
	for (const item of latestById(crm.items)) {
		crmItems.set(item.id, planner.prepare(item));
		const exId = parseExchangeBornIdent(item.ident);
		if (exId) bornClaims.set(exId, [...(bornClaims.get(exId) ?? []), item.id]);
	}
	// Two CRM records made from one Exchange item (two overlapping runs): the paired one keeps it.
	for (const [exId, crmIds] of bornClaims) {
		const pair = crmIds.find((id) => table.get(id)?.exchangeId === exId) ?? table.crmIdForExchange(exId) ?? crmIds[0];
		exchangeBornLinks.set(exId, crmIds.includes(pair) ? pair : crmIds[0]);
		for (const twinId of crmIds) {
			if (twinId === exchangeBornLinks.get(exId)) continue;
			const twin = crmItems.get(twinId) as Prepared<C>;
			crmItems.delete(twinId);
			planner.crmTwin(twin, crmItems.get(exchangeBornLinks.get(exId) as string), table.get(twinId));
		}
	}
	const crmDeleted = new Set((crm.deletedIds ?? []).filter((id) => !crmItems.has(id)));
	const crmLeftScope = new Set((crm.leftScopeIds ?? []).filter((id) => !crmItems.has(id) && !crmDeleted.has(id)));

	const exchangeByCrm = new Map<string, Prepared<C>>();
	const exchangeNew: Array<Prepared<C>> = [];
	const claims = new Map<string, Array<{ p: Prepared<C>; known: boolean }>>();
	for (const item of latestById(exchange.items)) {
		if (isForeignIdent(item.ident, crmInstance, crmModule)) continue;
		// A live CRM record created from this item claims it first (its pair may not be committed yet, e.g.
		// after a crash); then the committed pairing; then the item's own ident, which may point at a CRM
		// record that no longer exists.
		const linked = exchangeBornLinks.get(item.id) ?? table.crmIdForExchange(item.id);
		const crmId = linked ?? parseCrmIdent(item.ident, crmInstance, crmModule);
		const p = planner.prepare(item);
		if (crmId === undefined) exchangeNew.push(p);
		else claims.set(crmId, [...(claims.get(crmId) ?? []), { p, known: linked !== undefined }]);
	}
	for (const [crmId, claimants] of claims) {
		const pair = claimants.find((c) => c.known) ?? claimants[0];
		exchangeByCrm.set(crmId, pair.p);
		for (const twin of claimants) {
			if (twin === pair) continue;
			if (isSurplusTwin(twin.p, pair.p, table.get(crmId), crmItems.get(crmId))) planner.removeTwin(twin.p, crmId);
			else exchangeNew.push(twin.p);
		}
	}
	// Which key owns each Exchange item in this run; a status row whose item now belongs to another key
	// has lost it (its Exchange side is absent, not unchanged).
	const exchangeOwner = new Map<string, string>();
	for (const [exId, crmId] of exchangeBornLinks) exchangeOwner.set(exId, crmId);
	for (const [crmId, p] of exchangeByCrm) exchangeOwner.set(p.item.id, crmId);
	const ownedElsewhere = (crmId: string, exId: string | undefined) =>
		exId !== undefined && exchangeOwner.has(exId) && exchangeOwner.get(exId) !== crmId;

	const exchangeDeleted = new Set<string>();
	for (const exId of exchange.deletedIds ?? []) {
		const crmId = exchangeBornLinks.get(exId) ?? table.crmIdForExchange(exId);
		if (crmId !== undefined && !exchangeByCrm.has(crmId)) exchangeDeleted.add(crmId);
	}

	// Records leaving the scope all at once (a wrong user id in the filter) empty the mailbox too.
	const knownCrmDeleted = [...crmDeleted, ...crmLeftScope].filter((id) => table.get(id) !== undefined).length;
	guardEmptySide('crm', crm, table.countWith('crm'), knownCrmDeleted, options);
	guardEmptySide('exchange', exchange, table.countWith('exchange'), exchangeDeleted.size, options);

	const keys = new Set<string>([...crmItems.keys(), ...exchangeByCrm.keys(), ...crmDeleted, ...crmLeftScope, ...exchangeDeleted]);
	if (crm.complete || exchange.complete) for (const [crmId] of table.entries()) keys.add(crmId);

	const windowed = options.component !== 'contact' && options.windowFrom !== undefined;
	for (const crmId of keys) {
		const row = table.get(crmId);
		const c = crmItems.get(crmId);
		const e = exchangeByCrm.get(crmId);
		let cs: SideState<C>;
		if (c) cs = { kind: 'present', p: c, changed: planner.isChanged(c, 'crm', row) };
		else if (crmDeleted.has(crmId)) cs = { kind: 'deleted' };
		else if (crmLeftScope.has(crmId)) cs = { kind: 'leftScope' };
		else if (crm.complete) cs = row ? { kind: 'deleted' } : { kind: 'absent' };
		else if (row) cs = { kind: 'unchanged' };
		else if (e && parseCrmIdent(e.item.ident, crmInstance, crmModule) === crmId) cs = { kind: 'linked', id: crmId };
		else cs = { kind: 'absent' };

		let es: SideState<C>;
		if (e) es = { kind: 'present', p: e, changed: planner.isChanged(e, 'exchange', row) };
		else if (ownedElsewhere(crmId, row?.exchangeId)) es = { kind: 'absent' };
		else if (exchangeDeleted.has(crmId)) es = { kind: 'deleted' };
		else if (exchange.complete) es = row?.exchangeId ? { kind: 'deleted' } : { kind: 'absent' };
		else if (row?.exchangeId) es = { kind: 'unchanged' };
		else if (!row && c && parseExchangeBornIdent(c.item.ident)) es = { kind: 'linked', id: parseExchangeBornIdent(c.item.ident) as string };
		else es = { kind: 'absent' };

		// A complete listing of a windowed component omits items that merely left the window: absence
		// there is a deletion only when the other side proves the pair is still inside the window.
		if (windowed && row) {
			const otherInWindow = (p: Prepared<C> | undefined) => p !== undefined && inWindow(options.component, p.record, options.windowFrom);
			if (crm.complete && !c && !crmDeleted.has(crmId) && !crmLeftScope.has(crmId) && !otherInWindow(e)) cs = { kind: 'unchanged' };
			if (exchange.complete && !e && !exchangeDeleted.has(crmId) && row.exchangeId && !otherInWindow(c)) es = { kind: 'unchanged' };
			if (cs.kind === 'unchanged' && es.kind === 'unchanged' && !c && !e && (crm.complete || exchange.complete)) {
				planner.noop(planner.ident(crmId), 'drop', 'Left the sync window.');
				continue;
			}
		}
		planner.decide(crmId, cs, es, row);
	}

	for (const e of exchangeNew) {
		const ident = exchangeBornIdent(e.item.id);
		if (!planner.creatable(e, 'exchange')) {
			planner.noop(ident, 'keep', 'Outside the sync window or without the required category.');
			continue;
		}
		if (!planner.canWrite('crm')) {
			planner.noop(ident, 'keep', 'New in Exchange; direction is CRM → Exchange only.');
			continue;
		}
		planner.write('create', 'crm', ident, e, {}, 'New in Exchange.', { writeIdent: ident });
	}

	const runId = options.runId ?? new Date().toISOString();
	table.pending = {
		run: runId,
		crm: crm.cursor,
		ex: exchange.cursor,
		...(retries.taken.length ? { q: retries.taken } : {}),
		...(exchangeFeed.partial ? { e: 1 as const } : {}),
	};

	const actions = holdWaitingRetries(planner.actions, retries.waiting, retries.due);
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
	};
}
