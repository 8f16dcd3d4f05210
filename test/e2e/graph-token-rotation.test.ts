/**
 * Issue 12 §3 in a real n8n 2.40.7: a signed-in (authorization code) Microsoft credential keeps
 * working when its access token expires and Microsoft rotates the refresh token. Each `n8n execute`
 * is a new process, so the third run works only if the second saved the rotated refresh token into
 * the credential: the sandbox's identity platform, like Microsoft's, accepts a refresh token once.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';
import { N8nInstance, type N8nWorkflow } from './harness';
import { ANNA } from './helpers/sync-env';

const SETUP_TIMEOUT = 40 * 60_000;
const RUN_TIMEOUT = 5 * 60_000;
/** One credential as most admins set it up, one with its own CA certificate (a private CA). */
const SETUPS = [
	{
		label: 'without its own CA',
		workflowId: 'e2eTokenRotation1',
		credentialId: 'e2eGraphDelegated1',
		useCustomCa: false,
	},
	{
		label: 'with its own CA certificate',
		workflowId: 'e2eTokenRotation2',
		credentialId: 'e2eGraphDelegated2',
		useCustomCa: true,
	},
] as const;

interface TokenData {
	access_token?: string;
	refresh_token?: string;
	n8n_expires_at?: string | number;
}

function workflowFor(setup: (typeof SETUPS)[number]): N8nWorkflow {
	return {
		id: setup.workflowId,
		name: `E2E: delegated Graph credential ${setup.label}`,
		nodes: [
			{
				id: 't1',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 't2',
				name: 'Ensure Sync Folders',
				type: 'n8n-nodes-exchange-crm-sync.exchange',
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					resource: 'folder',
					operation: 'ensureSyncFolders',
					components: ['contact'],
				},
				credentials: {
					microsoftGraphOAuth2Api: {
						id: setup.credentialId,
						name: `Graph (delegated e2e, ${setup.label})`,
					},
				},
			},
		],
		connections: {
			Start: {
				main: [[{ node: 'Ensure Sync Folders', type: 'main', index: 0 }]],
			},
		},
		settings: { executionOrder: 'v1' },
	};
}

describe('a signed-in Microsoft credential in real n8n', () => {
	let sb: TestSandbox;
	let n8n: N8nInstance | undefined;
	let dir: string | undefined;
	const scope = 'offline_access Contacts.ReadWrite Calendars.ReadWrite Tasks.ReadWrite Mail.ReadWrite';

	beforeAll(async () => {
		sb = await startTestSandbox();
		dir = await mkdtemp(path.join(tmpdir(), 'token-rotation-'));
		const caFile = path.join(dir, 'sandbox-ca.pem');
		await writeFile(caFile, sb.ca);
		// n8n's OAuth2 client trusts the system CAs and NODE_EXTRA_CA_CERTS (the credential's own CA is for Graph requests).
		n8n = await N8nInstance.create({ env: { NODE_EXTRA_CA_CERTS: caFile } });
	}, SETUP_TIMEOUT);

	afterAll(async () => {
		await n8n?.cleanup();
		await sb?.stop();
		if (dir) await rm(dir, { recursive: true, force: true });
	});

	describe.each(SETUPS)('$label', (setup) => {
		let firstRefresh: string;
		let firstAccess: string;

		beforeAll(async () => {
			const tokens = sb.sandbox.tokens;
			firstAccess = tokens.issueAccessToken({
				appOnly: false,
				user: ANNA,
				clientId: sb.clientId,
				scope,
			}).token;
			firstRefresh = tokens.issueRefreshToken(ANNA, sb.clientId, scope);
			await n8n!.importCredentials([
				{
					id: setup.credentialId,
					name: `Graph (delegated e2e, ${setup.label})`,
					type: 'microsoftGraphOAuth2Api',
					data: {
						grantType: 'authorizationCode',
						tenantId: sb.tenant,
						clientId: sb.clientId,
						clientSecret: sb.clientSecret,
						authorityUrl: sb.authorityUrl,
						graphBaseUrl: sb.authorityUrl,
						accessTokenUrl: `${sb.authorityUrl.replace(/\/+$/, '')}/${sb.tenant}/oauth2/v2.0/token`,
						authUrl: `${sb.authorityUrl.replace(/\/+$/, '')}/${sb.tenant}/oauth2/v2.0/authorize`,
						scope,
						authentication: 'body',
						useCustomCa: setup.useCustomCa,
						...(setup.useCustomCa ? { caCertificate: sb.ca } : {}),
						oauthTokenData: {
							token_type: 'Bearer',
							access_token: firstAccess,
							refresh_token: firstRefresh,
							expires_in: 3600,
							n8n_expires_at: String(Date.now() + 3_600_000),
						},
					},
				},
			]);
			await n8n!.importWorkflows([workflowFor(setup)]);
		}, SETUP_TIMEOUT);

		const stored = async () =>
			(
				(await n8n!.exportCredential(setup.credentialId)).data as {
					oauthTokenData?: TokenData;
				}
			).oauthTokenData ?? {};

		it(
			'uses the stored access token while it is valid and changes nothing in the credential',
			async () => {
				await n8n!.executeOrThrow(setup.workflowId);
				expect(await stored()).toMatchObject({
					access_token: firstAccess,
					refresh_token: firstRefresh,
				});
			},
			RUN_TIMEOUT,
		);

		it(
			'renews an expired access token through n8n and saves the rotated refresh token; the next process uses it',
			async () => {
				sb.sandbox.tokens.expireAll();
				await n8n!.executeOrThrow(setup.workflowId);
				const renewed = await stored();
				expect(renewed.refresh_token).toBeTruthy();
				expect(renewed.refresh_token).not.toBe(firstRefresh);
				expect(renewed.access_token).not.toBe(firstAccess);
				expect(Number(renewed.n8n_expires_at)).toBeGreaterThan(Date.now());

				// The first refresh token is spent: only the saved one can renew again.
				sb.sandbox.tokens.expireAll();
				await n8n!.executeOrThrow(setup.workflowId);
				const again = await stored();
				expect(again.refresh_token).not.toBe(renewed.refresh_token);
				// The credential's other settings are untouched.
				const data = (await n8n!.exportCredential(setup.credentialId)).data as Record<string, unknown>;
				expect(data).toMatchObject({
					grantType: 'authorizationCode',
					clientId: sb.clientId,
					tenantId: sb.tenant,
					useCustomCa: setup.useCustomCa,
				});
			},
			RUN_TIMEOUT,
		);
	});
});
