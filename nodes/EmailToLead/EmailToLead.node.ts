import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import * as importMessage from './actions/message/import.operation';
import { router } from './actions/router';

export class EmailToLead implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'E-mail to Lead',
		name: 'emailToLead',
		icon: 'file:emailToLead.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["source"] === "inbox" ? "Inbox" : "CRM-Sync folders"}}',
		description:
			'Import e-mails into the CRM: link them to the leads, contacts, accounts and partners they involve, create leads for unknown senders, move them back',
		defaults: { name: 'E-mail to Lead' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [
			{ name: 'crmApi', required: true },
			{
				name: 'microsoftGraphOAuth2Api',
				required: true,
				displayOptions: { show: { exchangeConnection: ['graph'] } },
			},
			{
				name: 'exchangeEwsApi',
				required: true,
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
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'import',
				options: [
					{
						name: 'Import',
						value: 'import',
						description: 'Import each input message into the CRM',
						action: 'Import an email',
					},
				],
			},
			...importMessage.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
