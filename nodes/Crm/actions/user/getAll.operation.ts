import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { connectedUsers, type CrmBackend } from '../../../../lib/crm';
import { splitList } from '../../helpers/input';

export const properties: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Include Inactive Users',
				name: 'includeInactive',
				type: 'boolean',
				default: false,
				description: 'Whether to also list users the CRM marks inactive',
			},
			{
				displayName: 'Mailbox Domains',
				name: 'emailDomains',
				type: 'string',
				default: '',
				placeholder: 'contoso.com, contoso.de',
				description: 'Only users whose e-mail address is in one of these domains (comma-separated). Empty: every domain.',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['getAll'] } }, properties);

/** One item per CRM user with a mailbox address: `crmUserId`, `mailbox`, `name` (the all-users templates loop over them). */
export async function execute(this: IExecuteFunctions, i: number, crm: CrmBackend): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('options', i, {}) as { includeInactive?: boolean; emailDomains?: string };
	const users = connectedUsers(await crm.listUsers(), { includeInactive: options.includeInactive, emailDomains: splitList(options.emailDomains) });
	return users.map((user) => ({ json: user as unknown as IDataObject, pairedItem: { item: i } }));
}
