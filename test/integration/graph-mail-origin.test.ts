/**
 * E9 on Graph (issue 13 §1): a mail moved into CRM-Sync from Inbox/Projekte/Alpha is reported with
 * Alpha as its origin (so the import moves it back there), not the Inbox. Real Graph client against
 * the sandbox over HTTPS, the mail poller as the Exchange Trigger runs it.
 */
import { ClientCredentialsTokenProvider, GraphExchangeClient, HttpTransport } from '../../lib/exchange';
import { pollMailMoves, type TriggerState } from '../../lib/exchange/poller';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';

let sb: TestSandbox;
let transport: HttpTransport;
let client: GraphExchangeClient;
const ANNA = 'anna@contoso.example';

beforeAll(async () => {
	sb = await startTestSandbox();
	transport = new HttpTransport({ ca: sb.ca });
	client = new GraphExchangeClient({
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
});

afterAll(async () => {
	client.close();
	await sb.stop();
});

async function childFolder(parentId: string, displayName: string): Promise<string> {
	const token = await sb.control.token(ANNA);
	const res = await transport.send({
		method: 'POST',
		url: `${sb.graphUrl}/users/${encodeURIComponent(ANNA)}/mailFolders/${encodeURIComponent(parentId)}/childFolders`,
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
		body: JSON.stringify({ displayName }),
	});
	expect(res.status).toBe(201);
	return (JSON.parse(res.body.toString('utf8')) as { id: string }).id;
}

it('E9: a mail moved from Inbox/Projekte/Alpha into CRM-Sync/Leads has Alpha as its origin; Inbox mails keep the Inbox', async () => {
	await sb.control.reset();
	await sb.control.generate({ mailbox: ANNA, messages: 3, seed: 7 });
	const folders = await client.ensureSyncFolders({ components: ['mail'] });
	const mail = folders.mail as NonNullable<typeof folders.mail>;
	const inbox = (await client.getWellKnownFolder('inbox')).id;
	const alpha = await childFolder(await childFolder(inbox, 'Projekte'), 'Alpha');
	const [fromAlpha, fromInbox, stays] = (await client.listMessageChanges(inbox, undefined)).messages;
	await client.moveMessage(fromAlpha.id, alpha);

	let state: TriggerState = { v: 1, cursors: {} };
	const options = { syncFolders: mail, originFolderIds: [inbox] };
	state = (await pollMailMoves(client, state, options)).state;

	await client.moveMessage(fromAlpha.id, mail.leads);
	await client.moveMessage(fromInbox.id, mail.root);
	const { events } = await pollMailMoves(client, state, options);
	expect(events.map((e) => [e.folder, e.previousFolderId]).sort()).toEqual(
		[
			['leads', alpha],
			['root', inbox],
		].sort(),
	);
	expect(events.find((e) => e.folder === 'leads')?.message.previousFolderId).toBe(alpha);
	// both sides: the mails are where they were moved, the third one stayed in the Inbox
	expect((await client.getMessage(fromAlpha.id))?.folderId).toBe(mail.leads);
	expect((await client.getMessage(stays.id))?.folderId).toBe(inbox);
});
