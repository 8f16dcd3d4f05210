import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as del from './delete.operation';
import * as findByEmail from './findByEmail.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getChanges from './getChanges.operation';
import * as update from './update.operation';

export { create, del as delete, findByEmail, get, getAll, getChanges, update };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['account', 'contact', 'lead', 'partner'] } },
		options: [
			{ name: 'Create', value: 'create', description: 'Create a record', action: 'Create a record' },
			{ name: 'Delete', value: 'delete', description: 'Delete a record', action: 'Delete a record' },
			{ name: 'Find by Email', value: 'findByEmail', description: 'Records with this e-mail address, earliest created first', action: 'Find records by email' },
			{ name: 'Get', value: 'get', description: 'Get a record by ID', action: 'Get a record' },
			{ name: 'Get Changes', value: 'getChanges', description: 'Records changed or deleted since a cursor', action: 'Get changes since a cursor' },
			{ name: 'Get Many', value: 'getAll', description: 'List records with filters', action: 'Get many records' },
			{ name: 'Update', value: 'update', description: 'Change some fields of a record', action: 'Update a record' },
		],
		default: 'get',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['event', 'task'] } },
		options: [
			{ name: 'Create', value: 'create', description: 'Create a record', action: 'Create a record' },
			{ name: 'Delete', value: 'delete', description: 'Delete a record', action: 'Delete a record' },
			{ name: 'Get', value: 'get', description: 'Get a record by ID', action: 'Get a record' },
			{ name: 'Get Changes', value: 'getChanges', description: 'Records changed or deleted since a cursor', action: 'Get changes since a cursor' },
			{ name: 'Get Many', value: 'getAll', description: 'List records with filters', action: 'Get many records' },
			{ name: 'Update', value: 'update', description: 'Change some fields of a record', action: 'Update a record' },
		],
		default: 'get',
	},
	...create.description,
	...del.description,
	...findByEmail.description,
	...get.description,
	...getAll.description,
	...getChanges.description,
	...update.description,
];
