import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CrmBackend } from '../../../../lib/crm';

export const properties: INodeProperties[] = [{ displayName: 'Conflict ID', name: 'conflictId', type: 'string', required: true, default: '' }];

export const description = updateDisplayOptions({ show: { resource: ['conflict'], operation: ['resolve'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, crm: CrmBackend): Promise<INodeExecutionData[]> {
	const conflict = await crm.resolveConflict(String(this.getNodeParameter('conflictId', itemIndex)).trim());
	return [{ json: conflict as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
