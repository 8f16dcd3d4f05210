import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ExchangeClient } from '../../../../lib/exchange';
import { COMPONENT_FIELDS, type CanonicalRecord, type Component } from '../../../../lib/model/types';
import { ITEM_RESOURCES, etagParameter, identParameter, itemIdParameter, rawOutputParameter, recordParameter } from '../../descriptions/common';
import { folderIdParam, itemJson, optionalString, recordParam } from '../../helpers/params';

export const properties: INodeProperties[] = [
	itemIdParameter,
	{ ...recordParameter, description: `${recordParameter.description}. Only the fields given here are written; everything else on the item stays as it is.` },
	identParameter,
	etagParameter,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Attendees in Body',
				name: 'attendeesInBody',
				type: 'boolean',
				default: false,
				description: "Whether to write the record's attendees into the appointment text (never invited; events only)",
			},
			{
				displayName: 'Clear Fields Not Given',
				name: 'clearMissing',
				type: 'boolean',
				default: false,
				description:
					"Whether to clear every synced field the record does not carry (the whole record replaces the item's synced fields). Properties the sync does not know, such as categories, stay either way.",
			},
			rawOutputParameter,
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ITEM_RESOURCES, operation: ['update'] } }, properties);

/** The synced fields a record carries (rule: a write changes only what the user gave). */
function givenFields(component: Component, record: CanonicalRecord): string[] {
	const known: readonly string[] = COMPONENT_FIELDS[component];
	return Object.keys(record).filter((field) => known.includes(field));
}

export async function execute(this: IExecuteFunctions, i: number, client: ExchangeClient): Promise<INodeExecutionData[]> {
	const component = this.getNodeParameter('resource', i) as Component;
	const options = this.getNodeParameter('options', i, {}) as { attendeesInBody?: boolean; clearMissing?: boolean; rawOutput?: boolean };
	const record = recordParam<CanonicalRecord>(this, i);
	const item = await client.update(
		component,
		folderIdParam(this, component, i),
		String(this.getNodeParameter('itemId', i)).trim(),
		record as never,
		optionalString(this, 'ident', i),
		{
			etag: optionalString(this, 'etag', i),
			attendeesInBody: options.attendeesInBody,
			...(options.clearMissing === true ? {} : { changedFields: givenFields(component, record) }),
		},
	);
	return [{ json: itemJson(item, options.rawOutput === true), pairedItem: { item: i } }];
}
