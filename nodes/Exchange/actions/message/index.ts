import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as getChanges from './getChanges.operation';
import * as move from './move.operation';

export { get, getChanges, getChanges as getAll, move };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: [
			{ name: 'Get', value: 'get', description: 'Get a message, optionally with its MIME content', action: 'Get a message' },
			{ name: 'Get Changes', value: 'getChanges', description: 'Messages new in or removed from a folder since a cursor', action: 'Get message changes' },
			{ name: 'Get Many', value: 'getAll', description: 'List the messages of a folder', action: 'Get many messages' },
			{ name: 'Move', value: 'move', description: 'Move a message to another folder', action: 'Move a message' },
		],
		default: 'get',
	},
	...get.description,
	...getChanges.description,
	...move.description,
];
