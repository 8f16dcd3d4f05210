import type { ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

const DELEGATED_SCOPES = 'offline_access Contacts.ReadWrite Calendars.ReadWrite Tasks.ReadWrite Mail.ReadWrite';

/**
 * Microsoft 365 through Microsoft Graph. Authorization code (a user signs in) or client
 * credentials (app-only: one app registration serves every mailbox, A1). Authority and
 * Graph URL can be changed so a test server (the sandbox) can stand in for Microsoft.
 *
 * n8n's Test button runs `test` below, not a node's credential test: for a type that extends oAuth2Api,
 * n8n 2.x otherwise only checks that a token is stored, which app-only credentials never have before
 * their first run ("This OAuth2 credential was not connected to an account"). The request goes through
 * n8n's OAuth2 helper, which gets (and saves) a client-credentials token first; it uses n8n's trust
 * store (NODE_EXTRA_CA_CERTS), the custom CA below is for the nodes.
 */
export class MicrosoftGraphOAuth2Api implements ICredentialType {
	name = 'microsoftGraphOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Microsoft Graph OAuth2 API';

	documentationUrl = 'https://h-seed-a2d94fd9.example/n8n-nodes-exchange-crm-sync#what-is-in-the-package';

	// The nodes' icons (n8n resolves the path beside the compiled credential, dist/credentials).
	icon: Icon = { light: 'file:../nodes/Exchange/exchange.svg', dark: 'file:../nodes/Exchange/exchange.dark.svg' };

	// GET /users/{id}/mailFolders/{well-known name} (mailFolder get, Graph v1.0): proves tenant, app, secret,
	// permission and mailbox in one request.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.graphBaseUrl.replace(/\\/+$/, "")}}/v1.0',
			url: '={{$credentials.mailbox && $credentials.mailbox.trim() ? "/users/" + encodeURIComponent($credentials.mailbox.trim()) : "/me"}}/mailFolders/inbox',
			qs: { $select: 'displayName' },
			method: 'GET',
		},
		rules: [
			{ type: 'responseCode', properties: { value: 401, message: 'Microsoft refused the sign-in: check Tenant, Client ID and Client Secret' } },
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'Signed in, but the app may not read this mailbox: grant Mail.ReadWrite, Contacts.ReadWrite, Calendars.ReadWrite and Tasks.ReadWrite (as application permissions with admin consent for app-only)',
				},
			},
			{
				type: 'responseCode',
				properties: { value: 404, message: 'No such mailbox: enter the e-mail address (user principal name) of an Exchange Online mailbox under Mailbox' },
			},
		],
	};

	properties: INodeProperties[] = [
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'options',
			options: [
				{
					name: 'Authorization Code (a User Signs In)',
					value: 'authorizationCode',
				},
				{
					name: 'Client Credentials (App-Only, Any Mailbox)',
					value: 'clientCredentials',
				},
			],
			default: 'authorizationCode',
		},
		{
			displayName: 'Tenant',
			name: 'tenantId',
			type: 'string',
			default: 'common',
			description:
				'Directory (tenant) ID or domain of the Microsoft 365 organisation, e.g. contoso.onmicrosoft.com. App-only access needs the real tenant, not "common".',
		},
		{
			displayName: 'Mailbox',
			name: 'mailbox',
			type: 'string',
			default: '',
			placeholder: 'jane.doe@contoso.com',
			description:
				"User principal name (e-mail address) of the mailbox to sync. Required for app-only access; empty with a signed-in user means that user's own mailbox. Nodes can override it per mailbox.",
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: '={{$self["authorityUrl"].replace(/\\/+$/, "")}}/{{$self["tenantId"]}}/oauth2/v2.0/authorize',
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: '={{$self["authorityUrl"].replace(/\\/+$/, "")}}/{{$self["tenantId"]}}/oauth2/v2.0/token',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: `={{$self["grantType"] === "clientCredentials" ? "https://graph.microsoft.com/.default" : "${DELEGATED_SCOPES}"}}`,
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: 'response_mode=query',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
		// Microsoft's token endpoint takes no extra body properties: hide oAuth2Api's fields for them.
		{ displayName: 'Send Additional Body Properties', name: 'sendAdditionalBodyProperties', type: 'hidden', default: false },
		{ displayName: 'Additional Body Properties', name: 'additionalBodyProperties', type: 'hidden', default: '' },
		{
			displayName: 'Authority URL',
			name: 'authorityUrl',
			type: 'string',
			default: 'https://login.microsoftonline.com',
			description: 'Microsoft identity platform. Change only for national clouds or a test server.',
		},
		{
			displayName: 'Graph Base URL',
			name: 'graphBaseUrl',
			type: 'string',
			default: 'https://graph.microsoft.com',
			description: 'Microsoft Graph endpoint. Change only for national clouds or a test server.',
		},
		{
			displayName: 'Trust a Custom CA Certificate',
			name: 'useCustomCa',
			type: 'boolean',
			default: false,
			description:
				'Whether to also trust the certificate below (a private CA or a self-signed test server). Certificates are always verified. For a signed-in account behind a private CA, also give n8n the CA (environment variable NODE_EXTRA_CA_CERTS), so that n8n can save the renewed sign-in.',
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-password-field -- a CA certificate is public, and hiding it makes it hard to check
		{
			displayName: 'CA Certificate (PEM)',
			name: 'caCertificate',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----',
			displayOptions: { show: { useCustomCa: [true] } },
		},
	];
}
