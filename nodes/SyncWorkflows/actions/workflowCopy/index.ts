import type { INodeProperties } from 'n8n-workflow';

import * as keepOnePerUser from './keepOnePerUser.operation';

export { keepOnePerUser };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['workflowCopy'] } },
		options: [
			{
				name: 'Keep One Per User',
				value: 'keepOnePerUser',
				description: 'Create, update, deactivate or delete copies of a sync workflow so that every connected user has one',
				action: 'Keep one copy per connected user',
			},
		],
		default: 'keepOnePerUser',
	},
	...keepOnePerUser.description,
];
