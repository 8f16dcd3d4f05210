import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ExchangeClient } from '../../../../lib/exchange';
import { mailFolderLocator } from '../../descriptions/common';
import { mailFolderParam } from './shared';

export const properties: INodeProperties[] = [
	{ displayName: 'Message ID', name: 'messageId', type: 'string', default: '', required: true },
	mailFolderLocator('destinationFolder', 'Destination Folder', 'Where to move the message, e.g. back to the folder it came from (E9)'),
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['move'] } }, properties);

export async function execute(this: IExecuteFunctions, i: number, client: ExchangeClient): Promise<INodeExecutionData[]> {
	const id = String(this.getNodeParameter('messageId', i)).trim();
	const moved = await client.moveMessage(id, await mailFolderParam(this, 'destinationFolder', i, client));
	return [{ json: moved as unknown as IDataObject, pairedItem: { item: i } }];
}
