import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { loadTable, stateSizeBytes, tableRef } from '../helpers/state';

export const description: INodeProperties[] = [];

/** One item with the committed cursors, for the Get Changes operations' "Cursor" fields. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const ref = tableRef(this);
	const table = loadTable(this, ref.key);
	return [
		[
			{
				json: {
					table: ref.key,
					mailbox: ref.mailbox,
					component: ref.component,
					crmCursor: table.cursors.crm ?? '',
					exchangeCursor: table.cursors.ex ?? '',
					firstRun: table.cursors.crm === undefined || table.cursors.ex === undefined,
					pairs: table.size,
					stateBytes: stateSizeBytes(this),
				},
				pairedItem: { item: 0 },
			},
		],
		[],
	];
}
