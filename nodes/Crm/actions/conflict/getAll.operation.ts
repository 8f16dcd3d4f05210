import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CrmBackend } from '../../../../lib/crm';

export const properties: INodeProperties[] = [
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		options: [
			{ name: 'Open', value: 'open' },
			{ name: 'Resolved', value: 'resolved' },
			{ name: 'All', value: 'all' },
		],
		default: 'open',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['conflict'], operation: ['getAll'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, crm: CrmBackend): Promise<INodeExecutionData[]> {
	const status = this.getNodeParameter('status', itemIndex, 'open') as string;
	const conflicts = await crm.listConflicts(status === 'all' ? {} : { resolved: status === 'resolved' });
	return conflicts.map((c) => ({ json: c as unknown as IDataObject, pairedItem: { item: itemIndex } }));
}
