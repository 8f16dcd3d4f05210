import type { Component, ComponentRecordMap } from '../model/types';
import type { PendingRun } from './state';

export type Side = 'crm' | 'exchange';

/** S2 */
export type Direction = 'both' | 'crmToExchange' | 'exchangeToCrm';

/** S3; `merge` decides field by field and falls back to `mergeFallback` for fields changed on both sides. */
export type ConflictPolicy = 'none' | 'crmWins' | 'exchangeWins' | 'lastModifiedWins' | 'merge';
export type MergeFallback = Exclude<ConflictPolicy, 'merge'>;

/** One record as a side reports it, already mapped to the canonical model. */
export interface SideItem<C extends Component = Component> {
	id: string;
	/** CRM: version/modified stamp; Exchange: @odata.etag / ChangeKey. */
	etag: string;
	/**
	 * Pairing hint stored on the record itself (DESIGN.md §2), so the pairing survives lost state:
	 * Exchange items carry the CRM ident (`<instance>:<module>:<crmId>`), CRM records born in Exchange
	 * carry `x:<exchangeId>`.
	 */
	ident?: string;
	/** ISO instant, for lastModifiedWins and S13. */
	modifiedAt?: string;
	record: ComponentRecordMap[C];
}

/**
 * What one side reports for a run. `complete: true` means `items` is the full listing (initial sync,
 * resync, Graph 410 fallback): an item missing from it is deleted. Otherwise `items` are the changes since
 * the last cursor, and deletions are explicit in `deletedIds`.
 */
export interface SideChanges<C extends Component = Component> {
	complete: boolean;
	items: Array<SideItem<C>>;
	deletedIds?: string[];
	/** The side's cursor after these changes; committed only when every action succeeded. */
	cursor?: string;
	/** More pages follow (the reader stopped early): what is missing here may still come. */
	partial?: boolean;
	/**
	 * CRM only: records that left this mailbox's scope (assigned to someone else S5, filtered out S14). Not
	 * deleted: their Exchange copy leaves the mailbox, and nothing is created again from it.
	 */
	leftScopeIds?: string[];
}

export interface PlanOptions<C extends Component = Component> {
	component: C;
	/** S25: identifies the CRM instance; part of every ident. */
	crmInstance: string;
	/** CRM module name used in idents (contacts, events, tasks). */
	crmModule: string;
	direction?: Direction;
	policy?: ConflictPolicy;
	/** For `merge`: decides fields changed on both sides. Default lastModifiedWins. */
	mergeFallback?: MergeFallback;
	/**
	 * Whether deletions propagate (S6). Defaults: both true, except that deletions never reach CRM contacts
	 * or accounts, whatever this says.
	 */
	propagateDeletes?: { toExchange?: boolean; toCrm?: boolean };
	/** A2: appointments/tasks ending before this instant are outside the window. */
	windowFrom?: string;
	/** S13: unpaired records not modified since this instant are not synced. */
	modifiedSince?: string;
	/** Canonical fields the mapping syncs; only these count for the hash. Default: all. */
	syncedFields?: readonly string[];
	/** Per synced field, a code of its CRM mapping (lib/mapping `mappingCodes`); a changed code re-keys the merge bases (mapping-change.ts). */
	mappingCodes?: Readonly<Record<string, string>>;
	/** Canonical fields that must be present before a record is written to a side (S12, e.g. CRM mandatory fields). */
	requiredFields?: Partial<Record<Side, readonly string[]>>;
	/** Marker line below which the mapping writes the CRM's enrichment into appointment texts (S21); not hashed. */
	enrichmentMarker?: string;
	/** S15: an Exchange item becomes a new CRM record only when it carries this category. */
	requiredCategoryForCrm?: string;
	/** The empty-side guard stops a run in which a side suddenly lost everything; set to proceed anyway. */
	allowEmptySide?: boolean;
	/** With allowEmptySide: proceed only when at most this many synced records are lost (default: no limit). */
	allowEmptyUpTo?: number;
	/** Run id for pending cursors; default a timestamp. */
	runId?: string;
}

export type ActionKind = 'create' | 'update' | 'delete' | 'conflict' | 'noop';

/** What committing a successful action does to the status row of its ident. */
export type RowEffect = 'pair' | 'unlinkExchange' | 'drop' | 'keep';

export interface SideRef {
	id: string;
	etag: string;
	hash: string;
}

export interface PlannedAction<C extends Component = Component> {
	seq: number;
	ident: string;
	/** CRM id of the pair, when known before the writes (not for records new in Exchange). */
	crmId?: string;
	kind: ActionKind;
	/** Side to write; null for conflicts and no-ops. */
	target: Side | null;
	/** Id of the record on the target side (update, delete). */
	targetId?: string;
	/** If-Match / ChangeKey for the target write. */
	targetEtag?: string;
	/** Canonical record to write (create, update). */
	record?: ComponentRecordMap[C];
	/** For updates: canonical fields whose value changes on the target. */
	changedFields?: string[];
	/**
	 * Update only these fields of the target record and keep the others as they are there (S17: a private
	 * appointment's details stay in Exchange). The writer reads the current record to merge.
	 */
	onlyFields?: string[];
	/** Pairing hint to store with a created record: CRM ident on Exchange, `x:<exchangeId>` on the CRM. */
	writeIdent?: string;
	reason: string;
	rowEffect: RowEffect;
	/** The sides as read in this run (for the commit). */
	crm?: SideRef;
	exchange?: SideRef;
	/** Conflicts: the two versions, for the notification (S3) or the conflict entry (S12). */
	conflict?: {
		/** `pending`: an earlier write of this change failed and waits for its retry (back-off). */
		kind: 'bothChanged' | 'invalid' | 'pending' | 'leftScope' | 'duplicate';
		side?: Side;
		crmRecord?: ComponentRecordMap[C];
		exchangeRecord?: ComponentRecordMap[C];
	};
	/** Merge: field hashes of the result, stored as the base for the next merge. */
	mergeBase?: string;
	/**
	 * Values a policy overwrote (issue 12 §2, "the loser of every conflict is reported"): per field the
	 * two sides' values and the side that won. Set on writes decided by last-modified-wins, CRM/Exchange
	 * wins, or a merge's fallback.
	 */
	overridden?: Array<{ field: string; crm: unknown; exchange: unknown; winner: Side }>;
	/**
	 * The change this action carries out: the side it was read from and that record as read (a deletion: id
	 * only). Commit keeps it as a pending retry when the action fails, because the side's cursor moves on.
	 */
	source?: SourceRef;
	/** A write that waits for its retry (back-off) or repeats one: the failure before, shown to the user. */
	retry?: { attempts: number; lastError: string; waitRuns: number; conflictId?: string };
}

/** Where an action's change came from (see PlannedAction.source). */
export interface SourceRef {
	side: Side;
	id: string;
	etag?: string;
	ident?: string;
	modifiedAt?: string;
	deleted?: true;
}

export interface ActionOutcome<C extends Component = Component> {
	seq: number;
	ok: boolean;
	/** Id of the written record (create: the new id). */
	id?: string;
	etag?: string;
	/** The record as the target stored it (read back), if known; its hash becomes the status hash. */
	record?: ComponentRecordMap[C];
	error?: string;
	/** 'conflict': the target changed meanwhile (412 / stale ChangeKey); 'notFound': it is gone. */
	code?: 'conflict' | 'notFound' | 'invalid' | 'transient' | 'permission' | 'other';
}

export interface RunCounts {
	created: number;
	updated: number;
	deleted: number;
	conflicts: number;
	skipped: number;
	errors: number;
	unchanged: number;
}

export interface SyncPlan<C extends Component = Component> {
	runId: string;
	component: C;
	actions: Array<PlannedAction<C>>;
	counts: { toCrm: number; toExchange: number; conflicts: number; noops: number };
	/** The cursors (and taken-up retries) to stage on the status table as pending; commit promotes them. */
	pending: PendingRun;
}

export class EmptySideError extends Error {
	constructor(
		readonly side: Side,
		readonly knownItems: number,
		/** Set when emptying was allowed, but for fewer records than were lost. */
		readonly allowedUpTo?: number,
	) {
		super(
			`The ${side === 'crm' ? 'CRM' : 'Exchange'} side reported no items although ${knownItems} were synced before; ` +
				(allowedUpTo === undefined
					? 'the run was stopped so that nothing is deleted on the other side.'
					: `emptying is allowed for up to ${allowedUpTo} records only, so the run was stopped and nothing was deleted on the other side.`),
		);
		this.name = 'EmptySideError';
	}
}
