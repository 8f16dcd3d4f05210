import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { CrmError } from '../../../lib/crm';

/** A CRM error → an n8n error whose message a non-developer understands and whose description says what to do. */
export function toNodeError(node: INode, error: unknown, itemIndex: number): Error {
	if (error instanceof NodeOperationError) return error;
	if (error instanceof CrmError) {
		return new NodeOperationError(node, error.message, {
			itemIndex,
			description: error.hint,
		});
	}
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, `The CRM request failed: ${message}`, { itemIndex });
}
