import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ExchangeClient, ExchangeItem } from '../../../../lib/exchange';
import type { Component } from '../../../../lib/model/types';
import { ITEM_RESOURCES, rawOutputParameter } from '../../descriptions/common';
import { folderIdParam, itemJson, optionalString } from '../../helpers/params';
import { windowParam, windowParameters } from './window';

export const properties: INodeProperties[] = [
	{
		displayName: 'Cursor',
		name: 'cursor',
		type: 'string',
		default: '',
		description: 'Cursor from the previous run. Empty: list everything and return a cursor for next time.',
	},
	{
		displayName: 'All Pages',
		name: 'allPages',
		type: 'boolean',
		default: true,
		description: 'Whether to read until the end of the changes, or return one page (then call again with the returned cursor)',
	},
	...windowParameters,
	rawOutputParameter,
];

export const description = updateDisplayOptions({ show: { resource: ITEM_RESOURCES, operation: ['getChanges'] } }, properties);

/** One output item with every change, the deletions and the cursor to store for next time. */
export async function execute(this: IExecuteFunctions, i: number, client: ExchangeClient): Promise<INodeExecutionData[]> {
	const component = this.getNodeParameter('resource', i) as Component;
	const folderId = folderIdParam(this, component, i);
	const allPages = this.getNodeParameter('allPages', i, true) as boolean;
	const raw = this.getNodeParameter('rawOutput', i, false) as boolean;
	const window = windowParam(this, component, i);
	let cursor = optionalString(this, 'cursor', i);
	const items: ExchangeItem[] = [];
	const deletedIds: string[] = [];
	const invalid: Array<{ id: string; reason: string }> = [];
	let fullResync = false;
	let hasMore: boolean;
	do {
		const page = await client.listChanges(component, folderId, cursor, { window });
		items.push(...page.items);
		deletedIds.push(...page.deletedIds);
		invalid.push(...(page.invalid ?? []));
		fullResync ||= page.fullResync;
		cursor = page.cursor;
		hasMore = page.hasMore;
	} while (allPages && hasMore);
	const json: IDataObject = {
		changes: items.map((item) => itemJson(item, raw)),
		deletedIds,
		cursor: cursor ?? '',
		hasMore,
		fullResync,
		...(invalid.length ? { invalid } : {}),
	};
	return [{ json, pairedItem: { item: i } }];
}
