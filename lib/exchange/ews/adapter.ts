/**
 * One adapter per component (contact, event, task): what the EWS client does differently for each
 * (item class, properties read, mapping, how a write is sent, the window rule, delete modes).
 * The client looks its adapter up in a Record<Component, …> table instead of branching on the component.
 */
import {
	AffectedTaskOccurrence,
	ConflictResolutionMode,
	ExtendedPropertyDefinition,
	FolderId,
	Guid,
	Item,
	ItemId,
	MapiPropertyType,
	PropertySet,
	SendCancellationsMode,
	type PropertyDefinitionBase,
} from 'ews-javascript-api';

import type { Component, ComponentRecordMap } from '../../model/types';
import { CRM_SYNC_PROPERTY_NAME, CRM_SYNC_PROPERTY_SET_ID } from '../ident';
import type { ExchangeItem, SyncWindow, WriteOptions } from '../types';
import { instant, read, text } from './mappers/values';

export const IDENT_PROPERTY = new ExtendedPropertyDefinition(new Guid(CRM_SYNC_PROPERTY_SET_ID), CRM_SYNC_PROPERTY_NAME, MapiPropertyType.String);

/** Items per GetItem call; divides a full SyncFolderItems page (512) into 4 calls. */
export const GET_ITEM_BATCH = 128;

export interface EwsComponentAdapter<C extends Component> {
	/** Properties read besides the first-class ones, the ident and the folder and times every item carries. */
	extraProperties(): PropertyDefinitionBase[];
	/** A new, unsaved item of the component's class. */
	newItem(): Item;
	/** GetItem of one existing item as the component's class (sent through EwsContext.call by the caller). */
	bind(id: ItemId, properties: PropertySet): Promise<Item>;
	/** Items besides the loaded ones that their mapping needs (a series: its modified occurrences). */
	related(loaded: Item[]): Promise<Item[]>;
	toRecord(item: Item, related: Item[]): ComponentRecordMap[C];
	/** Writes the record onto the item; `changed`: only these fields (an update with changedFields). */
	apply(item: Item, record: ComponentRecordMap[C], isNew: boolean, options: WriteOptions | undefined, changed: ReadonlySet<string> | undefined): void;
	/** CreateItem (sent through EwsContext.call by the caller). */
	save(item: Item, folderId: FolderId): Promise<unknown>;
	/** UpdateItem (sent through EwsContext.call by the caller). */
	saveChanges(item: Item, mode: ConflictResolutionMode): Promise<unknown>;
	/** After a create or an update of the item itself (a series: its moved and cancelled occurrences). */
	afterWrite(id: string, record: ComponentRecordMap[C]): Promise<void>;
	/** The sync window rule (A2): whether a changed item is in the window. */
	inWindow(item: ExchangeItem<C>, window: SyncWindow): boolean;
	/** DeleteItem's SendMeetingCancellations and AffectedTaskOccurrences (null: not sent). */
	readonly sendCancellations: SendCancellationsMode;
	readonly affectedTaskOccurrences: AffectedTaskOccurrence;
}

export type ComponentAdapters = { [C in Component]: EwsComponentAdapter<C> };

export function chunks<T>(list: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}

function identOf(item: Item): string | undefined {
	const props = read(() => item.ExtendedProperties.GetEnumerator()) ?? [];
	for (const p of props) {
		const def = p.PropertyDefinition;
		if (def.Name === CRM_SYNC_PROPERTY_NAME && def.PropertySetId?.ToString().toLowerCase() === CRM_SYNC_PROPERTY_SET_ID.toLowerCase()) {
			return text(String(p.Value));
		}
	}
	return undefined;
}

/** The canonical item of an EWS item whose record is already mapped. */
export function toExchangeItem<C extends Component>(item: Item, record: ComponentRecordMap[C]): ExchangeItem<C> {
	return {
		id: item.Id.UniqueId,
		etag: item.Id.ChangeKey,
		ident: identOf(item),
		modifiedAt: instant(read(() => item.LastModifiedTime)),
		createdAt: instant(read(() => item.DateTimeCreated)),
		folderId: read(() => item.ParentFolderId?.UniqueId),
		record,
		raw: undefined,
	};
}
