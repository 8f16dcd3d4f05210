import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { crmApiTest } from '../Crm/methods/credentialTest';
import { operationDescriptions, router } from './actions/router';
import { operationProperty, tableProperties } from './descriptions/common';

/** Plan takes the CRM changes and the Exchange changes on two inputs; the other operations take one. */
const inputsExpression = `={{ $parameter["operation"] === "plan" ? [{ "type": "main", "displayName": "CRM Changes" }, { "type": "main", "displayName": "Exchange Changes" }] : [{ "type": "main" }] }}`;
const outputsExpression = `={{ $parameter["operation"] === "plan" ? [{ "type": "main", "displayName": "Actions" }, { "type": "main", "displayName": "Conflicts" }] : [{ "type": "main", "displayName": $parameter["operation"] === "commit" ? "Report" : "State" }, { "type": "main", "displayName": $parameter["operation"] === "readState" ? "Skipped (Another Run Is Working)" : "Unused" }] }}`;

// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool -- keeps sync state and takes two inputs: no AI tool (n8n accepts only `true` there)
export class ConflictResolution implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Exchange CRM Conflict Resolution',
		name: 'conflictResolution',
		icon: { light: 'file:conflictResolution.svg', dark: 'file:conflictResolution.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["component"] + ": " + $parameter["operation"]}}',
		description:
			'The two-way sync engine: plans create/update/delete actions between the CRM and Exchange from both sides’ changes and the sync state, and commits their results',
		defaults: { name: 'Conflict Resolution' },
		inputs: inputsExpression,
		outputs: outputsExpression,
		// Optional: with it, Read State and Commit keep one run at a time per mailbox and component (issue 14).
		credentials: [{ name: 'crmApi', required: false, testedBy: 'crmApiTest', displayOptions: { show: { operation: ['readState', 'commit'] } } }],
		properties: [operationProperty, ...tableProperties, ...operationDescriptions],
	};

	methods = { credentialTest: { crmApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
