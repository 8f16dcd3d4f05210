import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ExchangeClient, SyncFolderKind } from '../../../../lib/exchange';

export const folderKindParameter: INodeProperties = {
	displayName: 'Folder Type',
	name: 'folderKind',
	type: 'options',
	options: [
		{ name: 'Calendars', value: 'event' },
		{ name: 'Contact Folders', value: 'contact' },
		{ name: 'Mail Folders', value: 'mail' },
		{ name: 'To Do Lists', value: 'task' },
	],
	default: 'contact',
};

export const properties: INodeProperties[] = [
	folderKindParameter,
	{
		displayName: 'Parent Folder ID',
		name: 'parentId',
		type: 'string',
		default: '',
		description: 'List the subfolders of this folder (contact and mail folders); empty: top level',
		displayOptions: { show: { folderKind: ['contact', 'mail'] } },
	},
];

export const description = updateDisplayOptions({ show: { resource: ['folder'], operation: ['getAll'] } }, properties);

export async function execute(this: IExecuteFunctions, i: number, client: ExchangeClient): Promise<INodeExecutionData[]> {
	const kind = this.getNodeParameter('folderKind', i) as SyncFolderKind;
	const parent = String(this.getNodeParameter('parentId', i, '') ?? '').trim() || undefined;
	const folders = await client.listFolders(kind, parent);
	return folders.map((f) => ({ json: f as unknown as IDataObject, pairedItem: { item: i } }));
}
