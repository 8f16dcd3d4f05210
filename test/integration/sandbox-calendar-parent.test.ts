/**
 * Sandbox fidelity: Exchange files a calendar created through Graph (POST /me/calendars) under
 * the default Calendar folder, not at the mailbox root (exchangelib issue #1007), so a
 * "CRM-Sync" calendar and the top-level "CRM-Sync" mail folder can both exist. Then the sync
 * folders of all four components are ensured in one mailbox through Graph and through EWS.
 */
import * as https from 'node:https';

import { ClientCredentialsTokenProvider, GraphExchangeClient, HttpTransport, type SyncFolderKind } from '../../lib/exchange';
import { EwsExchangeClient } from '../../lib/exchange/ews/client';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';

const ANNA = 'anna@contoso.example';
const ALL: SyncFolderKind[] = ['contact', 'event', 'task', 'mail'];

let sb: TestSandbox;
let token: string;
let graph: GraphExchangeClient;
let ews: EwsExchangeClient;

function graphCall(method: string, p: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
	return new Promise((resolve, reject) => {
		const req = https.request(
			new URL(sb.graphUrl + p),
			{ method, ca: sb.ca, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
				});
			},
		);
		req.on('error', reject);
		req.end(body === undefined ? undefined : JSON.stringify(body));
	});
}

beforeAll(async () => {
	sb = await startTestSandbox();
	const transport = new HttpTransport({ ca: sb.ca });
	graph = new GraphExchangeClient({
		protocol: 'graph',
		baseUrl: sb.authorityUrl,
		mailbox: ANNA,
		tokens: new ClientCredentialsTokenProvider(
			{ authorityUrl: sb.authorityUrl, tenantId: sb.tenant, clientId: sb.clientId, clientSecret: sb.clientSecret },
			transport,
		),
		transport,
		sleep: async () => undefined,
	});
	ews = new EwsExchangeClient({
		url: sb.ewsUrl,
		auth: { type: 'basic', username: ANNA, password: sb.users[0].password },
		mailbox: ANNA,
		retry: { sleep: async () => undefined },
	});
});

afterAll(async () => {
	graph?.close();
	ews?.service.XHRApi.disconnect();
	await sb?.stop();
});

beforeEach(async () => {
	await sb.control.reset();
	token = await sb.control.token(ANNA);
});

describe('POST /me/calendars files the calendar under the Calendar folder', () => {
	it.each([
		['mail folder first', ['mailFolders', 'calendars']],
		['calendar first', ['calendars', 'mailFolders']],
	])('a CRM-Sync calendar and a CRM-Sync mail folder both exist (%s)', async (_label, order) => {
		const ids: Record<string, string> = {};
		for (const collection of order) {
			const res = await graphCall('POST', `/me/${collection}`, collection === 'calendars' ? { name: 'CRM-Sync' } : { displayName: 'CRM-Sync' });
			expect(res.status).toBe(201);
			ids[collection] = res.json.id as string;
		}
		expect(ids.calendars).not.toBe(ids.mailFolders);
		const calendars = await graphCall('GET', '/me/calendars');
		expect((calendars.json.value as Array<{ name: string }>).filter((c) => c.name === 'CRM-Sync')).toHaveLength(1);
		const mailFolder = await graphCall('GET', `/me/mailFolders/${ids.mailFolders}`);
		expect((await graphCall('GET', '/me/mailFolders/msgfolderroot')).json.id).toBe(mailFolder.json.parentFolderId);
		// EWS shows where the calendar really lives.
		const [calendar, defaultCalendar] = await Promise.all([ews.getFolder(ids.calendars), ews.getWellKnownFolder('calendar')]);
		expect(calendar).toMatchObject({ displayName: 'CRM-Sync', kind: 'event', parentId: defaultCalendar.id });
	});

	it('names stay unique among calendars: a second CRM-Sync calendar is ErrorFolderExists', async () => {
		expect((await graphCall('POST', '/me/calendars', { name: 'CRM-Sync' })).status).toBe(201);
		const again = await graphCall('POST', '/me/calendars', { name: 'crm-sync' });
		expect(again.status).toBe(409);
		expect((again.json.error as { code: string }).code).toBe('ErrorFolderExists');
	});
});

describe('ensureSyncFolders for contact, event, task and mail in one mailbox', () => {
	it('Graph: creates all four once, finds them again, removes them', async () => {
		const first = await graph.ensureSyncFolders({ components: ALL });
		expect(first.contact && first.event && first.task && first.mail?.root && first.mail.leads).toBeTruthy();
		expect(await graph.ensureSyncFolders({ components: ALL })).toEqual(first);
		await graph.removeSyncFolders(ALL);
		for (const kind of ALL) expect((await graph.listFolders(kind)).some((f) => f.displayName === 'CRM-Sync')).toBe(false);
	});

	it('EWS: creates all four once, finds them again, removes them', async () => {
		const first = await ews.ensureSyncFolders({ components: ALL });
		expect(first.contact && first.event && first.task && first.mail?.root && first.mail.leads).toBeTruthy();
		expect(await ews.ensureSyncFolders({ components: ALL })).toEqual(first);
		await ews.removeSyncFolders(ALL);
		for (const kind of ALL) expect((await ews.listFolders(kind)).some((f) => f.displayName === 'CRM-Sync')).toBe(false);
	});

	it('folders ensured through Graph are the ones EWS finds (and the other way round)', async () => {
		const viaGraph = await graph.ensureSyncFolders({ components: ALL });
		expect(await ews.ensureSyncFolders({ components: ALL })).toEqual(viaGraph);
		await ews.removeSyncFolders(ALL);
		for (const kind of ALL) expect((await graph.listFolders(kind)).some((f) => f.displayName === 'CRM-Sync')).toBe(false);

		const viaEws = await ews.ensureSyncFolders({ components: ALL });
		expect(await graph.ensureSyncFolders({ components: ALL })).toEqual(viaEws);
	});
});
