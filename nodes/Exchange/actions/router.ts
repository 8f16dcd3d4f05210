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
/** An operation that takes all items of one mailbox at once (Sync Apply: $batch); one output list per index. */
type BatchOperation = (this: IExecuteFunctions, itemIndexes: number[], client: ExchangeClient) => Promise<INodeExecutionData[][]>;

interface OperationModule {
	execute?: Operation;
	executeAll?: BatchOperation;
}

function operationFor(resource: string, operation: string): OperationModule | undefined {
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
	return table[operation] as OperationModule | undefined;
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const module = operationFor(resource, operation);
	if (!module?.execute && !module?.executeAll) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported for "${resource}"`);
	}

	const clients = new Map<string, ExchangeClient & { close?: () => void }>();
	const clientFor = async (i: number): Promise<ExchangeClient> => {
		const mailbox = String(this.getNodeParameter('mailbox', i, '') ?? '').trim();
		const raw = ['contact', 'event', 'task'].includes(resource) && this.getNodeParameter('rawOutput', i, false, {}) === true;
		const rawOption = (this.getNodeParameter('options', i, {}) as { rawOutput?: boolean }).rawOutput === true;
		const key = `${mailbox}|${raw || rawOption}`;
		let client = clients.get(key);
		if (!client) {
			client = await getExchangeClient(this, { mailbox: mailbox || undefined, includeRaw: raw || rawOption });
			clients.set(key, client);
		}
		return client;
	};
	/** An item's error: its output under Continue On Fail, else the node fails. */
	const failed = (error: unknown, i: number): INodeExecutionData[] => {
		const nodeError = toNodeError(this.getNode(), error, i);
		if (!this.continueOnFail()) throw nodeError;
		const json: IDataObject = { error: nodeError.message };
		const description = (nodeError as NodeOperationError).description;
		if (description) json.description = description;
		return [{ json, pairedItem: { item: i } }];
	};
	const outputs: INodeExecutionData[][] = new Array(items.length);
	try {
		if (module.executeAll) {
			// One call per mailbox with all its items; each item's output keeps its input position.
			const byClient = new Map<ExchangeClient, number[]>();
			for (let i = 0; i < items.length; i++) {
				try {
					const client = await clientFor(i);
					byClient.set(client, [...(byClient.get(client) ?? []), i]);
				} catch (error) {
					outputs[i] = failed(error, i);
				}
			}
			for (const [client, indexes] of byClient) {
				try {
					const results = await module.executeAll.call(this, indexes, client);
					indexes.forEach((i, n) => (outputs[i] = results[n]));
				} catch (error) {
					for (const i of indexes) outputs[i] = failed(error, i);
				}
			}
		} else {
			const execute = module.execute as Operation;
			for (let i = 0; i < items.length; i++) {
				try {
					outputs[i] = await execute.call(this, i, await clientFor(i));
				} catch (error) {
					outputs[i] = failed(error, i);
				}
			}
		}
	} finally {
		for (const c of clients.values()) c.close?.();
	}
	return [outputs.flat()];
}
