/**
 * What a run's options mean for every decision of the planner: which fields are synced, which way writes
 * may go, how a record is prepared and compared, and whether it may be created (window, filters).
 */
import { toUtcInstant } from '../model/normalize';
import type { Component, ComponentRecordMap } from '../model/types';
import { comparableRecord, contentHash, fieldsOf, prepareRecord } from './content';
import { crmIdent } from './ident';
import { inWindow } from './rules';
import { etagHash, type StatusRow } from './state';
import type { ConflictPolicy, Direction, PlanOptions, Side, SideItem } from './types';

/** A side's item with its synced fields normalized and hashed. */
export interface Prepared<C extends Component> {
	item: SideItem<C>;
	record: ComponentRecordMap[C];
	hash: string;
	etagHash: string;
	modifiedAt?: string;
}

export function safeInstant(value: string | undefined): string | undefined {
	if (!value) return undefined;
	try {
		return toUtcInstant(value);
	} catch {
		return undefined;
	}
}

export class PlanContext<C extends Component> {
	readonly fields: readonly string[];
	readonly direction: Direction;
	readonly policy: ConflictPolicy;
	readonly deleteToExchange: boolean;
	readonly deleteToCrm: boolean;

	constructor(readonly options: PlanOptions<C>) {
		this.fields = fieldsOf(options.component, options.syncedFields);
		this.direction = options.direction ?? 'both';
		this.policy = options.policy ?? 'lastModifiedWins';
		this.deleteToExchange = options.propagateDeletes?.toExchange ?? true;
		// S6: the sync never deletes CRM contacts (or accounts).
		this.deleteToCrm = options.component !== 'contact' && (options.propagateDeletes?.toCrm ?? true);
	}

	get component(): C {
		return this.options.component;
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

	/** See comparableRecord. */
	comparable(record: object): object {
		return comparableRecord(this.options.component, record, this.options.enrichmentMarker);
	}

	/** A2, S13, S15: whether a record not yet paired may be created on the other side. */
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

	/** Changed since the last sync: both the etag and the content differ from the status row's. */
	isChanged(p: Prepared<C>, side: Side, row: StatusRow | undefined): boolean {
		if (!row) return true;
		if (side === 'exchange' && !row.exchangeId) return true;
		const [etag, hash] = side === 'crm' ? [row.crmEtag, row.crmHash] : [row.exchangeEtag, row.exchangeHash];
		return p.etagHash !== etag && p.hash !== hash;
	}
}
