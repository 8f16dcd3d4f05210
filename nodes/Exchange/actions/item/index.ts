import type { INodeProperties } from 'n8n-workflow';

import type { Component } from '../../../../lib/model/types';
import { ITEM_RESOURCES, itemFolderParameters } from '../../descriptions/common';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getChanges from './getChanges.operation';
import * as update from './update.operation';

export { create, del as delete, get, getAll, getChanges, update };

/** How the nodes panel and the operation list name an item of each resource. */
const NOUN: Record<Component, { one: string; many: string }> = {
	contact: { one: 'a contact', many: 'contacts' },
	event: { one: 'an appointment', many: 'appointments' },
	task: { one: 'a task', many: 'tasks' },
};

/** One Operation list per resource, so the panel reads "Create a contact", not "Create an item" three times. */
function operationParameter(component: Component): INodeProperties {
	const { one, many } = NOUN[component];
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [component] } },
		options: [
			{ name: 'Create', value: 'create', description: `Create ${one}`, action: `Create ${one}` },
			{ name: 'Delete', value: 'delete', description: `Delete ${one}`, action: `Delete ${one}` },
			{ name: 'Get', value: 'get', description: `Get ${one} by ID`, action: `Get ${one}` },
			{ name: 'Get Changes', value: 'getChanges', description: `The ${many} changed or deleted since a cursor`, action: `Get changed ${many}` },
			{ name: 'Get Many', value: 'getAll', description: `List the ${many} of a folder`, action: `Get many ${many}` },
			{ name: 'Update', value: 'update', description: `Change fields of ${one}; the others stay as they are`, action: `Update ${one}` },
		],
		default: 'get',
	};
}

export const description: INodeProperties[] = [
	...ITEM_RESOURCES.map(operationParameter),
	...itemFolderParameters,
	...create.description,
	...del.description,
	...get.description,
	...getAll.description,
	...getChanges.description,
	...update.description,
];
