import type { INodeProperties } from 'n8n-workflow';
import { DEFAULT_REMINDER_MINUTES } from '../../../lib/model/reminder';

export const componentProperty: INodeProperties = {
	displayName: 'Component',
	name: 'component',
	type: 'options',
	options: [
		{ name: 'Contact', value: 'contact', description: 'CRM contacts ⇄ Exchange contacts' },
		{ name: 'Appointment', value: 'event', description: 'CRM calendar events ⇄ Exchange calendar' },
		{ name: 'Task', value: 'task', description: 'CRM calendar tasks ⇄ Exchange tasks' },
	],
	default: 'contact',
	description: 'Which kind of record the items hold',
};

export const recordFieldProperty: INodeProperties = {
	displayName: 'Canonical Record Field',
	name: 'recordField',
	type: 'string',
	default: 'record',
	description: 'Item field that holds the canonical record (leave empty to use the whole item)',
};

export const crmFieldsFieldProperty: INodeProperties = {
	displayName: 'CRM Fields Field',
	name: 'crmFieldsField',
	type: 'string',
	default: 'fields',
	description: 'Item field that holds the CRM record’s fields, as the CRM node outputs them (leave empty to use the whole item)',
};

const KIND_OPTIONS = [
	{ name: 'Boolean', value: 'boolean' },
	{ name: 'Date (YYYY-MM-DD)', value: 'date' },
	{ name: 'Date and Time (UTC Date + Time Fields)', value: 'dateTime' },
	{ name: 'E-Mail Address', value: 'email' },
	{ name: 'Number', value: 'number' },
	{ name: 'Picklist', value: 'picklist' },
	{ name: 'Plain Text (HTML Converted)', value: 'plainText' },
	{ name: 'Text', value: 'text' },
];

/** Builder changes to the preset: field pairs, dropped fields, picklist entries. */
export const customisationProperties: INodeProperties[] = [
	{
		displayName: 'Field Pairs',
		name: 'fieldPairs',
		placeholder: 'Add Field Pair',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'Add field pairs or override the preset’s. A pair with the same canonical field or the same CRM field replaces the preset’s pair.',
		options: [
			{
				displayName: 'Pair',
				name: 'pair',
				values: [
					{
						displayName: 'Canonical Field',
						name: 'canonical',
						type: 'string',
						default: '',
						placeholder: 'e.g. jobTitle or billingAddress.street',
					},
					{ displayName: 'CRM Field', name: 'crm', type: 'string', default: '', placeholder: 'e.g. title' },
					{ displayName: 'Kind', name: 'kind', type: 'options', options: KIND_OPTIONS, default: 'text' },
					{
						displayName: 'Direction',
						name: 'direction',
						type: 'options',
						options: [
							{ name: 'Both Ways', value: 'both' },
							{ name: 'Canonical → CRM Only', value: 'toCrm' },
							{ name: 'CRM → Canonical Only', value: 'toCanonical' },
						],
						default: 'both',
					},
					{
						displayName: 'Picklist',
						name: 'picklist',
						type: 'string',
						default: '',
						description: 'For kind Picklist: the table name (taskStatus, taskPriority, or one defined below)',
					},
					{
						displayName: 'CRM Time Field',
						name: 'crmTime',
						type: 'string',
						default: '',
						description: 'For kind Date and Time: the CRM field holding the UTC time of day',
					},
					{
						displayName: 'Only When Creating',
						name: 'onCreateOnly',
						type: 'boolean',
						default: false,
						description: 'Whether the value is written only when a record is created and never kept in sync',
					},
				],
			},
		],
	},
	{
		displayName: 'Drop Fields',
		name: 'dropFields',
		type: 'string',
		default: '',
		placeholder: 'e.g. website, otherphone',
		description: 'Comma-separated canonical or CRM field names the mapping leaves alone',
	},
	{
		displayName: 'Picklist Entries',
		name: 'picklistEntries',
		placeholder: 'Add Picklist Entry',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'Entries put before the preset’s picklist entries, so they win (e.g. CRM “overdue” ⇄ notStarted)',
		options: [
			{
				displayName: 'Entry',
				name: 'entry',
				values: [
					{ displayName: 'Picklist', name: 'picklist', type: 'string', default: 'taskStatus' },
					{ displayName: 'CRM Value', name: 'crm', type: 'string', default: '' },
					{ displayName: 'Canonical Value', name: 'canonical', type: 'string', default: '' },
				],
			},
		],
	},
];

export const eventOptionsProperty: INodeProperties = {
	displayName: 'Appointment Options',
	name: 'eventOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: { show: { component: ['event'] } },
	options: [
		{
			displayName: 'Busy Block Subject',
			name: 'busySubject',
			type: 'string',
			default: 'Appointment',
			description: 'Subject a private Exchange appointment gets in the CRM',
		},
		{
			displayName: 'CRM Time Zone',
			name: 'crmTimeZone',
			type: 'string',
			default: '',
			placeholder: 'e.g. Europe/Berlin',
			description: 'Time zone Exchange shows appointments from the CRM in (the CRM stores UTC)',
		},
		{
			displayName: 'Deep Link Template',
			name: 'deepLinkTemplate',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://crm.example.com/index.php?module=Calendar&view=Detail&record={ID}',
			description: 'Link to the CRM record written into the Exchange body; {ID} is replaced by the record ID',
		},
		{
			displayName: 'Default Event Type',
			name: 'defaultEventType',
			type: 'string',
			default: '',
			description: 'Type for appointments created from Exchange (default: the first synced type)',
		},
		{
			displayName: 'Default Reminder (Minutes)',
			name: 'defaultReminderMinutes',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: DEFAULT_REMINDER_MINUTES,
			description: 'Reminder set when an appointment is created and the source has none',
		},
		{
			displayName: 'Enrich Exchange Body',
			name: 'enrichment',
			type: 'boolean',
			default: true,
			description: 'Whether to add company, address, website, contact person, remark and a CRM link below the description in Exchange',
		},
		{
			displayName: 'Private as Busy Block',
			name: 'privateAsBusyBlock',
			type: 'boolean',
			default: true,
			description: 'Whether private Exchange appointments reach the CRM only with date and time',
		},
		{
			displayName: 'Remark Field',
			name: 'remarkField',
			type: 'string',
			default: 'remark',
			description: 'CRM field whose text is added to the Exchange body as the remark line',
		},
		{
			displayName: 'Set Category to Event Type',
			name: 'setCategory',
			type: 'boolean',
			default: false,
			description: 'Whether the Exchange category is set to the CRM event type',
		},
		{
			displayName: 'Synced Event Types',
			name: 'syncedEventTypes',
			type: 'string',
			default: 'Meeting',
			description: 'Comma-separated CRM event types that sync; others are left out',
		},
	],
};

export const setFieldsProperty: INodeProperties = {
	displayName: 'Set Fields',
	name: 'setFields',
	placeholder: 'Add Field',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	default: {},
	description: 'Fields set on the mapped record after the mapping; values can be expressions',
	options: [
		{
			displayName: 'Field',
			name: 'field',
			values: [
				{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. cf_source' },
				{ displayName: 'Value', name: 'value', type: 'string', default: '' },
			],
		},
	],
};

/**
 * One mapping for both directions (issue 17): Canonical → CRM can take the field pairs, picklists and
 * options of another Field Mapping node (the pipeline's CRM → Canonical node) instead of its own.
 */
export const mappingSourceProperties: INodeProperties[] = [
	{
		displayName: 'Mapping',
		name: 'mappingFrom',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Same as the CRM → Canonical Node',
				value: 'node',
				description: 'Field pairs, picklists and options are set once, in that node, and used for both directions',
			},
			{ name: 'Set Here', value: 'own', description: 'This node has its own field pairs, picklists and options' },
		],
		default: 'own',
		displayOptions: { show: { operation: ['toCrm'] } },
	},
	{
		displayName: 'Mapping Node',
		name: 'mappingSource',
		type: 'string',
		default: "={{ $('Map CRM → Canonical').params }}",
		description:
			'The CRM → Canonical node whose mapping this node uses, as an expression with its name. Change a field pair there and it applies to both directions.',
		hint: "Keep the form {{ $('Node Name').params }}; n8n updates the name when the node is renamed",
		displayOptions: { show: { operation: ['toCrm'], mappingFrom: ['node'] } },
	},
];

/** A mapping setting, hidden when the mapping comes from another node. */
export function ownMappingOnly(property: INodeProperties): INodeProperties {
	return { ...property, displayOptions: { ...property.displayOptions, hide: { ...property.displayOptions?.hide, mappingFrom: ['node'] } } };
}
