import type { INodeProperties } from 'n8n-workflow';

export const resourceParameter: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [
		// Values stay the API's nouns (templates store them); names are the product's words.
		{ name: 'Appointment', value: 'event', description: 'Calendar appointment' },
		{ name: 'Contact', value: 'contact' },
		{ name: 'Folder', value: 'folder', description: 'Contact folders, calendars, To Do lists, mail folders' },
		{ name: 'Message', value: 'message', description: 'E-mail' },
		{ name: 'Sync Plan', value: 'syncAction', description: 'The planned changes from Conflict Resolution' },
		{ name: 'Task', value: 'task', description: 'Microsoft To Do task' },
	],
	default: 'contact',
};
