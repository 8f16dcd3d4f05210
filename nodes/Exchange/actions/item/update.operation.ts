import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ExchangeClient } from '../../../../lib/exchange';
import type { CanonicalRecord, Component } from '../../../../lib/model/types';
import { ITEM_RESOURCES, etagParameter, identParameter, itemIdParameter, rawOutputParameter, recordParameter } from '../../descriptions/common';
import { folderIdParam, itemJson, optionalString, recordParam } from '../../helpers/params';

export const properties: INodeProperties[] = [
	itemIdParameter,
	{ ...recordParameter, description: `${recordParameter.description}. The whole record is written: fields missing here are cleared in Exchange.` },
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
				description: 'Whether to write the record\'s attendees into the appointment text (never invited; events only)',
			},
			rawOutputParameter,
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ITEM_RESOURCES, operation: ['update'] } }, properties);

export async function execute(this: IExecuteFunctions, i: number, client: ExchangeClient): Promise<INodeExecutionData[]> {
	const component = this.getNodeParameter('resource', i) as Component;
	const options = this.getNodeParameter('options', i, {}) as { attendeesInBody?: boolean; rawOutput?: boolean };
	const item = await client.update(
		component,
		folderIdParam(this, component, i),
		String(this.getNodeParameter('itemId', i)).trim(),
		recordParam<CanonicalRecord>(this, i) as never,
		optionalString(this, 'ident', i),
		{ etag: optionalString(this, 'etag', i), attendeesInBody: options.attendeesInBody },
	);
	return [{ json: itemJson(item, options.rawOutput === true), pairedItem: { item: i } }];
}
