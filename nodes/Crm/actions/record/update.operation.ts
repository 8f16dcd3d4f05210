import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CrmBackend, CrmRecordInput } from '../../../../lib/crm';
import { actingUserOption, assigneeOption, recordFieldsInput, recordIdParameter } from '../../descriptions/common';
import { optionString, parseAssignee, readRecordFields, splitList } from '../../helpers/input';
import { RECORD_RESOURCES, RESOURCE_MODULE, type RecordResource } from '../../helpers/resources';

export const properties: INodeProperties[] = [
	recordIdParameter,
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
				description: 'Sync ident of the paired Exchange item',
			},
			{
				displayName: 'Only If Etag Is',
				name: 'ifEtag',
				type: 'string',
				default: '',
				description: 'Refuse the update when the record changed since it was read with this etag',
			},
			{
				displayName: 'Tags',
				name: 'tags',
				type: 'string',
				default: '',
				description: 'Comma-separated tags; replaces the record’s tags',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: [...RECORD_RESOURCES], operation: ['update'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, crm: CrmBackend): Promise<INodeExecutionData[]> {
	const resource = this.getNodeParameter('resource', itemIndex) as RecordResource;
	const id = String(this.getNodeParameter('recordId', itemIndex)).trim();
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const patch: Partial<CrmRecordInput> = { fields: readRecordFields(this, itemIndex) };
	const assignedTo = parseAssignee(options.assignedTo);
	if (assignedTo) patch.assignedTo = assignedTo;
	if (options.tags !== undefined) patch.tags = splitList(options.tags);
	if (options.exchangeIdent !== undefined) patch.exchangeIdent = String(options.exchangeIdent).trim();
	const record = await crm.update(RESOURCE_MODULE[resource], id, patch, {
		ifEtag: optionString(options, 'ifEtag'),
		actingUserId: optionString(options, 'actingUser'),
	});
	return [{ json: record as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
