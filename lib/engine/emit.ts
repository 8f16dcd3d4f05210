/**
 * Emit: how a decision becomes an action with its reason, the refs commit needs to update the status row,
 * and the retry source of a write. Holds no rule of its own except S12 (a write is validated first) and
 * S17 (an update of a private appointment keeps its details).
 */
import type { Component, ComponentRecordMap } from '../model/types';
import { changedFields, changedSinceBase, PRIVATE_EVENT_FIELDS, withoutUnheldClears } from './content';
import { parseCrmIdent } from './ident';
import { mergeFields } from './merge';
import type { PlanContext, Prepared } from './plan-context';
import { validationError } from './rules';
import type { StatusRow } from './state';
import type { PlannedAction, Side, SideRef, SourceRef } from './types';

type NewAction<C extends Component> = Omit<PlannedAction<C>, 'seq' | 'crmId'>;

function otherSide(side: Side): Side {
	return side === 'crm' ? 'exchange' : 'crm';
}

export class ActionLog<C extends Component> {
	readonly actions: Array<PlannedAction<C>> = [];

	constructor(private readonly ctx: PlanContext<C>) {}

	ref(p: Prepared<C>): SideRef {
		return { id: p.item.id, etag: p.item.etag, hash: p.hash };
	}

	/** A status row's side as a ref (etag and hash are hashes already; commit copies them through). */
	rowRef(side: Side, row: StatusRow | undefined, id?: string): SideRef | undefined {
		if (!row) return undefined;
		if (side === 'crm') return id ? { id, etag: `#${row.crmEtag}`, hash: row.crmHash } : undefined;
		const exId = id ?? row.exchangeId;
		return exId ? { id: exId, etag: `#${row.exchangeEtag}`, hash: row.exchangeHash } : undefined;
	}

	/** The change an action carries out, kept by commit as a pending retry if the write fails. */
	private sourceOf(side: Side, p: Prepared<C>): SourceRef {
		const { id, etag, ident, modifiedAt } = p.item;
		return { side, id, etag, ...(ident !== undefined ? { ident } : {}), ...(modifiedAt !== undefined ? { modifiedAt } : {}) };
	}

	push(action: NewAction<C>): void {
		const { crmInstance, crmModule } = this.ctx.options;
		const crmId = parseCrmIdent(action.ident, crmInstance, crmModule);
		this.actions.push({ seq: this.actions.length, ...(crmId !== undefined ? { crmId } : {}), ...action });
	}

	/** A write of `source` onto `target`, after validation (S12): an invalid record becomes a conflict. */
	write(
		kind: 'create' | 'update',
		target: Side,
		ident: string,
		source: Prepared<C>,
		other: { p?: Prepared<C>; id?: string; base?: string },
		reason: string,
		extra: Partial<PlannedAction<C>> = {},
	): void {
		const required = this.ctx.options.requiredFields?.[target] ?? [];
		const invalid = validationError(this.ctx.component, source.record, required);
		const sourceSide = otherSide(target);
		const refs =
			sourceSide === 'crm'
				? { crm: this.ref(source), exchange: other.p && this.ref(other.p) }
				: { exchange: this.ref(source), crm: other.p && this.ref(other.p) };
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
			this.ctx.component === 'event' && target === 'exchange' && kind === 'update' && !other.p && (source.record as { isPrivate?: boolean }).isPrivate === true;
		this.push({
			ident,
			kind,
			target,
			targetId: kind === 'update' ? (other.p?.item.id ?? other.id) : undefined,
			targetEtag: kind === 'update' ? other.p?.item.etag : undefined,
			record,
			...(privateUnseen ? { onlyFields: [...PRIVATE_EVENT_FIELDS] } : {}),
			changedFields: kind === 'update' ? this.changedBy(record, other) : undefined,
			reason,
			rowEffect: 'pair',
			...refs,
			source: this.sourceOf(sourceSide, source),
			...extra,
		});
	}

	/** The fields an update changes: against the target's current record, or else against the pair's base. */
	private changedBy(record: ComponentRecordMap[C], other: { p?: Prepared<C>; base?: string }): string[] {
		const fields = this.ctx.fields;
		const source = this.ctx.comparable(record);
		if (!other.p) return changedSinceBase(source, other.base, fields);
		return withoutUnheldClears(changedFields(this.ctx.comparable(other.p.record), source, fields), source, other.base, fields);
	}

	/**
	 * S17: the CRM knows a private appointment only as a busy block, so an update from the CRM may move it,
	 * but must not overwrite the subject, place and text the owner keeps in Exchange.
	 */
	private keepPrivateDetails(kind: 'create' | 'update', target: Side, source: Prepared<C>, current: Prepared<C> | undefined): ComponentRecordMap[C] {
		const existing = current?.record as { isPrivate?: boolean } | undefined;
		if (this.ctx.component !== 'event' || target !== 'exchange' || kind !== 'update' || existing?.isPrivate !== true) return source.record;
		return mergeFields(current?.record as ComponentRecordMap[C], source.record, PRIVATE_EVENT_FIELDS);
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
		this.push({
			ident,
			kind: 'delete',
			target,
			targetId: id,
			targetEtag: etag,
			reason,
			rowEffect: 'drop',
			...(deletedId ? { source: { side: otherSide(target), id: deletedId, deleted: true as const } } : {}),
		});
	}

	/** Both sides changed and nothing may be written: the pair stays as it is, with both versions reported. */
	conflict(ident: string, reason: string, c: Prepared<C>, e: Prepared<C>): void {
		this.push({
			ident,
			kind: 'conflict',
			target: null,
			reason,
			rowEffect: 'keep',
			crm: this.ref(c),
			exchange: this.ref(e),
			conflict: { kind: 'bothChanged', crmRecord: c.record, exchangeRecord: e.record },
		});
	}

	/** The fields a winner overwrites, with both values, for the notification output. */
	overridden(c: Prepared<C>, e: Prepared<C>, fields: readonly string[], winner: Side): NonNullable<PlannedAction<C>['overridden']> {
		const crm = c.record as Record<string, unknown>;
		const exchange = e.record as Record<string, unknown>;
		return fields.map((field) => ({ field, crm: crm[field], exchange: exchange[field], winner }));
	}
}
