/**
 * What the Plan node's settings mean for the engine: the CRM scope filters (S5, S14), the required
 * fields (E11) and the date windows (A2), turned into PlanOptions. The node only reads its parameters.
 */
import type { Component } from '../model/types';
import type { ConflictPolicy, Direction, MergeFallback, PlanOptions, SideChanges } from './types';

/** E11: the CRM fields a record needs before it may be created or updated there, per component. */
export const DEFAULT_REQUIRED_CRM_FIELDS: Record<Component, readonly string[]> = {
	contact: ['lastName'],
	event: ['subject', 'start', 'end'],
	task: ['subject'],
};

/** Safety net of the empty-side guard when the admin allows emptying "up to" a number of records. */
export const DEFAULT_ALLOW_EMPTY_UP_TO = 50;

/** The Plan node's settings, as a user enters them (comma-separated lists, days). */
export interface PlanSettings {
	direction: Direction;
	policy: ConflictPolicy;
	mergeFallback: MergeFallback;
	/** A2, events and tasks only: items that ended more than this many days ago are outside the window. */
	pastDays?: number;
	deleteInCrm?: boolean;
	deleteInExchange?: boolean;
	allowEmptySide?: boolean;
	allowEmptyUpTo?: number;
	requiredCrmFields?: string;
	modifiedWithinDays?: number;
	requiredCategory?: string;
}

/** S5/S14: which CRM records belong to this mailbox's view. */
export interface CrmScope {
	/** S5: only records assigned to this CRM user (not to a group). */
	assignedUserId?: string;
	/** S14: comma-separated tags; a record needs at least one of them. */
	tags?: string;
}

/** The owner and tags of a CRM record as its change item carries them. */
interface CrmScopeFields {
	assignedTo?: { type?: string; id?: string };
	tags?: string[];
}

export function commaList(value: string | undefined): string[] {
	return (value ?? '')
		.split(',')
		.map((v) => v.trim())
		.filter((v) => v !== '');
}

function daysBefore(now: Date, days: number): string {
	return new Date(now.getTime() - days * 86_400_000).toISOString();
}

function inScope(record: CrmScopeFields, userId: string, tags: string[]): boolean {
	const assignedOk = !userId || (record.assignedTo?.type === 'user' && record.assignedTo.id === userId);
	const tagsOk = tags.length === 0 || (record.tags ?? []).some((t) => tags.includes(t.toLowerCase()));
	return assignedOk && tagsOk;
}

/**
 * S5/S14: CRM records outside the scope leave this mailbox's view (`leftScopeIds`); they are not deleted
 * in the CRM. `records` are the CRM change items as read (they carry the owner and the tags, which the
 * canonical form does not).
 */
export function applyCrmScope<C extends Component>(changes: SideChanges<C>, records: readonly object[], scope: CrmScope): void {
	const userId = scope.assignedUserId?.trim() ?? '';
	const tags = commaList(scope.tags).map((t) => t.toLowerCase());
	if (!userId && tags.length === 0) return;
	const byId = new Map<string, CrmScopeFields>();
	for (const r of records) {
		const id = (r as { id?: unknown }).id;
		if (typeof id === 'string') byId.set(id, r as CrmScopeFields);
	}
	const kept = [];
	for (const item of changes.items) {
		if (inScope(byId.get(item.id) ?? {}, userId, tags)) kept.push(item);
		else changes.leftScopeIds = [...(changes.leftScopeIds ?? []), item.id];
	}
	changes.items = kept;
}

/** The engine's PlanOptions from the node's settings; `table` names the state table the run works on. */
export function planOptionsFromSettings(
	settings: PlanSettings,
	target: { component: Component; crmInstance: string; crmModule: string; table: string },
	sides: Pick<PlanOptions, 'syncedFields' | 'mappingCodes' | 'enrichmentMarker'>,
	now: Date = new Date(),
): PlanOptions {
	const required = settings.requiredCrmFields?.trim() ? commaList(settings.requiredCrmFields) : [...DEFAULT_REQUIRED_CRM_FIELDS[target.component]];
	const pastDays = target.component === 'contact' ? undefined : settings.pastDays;
	return {
		component: target.component,
		crmInstance: target.crmInstance,
		crmModule: target.crmModule,
		syncedFields: sides.syncedFields,
		mappingCodes: sides.mappingCodes,
		enrichmentMarker: sides.enrichmentMarker,
		direction: settings.direction,
		policy: settings.policy,
		mergeFallback: settings.mergeFallback,
		propagateDeletes: { toCrm: settings.deleteInCrm !== false, toExchange: settings.deleteInExchange !== false },
		windowFrom: pastDays !== undefined ? daysBefore(now, pastDays) : undefined,
		modifiedSince: settings.modifiedWithinDays ? daysBefore(now, settings.modifiedWithinDays) : undefined,
		requiredFields: { crm: required },
		requiredCategoryForCrm: settings.requiredCategory?.trim() || undefined,
		allowEmptySide: settings.allowEmptySide === true,
		allowEmptyUpTo: typeof settings.allowEmptyUpTo === 'number' ? settings.allowEmptyUpTo : DEFAULT_ALLOW_EMPTY_UP_TO,
		runId: `${target.table}@${now.toISOString()}`,
	};
}
