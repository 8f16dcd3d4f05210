import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { CrmBackend } from '../../../lib/crm';
import { toNodeError } from '../helpers/errors';
import { isRecordResource } from '../helpers/resources';
import { getCrmBackend } from '../transport/backend';
import * as conflict from './conflict';
import * as email from './email';
import * as record from './record';
import * as sync from './sync';
import * as syncStatus from './syncStatus';
import * as user from './user';

type Operation = (this: IExecuteFunctions, itemIndex: number, crm: CrmBackend) => Promise<INodeExecutionData[]>;

function operationFor(resource: string, operation: string): Operation | undefined {
	const table: Record<string, unknown> = isRecordResource(resource)
		? record
		: resource === 'email'
			? email
			: resource === 'conflict'
				? conflict
				: resource === 'syncAction'
					? sync
					: resource === 'syncStatus'
						? syncStatus
						: resource === 'user'
							? user
							: {};
	const entry = table[operation] as { execute?: Operation } | undefined;
	return entry?.execute;
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const execute = operationFor(resource, operation);
	if (!execute) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported for "${resource}"`);
	}

	let crm: CrmBackend;
	try {
		crm = await getCrmBackend(this);
	} catch (error) {
		throw toNodeError(this.getNode(), error, 0);
	}

	for (let i = 0; i < items.length; i++) {
		try {
			out.push(...(await execute.call(this, i, crm)));
		} catch (error) {
			const nodeError = toNodeError(this.getNode(), error, i);
			if (this.continueOnFail()) {
				const json: IDataObject = { error: nodeError.message };
				const description = (nodeError as NodeOperationError).description;
				if (description) json.description = description;
				out.push({ json, pairedItem: { item: i } });
				continue;
			}
			throw nodeError;
		}
	}
	return [out];
}
