import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ExchangeClient, ExchangeItem } from '../../../../lib/exchange';
import { goneAmong } from '../../../../lib/exchange/confirm-missing';
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
	{
		displayName: 'Confirm Items',
		name: 'confirmIds',
		type: 'string',
		default: '',
		description:
			'IDs (a list, or separated by commas) of items the sync created in its last run, usually from Sync State. Those the changes list neither as changed nor as deleted are looked up, and the ones that are gone are reported as deleted: an appointment created and deleted between two runs is in no calendar change list.',
	},
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
	if (!hasMore) {
		const listed = new Set([...items.map((item) => item.id), ...deletedIds]);
		deletedIds.push(...(await goneAmong(client, component, folderId, idList(this.getNodeParameter('confirmIds', i, '')), listed)));
	}
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

function idList(value: unknown): string[] {
	const list = Array.isArray(value) ? value.map(String) : String(value ?? '').split(',');
	return list.map((id) => id.trim()).filter((id) => id !== '');
}
