import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import * as workflowCopy from './workflowCopy';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	// One resource and operation today; the switch keeps the Outlook v2 layout open for more.
	const operation = this.getNodeParameter('operation', 0) as string;
	switch (operation) {
		case 'keepOnePerUser':
		default:
			return [await workflowCopy.keepOnePerUser.execute.call(this, items)];
	}
}
