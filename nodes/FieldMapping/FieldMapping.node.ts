import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import * as mapping from './actions/mapping';
import { router } from './actions/router';
import { componentProperty, customisationProperties, eventOptionsProperty, ownMappingOnly, setFieldsProperty } from './descriptions/common.description';

// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool -- maps sync records onto two outputs: no AI tool (n8n accepts only `true` there)
export class FieldMapping implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Exchange CRM Field Mapping',
		name: 'fieldMapping',
		icon: { light: 'file:fieldMapping.svg', dark: 'file:fieldMapping.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["component"] + ": " + $parameter["operation"]}}',
		description: 'Map CRM records to canonical Exchange sync records and back, with presets for contacts, appointments and tasks',
		defaults: { name: 'Field Mapping' },
		inputs: [NodeConnectionTypes.Main],
		// Two outputs: mapped records, and records that could not be mapped (S12).
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Mapped', 'Invalid'],
		properties: [
			componentProperty,
			...mapping.description,
			...[eventOptionsProperty, ...customisationProperties].map(ownMappingOnly),
			setFieldsProperty,
			{
				displayName: 'Invalid Records',
				name: 'invalidRecords',
				type: 'options',
				options: [
					{
						name: 'Send to Invalid Output',
						value: 'output',
						description: 'Records that cannot be mapped go to the second output with the reason, the rest goes on',
					},
					{ name: 'Fail', value: 'fail', description: 'Stop at the first record that cannot be mapped' },
				],
				default: 'output',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
