/**
 * F1/F2: which folders a sync uses, the same on Graph and EWS: per component the CRM-Sync folder (found
 * or created) or, when the admin chose so, the mailbox's own default folder; for mail also the four
 * subfolders of E-mail to Lead. The protocol client supplies the two folder operations.
 */
import { DEFAULT_SYNC_FOLDER_NAME, MAIL_SUBFOLDERS } from './ident';
import type { EnsureSyncFoldersOptions, SyncFolderKind, SyncFolders } from './types';

/** The mailbox's own folder of each kind, by its well-known name. */
export const DEFAULT_FOLDER: Readonly<Record<SyncFolderKind, string>> = { contact: 'contacts', event: 'calendar', task: 'tasks', mail: 'inbox' };

export interface SyncFolderOperations {
	/** The id of the well-known folder `name` (inbox, contacts, calendar, tasks). */
	wellKnownFolderId(name: string): Promise<string>;
	/** The id of folder `name` of `kind`, created when missing, below `parentId` or the kind's usual place. */
	findOrCreate(kind: SyncFolderKind, name: string, parentId?: string): Promise<string>;
}

export async function ensureSyncFolderSet(ops: SyncFolderOperations, options: EnsureSyncFoldersOptions): Promise<SyncFolders> {
	const name = options.folderName ?? DEFAULT_SYNC_FOLDER_NAME;
	const out: SyncFolders = {};
	for (const kind of options.components) {
		const useDefault = options.useDefaultFolder?.[kind] === true;
		const id = useDefault ? await ops.wellKnownFolderId(DEFAULT_FOLDER[kind]) : await ops.findOrCreate(kind, name);
		if (kind !== 'mail') {
			out[kind] = id;
			continue;
		}
		out.mail = {
			root: id,
			accounts: await ops.findOrCreate('mail', MAIL_SUBFOLDERS.accounts, id),
			contacts: await ops.findOrCreate('mail', MAIL_SUBFOLDERS.contacts, id),
			leads: await ops.findOrCreate('mail', MAIL_SUBFOLDERS.leads, id),
			partner: await ops.findOrCreate('mail', MAIL_SUBFOLDERS.partner, id),
		};
	}
	return out;
}
