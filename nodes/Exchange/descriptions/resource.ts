import type { INodeProperties } from 'n8n-workflow';

export const resourceParameter: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Contact', value: 'contact' },
		{ name: 'Event', value: 'event', description: 'Calendar appointment' },
		{ name: 'Folder', value: 'folder', description: 'Contact folders, calendars, To Do lists, mail folders' },
		{ name: 'Message', value: 'message', description: 'E-mail' },
		{ name: 'Sync Action', value: 'syncAction', description: 'Planned sync actions from Conflict Resolution' },
		{ name: 'Task', value: 'task', description: 'Microsoft To Do task' },
	],
	default: 'contact',
};
