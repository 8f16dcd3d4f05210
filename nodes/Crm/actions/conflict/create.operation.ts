import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CrmBackend, CrmModule } from '../../../../lib/crm';
import { optionString } from '../../helpers/input';

export const properties: INodeProperties[] = [
	{
		displayName: 'Module',
		name: 'module',
		type: 'options',
		options: [
			{ name: 'Account', value: 'accounts' },
			{ name: 'Contact', value: 'contacts' },
			{ name: 'E-Mail', value: 'emails' },
			{ name: 'Event', value: 'events' },
			{ name: 'Lead', value: 'leads' },
			{ name: 'Partner', value: 'partners' },
			{ name: 'Task', value: 'tasks' },
		],
		default: 'contacts',
		description: 'Module of the record that could not be synced',
	},
	{
		displayName: 'Side',
		name: 'side',
		type: 'options',
		options: [
			{ name: 'CRM', value: 'crm' },
			{ name: 'Exchange', value: 'exchange' },
		],
		default: 'exchange',
		description: 'Where the offending data came from',
	},
	{ displayName: 'Reason', name: 'reason', type: 'string', required: true, default: '' },
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{ displayName: 'Mailbox', name: 'mailbox', type: 'string', default: '' },
			{ displayName: 'Payload (JSON)', name: 'payload', type: 'json', default: '{}' },
			{ displayName: 'Record ID', name: 'recordId', type: 'string', default: '' },
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['conflict'], operation: ['create'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, crm: CrmBackend): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	let payload: unknown = options.payload ?? null;
	if (typeof payload === 'string') {
		try {
			payload = JSON.parse(payload) as unknown;
		} catch {
			// Not JSON: keep the text as it is.
		}
	}
	const conflict = await crm.recordConflict({
		module: this.getNodeParameter('module', itemIndex) as CrmModule,
		side: this.getNodeParameter('side', itemIndex) as 'crm' | 'exchange',
		reason: String(this.getNodeParameter('reason', itemIndex)),
		payload,
		...(optionString(options, 'recordId') ? { recordId: optionString(options, 'recordId') } : {}),
		...(optionString(options, 'mailbox') ? { mailbox: optionString(options, 'mailbox') } : {}),
	});
	return [{ json: conflict as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
