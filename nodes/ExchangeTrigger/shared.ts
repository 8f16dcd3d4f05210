/** Parameters and folder resolution shared by the polling and the notification trigger. */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { ExchangeClient, SyncFolders } from '../../lib/exchange';
import type { ItemChangeEvent, MailMovedEvent, TriggerState } from '../../lib/exchange/poller';
import type { Component } from '../../lib/model/types';
import { syncWindow } from '../Exchange/actions/item/window';

/** Where moved mails are watched coming from, so they can go back there (E9). */
export const DEFAULT_ORIGIN_FOLDERS = ['inbox', 'sentitems'];

export const triggerProperties: INodeProperties[] = [
	{
		displayName: 'Mailbox',
		name: 'mailbox',
		type: 'string',
		default: '',
		placeholder: 'jane.doe@contoso.com',
		description: 'Mailbox to watch; empty uses the mailbox of the credential',
	},
	{
		displayName: 'Trigger On',
		name: 'event',
		type: 'options',
		options: [
			// The nodes panel lists these as "On <name, lowercased>": no hyphens, no capitalised folder names.
			{
				name: 'Contact, Appointment or Task Changed',
				value: 'itemChanged',
				description: 'A contact, appointment or task was created, changed or deleted in a synced folder',
			},
			{ name: 'Mail Moved Into the Sync Folder', value: 'mailMoved', description: 'A user moved an e-mail into CRM-Sync or one of its subfolders' },
		],
		default: 'itemChanged',
	},
	{
		displayName: 'Components',
		name: 'components',
		type: 'multiOptions',
		options: [
			{ name: 'Appointments', value: 'event' },
			{ name: 'Contacts', value: 'contact' },
			{ name: 'Tasks', value: 'task' },
		],
		default: ['contact', 'event', 'task'],
		displayOptions: { show: { event: ['itemChanged'] } },
	},
	{
		displayName: 'Change Types',
		name: 'changeTypes',
		type: 'multiOptions',
		options: [
			{ name: 'Created', value: 'created' },
			{ name: 'Deleted', value: 'deleted', description: 'Deleted, or moved out of the folder' },
			{ name: 'Updated', value: 'updated' },
		],
		default: ['created', 'updated', 'deleted'],
		displayOptions: { show: { event: ['itemChanged'] } },
	},
	{
		displayName: 'Folders',
		name: 'folderSource',
		type: 'options',
		options: [
			{ name: 'CRM-Sync Folders', value: 'crmSync', description: 'Created when missing (F1)' },
			{ name: 'Default Folders', value: 'default', description: "The mailbox's own Contacts, Calendar and Tasks (F2)" },
		],
		default: 'crmSync',
		displayOptions: { show: { event: ['itemChanged'] } },
	},
	{
		displayName: 'Past Days',
		name: 'pastDays',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 30,
		description: 'Appointments that ended more than this many days ago are not watched (A2)',
		displayOptions: { show: { event: ['itemChanged'], components: ['event'] } },
	},
	{
		displayName: 'Origin Folders',
		name: 'originFolders',
		type: 'multiOptions',
		options: [
			{ name: 'Inbox', value: 'inbox' },
			{ name: 'Sent Items', value: 'sentitems' },
		],
		default: [...DEFAULT_ORIGIN_FOLDERS],
		description: 'Folders watched to know where a moved e-mail came from (so it can be moved back, E9). Each costs one request per poll.',
		displayOptions: { show: { event: ['mailMoved'] } },
	},
	// Twice, so it shows only where a sync folder is used: for moved mails, and for items in the CRM-Sync folders.
	...[{ event: ['mailMoved'] }, { event: ['itemChanged'], folderSource: ['crmSync'] }].map(
		(show): INodeProperties => ({
			displayName: 'Sync Folder Name',
			name: 'folderName',
			type: 'string',
			default: 'CRM-Sync',
			description: 'Name of the CRM-Sync folders (the same as in the sync workflows)',
			displayOptions: { show },
		}),
	),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Emit Existing Items on First Run',
				name: 'emitExisting',
				type: 'boolean',
				default: false,
				description: 'Whether the first run outputs everything already in the folders; otherwise it only starts watching',
			},
			{
				displayName: 'Max Failed Sign-Ins',
				name: 'maxAuthFailures',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 2,
				description: 'After this many failed sign-ins in a row the account is paused instead of trying again (A5). 0 never pauses.',
			},
			{
				displayName: 'Raw Graph Output',
				name: 'rawOutput',
				type: 'boolean',
				default: false,
				description: 'Whether to include the Microsoft Graph object of each item',
			},
		],
	},
];

export interface TriggerOptions {
	emitExisting?: boolean;
	maxAuthFailures?: number;
	rawOutput?: boolean;
}

/** Sync folder ids, cached in the state; resolved (and created, F1) only when missing. */
export async function resolveFolders(
	client: ExchangeClient,
	state: TriggerState,
	kinds: Array<Component | 'mail'>,
	useDefault: boolean,
	folderName: string,
): Promise<SyncFolders> {
	const cached = state.folders ?? {};
	const missing = kinds.filter((k) => cached[k] === undefined);
	if (!missing.length) return cached;
	const ensured = await client.ensureSyncFolders({
		components: missing,
		useDefaultFolder: useDefault ? Object.fromEntries(missing.filter((k) => k !== 'mail').map((k) => [k, true])) : undefined,
		folderName,
	});
	return { ...cached, ...ensured };
}

/** Well-known folder ids (F7), cached in the state. */
export async function resolveWellKnown(
	client: ExchangeClient,
	state: TriggerState,
	names: string[],
): Promise<{ ids: string[]; wellKnown: Record<string, string> }> {
	const wellKnown = { ...(state.wellKnown ?? {}) };
	for (const name of names) wellKnown[name] ??= (await client.getWellKnownFolder(name)).id;
	return { ids: names.map((n) => wellKnown[n]), wellKnown };
}

export function windowForTrigger(pastDays: number): { from: string; to: string } {
	return syncWindow(pastDays, 365);
}

export function itemEventJson(e: ItemChangeEvent, mailbox: string, raw: boolean): IDataObject {
	const { raw: rawItem, ...rest } = e;
	return { mailbox, ...rest, ...(raw && rawItem !== undefined ? { raw: rawItem } : {}) } as IDataObject;
}

export function mailEventJson(e: MailMovedEvent, mailbox: string): IDataObject {
	return { mailbox, ...e } as unknown as IDataObject;
}
