import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ExchangeClient, SyncFolderKind } from '../../../../lib/exchange';
import { componentsParameter } from './ensureSyncFolders.operation';

export const properties: INodeProperties[] = [
	{ ...componentsParameter, description: 'Their CRM-Sync folders are deleted with everything in them (F5, F6). Default folders are never deleted.' },
	{ displayName: 'Folder Name', name: 'folderName', type: 'string', default: 'CRM-Sync' },
];

export const description = updateDisplayOptions({ show: { resource: ['folder'], operation: ['removeSyncFolders'] } }, properties);

export async function execute(this: IExecuteFunctions, i: number, client: ExchangeClient): Promise<INodeExecutionData[]> {
	const components = this.getNodeParameter('components', i) as SyncFolderKind[];
	await client.removeSyncFolders(components, String(this.getNodeParameter('folderName', i, 'CRM-Sync')).trim() || undefined);
	return [{ json: { mailbox: client.mailbox, removed: components }, pairedItem: { item: i } }];
}
