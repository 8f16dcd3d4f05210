/**
 * Issue 16 "press Test on each credential: green for every auth mode": the Test button of the credential
 * dialog, through the REST endpoint the editor calls (POST /rest/credentials/test), on a real `n8n start`
 * with the packed package. Before, n8n answered every app-only Microsoft Graph credential with "This
 * OAuth2 credential was not connected to an account" although the nodes then worked with it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { createCrmBackend } from '../../lib/crm';
import { N8nInstance, type N8nCredential, type N8nServer } from './harness';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';
import { ANNA, sandboxGraphCredential } from './helpers/sync-env';

const SETUP_TIMEOUT = 40 * 60_000;

let sb: TestSandbox;
let dir: string;
let n8n: N8nInstance;
let server: N8nServer;
const credentials: Record<string, N8nCredential> = {};

interface TestResult {
	status: 'OK' | 'Error';
	message: string;
}

async function pressTest(id: string): Promise<TestResult> {
	const { id: _id, ...rest } = credentials[id];
	const res = await server.rest<TestResult>('POST', '/rest/credentials/test', { credentials: { id, ...rest } });
	if (res.status !== 200) throw new Error(`credential test of ${id}: HTTP ${res.status} ${JSON.stringify(res.body)}\n${server.log().slice(-3000)}`);
	return res.body;
}

beforeAll(async () => {
	sb = await startTestSandbox();
	dir = await mkdtemp(path.join(tmpdir(), 'cred-e2e-'));
	const caFile = path.join(dir, 'sandbox-ca.pem');
	await writeFile(caFile, sb.ca);
	const dbPath = path.join(dir, 'crm.sqlite');
	await (await createCrmBackend({ kind: 'embedded', databasePath: dbPath })).close();
	const ben = sb.users.find((u) => u.address.startsWith('ben'));
	const list: N8nCredential[] = [
		sandboxGraphCredential(sb, ANNA, 'e2eCredGraphApp1', 'Graph app-only'),
		{
			...sandboxGraphCredential(sb, ANNA, 'e2eCredGraphBad1', 'Graph wrong secret'),
			data: { ...sandboxGraphCredential(sb).data, clientSecret: 'not-the-secret' },
		},
		sandboxGraphCredential(sb, 'nobody@contoso.example', 'e2eCredGraphNob1', 'Graph unknown mailbox'),
		{
			...sandboxGraphCredential(sb, '', 'e2eCredGraphDel1', 'Graph delegated, not signed in'),
			data: { ...sandboxGraphCredential(sb, '').data, grantType: 'authorizationCode' },
		},
		{
			...sandboxGraphCredential(sb, '', 'e2eCredGraphSig1', 'Graph delegated, signed in'),
			data: {
				...sandboxGraphCredential(sb, '').data,
				grantType: 'authorizationCode',
				oauthTokenData: { access_token: await sb.control.token(ANNA, 3600), token_type: 'Bearer' },
			},
		},
		{
			id: 'e2eCredEwsBasic1',
			name: 'EWS basic',
			type: 'exchangeEwsApi',
			data: {
				url: sb.ewsUrl,
				authentication: 'basic',
				username: ANNA,
				password: sb.users.find((u) => u.address === ANNA)?.password ?? '',
				mailbox: '',
				impersonate: false,
				ca: sb.ca,
				allowSelfSigned: false,
			},
		},
		{
			id: 'e2eCredEwsWrong1',
			name: 'EWS wrong password',
			type: 'exchangeEwsApi',
			data: {
				url: sb.ewsUrl,
				authentication: 'basic',
				username: ben?.address ?? ANNA,
				password: 'wrong',
				mailbox: '',
				impersonate: false,
				ca: sb.ca,
				allowSelfSigned: false,
			},
		},
		{ id: 'e2eCredCrmEmbed1', name: 'CRM embedded', type: 'crmApi', data: { backend: 'embedded', databasePath: dbPath } },
	];
	// The real servers, when `npm test` started them (scripts/real-servers-up.sh).
	const { VTIGER_URL, VTIGER_USERNAME, VTIGER_ACCESS_KEY, EWS_URL, EWS_USERNAME, EWS_PASSWORD } = process.env;
	if (VTIGER_URL && VTIGER_USERNAME && VTIGER_ACCESS_KEY) {
		list.push({
			id: 'e2eCredVtiger001',
			name: 'vtiger',
			type: 'crmApi',
			data: { backend: 'vtiger', url: VTIGER_URL, userName: VTIGER_USERNAME, accessKey: VTIGER_ACCESS_KEY },
		});
		list.push({
			id: 'e2eCredVtigerBad',
			name: 'vtiger wrong key',
			type: 'crmApi',
			data: { backend: 'vtiger', url: VTIGER_URL, userName: VTIGER_USERNAME, accessKey: 'wrongwrongwrong1' },
		});
	}
	if (EWS_URL && EWS_USERNAME && EWS_PASSWORD) {
		list.push({
			id: 'e2eCredGromox001',
			name: 'Gromox EWS',
			type: 'exchangeEwsApi',
			data: {
				url: EWS_URL,
				authentication: 'basic',
				username: EWS_USERNAME,
				password: EWS_PASSWORD,
				mailbox: '',
				impersonate: false,
				ca: '',
				allowSelfSigned: false,
			},
		});
	}
	for (const c of list) credentials[c.id] = c;
	// The Test button uses n8n's trust store; a private CA is added the way n8n documents it.
	n8n = await N8nInstance.create({ env: { NODE_EXTRA_CA_CERTS: caFile } });
	await n8n.importCredentials(list);
	server = await n8n.startServer();
	await server.setupOwner();
}, SETUP_TIMEOUT);

afterAll(async () => {
	await server?.stop();
	await n8n?.cleanup();
	await sb?.stop();
	if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

it('Microsoft Graph app-only: green, and the token n8n fetched is saved in the credential', async () => {
	expect(await pressTest('e2eCredGraphApp1')).toMatchObject({ status: 'OK' });
	const saved = await n8n.exportCredential('e2eCredGraphApp1');
	expect((saved.data.oauthTokenData as { access_token?: string } | undefined)?.access_token).toEqual(expect.any(String));
	// Nothing else of the credential changed.
	const { oauthTokenData: _token, ...rest } = saved.data;
	expect(rest).toMatchObject(credentials.e2eCredGraphApp1.data);
});

it('Microsoft Graph: a wrong secret, an unknown mailbox and a delegated credential not yet signed in each say what is wrong', async () => {
	const wrong = await pressTest('e2eCredGraphBad1');
	expect(wrong.status).toBe('Error');
	expect(wrong.message).toMatch(/token|client|secret/i);
	const nobody = await pressTest('e2eCredGraphNob1');
	expect(nobody).toEqual({ status: 'Error', message: expect.stringMatching(/No such mailbox/) });
	// n8n's own words ("Unable to sign without access token"); the dialog offers "Connect my account" here.
	expect(await pressTest('e2eCredGraphDel1')).toMatchObject({ status: 'Error' });
});

it("Microsoft Graph delegated, signed in: green for the signed-in user's own mailbox (/me)", async () => {
	expect(await pressTest('e2eCredGraphSig1')).toMatchObject({ status: 'OK' });
});

it('EWS basic and the embedded CRM: green; a wrong EWS password says so', async () => {
	expect(await pressTest('e2eCredEwsBasic1')).toMatchObject({ status: 'OK' });
	expect(await pressTest('e2eCredCrmEmbed1')).toMatchObject({ status: 'OK' });
	const wrong = await pressTest('e2eCredEwsWrong1');
	expect(wrong.status).toBe('Error');
	expect(wrong.message).toMatch(/password|user name|sign/i);
});

(process.env.VTIGER_URL && process.env.EWS_URL ? it : it.skip)(
	'the real servers: vtiger 8.3 green (a wrong access key says so) and Gromox EWS green',
	async () => {
		expect(await pressTest('e2eCredVtiger001')).toMatchObject({ status: 'OK' });
		const wrong = await pressTest('e2eCredVtigerBad');
		expect(wrong.status).toBe('Error');
		expect(wrong.message).toMatch(/access key|user name|sign|login/i);
		expect(await pressTest('e2eCredGromox001')).toMatchObject({ status: 'OK' });
	},
);

it('the nodes panel gets our words: codex aliases (typing "lead" finds E-mail to Lead), appointments, "Create a contact"', async () => {
	const res = await server.rest<unknown>('GET', '/types/nodes.json');
	expect(res.status).toBe(200);
	const types = res.body as Array<{
		name: string;
		codex?: { alias?: string[]; categories?: string[] };
		properties: Array<{ name: string; options?: Array<{ name: string; value: string; action?: string }> }>;
	}>;
	const ours = (name: string) => types.find((t) => t.name === `n8n-nodes-exchange-crm-sync.${name}`);
	expect(ours('emailToLead')?.codex?.alias).toContain('Lead');
	expect(ours('exchange')?.codex?.categories).toContain('Communication');
	const exchange = ours('exchange');
	expect(exchange?.properties.find((p) => p.name === 'resource')?.options?.find((o) => o.value === 'event')?.name).toBe('Appointment');
	const actions = exchange?.properties
		.filter((p) => p.name === 'operation')
		.flatMap((p) => p.options ?? [])
		.map((o) => o.action);
	expect(actions).toEqual(expect.arrayContaining(['Create a contact', 'Update an appointment', 'Get changed tasks']));
});

it('every credential and node of the package has a light and a dark icon n8n serves', async () => {
	const credentials = await server.rest<unknown>('GET', '/types/credentials.json');
	const nodes = await server.rest<unknown>('GET', '/types/nodes.json');
	expect([credentials.status, nodes.status]).toEqual([200, 200]);
	type Described = { name: string; iconUrl?: string | { light: string; dark: string } };
	const ours = [
		...(credentials.body as Described[]).filter((c) => ['microsoftGraphOAuth2Api', 'exchangeEwsApi', 'crmApi'].includes(c.name)),
		...(nodes.body as Described[]).filter((n) => n.name.startsWith('n8n-nodes-exchange-crm-sync.')),
	];
	expect(ours.length).toBeGreaterThanOrEqual(3 + 9);
	for (const { name, iconUrl } of ours) {
		expect({ name, iconUrl }).toEqual({ name, iconUrl: { light: expect.any(String), dark: expect.stringMatching(/\.dark\.svg$/) } });
		for (const url of Object.values(iconUrl as { light: string; dark: string })) {
			const icon = await fetch(`${server.baseUrl}/${url.replace(/^\//, '')}`, { signal: AbortSignal.timeout(30_000) });
			expect({ name, url, status: icon.status, type: icon.headers.get('content-type') }).toEqual({
				name,
				url,
				status: 200,
				type: expect.stringMatching(/svg/),
			});
		}
	}
});
