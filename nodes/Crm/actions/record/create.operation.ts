import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CrmBackend } from '../../../../lib/crm';
import { actingUserOption, assigneeOption, recordFieldsInput } from '../../descriptions/common';
import { optionString, parseAssignee, readRecordFields, splitList } from '../../helpers/input';
import { RECORD_RESOURCES, RESOURCE_MODULE, type RecordResource } from '../../helpers/resources';

export const properties: INodeProperties[] = [
	...recordFieldsInput,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			actingUserOption,
			assigneeOption,
			{
				displayName: 'Exchange Ident',
				name: 'exchangeIdent',
				type: 'string',
				default: '',
				description: 'Sync ident of the paired Exchange item, if any',
			},
			{
				displayName: 'Tags',
				name: 'tags',
				type: 'string',
				default: '',
				description: 'Comma-separated tags',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: [...RECORD_RESOURCES], operation: ['create'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, crm: CrmBackend): Promise<INodeExecutionData[]> {
	const resource = this.getNodeParameter('resource', itemIndex) as RecordResource;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const assignedTo = parseAssignee(options.assignedTo);
	const exchangeIdent = optionString(options, 'exchangeIdent');
	const record = await crm.create(
		RESOURCE_MODULE[resource],
		{
			fields: readRecordFields(this, itemIndex),
			tags: splitList(options.tags),
			...(assignedTo ? { assignedTo } : {}),
			...(exchangeIdent ? { exchangeIdent } : {}),
		},
		{ actingUserId: optionString(options, 'actingUser') },
	);
	return [{ json: record as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
