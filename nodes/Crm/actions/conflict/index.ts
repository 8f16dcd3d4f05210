import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as getAll from './getAll.operation';
import * as resolve from './resolve.operation';

export { create, getAll, resolve };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['conflict'] } },
		options: [
			{ name: 'Create', value: 'create', description: 'Record a sync conflict', action: 'Create a sync conflict' },
			{ name: 'Get Many', value: 'getAll', description: 'List sync conflicts', action: 'Get many sync conflicts' },
			{ name: 'Resolve', value: 'resolve', description: 'Mark a sync conflict as resolved', action: 'Resolve a sync conflict' },
		],
		default: 'getAll',
	},
	...create.description,
	...getAll.description,
	...resolve.description,
];
