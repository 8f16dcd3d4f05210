import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CrmBackend } from '../../../../lib/crm';
import { actingUserOption, recordIdParameter } from '../../descriptions/common';
import { optionString } from '../../helpers/input';
import { RECORD_RESOURCES, RESOURCE_MODULE, type RecordResource } from '../../helpers/resources';

export const properties: INodeProperties[] = [
	recordIdParameter,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [actingUserOption],
	},
];

export const description = updateDisplayOptions({ show: { resource: [...RECORD_RESOURCES], operation: ['delete'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, crm: CrmBackend): Promise<INodeExecutionData[]> {
	const resource = this.getNodeParameter('resource', itemIndex) as RecordResource;
	const id = String(this.getNodeParameter('recordId', itemIndex)).trim();
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	await crm.delete(RESOURCE_MODULE[resource], id, { actingUserId: optionString(options, 'actingUser') });
	return [{ json: { id, deleted: true }, pairedItem: { item: itemIndex } }];
}
