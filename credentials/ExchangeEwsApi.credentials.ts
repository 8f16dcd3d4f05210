import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/**
 * On-premises Exchange (2016/2019/SE) through Exchange Web Services (A1). Basic, NTLM or an
 * OAuth bearer token; optionally a service account acting on other mailboxes through
 * ApplicationImpersonation. TLS verification is on unless the admin allows self-signed
 * certificates or adds the private CA. The Exchange nodes test the credential with
 * `exchangeEwsConnectionTest` (lib/exchange/ews/connection.ts), which tells a wrong password,
 * a wrong URL and a TLS failure apart (A7).
 */
export class ExchangeEwsApi implements ICredentialType {
	name = 'exchangeEwsApi';

	displayName = 'Exchange (EWS) API';

	documentationUrl = 'https://h-seed-a2d94fd9.example/n8n-nodes-exchange-crm-sync#what-is-in-the-package';

	// The nodes' icons (n8n resolves the path beside the compiled credential, dist/credentials).
	icon: Icon = { light: 'file:../nodes/Exchange/exchange.svg', dark: 'file:../nodes/Exchange/exchange.dark.svg' };

	properties: INodeProperties[] = [
		{
			displayName: 'EWS URL',
			name: 'url',
			type: 'string',
			default: '',
			placeholder: 'https://mail.example.com/EWS/Exchange.asmx',
			description: 'Address of the Exchange Web Services endpoint, usually https://&lt;server&gt;/EWS/Exchange.asmx',
			required: true,
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'Basic', value: 'basic' },
				{ name: 'NTLM (Windows)', value: 'ntlm' },
				{ name: 'Bearer Token (OAuth)', value: 'bearer' },
			],
			default: 'basic',
		},
		{
			displayName: 'User Name',
			name: 'username',
			type: 'string',
			default: '',
			placeholder: 'anna@contoso.example',
			displayOptions: { show: { authentication: ['basic', 'ntlm'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: ['basic', 'ntlm'] } },
		},
		{
			displayName: 'Domain',
			name: 'domain',
			type: 'string',
			default: '',
			description: 'Windows domain for NTLM, if the user name does not contain it',
			displayOptions: { show: { authentication: ['ntlm'] } },
		},
		{
			displayName: 'Access Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: ['bearer'] } },
		},
		{
			displayName: 'Mailbox',
			name: 'mailbox',
			type: 'string',
			default: '',
			placeholder: 'anna@contoso.example',
			description: 'SMTP address of the mailbox to sync. Empty: the mailbox of the signed-in user.',
		},
		{
			displayName: 'Use Impersonation',
			name: 'impersonate',
			type: 'boolean',
			default: false,
			description: 'Whether a service account with the ApplicationImpersonation role acts on the mailbox above',
		},
		{
			displayName: 'Custom CA Certificate',
			name: 'ca',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----',
			description: 'PEM certificate of a private certificate authority to trust in addition to the public ones',
		},
		{
			displayName: 'Allow Self-Signed Certificates',
			name: 'allowSelfSigned',
			type: 'boolean',
			default: false,
			description: 'Whether to accept any server certificate. Only for test servers: it turns off protection against impostors.',
		},
	];
}
