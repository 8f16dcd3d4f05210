/**
 * Guide rule 3, "production is `n8n start`": the e-mail import template published and running in a real
 * n8n server, driven by its Exchange Trigger (a polling trigger, every minute), not by `n8n execute`.
 * Mails anna moves into CRM-Sync after activation land in the CRM once, linked, and go back to the
 * Inbox; the polls after that import nothing again.
 */
import type { CrmEmailRecord } from '../../lib/crm';
import { waitFor as waitUntil, type N8nServer } from './harness';
import { ANNA, startEmailEnv, type EmailEnv } from './helpers/email-env';

const SETUP_TIMEOUT = 40 * 60_000;
const WORKFLOW = 'e2eProdEmailTrg1';
// The trigger polls every minute on the minute; a mail moved in is imported by the next poll.
const POLL_WAIT_MS = 150_000;

type MailFolders = { root: string; accounts: string; contacts: string; leads: string; partner: string };

let env: EmailEnv;
let server: N8nServer;
let folders: MailFolders;
let inbox: string;

function mail(id: string, from: string, subject: string): Buffer {
	const lines = [
		`From: ${from}`,
		'To: Anna Schmidt <anna@contoso.example>',
		`Subject: ${subject}`,
		`Message-ID: <${id}@prod.e2e.example>`,
		'Date: Mon, 23 Nov 2026 09:00:00 +0000',
		'MIME-Version: 1.0',
		'Content-Type: text/plain; charset=utf-8',
	];
	return Buffer.from(`${lines.join('\r\n')}\r\n\r\nGuten Tag,\r\nbitte um Rückruf.\r\n`);
}

async function graphRequests(): Promise<number> {
	return (await env.sb.control.counters())[ANNA]?.total ?? 0;
}

const serverLog = () => `n8n said:\n${server.log().slice(-4000)}`;
const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number) => waitUntil(what, probe, { timeoutMs, context: serverLog });

beforeAll(async () => {
	env = await startEmailEnv();
	const anna = env.mailboxes[ANNA];
	folders = (await anna.ensureSyncFolders({ components: ['mail'] })).mail as MailFolders;
	inbox = (await anna.getWellKnownFolder('inbox')).id;
	await env.importEmailTemplate(ANNA, WORKFLOW);
	await env.n8n.publishWorkflow(WORKFLOW);
	const before = await graphRequests();
	server = await env.n8n.startServer();
	// Activation polls once to start watching (Inbox, Sent Items and the CRM-Sync folders).
	await waitFor('the activation poll', async () => ((await graphRequests()) > before + 5 ? true : undefined), 120_000);
	await new Promise((resolve) => setTimeout(resolve, 3_000));
}, SETUP_TIMEOUT);

afterAll(async () => {
	await server?.stop();
	await env?.close();
}, 120_000);

it(
	'imports mails moved into CRM-Sync while the workflow is active, once, and moves them back',
	async () => {
		await env.crm.create('contacts', { fields: { firstname: 'Paula', lastname: 'Produktiv', email: 'paula@kunde.example' } });
		const anna = env.mailboxes[ANNA];
		const known = await anna.moveMessage(await env.deliver(ANNA, 'inbox', mail('known', 'Paula Produktiv <paula@kunde.example>', 'Rückruf')), folders.contacts);
		const unknown = await anna.moveMessage(await env.deliver(ANNA, 'inbox', mail('unknown', 'neu@firma.example', 'Anfrage')), folders.root);

		const imported = await waitFor(
			'the import of both mails',
			async () => {
				const found = await Promise.all(['<known@prod.e2e.example>', '<unknown@prod.e2e.example>'].map((id) => env.crm.findEmailByMessageId(id)));
				return found.every((e) => e !== undefined) ? (found as CrmEmailRecord[]) : undefined;
			},
			POLL_WAIT_MS,
		);
		const [paula] = await env.crm.findByEmail('paula@kunde.example', ['contacts']);
		expect(imported[0].links.map((l) => `${l.module}:${l.id}`)).toEqual([`contacts:${paula.id}`]);
		const [lead] = await env.crm.findByEmail('neu@firma.example', ['leads']);
		expect(imported[1].links.map((l) => `${l.module}:${l.id}`)).toContain(`leads:${lead.id}`);
		expect(imported.map((e) => e.importedBy)).toEqual([ANNA, ANNA]);

		// Moved back out of CRM-Sync into the Inbox (by the same execution, right after the import).
		const back = await waitFor(
			'the move back',
			async () => {
				const inInbox = (await anna.listMessageChanges(inbox, undefined)).messages.filter((m) => ['Rückruf', 'Anfrage'].includes(m.subject ?? ''));
				return inInbox.length === 2 ? inInbox : undefined;
			},
			60_000,
		);
		// Graph ids are immutable here (Prefer: IdType="ImmutableId"): the same messages, now in the Inbox.
		expect(back.map((m) => m.id).sort()).toEqual([known.id, unknown.id].sort());

		// The next polls find nothing new: still one CRM e-mail per Message-ID, one lead.
		const emails = (await env.crm.list('emails')).length;
		await new Promise((resolve) => setTimeout(resolve, 65_000));
		expect((await env.crm.list('emails')).length).toBe(emails);
		expect(await env.crm.findByEmail('neu@firma.example', ['leads'])).toHaveLength(1);
	},
	10 * 60_000,
);
