import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CrmBackend } from '../../../../lib/crm';
import { emailItem } from './shared';

export const properties: INodeProperties[] = [
	{
		displayName: 'Message-ID',
		name: 'messageId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '<1234@mail.example.com>',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['email'], operation: ['findByMessageId'] } }, properties);

/** Outputs the stored e-mail, or nothing when this Message-ID has not been stored. */
export async function execute(this: IExecuteFunctions, itemIndex: number, crm: CrmBackend): Promise<INodeExecutionData[]> {
	const email = await crm.findEmailByMessageId(String(this.getNodeParameter('messageId', itemIndex)).trim());
	return email ? [await emailItem(this, crm, email, itemIndex, false)] : [];
}
