import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CrmBackend, CrmRecord } from '../../../../lib/crm';
import { withAccountName } from '../../../../lib/mapping';
import { RECORD_RESOURCES, RESOURCE_MODULE, type RecordResource } from '../../helpers/resources';

/** Guards against a backend whose cursor never advances. */
const MAX_PAGES = 10000;

export const properties: INodeProperties[] = [
	{
		displayName: 'Cursor',
		name: 'cursor',
		type: 'string',
		default: '',
		description: 'The cursor returned by the previous run; empty to start from the beginning. Changes after it are returned, deletions included.',
	},
	{
		displayName: 'Fetch All Pages',
		name: 'fetchAll',
		type: 'boolean',
		default: true,
		description: 'Whether to read until no changes are left, or only one page',
	},
	{
		displayName: 'Add Account Names',
		name: 'addAccountNames',
		type: 'boolean',
		default: true,
		displayOptions: { show: { resource: ['contact'] } },
		description: 'Whether to add the linked account’s name as account_name, so the mapping can fill Exchange’s company field (S7)',
	},
	{
		displayName: 'Page Size',
		name: 'pageSize',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 500,
		description: 'Changes read per request',
	},
];

export const description = updateDisplayOptions({ show: { resource: [...RECORD_RESOURCES], operation: ['getChanges'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, crm: CrmBackend): Promise<INodeExecutionData[]> {
	const resource = this.getNodeParameter('resource', itemIndex) as RecordResource;
	const start = String(this.getNodeParameter('cursor', itemIndex, '')).trim();
	const fetchAll = this.getNodeParameter('fetchAll', itemIndex, true) as boolean;
	const pageSize = this.getNodeParameter('pageSize', itemIndex, 500) as number;

	const changed: CrmRecord[] = [];
	const deletedIds: string[] = [];
	let cursor: string | undefined = start === '' ? undefined : start;
	let hasMore = false;
	for (let pages = 0; pages < MAX_PAGES; pages++) {
		const page = await crm.listChanges(RESOURCE_MODULE[resource], cursor, { limit: pageSize });
		changed.push(...page.changed);
		deletedIds.push(...page.deletedIds);
		cursor = page.cursor;
		hasMore = page.hasMore;
		if (!fetchAll || !hasMore) break;
	}
	if (resource === 'contact' && this.getNodeParameter('addAccountNames', itemIndex, true)) {
		for (const record of changed) record.fields = await withAccountName(crm, record.fields);
	}
	const json = { module: RESOURCE_MODULE[resource], changed, deletedIds, cursor, hasMore };
	return [{ json: json as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
