import type { INodeProperties } from 'n8n-workflow';

export const resourceParameter: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [
		// Values stay the API's nouns (templates store them); names are the product's words.
		{ name: 'Account', value: 'account' },
		{ name: 'Appointment', value: 'event' },
		{ name: 'Contact', value: 'contact' },
		{ name: 'E-Mail', value: 'email' },
		{ name: 'Lead', value: 'lead' },
		{ name: 'Partner', value: 'partner' },
		{ name: 'Sync Conflict', value: 'conflict' },
		{ name: 'Sync Plan', value: 'syncAction' },
		{ name: 'Sync Status', value: 'syncStatus', description: 'Per mailbox and component: running, last run, last problem, open conflicts (A6)' },
		{ name: 'Task', value: 'task' },
		{ name: 'User', value: 'user', description: 'CRM users with a mailbox (who the per-user sync serves)' },
	],
	default: 'contact',
};
