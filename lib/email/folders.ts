/** E1 (which modules to search) and E9 (where the message goes back to). */
import type { CrmPersonModule } from '../crm/types';
import type { MailFolderRole, MoveReason } from './types';

/** E1: search order for the CRM-Sync root folder (and for Inbox mode, F4). */
export const ROOT_SEARCH_ORDER: readonly CrmPersonModule[] = ['leads', 'contacts', 'accounts', 'partners'];

const SUBFOLDER_MODULE: Partial<Record<MailFolderRole, CrmPersonModule>> = {
	accounts: 'accounts',
	contacts: 'contacts',
	leads: 'leads',
	partner: 'partners',
};

export function modulesToSearch(role: MailFolderRole, override?: readonly CrmPersonModule[]): CrmPersonModule[] {
	if (override && override.length > 0) return [...override];
	const module = SUBFOLDER_MODULE[role];
	return module ? [module] : [...ROOT_SEARCH_ORDER];
}

/** Only messages that were moved into a CRM-Sync folder go back; Inbox-mode mail stays put (F4). */
export function isSyncFolder(role: MailFolderRole): boolean {
	return role === 'syncRoot' || SUBFOLDER_MODULE[role] !== undefined;
}

/** E9: the exact origin when known, else Sent Items for the owner's own mail, else Inbox. */
export function moveBackTarget(
	previousFolderId: string | undefined,
	ownerIsSender: boolean,
): { wellKnownName?: 'inbox' | 'sentitems'; folderId?: string; reason: MoveReason } {
	if (previousFolderId) return { folderId: previousFolderId, reason: 'previousFolder' };
	return ownerIsSender ? { wellKnownName: 'sentitems', reason: 'sentItems' } : { wellKnownName: 'inbox', reason: 'inbox' };
}
