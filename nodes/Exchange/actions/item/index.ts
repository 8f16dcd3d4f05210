import type { INodeProperties } from 'n8n-workflow';

import { ITEM_RESOURCES, itemFolderParameters } from '../../descriptions/common';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getChanges from './getChanges.operation';
import * as update from './update.operation';

export { create, del as delete, get, getAll, getChanges, update };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ITEM_RESOURCES } },
		options: [
			{ name: 'Create', value: 'create', description: 'Create an item', action: 'Create an item' },
			{ name: 'Delete', value: 'delete', description: 'Delete an item', action: 'Delete an item' },
			{ name: 'Get', value: 'get', description: 'Get an item by ID', action: 'Get an item' },
			{ name: 'Get Changes', value: 'getChanges', description: 'Items changed or deleted since a cursor', action: 'Get changes since a cursor' },
			{ name: 'Get Many', value: 'getAll', description: 'List the items of a folder', action: 'Get many items' },
			{ name: 'Update', value: 'update', description: 'Replace the synced fields of an item', action: 'Update an item' },
		],
		default: 'get',
	},
	...itemFolderParameters,
	...create.description,
	...del.description,
	...get.description,
	...getAll.description,
	...getChanges.description,
	...update.description,
];
