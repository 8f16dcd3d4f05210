import type { INodeProperties } from 'n8n-workflow';

/** Record fields as name/value pairs or JSON (field names are vtiger's: lastname, email, date_start, ...). */
export const recordFieldsInput: INodeProperties[] = [
	{
		displayName: 'Fields Input',
		name: 'fieldsInputMode',
		type: 'options',
		options: [
			{ name: 'Field by Field', value: 'fields' },
			{ name: 'JSON', value: 'json' },
		],
		default: 'fields',
	},
	{
		displayName: 'Record Fields',
		name: 'recordFields',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Field',
		default: {},
		description:
			'CRM field names as in vtiger CRM, e.g. firstname, lastname, email, account_id, accountname, subject, date_start, time_start, due_date, activitytype, taskstatus',
		displayOptions: { show: { fieldsInputMode: ['fields'] } },
		options: [
			{
				name: 'field',
				displayName: 'Field',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'lastname' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
	{
		displayName: 'Fields (JSON)',
		name: 'fieldsJson',
		type: 'json',
		default: '{}',
		description: 'An object of field name → value',
		displayOptions: { show: { fieldsInputMode: ['json'] } },
	},
];

export const recordIdParameter: INodeProperties = {
	displayName: 'Record ID',
	name: 'recordId',
	type: 'string',
	required: true,
	default: '',
	description: 'ID of the CRM record',
};

export const assigneeOption: INodeProperties = {
	displayName: 'Assigned To Name or ID',
	name: 'assignedTo',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getAssignees' },
	default: '',
	description:
		'User or group the record is assigned to. Only records assigned to a user are synced to Exchange. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

export const actingUserOption: INodeProperties = {
	displayName: 'Act as User Name or ID',
	name: 'actingUser',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getUsers' },
	default: '',
	description:
		'CRM user whose module permissions apply to this change (a user without write permission is refused). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

export function returnAllOrLimit(show: Record<string, string[]>): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: { show },
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { ...show, returnAll: [false] } },
		},
	];
}
