import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ExchangeClient, SyncFolderKind } from '../../../../lib/exchange';

export const componentsParameter: INodeProperties = {
	displayName: 'Components',
	name: 'components',
	type: 'multiOptions',
	options: [
		{ name: 'Appointments (Calendar)', value: 'event' },
		{ name: 'Contacts', value: 'contact' },
		{ name: 'E-Mails (Mail Folder With Subfolders)', value: 'mail' },
		{ name: 'Tasks (To Do List)', value: 'task' },
	],
	default: ['contact', 'event', 'task', 'mail'],
};

export const properties: INodeProperties[] = [
	componentsParameter,
	{
		displayName: 'Use Default Folder For',
		name: 'useDefault',
		type: 'multiOptions',
		options: [
			{ name: 'Appointments', value: 'event' },
			{ name: 'Contacts', value: 'contact' },
			{ name: 'E-Mails (Inbox)', value: 'mail' },
			{ name: 'Tasks', value: 'task' },
		],
		default: [],
		description: 'Components that sync the mailbox\'s own folder instead of a CRM-Sync folder (F2)',
	},
	{ displayName: 'Folder Name', name: 'folderName', type: 'string', default: 'CRM-Sync' },
];

export const description = updateDisplayOptions({ show: { resource: ['folder'], operation: ['ensureSyncFolders'] } }, properties);

/** F1/F2: finds or creates the sync folders and returns their ids. */
export async function execute(this: IExecuteFunctions, i: number, client: ExchangeClient): Promise<INodeExecutionData[]> {
	const components = this.getNodeParameter('components', i) as SyncFolderKind[];
	const useDefault = this.getNodeParameter('useDefault', i, []) as SyncFolderKind[];
	const folders = await client.ensureSyncFolders({
		components,
		useDefaultFolder: Object.fromEntries(useDefault.map((k) => [k, true])),
		folderName: String(this.getNodeParameter('folderName', i, 'CRM-Sync')).trim() || undefined,
	});
	return [{ json: { mailbox: client.mailbox, ...folders } as IDataObject, pairedItem: { item: i } }];
}
