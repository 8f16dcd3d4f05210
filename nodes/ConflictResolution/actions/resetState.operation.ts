import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { StatusTable } from '../../../lib/engine';
import { loadTable, saveTable, tableRef } from '../helpers/state';

export const description: INodeProperties[] = [];

/**
 * A4: forget cursors and pairs. The next run lists both sides completely and pairs records again through
 * the idents stored on the records themselves, so nothing is duplicated. The emptied state is marked as
 * reset, so Sync State does not take the CRM run log's older committed copy in its place.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const ref = tableRef(this);
	const own = loadTable(this, ref.key);
	const before = own.size;
	saveTable(this, ref.key, StatusTable.emptied(own.generation));
	return [[{ json: { table: ref.key, reset: true, forgottenPairs: before }, pairedItem: { item: 0 } }], []];
}
