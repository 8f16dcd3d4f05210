import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { isActionItem, isRunMarker } from '../../../../lib/engine/workflow-items';
import { canonicalToCrm, setPath } from '../../../../lib/mapping';
import type { ComponentRecordMap } from '../../../../lib/model/types';
import { crmFieldsFieldProperty, mappingSourceProperties, recordFieldProperty } from '../../descriptions/common.description';
import { objectAt, readMappingConfig, readSetFields } from '../../helpers/config';
import { handleItemError, type MappedItems } from '../../helpers/errors';

const show = { operation: ['toCrm'] };

export const description: INodeProperties[] = [
	...mappingSourceProperties,
	{ ...recordFieldProperty, displayOptions: { show } },
	{ ...crmFieldsFieldProperty, description: 'Item field to write the CRM fields to (leave empty to output only the fields)', displayOptions: { show } },
	{
		displayName: 'Creating Records',
		name: 'creating',
		type: 'boolean',
		default: false,
		description:
			'Whether the records are about to be created in the CRM. Create-only values such as the reminder are written only then. Set it with an expression from the planned action (create or update).',
		displayOptions: { show },
	},
	{
		displayName: 'Options',
		name: 'toCrmOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Current CRM Fields Field',
				name: 'existingField',
				type: 'string',
				default: 'existing',
				description:
					'Item field holding the CRM record as it is now; values that mean the same keep the CRM’s spelling and unchanged empty fields are left out',
			},
			{
				displayName: 'Keep Canonical Record',
				name: 'keepRecord',
				type: 'boolean',
				default: false,
				description: 'Whether to keep the canonical record on the item next to the CRM fields',
			},
		],
	},
];

/** Canonical records → CRM fields (vtiger field names). */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<MappedItems> {
	const result: MappedItems = { mapped: [], invalid: [] };
	for (let i = 0; i < items.length; i++) {
		const json = items[i].json;
		// Sync actions from Conflict Resolution: only writes to the CRM are mapped; everything else passes
		// through untouched, so the Commit step receives every action of the run.
		const action = isActionItem(json) ? json : undefined;
		if (isRunMarker(json) || (action && !(action.target === 'crm' && (action.kind === 'create' || action.kind === 'update')))) {
			result.mapped.push({ json, pairedItem: { item: i } });
			continue;
		}
		try {
			const config = readMappingConfig.call(this, i);
			const recordField = (this.getNodeParameter('recordField', i, 'record') as string).trim();
			const crmFieldsField = (this.getNodeParameter('crmFieldsField', i, 'fields') as string).trim();
			const creating = action ? action.kind === 'create' : (this.getNodeParameter('creating', i, false) as boolean);
			const options = this.getNodeParameter('toCrmOptions', i, {}) as { existingField?: string; keepRecord?: boolean };
			// The Commit step hashes the canonical record of an action, so it stays on the item.
			if (action) options.keepRecord = true;
			const record = objectAt(json, recordField);
			if (!record) {
				throw new NodeOperationError(this.getNode(), `Item ${i + 1} has no canonical record in the field “${recordField}”`, {
					itemIndex: i,
					description: 'Set “Canonical Record Field” to the field that holds the record, or leave it empty to use the whole item.',
				});
			}
			const existingField = (options.existingField ?? 'existing').trim();
			const existing = existingField === '' ? undefined : objectAt(json, existingField);
			// Updates of a sync action write only the CRM fields of the canonical fields the plan saw change.
			const changedFields = action?.kind === 'update' && Array.isArray(action.changedFields) ? action.changedFields : undefined;
			const fields = canonicalToCrm(config.component, record as unknown as ComponentRecordMap[typeof config.component], config, {
				existing,
				creating,
				...(changedFields ? { changedFields } : {}),
			}) as IDataObject;
			for (const { name, value } of readSetFields.call(this, i)) setPath(fields, name, value);

			let out: IDataObject;
			if (crmFieldsField === '') {
				out = fields;
			} else {
				out = { ...json, [crmFieldsField]: fields };
				if (recordField !== '' && !options.keepRecord) delete out[recordField];
			}
			result.mapped.push({ json: out, pairedItem: { item: i } });
		} catch (error) {
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- it is a NodeOperationError already
			if (error instanceof NodeOperationError && !this.continueOnFail()) throw error;
			handleItemError.call(this, error, items[i], i, result);
		}
	}
	return result;
}
