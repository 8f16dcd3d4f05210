import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as folder from './actions/folder';
import * as item from './actions/item';
import * as message from './actions/message';
import * as sync from './actions/sync';
import { router } from './actions/router';
import { mailboxParameter } from './descriptions/common';
import { resourceParameter } from './descriptions/resource';
import { exchangeEwsConnectionTest, microsoftGraphConnectionTest } from './methods/credentialTest';
import * as listSearch from './methods/listSearch';
import * as loadOptions from './methods/loadOptions';
import { authenticationParameter, exchangeCredentials } from './transport';

export class Exchange implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Exchange',
		name: 'exchange',
		icon: { light: 'file:exchange.svg', dark: 'file:exchange.dark.svg' },
		group: ['transform'],
		version: 1,
		usableAsTool: true,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Contacts, appointments, tasks, e-mails and sync folders of a Microsoft Exchange mailbox',
		defaults: { name: 'Exchange' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: exchangeCredentials,
		properties: [
			authenticationParameter,
			resourceParameter,
			mailboxParameter,
			...item.description,
			...message.description,
			...folder.description,
			...sync.description,
		],
	};

	methods = {
		listSearch,
		loadOptions,
		credentialTest: { microsoftGraphConnectionTest, exchangeEwsConnectionTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
