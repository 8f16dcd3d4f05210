import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { ExchangeError, type ExchangeClient } from '../../../../lib/exchange';

export const properties: INodeProperties[] = [
	{ displayName: 'Message ID', name: 'messageId', type: 'string', default: '', required: true },
	{
		displayName: 'Download MIME',
		name: 'download',
		type: 'boolean',
		default: false,
		description: 'Whether to attach the complete message (.eml, with attachments) as binary data "data"',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions, i: number, client: ExchangeClient): Promise<INodeExecutionData[]> {
	const id = String(this.getNodeParameter('messageId', i)).trim();
	const summary = client.getMessage ? await client.getMessage(id) : { id };
	if (!summary) throw new ExchangeError('notFound', `There is no message with the ID "${id}"`, 'The message may have been deleted.', 404);
	const out: INodeExecutionData = { json: summary as unknown as IDataObject, pairedItem: { item: i } };
	if (this.getNodeParameter('download', i, false) as boolean) {
		const mime = await client.getMessageMime(id);
		out.binary = { data: await this.helpers.prepareBinaryData(mime, 'message.eml', 'message/rfc822') };
	}
	return [out];
}
