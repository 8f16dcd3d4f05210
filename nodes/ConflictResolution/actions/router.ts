import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import * as commit from './commit.operation';
import * as plan from './plan.operation';
import * as readState from './readState.operation';
import * as resetState from './resetState.operation';

const operations = { plan, commit, readState, resetState };

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
	return await operations[operation].execute.call(this);
}

export const operationDescriptions = [...plan.description, ...commit.description, ...readState.description, ...resetState.description];
