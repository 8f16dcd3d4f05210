import type { INodeProperties } from 'n8n-workflow';

import type { Component } from '../../../lib/model/types';

export const ITEM_RESOURCES: Component[] = ['contact', 'event', 'task'];

const SEARCH_METHOD: Record<Component, string> = {
	contact: 'searchContactFolders',
	event: 'searchCalendars',
	task: 'searchTaskLists',
};

const FOLDER_LABEL: Record<Component, string> = {
	contact: 'Contact Folder',
	event: 'Calendar',
	task: 'To Do List',
};

/** `contactFolder`, `eventFolder`, `taskFolder`: the folder an item operation works in. */
export function folderParameterName(component: Component): string {
	return `${component}Folder`;
}

export const itemFolderParameters: INodeProperties[] = ITEM_RESOURCES.map((component) => ({
	displayName: FOLDER_LABEL[component],
	name: folderParameterName(component),
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: "The folder to work in. The list shows the CRM-Sync folder and the mailbox's own folders.",
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: SEARCH_METHOD[component], searchable: true },
		},
		{ displayName: 'ID', name: 'id', type: 'string', placeholder: 'AAMkAGI2...' },
	],
	displayOptions: { show: { resource: [component] } },
}));

export const mailFolderLocator = (name: string, displayName: string, description: string): INodeProperties => ({
	displayName,
	name,
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description,
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchMailFolders', searchable: true },
		},
		{ displayName: 'ID or Well-Known Name', name: 'id', type: 'string', placeholder: 'inbox' },
	],
});

export const itemIdParameter: INodeProperties = {
	displayName: 'Item ID',
	name: 'itemId',
	type: 'string',
	default: '',
	required: true,
	description: 'Exchange ID of the item (immutable ID)',
};

export const recordParameter: INodeProperties = {
	displayName: 'Record (JSON)',
	name: 'record',
	type: 'json',
	default: '{}',
	required: true,
	description:
		'The record in the canonical shape (as output by this node or the Field Mapping node), e.g. {"firstName": "Anna", "lastName": "Schmidt", "email": "anna@example.com"}',
};

export const identParameter: INodeProperties = {
	displayName: 'Sync Key',
	name: 'ident',
	type: 'string',
	default: '',
	description: 'The CRM sync key to store on the item (pairs it with its CRM record). Leave empty to keep it unchanged.',
};

export const etagParameter: INodeProperties = {
	displayName: 'Only If Unchanged Since (ETag)',
	name: 'etag',
	type: 'string',
	default: '',
	description: 'ETag read earlier. If the item changed meanwhile, the operation fails with a conflict instead of overwriting.',
};

export const rawOutputParameter: INodeProperties = {
	displayName: 'Raw Graph Output',
	name: 'rawOutput',
	type: 'boolean',
	default: false,
	description: 'Whether to output the Microsoft Graph object instead of the canonical record',
};

export const mailboxParameter: INodeProperties = {
	displayName: 'Mailbox',
	name: 'mailbox',
	type: 'string',
	default: '',
	placeholder: 'jane.doe@contoso.com',
	description: 'Mailbox to work on; empty uses the mailbox of the credential',
};
