import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/**
 * Which CRM the package talks to. The embedded CRM is a local SQLite file, so this
 * credential has no HTTP test; the CRM node's `crmApiTest` method opens the database instead.
 */
export class CrmApi implements ICredentialType {
	name = 'crmApi';

	displayName = 'CRM API';

	documentationUrl = 'https://h-seed-a2d94fd9.example/n8n-nodes-exchange-crm-sync#what-is-in-the-package';

	// The nodes' icons (n8n resolves the path beside the compiled credential, dist/credentials).
	icon: Icon = { light: 'file:../nodes/Crm/crm.svg', dark: 'file:../nodes/Crm/crm.dark.svg' };

	properties: INodeProperties[] = [
		{
			displayName: 'Backend',
			name: 'backend',
			type: 'options',
			options: [
				{
					name: 'Embedded (SQLite File)',
					value: 'embedded',
					description: 'A CRM database file on the n8n server, created when missing',
				},
				{
					name: 'Vtiger CRM',
					value: 'vtiger',
					description: 'Vtiger CRM 7/8 (and CRM+-style systems) through its webservice API',
				},
			],
			default: 'embedded',
		},
		{
			displayName: 'Database File',
			name: 'databasePath',
			type: 'string',
			default: '',
			placeholder: '/home/node/.n8n/crm.sqlite',
			description: 'Absolute path of the SQLite database file on the n8n server. It is created, with its tables, when it does not exist.',
			required: true,
			displayOptions: { show: { backend: ['embedded'] } },
		},
		{
			displayName: 'URL',
			name: 'url',
			type: 'string',
			default: '',
			placeholder: 'https://crm.example.com',
			description: 'Address of the vtiger installation (the folder that contains webservice.php)',
			required: true,
			displayOptions: { show: { backend: ['vtiger'] } },
		},
		{
			displayName: 'User Name',
			name: 'userName',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { backend: ['vtiger'] } },
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- vtiger's access key is the secret it signs in with
		{
			displayName: 'Access Key',
			name: 'accessKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: "The user's access key (vtiger: My Preferences → User Advanced Options), not the password",
			required: true,
			displayOptions: { show: { backend: ['vtiger'] } },
		},
		{
			displayName: 'Partner Module',
			name: 'partnerModule',
			type: 'string',
			default: '',
			placeholder: 'Vendors',
			description: 'The vtiger module that plays the role of "Partners" (for example Vendors), or empty for none',
			displayOptions: { show: { backend: ['vtiger'] } },
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-password-field -- a yes/no switch, not a secret
		{
			displayName: 'Ignore SSL Issues (Insecure)',
			name: 'allowUnauthorizedCerts',
			type: 'boolean',
			default: false,
			description: 'Whether to connect even if the certificate cannot be verified (self-signed or private CA)',
			displayOptions: { show: { backend: ['vtiger'] } },
		},
	];
}
