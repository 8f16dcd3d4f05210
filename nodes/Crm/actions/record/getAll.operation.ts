import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CrmBackend, CrmListFilter } from '../../../../lib/crm';
import { returnAllOrLimit } from '../../descriptions/common';
import { optionString, parseAssignee, splitList } from '../../helpers/input';
import { RECORD_RESOURCES, RESOURCE_MODULE, type RecordResource } from '../../helpers/resources';

const PAGE = 500;

export const properties: INodeProperties[] = [
	...returnAllOrLimit({}),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Assigned To Name or ID',
				name: 'assignedTo',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getAssignees' },
				default: '',
				description:
					'Only records assigned to this user or group. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Event Type Name or ID',
				name: 'eventType',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getEventTypes' },
				default: '',
				description:
					'Only events of this type (Meeting, Call, ...). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Modified Since',
				name: 'modifiedSince',
				type: 'dateTime',
				default: '',
				description: 'Only records changed at or after this time',
			},
			{
				displayName: 'Tags',
				name: 'tags',
				type: 'string',
				default: '',
				description: 'Comma-separated; records with any of these tags',
			},
			{
				displayName: 'Type',
				name: 'type',
				type: 'string',
				default: '',
				description: 'Record type: account type, contact type, lead source, partner type, task status (events: use Event Type)',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: [...RECORD_RESOURCES], operation: ['getAll'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, crm: CrmBackend): Promise<INodeExecutionData[]> {
	const resource = this.getNodeParameter('resource', itemIndex) as RecordResource;
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;

	const filter: CrmListFilter = {};
	const modifiedSince = optionString(filters, 'modifiedSince');
	if (modifiedSince) filter.modifiedSince = modifiedSince;
	const assignedTo = parseAssignee(filters.assignedTo);
	if (assignedTo) filter.assignedTo = assignedTo;
	const tags = splitList(filters.tags);
	if (tags.length) filter.tags = tags;
	const type = optionString(filters, resource === 'event' ? 'eventType' : 'type');
	if (type) filter.type = type;

	const out: INodeExecutionData[] = [];
	for (let offset = 0; out.length < limit; offset += PAGE) {
		const page = await crm.list(RESOURCE_MODULE[resource], {
			...filter,
			offset,
			limit: Math.min(PAGE, limit - out.length),
		});
		for (const record of page) out.push({ json: record as unknown as IDataObject, pairedItem: { item: itemIndex } });
		if (page.length < PAGE) break;
	}
	return out;
}
