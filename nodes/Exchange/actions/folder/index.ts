import type { INodeProperties } from 'n8n-workflow';

import * as ensureSyncFolders from './ensureSyncFolders.operation';
import * as getAll from './getAll.operation';
import * as removeSyncFolders from './removeSyncFolders.operation';

export { ensureSyncFolders, getAll, removeSyncFolders };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['folder'] } },
		options: [
			{ name: 'Ensure Sync Folders', value: 'ensureSyncFolders', description: 'Find or create the CRM-Sync folders', action: 'Ensure the sync folders' },
			{ name: 'Get Many', value: 'getAll', description: 'List folders of one type', action: 'Get many folders' },
			{
				name: 'Remove Sync Folders',
				value: 'removeSyncFolders',
				description: 'Delete the CRM-Sync folders with their content',
				action: 'Remove the sync folders',
			},
		],
		default: 'getAll',
	},
	...ensureSyncFolders.description,
	...getAll.description,
	...removeSyncFolders.description,
];
