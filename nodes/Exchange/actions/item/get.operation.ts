import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { ExchangeError, type ExchangeClient } from '../../../../lib/exchange';
import type { Component } from '../../../../lib/model/types';
import { ITEM_RESOURCES, itemIdParameter, rawOutputParameter } from '../../descriptions/common';
import { folderIdParam, itemJson } from '../../helpers/params';

export const properties: INodeProperties[] = [itemIdParameter, rawOutputParameter];

export const description = updateDisplayOptions({ show: { resource: ITEM_RESOURCES, operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions, i: number, client: ExchangeClient): Promise<INodeExecutionData[]> {
	const component = this.getNodeParameter('resource', i) as Component;
	const id = String(this.getNodeParameter('itemId', i)).trim();
	const item = await client.get(component, folderIdParam(this, component, i), id);
	if (!item)
		throw new ExchangeError(
			'notFound',
			`There is no ${component} with the ID "${id}" in this folder`,
			'Check the ID and the folder; the item may have been deleted or moved.',
			404,
		);
	return [{ json: itemJson(item, this.getNodeParameter('rawOutput', i, false) as boolean), pairedItem: { item: i } }];
}
