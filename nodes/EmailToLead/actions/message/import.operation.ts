import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CrmPersonModule } from '../../../../lib/crm';
import type { EmailImportOptions, EmailMessageInput, MailFolderRole } from '../../../../lib/email';
import { DEFAULT_EMAIL_IMPORT_OPTIONS } from '../../../../lib/email';
import type { SyncMailFolderName } from '../../../../lib/exchange/poller';
import { importOptions } from '../../descriptions/options';
import { splitList } from '../../helpers/input';

export const properties: INodeProperties[] = [
	{
		displayName: 'Mail Source',
		name: 'source',
		type: 'options',
		default: 'syncFolders',
		options: [
			{
				name: 'CRM-Sync Folders',
				value: 'syncFolders',
				description:
					"Mail the user moved into CRM-Sync or its subfolders: the Exchange Trigger's items, or, for an item without a message (Run Now, a schedule), the mails moved in since the last run, read here. Moved back afterwards.",
			},
			{
				name: 'Inbox (All Incoming Mail)',
				value: 'inbox',
				description: 'Every message of the Inbox (and, per trigger, its subfolders and Sent Items); it stays where it is',
			},
		],
	},
	{
		displayName: 'Sync Folder Name',
		name: 'syncFolderName',
		type: 'string',
		default: 'CRM-Sync',
		displayOptions: { show: { source: ['syncFolders'] } },
		description: 'Name of the CRM-Sync folder, for input items without a message (the same as in the Exchange Trigger)',
	},
	{
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		default: '={{ $json.message ? $json.message.id : $json.id }}',
		description: 'Exchange ID of the message, used to fetch it when the item has no raw message and to move it back',
	},
	{
		displayName: 'Internet Message-ID',
		name: 'internetMessageId',
		type: 'string',
		default: '={{ ($json.message || $json).internetMessageId }}',
		description: 'Optional. The Message-ID header as the trigger reports it; an e-mail already in the CRM is then recognised without downloading it.',
	},
	{
		displayName: 'Sender Address',
		name: 'senderAddress',
		type: 'string',
		default: '={{ ($json.message || $json).from }}',
		description: "Optional. Sender as the trigger reports it; used to move the mailbox owner's own mail back to Sent Items.",
	},
	{
		displayName: 'Raw Message Binary Property',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		description: 'Binary property holding the raw message (.eml, MIME). When the item has none, the message is fetched from Exchange by its ID.',
	},
	{
		displayName: 'Folder',
		name: 'folder',
		type: 'options',
		default: 'detect',
		displayOptions: { show: { source: ['syncFolders'] } },
		options: [
			{
				name: 'Auto-Detect From Folder ID',
				value: 'detect',
				description: "Compare the folder ID with the mailbox's CRM-Sync folders (needs the Exchange connection)",
			},
			{ name: 'CRM-Sync (Search Leads → Contacts → Accounts → Partners)', value: 'syncRoot' },
			{ name: 'CRM-Sync/Accounts', value: 'accounts' },
			{ name: 'CRM-Sync/Contacts', value: 'contacts' },
			{ name: 'CRM-Sync/Leads', value: 'leads' },
			{ name: 'CRM-Sync/Partner', value: 'partner' },
		],
		description: 'Which CRM-Sync folder the message was moved into; decides the modules searched',
	},
	{
		displayName: 'CRM-Sync Folder From Input',
		name: 'syncFolder',
		type: 'string',
		default: '={{ $json.folder }}',
		displayOptions: { show: { source: ['syncFolders'], folder: ['detect'] } },
		description: 'The CRM-Sync folder as the Exchange Trigger names it (root, accounts, contacts, leads, partner). Empty: detected from the folder ID.',
	},
	{
		displayName: 'Folder ID',
		name: 'folderId',
		type: 'string',
		default: '={{ $json.folderId }}',
		displayOptions: { show: { source: ['syncFolders'], folder: ['detect'] } },
		description: 'ID of the folder the message is in now',
	},
	{
		displayName: 'Previous Folder ID',
		name: 'previousFolderId',
		type: 'string',
		default: '={{ $json.previousFolderId || ($json.message || {}).previousFolderId }}',
		displayOptions: { show: { source: ['syncFolders'] } },
		description: "Folder the message was moved out of, when the trigger knows it. Empty: Inbox, or Sent Items for the mailbox owner's own mail.",
	},
	importOptions,
];

export const description = updateDisplayOptions({ show: { operation: ['import'] } }, properties);

/** The per-run settings, read from the first item (options are not per item). */
export function readImportOptions(this: IExecuteFunctions): EmailImportOptions {
	const options = this.getNodeParameter('options', 0, {}) as {
		blacklist?: string;
		noMatch?: EmailImportOptions['noMatch'];
		leadLastName?: EmailImportOptions['leadLastName'];
		leadCompany?: EmailImportOptions['leadCompany'];
		placeholder?: string;
		leadSource?: string;
		moveBack?: boolean;
		searchModules?: CrmPersonModule[];
		maxLeadsPerEmail?: number;
	};
	return {
		...DEFAULT_EMAIL_IMPORT_OPTIONS,
		blacklist: splitList(options.blacklist),
		noMatch: options.noMatch ?? DEFAULT_EMAIL_IMPORT_OPTIONS.noMatch,
		leadLastName: options.leadLastName ?? DEFAULT_EMAIL_IMPORT_OPTIONS.leadLastName,
		leadCompany: options.leadCompany ?? DEFAULT_EMAIL_IMPORT_OPTIONS.leadCompany,
		placeholder: options.placeholder?.trim() || DEFAULT_EMAIL_IMPORT_OPTIONS.placeholder,
		leadSource: options.leadSource?.trim() || undefined,
		moveBack: options.moveBack ?? DEFAULT_EMAIL_IMPORT_OPTIONS.moveBack,
		searchModules: options.searchModules?.length ? options.searchModules : undefined,
		maxLeadsPerEmail: options.maxLeadsPerEmail ?? DEFAULT_EMAIL_IMPORT_OPTIONS.maxLeadsPerEmail,
	};
}

/**
 * One input item → the importer's message input. `resolveFolder` maps a folder id to its
 * CRM-Sync role (only called for "Detect From Folder ID").
 */
export async function readMessageInput(
	this: IExecuteFunctions,
	itemIndex: number,
	resolveFolder: (folderId: string) => Promise<MailFolderRole>,
): Promise<EmailMessageInput> {
	const source = this.getNodeParameter('source', itemIndex) as 'syncFolders' | 'inbox';
	const exchangeId = stringParameter.call(this, 'messageId', itemIndex);
	const binaryPropertyName = stringParameter.call(this, 'binaryPropertyName', itemIndex) ?? 'data';
	const item = this.getInputData()[itemIndex];
	const raw = item.binary?.[binaryPropertyName] ? await this.helpers.getBinaryDataBuffer(itemIndex, binaryPropertyName) : undefined;

	const known = {
		exchangeId,
		raw,
		internetMessageId: stringParameter.call(this, 'internetMessageId', itemIndex),
		from: stringParameter.call(this, 'senderAddress', itemIndex),
	};
	if (source === 'inbox') return { ...known, folderRole: 'inbox' };

	const folder = this.getNodeParameter('folder', itemIndex) as MailFolderRole | 'detect';
	const previousFolderId = stringParameter.call(this, 'previousFolderId', itemIndex);
	if (folder !== 'detect') return { ...known, folderRole: folder, previousFolderId };
	const folderId = stringParameter.call(this, 'folderId', itemIndex);
	const folderName = stringParameter.call(this, 'syncFolder', itemIndex)?.toLowerCase() ?? '';
	const named = Object.hasOwn(TRIGGER_FOLDER_ROLES, folderName) ? TRIGGER_FOLDER_ROLES[folderName as SyncMailFolderName] : undefined;
	const folderRole = named ?? (folderId ? await resolveFolder(folderId) : 'other');
	return { ...known, folderId, folderRole, previousFolderId };
}

/** The Exchange Trigger's folder names → the importer's folder roles. */
export const TRIGGER_FOLDER_ROLES: Readonly<Record<SyncMailFolderName, MailFolderRole>> = {
	root: 'syncRoot',
	accounts: 'accounts',
	contacts: 'contacts',
	leads: 'leads',
	partner: 'partner',
};

function stringParameter(this: IExecuteFunctions, name: string, itemIndex: number): string | undefined {
	const value = this.getNodeParameter(name, itemIndex, '') as unknown;
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
