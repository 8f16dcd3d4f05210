import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { crmToCanonical, isSyncedEventType, mappingCodes, MappingError, setPath, syncedFields } from '../../../../lib/mapping';
import type { RelatedRecords } from '../../../../lib/mapping';
import { crmFieldsFieldProperty, recordFieldProperty } from '../../descriptions/common.description';
import { objectAt, readMappingConfig, readSetFields } from '../../helpers/config';
import { handleItemError, type MappedItems } from '../../helpers/errors';

const show = { operation: ['toCanonical'] };

export const description: INodeProperties[] = [
	{ ...crmFieldsFieldProperty, displayOptions: { show } },
	{ ...recordFieldProperty, description: 'Item field to write the canonical record to (leave empty to output only the record)', displayOptions: { show } },
	{
		displayName: 'Options',
		name: 'toCanonicalOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Include Synced Fields',
				name: 'includeSyncedFields',
				type: 'boolean',
				default: true,
				description:
					'Whether to add the list of canonical fields the mapping syncs (the engine hashes only these) and a code of how each is mapped (so a remapped field is not taken for a cleared one)',
			},
			{
				displayName: 'Keep CRM Fields',
				name: 'keepCrmFields',
				type: 'boolean',
				default: false,
				description: 'Whether to keep the CRM fields on the item next to the canonical record',
			},
			{
				displayName: 'Only Synced Event Types',
				name: 'onlySyncedEventTypes',
				type: 'boolean',
				default: true,
				description: 'Whether appointments of other event types are left out (appointments only)',
			},
			{
				displayName: 'Record ID Field',
				name: 'recordIdField',
				type: 'string',
				default: 'id',
				description: 'Item field holding the CRM record ID, used for the deep link',
			},
			{
				displayName: 'Related Records Field',
				name: 'relatedField',
				type: 'string',
				default: 'related',
				description: 'Item field holding the linked account and contact ({ account, contact }) for appointment enrichment',
			},
		],
	},
];

interface Options {
	includeSyncedFields?: boolean;
	keepCrmFields?: boolean;
	onlySyncedEventTypes?: boolean;
	recordIdField?: string;
	relatedField?: string;
}

/**
 * A CRM Get Changes item (`{ changed: CrmRecord[], deletedIds, cursor }`): each changed record is mapped in
 * place to `{ id, etag, modifiedAt, exchangeIdent, assignedTo, tags, record }`, so the change set stays one
 * item (with its cursor and deletions) on its way to Conflict Resolution. Records that cannot be mapped move
 * to `invalid` with their reason (S12); appointments of other event types are left out (S8).
 */
function mapChangeSet(this: IExecuteFunctions, json: IDataObject, i: number): IDataObject {
	const config = readMappingConfig.call(this, i);
	const options = this.getNodeParameter('toCanonicalOptions', i, {}) as Options;
	const changed: IDataObject[] = [];
	const invalid: IDataObject[] = Array.isArray(json.invalid) ? [...(json.invalid as IDataObject[])] : [];
	for (const crmRecord of json.changed as IDataObject[]) {
		const fields = (crmRecord.fields ?? {}) as IDataObject;
		if (config.component === 'event' && options.onlySyncedEventTypes !== false && !isSyncedEventType(fields, config)) continue;
		try {
			const record = crmToCanonical(config.component, fields, config, {
				recordId: String(crmRecord.id),
				related: crmRecord.related as RelatedRecords | undefined,
			}) as unknown as IDataObject;
			for (const { name, value } of readSetFields.call(this, i)) setPath(record, name, value);
			const { fields: _fields, ...meta } = crmRecord;
			changed.push({ ...meta, record });
		} catch (error) {
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the caller's catch (handleItemError) turns it into a NodeOperationError
			if (!(error instanceof MappingError) || this.getNodeParameter('invalidRecords', i, 'output') !== 'output') throw error;
			invalid.push({ id: crmRecord.id as string, reason: error.message, ...(error.field ? { field: error.field } : {}) });
		}
	}
	const out: IDataObject = {
		...json,
		changed,
		syncedFields: syncedFields(config.component, config),
		mappingCodes: mappingCodes(config.component, config),
	};
	if (config.component === 'event' && config.event.enrichment.enabled !== false) out.enrichmentMarker = config.event.enrichment.marker;
	if (invalid.length) out.invalid = invalid;
	return out;
}

/** CRM records (vtiger field names) → canonical records. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<MappedItems> {
	const result: MappedItems = { mapped: [], invalid: [] };
	for (let i = 0; i < items.length; i++) {
		if (Array.isArray(items[i].json.changed)) {
			try {
				result.mapped.push({ json: mapChangeSet.call(this, items[i].json, i), pairedItem: { item: i } });
			} catch (error) {
				handleItemError.call(this, error, items[i], i, result);
			}
			continue;
		}
		try {
			const config = readMappingConfig.call(this, i);
			const crmFieldsField = this.getNodeParameter('crmFieldsField', i, 'fields') as string;
			const recordField = (this.getNodeParameter('recordField', i, 'record') as string).trim();
			const options = this.getNodeParameter('toCanonicalOptions', i, {}) as Options;
			const json = items[i].json;
			const fromField = objectAt(json, crmFieldsField);
			const fields = fromField ?? json;
			if (config.component === 'event' && options.onlySyncedEventTypes !== false && !isSyncedEventType(fields, config)) continue;

			const recordId = json[options.recordIdField ?? 'id'];
			const related = objectAt(json, options.relatedField ?? 'related') as RelatedRecords | undefined;
			const record = crmToCanonical(config.component, fields, config, {
				recordId: typeof recordId === 'string' || typeof recordId === 'number' ? String(recordId) : undefined,
				related: (options.relatedField ?? 'related').trim() === '' ? undefined : related,
			}) as unknown as IDataObject;
			for (const { name, value } of readSetFields.call(this, i)) setPath(record, name, value);

			let out: IDataObject;
			if (recordField === '') {
				out = record;
			} else {
				out = { ...json, [recordField]: record };
				if (fromField && !options.keepCrmFields) delete out[crmFieldsField.trim()];
				if (options.includeSyncedFields !== false) {
					out.syncedFields = syncedFields(config.component, config);
					out.mappingCodes = mappingCodes(config.component, config);
				}
			}
			result.mapped.push({ json: out, pairedItem: { item: i } });
		} catch (error) {
			handleItemError.call(this, error, items[i], i, result);
		}
	}
	return result;
}
