import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ExchangeClient } from '../../../../lib/exchange';
import type { Component } from '../../../../lib/model/types';
import { ITEM_RESOURCES, etagParameter, itemIdParameter } from '../../descriptions/common';
import { folderIdParam, optionalString } from '../../helpers/params';

export const properties: INodeProperties[] = [itemIdParameter, etagParameter];

export const description = updateDisplayOptions({ show: { resource: ITEM_RESOURCES, operation: ['delete'] } }, properties);

export async function execute(this: IExecuteFunctions, i: number, client: ExchangeClient): Promise<INodeExecutionData[]> {
	const component = this.getNodeParameter('resource', i) as Component;
	const id = String(this.getNodeParameter('itemId', i)).trim();
	await client.delete(component, folderIdParam(this, component, i), id, { etag: optionalString(this, 'etag', i) });
	return [{ json: { deleted: true, id }, pairedItem: { item: i } }];
}
