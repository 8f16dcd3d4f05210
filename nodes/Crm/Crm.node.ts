import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as conflict from './actions/conflict';
import * as syncStatus from './actions/syncStatus';
import * as email from './actions/email';
import * as record from './actions/record';
import * as sync from './actions/sync';
import * as user from './actions/user';
import { router } from './actions/router';
import { resourceParameter } from './descriptions/resource';
import { crmApiTest } from './methods/credentialTest';
import * as loadOptions from './methods/loadOptions';

export class Crm implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'CRM',
		name: 'crm',
		icon: { light: 'file:crm.svg', dark: 'file:crm.dark.svg' },
		group: ['transform'],
		version: 1,
		usableAsTool: true,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Read and write the CRM side of the Exchange sync: accounts, contacts, leads, partners, appointments, tasks, e-mails, sync conflicts, sync status, users',
		defaults: { name: 'CRM' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'crmApi', required: true, testedBy: 'crmApiTest' }],
		properties: [
			resourceParameter,
			...record.description,
			...email.description,
			...conflict.description,
			...sync.description,
			...syncStatus.description,
			...user.description,
		],
	};

	methods = {
		loadOptions,
		credentialTest: { crmApiTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
