import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { router } from './actions/router';
import * as workflowCopy from './actions/workflowCopy';
import { resourceParameter } from './descriptions/resource';
import { searchWorkflows } from './methods/listSearch';
import { N8N_API_CREDENTIAL } from './transport';

/**
 * Per-user sync workflows (issue 15): keeps one copy of a single-mailbox sync workflow per connected user
 * through n8n's public API, so every mailbox has its own small static data and n8n's queue mode can run
 * them on different workers.
 */
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool -- creates, updates and deactivates whole workflows through n8n's API: not for an AI agent (n8n accepts only `true` there)
export class SyncWorkflows implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'CRM Sync Workflows',
		name: 'syncWorkflows',
		icon: { light: 'file:syncWorkflows.svg', dark: 'file:syncWorkflows.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] === "keepOnePerUser" ? "Keep one per user" : $parameter["operation"]}}',
		description: "Keep one copy of a CRM ⇄ Exchange sync workflow per connected user, through n8n's public API",
		defaults: { name: 'CRM Sync Workflows' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: N8N_API_CREDENTIAL, required: true }],
		properties: [resourceParameter, ...workflowCopy.description],
	};

	methods = {
		listSearch: { searchWorkflows },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
