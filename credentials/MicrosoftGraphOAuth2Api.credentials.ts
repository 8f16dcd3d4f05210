import type { ICredentialType, INodeProperties } from 'n8n-workflow';

const DELEGATED_SCOPES = 'offline_access Contacts.ReadWrite Calendars.ReadWrite Tasks.ReadWrite Mail.ReadWrite';

/**
 * Microsoft 365 through Microsoft Graph. Authorization code (a user signs in) or client
 * credentials (app-only: one app registration serves every mailbox, A1). Authority and
 * Graph URL can be changed so a test server (the sandbox) can stand in for Microsoft.
 * The Exchange nodes test the credential with `microsoftGraphConnectionTest`.
 */
export class MicrosoftGraphOAuth2Api implements ICredentialType {
	name = 'microsoftGraphOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Microsoft Graph OAuth2 API';

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
				'User principal name (e-mail address) of the mailbox to sync. Required for app-only access; empty with a signed-in user means that user\'s own mailbox. Nodes can override it per mailbox.',
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
				'Whether to also trust the certificate below (a private CA or a self-signed test server). Certificates are always verified.',
		},
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
