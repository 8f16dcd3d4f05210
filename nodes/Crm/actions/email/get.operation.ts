import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CrmBackend } from '../../../../lib/crm';
import { emailItem, loadEmail } from './shared';

export const properties: INodeProperties[] = [
	{ displayName: 'E-Mail ID', name: 'emailId', type: 'string', required: true, default: '' },
	{
		displayName: 'Download Attachments',
		name: 'downloadAttachments',
		type: 'boolean',
		default: false,
		description: 'Whether to output the attachments as binary data (attachment_0, attachment_1, ...)',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['email'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, crm: CrmBackend): Promise<INodeExecutionData[]> {
	const email = await loadEmail(crm, String(this.getNodeParameter('emailId', itemIndex)).trim());
	const download = this.getNodeParameter('downloadAttachments', itemIndex, false) as boolean;
	return [await emailItem(this, crm, email, itemIndex, download)];
}
