/** Contacts: the contact adapter (Contact items, no window, nothing related). */
import {
	AffectedTaskOccurrence,
	Contact as EwsContact,
	ConflictResolutionMode,
	FolderId,
	Item,
	ItemId,
	PropertySet,
	SendCancellationsMode,
	type PropertyDefinitionBase,
} from 'ews-javascript-api';

import type { Contact } from '../../model/types';
import type { WriteOptions } from '../types';
import type { EwsComponentAdapter } from './adapter';
import type { EwsContext } from './context';
import { applyContactToEws, contactFromEws } from './mappers/contact';

export class ContactAdapter implements EwsComponentAdapter<'contact'> {
	readonly sendCancellations = null as unknown as SendCancellationsMode;
	readonly affectedTaskOccurrences = null as unknown as AffectedTaskOccurrence;

	constructor(private readonly ctx: EwsContext) {}

	extraProperties(): PropertyDefinitionBase[] {
		return [];
	}

	newItem(): Item {
		return new EwsContact(this.ctx.service);
	}

	bind(id: ItemId, properties: PropertySet): Promise<Item> {
		return EwsContact.Bind(this.ctx.service, id, properties);
	}

	related(): Promise<Item[]> {
		return Promise.resolve([]);
	}

	toRecord(item: Item): Contact {
		return contactFromEws(item as EwsContact);
	}

	apply(item: Item, record: Contact, isNew: boolean, _options: WriteOptions | undefined, changed: ReadonlySet<string> | undefined): void {
		applyContactToEws(item as EwsContact, record, isNew, changed);
	}

	save(item: Item, folderId: FolderId): Promise<unknown> {
		return item.Save(folderId);
	}

	saveChanges(item: Item, mode: ConflictResolutionMode): Promise<unknown> {
		return item.Update(mode);
	}

	async afterWrite(): Promise<void> {}

	/** Contacts have no dates: every one syncs. */
	inWindow(): boolean {
		return true;
	}
}
