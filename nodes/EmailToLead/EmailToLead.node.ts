import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as importMessage from './actions/message/import.operation';
import { router } from './actions/router';
import { crmApiTest } from '../Crm/methods/credentialTest';
import { exchangeEwsConnectionTest, microsoftGraphConnectionTest } from '../Exchange/methods/credentialTest';

export class EmailToLead implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'E-mail to Lead',
		name: 'emailToLead',
		icon: { light: 'file:emailToLead.svg', dark: 'file:emailToLead.dark.svg' },
		group: ['transform'],
		version: 1,
		usableAsTool: true,
		subtitle: '={{$parameter["source"] === "inbox" ? "Inbox" : "CRM-Sync folders"}}',
		description:
			'Import e-mails into the CRM: link them to the leads, contacts, accounts and partners they involve, create leads for unknown senders, move them back',
		defaults: { name: 'E-mail to Lead' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'crmApi', required: true, testedBy: 'crmApiTest' },
			{
				name: 'microsoftGraphOAuth2Api',
				required: true,
				testedBy: 'microsoftGraphConnectionTest',
				displayOptions: { show: { exchangeConnection: ['graph'] } },
			},
			{
				name: 'exchangeEwsApi',
				required: true,
				testedBy: 'exchangeEwsConnectionTest',
				displayOptions: { show: { exchangeConnection: ['ews'] } },
			},
		],
		properties: [
			{
				displayName: 'Exchange Connection',
				name: 'exchangeConnection',
				type: 'options',
				noDataExpression: true,
				default: 'graph',
				options: [
					{
						name: 'Microsoft 365 (Graph)',
						value: 'graph',
						description: 'Fetch messages by ID and move them back after the import',
					},
					{
						name: 'Exchange Server (EWS)',
						value: 'ews',
						description: 'On-premises Exchange: fetch messages by ID and move them back after the import',
					},
					{
						name: 'None (Raw Messages Only)',
						value: 'none',
						description: 'Import raw messages from binary data; nothing is fetched or moved',
					},
				],
			},
			{
				displayName: 'Mailbox',
				name: 'mailbox',
				type: 'string',
				default: '',
				placeholder: 'jane.doe@contoso.com',
				displayOptions: { show: { exchangeConnection: ['graph', 'ews'] } },
				description: 'Mailbox the messages are in; empty uses the mailbox of the credential',
			},
			// The node has one operation. As a selectable list ('options'), n8n 2.x appends its generic
			// "Custom API Call" to it: packages/cli/src/load-nodes-and-credentials.ts
			// (injectCustomApiCallOptions) does so for every top-level 'resource'/'operation' property with
			// options of a node whose credentials have `authenticate` or extend oAuth2Api (the Microsoft
			// Graph credential does). A hidden parameter has no options, so nothing is added; it keeps the
			// value 'import' that saved workflows have and the import fields' displayOptions use.
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'hidden',
				noDataExpression: true,
				default: 'import',
			},
			...importMessage.description,
		],
	};

	methods = { credentialTest: { crmApiTest, microsoftGraphConnectionTest, exchangeEwsConnectionTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
