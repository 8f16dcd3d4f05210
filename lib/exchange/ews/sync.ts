/**
 * SyncFolderItems: one page of a folder's changes from a SyncState cursor. A cursor the server
 * no longer knows (syncStateInvalid) starts over with a full resync.
 */
import { ItemId, PropertySet, SyncFolderItemsScope, type ChangeCollection, type ItemChange } from 'ews-javascript-api';

import { ExchangeError } from '../types';
import { folderIdOf, type EwsContext } from './context';

/** EWS allows at most 512 changes per SyncFolderItems call. */
export const MAX_SYNC_CHANGES = 512;

/** ItemChange.ChangeType: Create 0, Update 1, Delete 2, ReadFlagChange 3 */
export const CHANGE_CREATE = 0;
export const CHANGE_UPDATE = 1;
export const CHANGE_DELETE = 2;

export interface SyncPage {
	changes: ChangeCollection<ItemChange>;
	/** No cursor was given, or the server dropped it. */
	fullResync: boolean;
}

/** A page size within EWS's bound (default: the bound). */
export function syncPageSize(pageSize: number | undefined): number {
	return Math.min(MAX_SYNC_CHANGES, Math.max(1, pageSize ?? MAX_SYNC_CHANGES));
}

export async function syncFolderItems(
	ctx: EwsContext,
	folderId: string,
	properties: () => PropertySet,
	max: number,
	state: string | undefined,
): Promise<SyncPage> {
	const sync = (s: string | undefined) =>
		ctx.call(() =>
			ctx.service.SyncFolderItems(
				folderIdOf(folderId),
				properties(),
				null as unknown as ItemId[],
				max,
				SyncFolderItemsScope.NormalItems,
				s ?? (null as unknown as string),
			),
		);
	try {
		return { changes: await sync(state), fullResync: state === undefined };
	} catch (e) {
		if (!(e instanceof ExchangeError) || e.code !== 'syncStateInvalid' || state === undefined) throw e;
		return { changes: await sync(undefined), fullResync: true };
	}
}
