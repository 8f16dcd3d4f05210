import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ExchangeClient } from '../../../lib/exchange';
import { toNodeError } from '../helpers/errors';
import { getExchangeClient } from '../transport';
import * as folder from './folder';
import * as item from './item';
import * as message from './message';
import * as sync from './sync';

type Operation = (this: IExecuteFunctions, itemIndex: number, client: ExchangeClient) => Promise<INodeExecutionData[]>;

function operationFor(resource: string, operation: string): Operation | undefined {
	const table: Record<string, unknown> =
		resource === 'message'
			? message
			: resource === 'folder'
				? folder
				: resource === 'syncAction'
					? sync
					: ['contact', 'event', 'task'].includes(resource)
						? item
						: {};
	return (table[operation] as { execute?: Operation } | undefined)?.execute;
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const execute = operationFor(resource, operation);
	if (!execute) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported for "${resource}"`);

	const clients = new Map<string, ExchangeClient & { close?: () => void }>();
	const out: INodeExecutionData[] = [];
	try {
		for (let i = 0; i < items.length; i++) {
			try {
				const mailbox = String(this.getNodeParameter('mailbox', i, '') ?? '').trim();
				const raw = ['contact', 'event', 'task'].includes(resource) && this.getNodeParameter('rawOutput', i, false, {}) === true;
				const rawOption = (this.getNodeParameter('options', i, {}) as { rawOutput?: boolean }).rawOutput === true;
				const key = `${mailbox}|${raw || rawOption}`;
				let client = clients.get(key);
				if (!client) {
					client = await getExchangeClient(this, { mailbox: mailbox || undefined, includeRaw: raw || rawOption });
					clients.set(key, client);
				}
				out.push(...(await execute.call(this, i, client)));
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
	} finally {
		for (const c of clients.values()) c.close?.();
	}
	return [out];
}
