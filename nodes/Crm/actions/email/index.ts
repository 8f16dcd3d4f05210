import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as del from './delete.operation';
import * as findByMessageId from './findByMessageId.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';

export { create, del as delete, findByMessageId, get, getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['email'] } },
		options: [
			{ name: 'Create', value: 'create', description: 'Store an e-mail with attachments and links', action: 'Create an email' },
			{ name: 'Delete', value: 'delete', description: 'Delete a stored e-mail', action: 'Delete an email' },
			{
				name: 'Find by Message-ID',
				value: 'findByMessageId',
				description: 'The stored e-mail with this Message-ID, if any',
				action: 'Find an email by message ID',
			},
			{ name: 'Get', value: 'get', description: 'Get a stored e-mail', action: 'Get an email' },
			{ name: 'Get Many', value: 'getAll', description: 'List stored e-mails', action: 'Get many emails' },
		],
		default: 'get',
	},
	...create.description,
	...del.description,
	...findByMessageId.description,
	...get.description,
	...getAll.description,
];
