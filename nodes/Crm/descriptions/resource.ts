import type { INodeProperties } from 'n8n-workflow';

export const resourceParameter: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Account', value: 'account' },
		{ name: 'Contact', value: 'contact' },
		{ name: 'E-Mail', value: 'email' },
		{ name: 'Event', value: 'event' },
		{ name: 'Lead', value: 'lead' },
		{ name: 'Partner', value: 'partner' },
		{ name: 'Sync Action', value: 'syncAction' },
		{ name: 'Sync Conflict', value: 'conflict' },
		{ name: 'Task', value: 'task' },
	],
	default: 'contact',
};
