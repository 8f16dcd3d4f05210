import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CrmBackend } from '../../../../lib/crm';
import { CrmError } from '../../../../lib/crm';
import { recordIdParameter } from '../../descriptions/common';
import { RECORD_RESOURCES, RESOURCE_MODULE, type RecordResource } from '../../helpers/resources';

export const properties: INodeProperties[] = [recordIdParameter];

export const description = updateDisplayOptions({ show: { resource: [...RECORD_RESOURCES], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, crm: CrmBackend): Promise<INodeExecutionData[]> {
	const resource = this.getNodeParameter('resource', itemIndex) as RecordResource;
	const id = String(this.getNodeParameter('recordId', itemIndex)).trim();
	const record = await crm.get(RESOURCE_MODULE[resource], id);
	if (!record) {
		throw new CrmError('notFound', `There is no ${resource} with the ID "${id}" in the CRM`, 'Check the ID; the record may have been deleted.');
	}
	return [{ json: record as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
