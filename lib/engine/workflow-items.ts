import type { Component, ComponentRecordMap } from '../model/types';
import type { ActionOutcome, PlannedAction, SideChanges, SideItem } from './types';

/**
 * The JSON that travels between the nodes of a sync workflow (Plan → Field Mapping → CRM → Exchange →
 * Commit). Pure data, so the contract is testable without n8n.
 */

/** One planned action as an n8n item. Each writer node applies the actions for its side and adds `outcome`. */
export interface ActionItem<C extends Component = Component> extends PlannedAction<C> {
	syncAction: true;
	runId: string;
	table: string;
	component: C;
	dryRun?: boolean;
	/** CRM fields, added by Field Mapping (canonical → CRM) for actions that target the CRM. */
	fields?: Record<string, unknown>;
	outcome?: ActionOutcome<C>;
}

/** Closes a plan's item stream, so that Commit runs (and commits the cursors) even when nothing changed. */
export interface RunMarkerItem {
	syncRun: true;
	runId: string;
	table: string;
	component: Component;
	/** The mailbox of the plan, for the run log's status row. */
	mailbox?: string;
	dryRun?: boolean;
	counts: { toCrm: number; toExchange: number; conflicts: number; noops: number };
	/** Canonical fields the mapping syncs; Commit hashes the written records over the same fields. */
	syncedFields?: string[];
	/** Conflict policy of the plan; merge keeps per-field bases in the state. */
	policy?: string;
	enrichmentMarker?: string;
}

export function isActionItem(json: unknown): json is ActionItem {
	return typeof json === 'object' && json !== null && (json as { syncAction?: unknown }).syncAction === true;
}

export function isRunMarker(json: unknown): json is RunMarkerItem {
	return typeof json === 'object' && json !== null && (json as { syncRun?: unknown }).syncRun === true;
}

/** Does this item ask the given side for a write? */
export function isWriteFor(json: unknown, side: 'crm' | 'exchange'): json is ActionItem {
	return isActionItem(json) && json.target === side && !json.dryRun && json.outcome === undefined;
}

type Json = Record<string, unknown>;

function str(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (typeof value === 'number') return String(value);
	return undefined;
}

function stringValues(json: Json): Record<string, string> {
	return Object.fromEntries(Object.entries(json).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

export class SideInputError extends Error {}

/** One change record: `{ id, etag, ident | exchangeIdent, modifiedAt, record }`. */
function toSideItem<C extends Component>(json: Json, where: string): SideItem<C> {
	const id = str(json.id);
	const record = json.record;
	if (!id || typeof record !== 'object' || record === null) {
		throw new SideInputError(`${where}: a change has no "id" or no canonical "record". Map CRM records with the Field Mapping node (CRM → Canonical) first.`);
	}
	return {
		id,
		etag: str(json.etag) ?? str(json.modifiedAt) ?? '',
		ident: str(json.ident) ?? str(json.exchangeIdent),
		modifiedAt: str(json.modifiedAt),
		record: record as ComponentRecordMap[C],
	};
}

/**
 * Reads one side's input items: either envelopes as the Get Changes operations output them
 * (`{ changed | changes: [...], deletedIds, cursor, fullResync }`) or one item per change record.
 * `complete` is true when the side was read without a cursor (first run, reset) or the server forced a
 * full resync: then absence means deletion.
 */
export function readSideInput<C extends Component>(
	items: Json[],
	where: string,
	readWithoutCursor: boolean,
): SideChanges<C> & {
	invalid: Array<{ id?: string; reason: string }>;
	syncedFields?: string[];
	mappingCodes?: Record<string, string>;
	enrichmentMarker?: string;
} {
	const changes: Array<SideItem<C>> = [];
	const deletedIds: string[] = [];
	const invalid: Array<{ id?: string; reason: string }> = [];
	let cursor: string | undefined;
	let fullResync = false;
	let partial = false;
	let syncedFields: string[] | undefined;
	let mappingCodes: Record<string, string> | undefined;
	let enrichmentMarker: string | undefined;
	for (const json of items) {
		const list = (Array.isArray(json.changed) ? json.changed : Array.isArray(json.changes) ? json.changes : undefined) as Json[] | undefined;
		if (list || Array.isArray(json.deletedIds) || 'cursor' in json) {
			for (const change of list ?? []) changes.push(toSideItem<C>(change, where));
			for (const id of (json.deletedIds as unknown[] | undefined) ?? []) if (str(id)) deletedIds.push(str(id) as string);
			for (const bad of (json.invalid as Json[] | undefined) ?? []) invalid.push({ id: str(bad.id), reason: str(bad.reason) ?? 'invalid record' });
			if (str(json.cursor)) cursor = str(json.cursor);
			if (json.fullResync === true) fullResync = true;
			// The reader's last page says whether more follow.
			partial = json.hasMore === true;
			if (typeof json.enrichmentMarker === 'string') enrichmentMarker = json.enrichmentMarker;
			if (Array.isArray(json.syncedFields)) syncedFields = json.syncedFields.filter((f): f is string => typeof f === 'string');
			if (json.mappingCodes && typeof json.mappingCodes === 'object') mappingCodes = stringValues(json.mappingCodes as Json);
		} else if (Object.keys(json).length > 0) {
			changes.push(toSideItem<C>(json, where));
		}
	}
	return {
		complete: readWithoutCursor || fullResync,
		items: changes,
		deletedIds,
		cursor,
		...(partial ? { partial } : {}),
		invalid,
		syncedFields,
		mappingCodes,
		enrichmentMarker,
	};
}
