import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ExchangeClient } from '../../../../lib/exchange';
import type { CanonicalRecord, Component } from '../../../../lib/model/types';
import { ITEM_RESOURCES, identParameter, rawOutputParameter, recordParameter } from '../../descriptions/common';
import { folderIdParam, itemJson, optionalString, recordParam } from '../../helpers/params';

export const properties: INodeProperties[] = [
	recordParameter,
	identParameter,
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
				description:
					"Whether to write the record's attendees into the appointment text. Attendees are never invited: Exchange sends no invitations (events only).",
			},
			rawOutputParameter,
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ITEM_RESOURCES, operation: ['create'] } }, properties);

export async function execute(this: IExecuteFunctions, i: number, client: ExchangeClient): Promise<INodeExecutionData[]> {
	const component = this.getNodeParameter('resource', i) as Component;
	const options = this.getNodeParameter('options', i, {}) as { attendeesInBody?: boolean; rawOutput?: boolean };
	const item = await client.create(
		component,
		folderIdParam(this, component, i),
		recordParam<CanonicalRecord>(this, i) as never,
		optionalString(this, 'ident', i),
		{
			attendeesInBody: options.attendeesInBody,
		},
	);
	return [{ json: itemJson(item, options.rawOutput === true), pairedItem: { item: i } }];
}
