import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { ExchangeError } from '../../../lib/exchange';

/** ExchangeError → NodeApiError carrying Graph's message and a hint in `description`. */
export function toNodeError(node: INode, error: unknown, itemIndex?: number): Error {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof ExchangeError) {
		return new NodeApiError(node, { code: error.code, message: error.message } as JsonObject, {
			message: error.message,
			description: error.hint,
			httpCode: error.status ? String(error.status) : undefined,
			itemIndex,
		});
	}
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, `The Exchange request failed: ${message}`, { itemIndex });
}
