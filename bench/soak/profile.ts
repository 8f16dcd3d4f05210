/**
 * What the soak needs to know about one synced component (contacts, appointments, tasks): the synced
 * fields it edits and how they look on each side, the data only one side has, how the mailbox owner
 * creates, edits and deletes items (plain Graph), and which template nodes to run. The soak, the oracle
 * and the side readers are the same for every component; only a profile differs.
 */
import type { CrmModule } from '../../lib/crm';
import type { Component } from '../../lib/model/types';
import type { OutlookUser } from './outlook';

export type Side = 'crm' | 'exchange';

/** Synced field name → value as the soak compares it (absent: not set). */
export type SyncedValues = Partial<Record<string, string>>;

export type ForeignValues = Record<string, unknown>;

export interface OutlookItem {
	id: string;
	[property: string]: unknown;
}

/** The soak's dice and round number, for generated values. */
export interface ValueSource {
	random(): number;
	round: number;
}

/** The template's node parameters that differ per component. */
export interface TemplateShape {
	/** Key of Ensure Sync Folders' output and name of Exchange Changes' folder parameter. */
	folderParameter: 'contactFolder' | 'eventFolder' | 'taskFolder';
	/** Exchange Changes' and Plan's "past days" (A2); absent for contacts. */
	pastDays?: number;
}

export interface SoakComponent {
	readonly name: Component;
	readonly crmModule: CrmModule;
	readonly template: TemplateShape;
	/** The synced fields the soak edits (each may stand for several canonical fields). */
	readonly fields: readonly string[];
	/** Fields a "clear" may empty. */
	readonly clearable: readonly string[];
	/** S6: an Outlook deletion deletes the CRM record too (appointments, tasks), or never (contacts). */
	readonly exchangeDeletionReachesCrm: boolean;
	/** CRM fields the mapping does not know. */
	readonly crmOnlyFields: readonly string[];

	value(field: string, source: ValueSource): string;

	/** The soak key of a CRM record (from the field that holds `Soak <key>`). */
	crmKey(fields: Record<string, unknown>): string | undefined;
	crmValues(fields: Record<string, unknown>): SyncedValues;
	/** CRM fields of an edit of synced fields ('' clears). */
	crmPatch(values: SyncedValues): Record<string, string>;
	crmCreate(key: string, values: SyncedValues, crmOnly: Record<string, string>): Record<string, string>;
	crmOnlyValues(key: string, source: ValueSource): Record<string, string>;

	folderId(outlook: OutlookUser): Promise<string>;
	list(outlook: OutlookUser, folderId: string): Promise<OutlookItem[]>;
	get(outlook: OutlookUser, folderId: string, id: string): Promise<OutlookItem>;
	exchangeKey(item: OutlookItem): string | undefined;
	exchangeValues(item: OutlookItem): SyncedValues;
	/** The Exchange-only properties as comparable JSON (defaults and blanks left out). */
	exchangeOnly(item: OutlookItem): ForeignValues;
	/** Exchange-only properties the owner gives a new item. */
	newExchangeOnly(key: string, source: ValueSource): ForeignValues;
	createExchange(outlook: OutlookUser, folderId: string, key: string, values: SyncedValues, exchangeOnly: ForeignValues): Promise<void>;
	updateExchange(outlook: OutlookUser, folderId: string, current: OutlookItem, values: SyncedValues): Promise<void>;
	/** The owner changes one Exchange-only property; returns what is expected of them afterwards. */
	editExchangeOnly(outlook: OutlookUser, folderId: string, current: OutlookItem, expected: ForeignValues, source: ValueSource): Promise<ForeignValues>;
	deleteExchange(outlook: OutlookUser, folderId: string, id: string): Promise<void>;
	/** Exchange-only properties that a write of this synced field replaces (an HTML body by a new description). */
	replaces(field: string): readonly string[];
}

export const KEY_PREFIX = 'Soak ';

export function blank(value: unknown): boolean {
	return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

export function keyOf(text: unknown): string | undefined {
	return typeof text === 'string' && text.startsWith(KEY_PREFIX) ? text.slice(KEY_PREFIX.length) : undefined;
}

/** `a.b.0` paths into a Graph object. */
export function readPath(record: Record<string, unknown>, path: string): unknown {
	let value: unknown = record;
	for (const part of path.split('.')) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[part];
	}
	return value;
}

export function pick<T>(source: ValueSource, list: readonly T[]): T {
	return list[Math.floor(source.random() * list.length)];
}

/** A value that differs on every edit. */
export function uniqueText(field: string, source: ValueSource): string {
	const n = Math.floor(source.random() * 9_000_000) + 1_000_000;
	return `${field}-${source.round}-${n.toString(36)}`;
}
