import type { INodeProperties } from 'n8n-workflow';

import * as apply from './apply.operation';

export { apply };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['syncAction'] } },
		options: [
			{
				name: 'Apply',
				value: 'apply',
				description: 'Write the planned sync actions that target Exchange and pass the others on',
				action: 'Write the planned changes to the mailbox',
			},
		],
		default: 'apply',
	},
	...apply.description,
];
