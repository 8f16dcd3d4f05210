import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import * as create from './create.operation';
import * as del from './delete.operation';
import * as findByEmail from './findByEmail.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getChanges from './getChanges.operation';
import * as update from './update.operation';

export { create, del as delete, findByEmail, get, getAll, getChanges, update };

/** How the nodes panel names a record of each resource ("Create a lead", not "Create a record" six times). */
const NOUN = {
	account: { one: 'an account', many: 'accounts', email: true },
	contact: { one: 'a contact', many: 'contacts', email: true },
	lead: { one: 'a lead', many: 'leads', email: true },
	partner: { one: 'a partner', many: 'partners', email: true },
	event: { one: 'an appointment', many: 'appointments', email: false },
	task: { one: 'a task', many: 'tasks', email: false },
} as const;

function operationParameter(resource: keyof typeof NOUN): INodeProperties {
	const { one, many, email } = NOUN[resource];
	const options: INodePropertyOptions[] = [
		{ name: 'Create', value: 'create', description: `Create ${one}`, action: `Create ${one}` },
		{ name: 'Delete', value: 'delete', description: `Delete ${one}`, action: `Delete ${one}` },
		...(email
			? [
					{
						name: 'Find by Email',
						value: 'findByEmail',
						description: `The ${many} with this e-mail address, earliest created first`,
						action: `Find ${many} by email`,
					},
				]
			: []),
		{ name: 'Get', value: 'get', description: `Get ${one} by ID`, action: `Get ${one}` },
		{ name: 'Get Changes', value: 'getChanges', description: `The ${many} changed or deleted since a cursor`, action: `Get changed ${many}` },
		{ name: 'Get Many', value: 'getAll', description: `List ${many} with filters`, action: `Get many ${many}` },
		{ name: 'Update', value: 'update', description: `Change some fields of ${one}`, action: `Update ${one}` },
	];
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource] } },
		options,
		default: 'get',
	};
}

export const description: INodeProperties[] = [
	...(Object.keys(NOUN) as Array<keyof typeof NOUN>).map(operationParameter),
	...create.description,
	...del.description,
	...findByEmail.description,
	...get.description,
	...getAll.description,
	...getChanges.description,
	...update.description,
];
