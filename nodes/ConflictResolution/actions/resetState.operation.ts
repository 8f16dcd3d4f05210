import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { loadTable, saveTable, tableRef } from '../helpers/state';

export const description: INodeProperties[] = [];

/**
 * A4: forget cursors and pairs. The next run lists both sides completely and pairs records again through
 * the idents stored on the records themselves, so nothing is duplicated.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const ref = tableRef(this);
	const before = loadTable(this, ref.key).size;
	saveTable(this, ref.key, undefined);
	return [[{ json: { table: ref.key, reset: true, forgottenPairs: before }, pairedItem: { item: 0 } }], []];
}
