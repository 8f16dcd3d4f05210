import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CrmBackend } from '../../../../lib/crm';

export const properties: INodeProperties[] = [{ displayName: 'E-Mail ID', name: 'emailId', type: 'string', required: true, default: '' }];

export const description = updateDisplayOptions({ show: { resource: ['email'], operation: ['delete'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, crm: CrmBackend): Promise<INodeExecutionData[]> {
	const id = String(this.getNodeParameter('emailId', itemIndex)).trim();
	await crm.delete('emails', id);
	return [{ json: { id, deleted: true }, pairedItem: { item: itemIndex } }];
}
