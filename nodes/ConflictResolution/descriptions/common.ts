import type { INodeProperties } from 'n8n-workflow';

export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Read State',
			value: 'readState',
			description: 'Output the cursors to read changes from, so the Get Changes operations can start where the last run ended',
			action: 'Read the sync state',
		},
		{
			name: 'Plan',
			value: 'plan',
			description: 'Compare both sides’ changes with the sync state and output one item per action',
			action: 'Plan the sync actions',
		},
		{
			name: 'Commit',
			value: 'commit',
			description: 'Record the results of the writes in the sync state and report the run',
			action: 'Commit the sync results',
		},
		{
			name: 'Reset State',
			value: 'resetState',
			description: 'Forget the sync state: the next run reads both sides completely and pairs records again, without duplicates (A4)',
			action: 'Reset the sync state',
		},
	],
	default: 'plan',
};

export const tableProperties: INodeProperties[] = [
	{
		displayName: 'Component',
		name: 'component',
		type: 'options',
		options: [
			{ name: 'Contact', value: 'contact' },
			{ name: 'Appointment', value: 'event' },
			{ name: 'Task', value: 'task' },
		],
		default: 'contact',
		description: 'What this workflow syncs; each component keeps its own state',
	},
	{
		displayName: 'Mailbox',
		name: 'mailbox',
		type: 'string',
		default: 'me',
		description: 'The mailbox being synced (its address), so each mailbox keeps its own state',
	},
	{
		displayName: 'Exchange Folder ID',
		name: 'exchangeFolderId',
		type: 'string',
		default: '',
		description:
			'The synced folder (usually from “Ensure Sync Folders”). A new folder, e.g. after the component was switched off and on again, starts with a fresh state.',
	},
	{
		displayName: 'CRM Instance',
		name: 'crmInstance',
		type: 'string',
		default: 'crm',
		description:
			'A short, stable name for the CRM (e.g. "prod", "staging"). It is written into every synced Exchange item, so one mailbox can be synced with two CRMs without mixing their items (S25). Do not change it after the first sync.',
	},
];
