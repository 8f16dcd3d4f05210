import type { INodeProperties } from 'n8n-workflow';

import * as getAll from './getAll.operation';

export { getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['user'] } },
		options: [{ name: 'Get Many', value: 'getAll', description: 'The CRM users with a mailbox address, one item each', action: 'Get many users' }],
		default: 'getAll',
	},
	...getAll.description,
];
