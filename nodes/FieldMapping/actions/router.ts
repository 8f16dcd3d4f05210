import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import * as mapping from './mapping';

/** Outputs: [mapped, invalid]. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as 'toCanonical' | 'toCrm';
	const result = operation === 'toCrm' ? await mapping.toCrm.execute.call(this, items) : await mapping.toCanonical.execute.call(this, items);
	return [result.mapped, result.invalid];
}
