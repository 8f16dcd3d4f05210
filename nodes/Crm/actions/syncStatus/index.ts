import type { INodeProperties } from 'n8n-workflow';

import * as getAll from './getAll.operation';

export { getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['syncStatus'] } },
		options: [
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'One item per synced mailbox and component: running or not, last run, last success, last problem in plain words, open conflicts',
				action: 'Get the sync status of every mailbox',
			},
		],
		default: 'getAll',
	},
	...getAll.description,
];
