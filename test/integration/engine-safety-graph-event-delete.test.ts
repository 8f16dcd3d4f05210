/**
 * Found by the soak (issue 12 §2 "a deletion in Exchange always reaches the CRM"): an appointment the sync
 * creates in Exchange after it read the calendar delta, and that its owner deletes before the next run, is
 * in no calendar delta (created and removed between two reads). The next run looked it up only if told:
 * Sync State now hands the appointments the last run created to Get Changes ("Confirm Items"), which
 * reports those that are gone as deleted. The calendar template's nodes in-process, over Graph and EWS
 * against the sandbox and an embedded CRM file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { TemplateRun, type SoakProtocol } from '../../bench/soak/template-run';
import { EmbeddedCrmBackend } from '../../lib/crm';
import { ClientCredentialsTokenProvider, GraphExchangeClient, HttpTransport } from '../../lib/exchange';
import type { CalendarEvent } from '../../lib/model/types';
import { closeSharedCrmBackends } from '../../nodes/Crm/transport/backend';
import { CLIENT_ID, CLIENT_SECRET, TENANT, startSandbox, type Sandbox } from '../../sandbox/app';
import { DEFAULT_PASSWORD } from '../../sandbox/seed/seeds';

jest.setTimeout(120_000);
const MAILBOX = 'anna@contoso.example';

let sandbox: Sandbox;
let dir: string;
beforeEach(async () => {
	sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'event-delete-'));
});
afterEach(async () => {
	await closeSharedCrmBackends();
	await sandbox.stop();
	fs.rmSync(dir, { recursive: true, force: true });
});

/** Outlook: plain Graph calls of the owner, not the sync's. */
function outlookClient(): GraphExchangeClient {
	const transport = new HttpTransport({ ca: sandbox.tls.ca });
	return new GraphExchangeClient({
		protocol: 'graph',
		baseUrl: sandbox.httpsUrl,
		mailbox: MAILBOX,
		tokens: new ClientCredentialsTokenProvider(
			{ authorityUrl: sandbox.httpsUrl, tenantId: TENANT, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
			transport,
		),
		transport,
	});
}

function runner(protocol: SoakProtocol, databasePath: string): TemplateRun {
	return new TemplateRun(
		protocol,
		'event',
		{ folderParameter: 'eventFolder', pastDays: 30 },
		{
			microsoftGraphOAuth2Api: {
				grantType: 'clientCredentials',
				tenantId: TENANT,
				clientId: CLIENT_ID,
				clientSecret: CLIENT_SECRET,
				mailbox: MAILBOX,
				authorityUrl: sandbox.httpsUrl,
				graphBaseUrl: sandbox.httpsUrl,
				useCustomCa: true,
				caCertificate: sandbox.tls.ca,
			},
			exchangeEwsApi: {
				url: `${sandbox.httpUrl}/EWS/Exchange.asmx`,
				authentication: 'basic',
				username: MAILBOX,
				password: DEFAULT_PASSWORD,
				mailbox: '',
				impersonate: false,
				ca: '',
				allowSelfSigned: false,
			},
			crmApi: { backend: 'embedded', databasePath },
		},
	);
}

it.each<SoakProtocol>(['graph', 'ews'])(
	'%s: an appointment the sync created and its owner deleted before the next run is deleted in the CRM too; the others stay',
	async (protocol) => {
		const databasePath = path.join(dir, `${protocol}.sqlite`);
		const crm = EmbeddedCrmBackend.open(databasePath);
		const day = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
		const meeting = (subject: string) => ({
			fields: { subject, activitytype: 'Meeting', date_start: day, time_start: '09:00:00', due_date: day, time_end: '10:00:00', location: 'Raum 1' },
		});
		const keep = await crm.create('events', meeting('Bleibt'));
		const gone = await crm.create('events', meeting('Wird gelöscht'));
		const run = runner(protocol, databasePath);
		const data: IDataObject = {};
		expect(await run.run(data)).toMatchObject({ created: 2, errors: 0 });

		// The owner deletes one of the two copies in Outlook before the next run.
		const outlook = outlookClient();
		const folderId = (await outlook.ensureSyncFolders({ components: ['event'] })).event as string;
		const copies = (await outlook.listChanges('event', folderId, undefined)).items;
		expect(copies.map((i) => (i.record as CalendarEvent).subject).sort()).toEqual(['Bleibt', 'Wird gelöscht']);
		await outlook.delete('event', folderId, copies.find((i) => (i.record as CalendarEvent).subject === 'Wird gelöscht')!.id);
		outlook.close();

		expect(await run.run(data)).toMatchObject({ deleted: 1, errors: 0 });
		expect(await crm.get('events', gone.id)).toBeUndefined();
		const kept = await crm.get('events', keep.id);
		expect(kept?.fields).toMatchObject({ subject: 'Bleibt', location: 'Raum 1' });
		// Nothing more to do: the next run is idle.
		expect(await run.run(data)).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0 });
		crm.closeSync();
	},
);
