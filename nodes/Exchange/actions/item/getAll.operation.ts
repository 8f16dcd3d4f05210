import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ExchangeClient } from '../../../../lib/exchange';
import type { Component } from '../../../../lib/model/types';
import { ITEM_RESOURCES, rawOutputParameter } from '../../descriptions/common';
import { folderIdParam, itemJson } from '../../helpers/params';
import { windowParameters, windowParam } from './window';

export const properties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	...windowParameters,
	rawOutputParameter,
];

export const description = updateDisplayOptions({ show: { resource: ITEM_RESOURCES, operation: ['getAll'] } }, properties);

export async function execute(this: IExecuteFunctions, i: number, client: ExchangeClient): Promise<INodeExecutionData[]> {
	const component = this.getNodeParameter('resource', i) as Component;
	const folderId = folderIdParam(this, component, i);
	const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
	const limit = returnAll ? Number.POSITIVE_INFINITY : (this.getNodeParameter('limit', i, 50) as number);
	const raw = this.getNodeParameter('rawOutput', i, false) as boolean;
	const window = windowParam(this, component, i);
	const out: INodeExecutionData[] = [];
	let cursor: string | undefined;
	// A change feed without cursor is a full listing of the folder.
	do {
		const page = await client.listChanges(component, folderId, cursor, { window, pageSize: Math.min(100, limit) });
		for (const item of page.items) {
			if (out.length >= limit) break;
			out.push({ json: itemJson(item, raw), pairedItem: { item: i } });
		}
		cursor = page.hasMore && out.length < limit ? page.cursor : undefined;
	} while (cursor);
	return out;
}
