import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { MappingError } from '../../../lib/mapping';

export interface MappedItems {
	mapped: INodeExecutionData[];
	invalid: INodeExecutionData[];
}

/**
 * S12: a record that cannot be mapped goes to the "Invalid" output with its reason (so the
 * workflow can file a sync conflict and go on), unless the builder chose to fail on it; then
 * "Continue On Fail" is honoured per item.
 */
export function handleItemError(this: IExecuteFunctions, error: unknown, item: INodeExecutionData, itemIndex: number, result: MappedItems): void {
	const invalidRecords = this.getNodeParameter('invalidRecords', itemIndex, 'output') as string;
	if (error instanceof MappingError && invalidRecords === 'output') {
		const json: IDataObject = { ...item.json, reason: error.message };
		if (error.field) json.field = error.field;
		result.invalid.push({ json, pairedItem: { item: itemIndex } });
		return;
	}
	const message = error instanceof Error ? error.message : String(error);
	if (this.continueOnFail()) {
		result.mapped.push({ json: { ...item.json, error: message }, pairedItem: { item: itemIndex } });
		return;
	}
	throw new NodeOperationError(this.getNode(), `Item ${itemIndex + 1} could not be mapped: ${message}`, {
		itemIndex,
		description:
			error instanceof MappingError
				? 'Correct the value in the source record, or change the field pair in “Field Pairs”. To let such records through as sync conflicts, set “Invalid Records” to “Send to Invalid Output”.'
				: 'Check the node’s settings (field pairs, picklist entries) and the incoming items.',
	});
}
