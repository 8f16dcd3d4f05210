import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { EmailImportResult } from '../../../lib/email';

/** One importer result → one output item (status, links, new leads, move target). */
export function resultItem(result: EmailImportResult, itemIndex: number): INodeExecutionData {
	const json: IDataObject = {
		status: result.status,
		messageId: result.messageId ?? null,
		exchangeId: result.exchangeId ?? null,
		subject: result.subject ?? null,
		from: result.from ?? null,
		crmEmailId: result.crmEmailId ?? null,
		links: result.links as unknown as IDataObject[],
		createdLeads: result.createdLeads as unknown as IDataObject[],
		unmatched: result.unmatched,
		skippedLeads: result.skippedLeads as unknown as IDataObject[],
		ignored: result.ignored,
		conflictIds: result.conflictIds,
		attachmentCount: result.attachmentCount,
		signature: result.signature ?? null,
		move: (result.move ?? null) as IDataObject | null,
	};
	if (result.reason) json.reason = result.reason;
	return { json, pairedItem: { item: itemIndex } };
}

/** A result with status "error" → the error n8n shows for the item. */
export function resultError(node: INode, result: EmailImportResult, itemIndex: number): NodeOperationError {
	return new NodeOperationError(node, result.error?.message ?? result.reason ?? 'The e-mail could not be imported', {
		itemIndex,
		description: result.error?.hint,
	});
}

/** The item "Continue On Fail" emits instead of stopping. */
export function errorItem(error: NodeOperationError, result: EmailImportResult | undefined, itemIndex: number): INodeExecutionData {
	const json: IDataObject = result ? { ...resultItem(result, itemIndex).json } : {};
	json.error = error.message;
	if (error.description) json.description = error.description;
	return { json, pairedItem: { item: itemIndex } };
}
