import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CrmBackend } from '../../../../lib/crm';
import { returnAllOrLimit } from '../../descriptions/common';
import { optionString } from '../../helpers/input';
import { emailItem } from './shared';

export const properties: INodeProperties[] = [
	...returnAllOrLimit({}),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Stored Since',
				name: 'modifiedSince',
				type: 'dateTime',
				default: '',
				description: 'Only e-mails stored or changed at or after this time',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['email'], operation: ['getAll'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, crm: CrmBackend): Promise<INodeExecutionData[]> {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const modifiedSince = optionString(filters, 'modifiedSince');
	const records = await crm.list('emails', { ...(modifiedSince ? { modifiedSince } : {}), ...(limit ? { limit } : {}) });
	const out: INodeExecutionData[] = [];
	for (const record of records) {
		const email = await crm.findEmailByMessageId(String(record.fields.messageId));
		if (email) out.push(await emailItem(this, crm, email, itemIndex, false));
	}
	return out;
}
