import type { INodeProperties } from 'n8n-workflow';

export const resourceParameter: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [{ name: 'Workflow Copy', value: 'workflowCopy' }],
	default: 'workflowCopy',
};
