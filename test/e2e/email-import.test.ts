/**
 * The e-mail import template (workflows/email-import.json) in a real n8n against the sandbox (Graph)
 * and an embedded CRM file, through its "Run Now" path (`n8n execute`): mails arrive in anna's Inbox
 * and Sent Items, anna moves them into CRM-Sync and its subfolders with Graph (as Outlook does), the
 * run imports them, and the test reads the CRM and the mailbox afterwards. Then the cursors (only new
 * mail is read; a failed mail is read again), and the same mail moved by anna and ben imported once.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { CrmEmailRecord, CrmRecord } from '../../lib/crm';
import { nodeOutput, type N8nRun } from './harness';
import { ANNA, BEN, startEmailEnv, type EmailEnv, type User } from './helpers/email-env';
import { loadTemplate } from './helpers/sync-env';

const SETUP_TIMEOUT = 40 * 60_000;
const STEP_TIMEOUT = 5 * 60_000;
const ANNA_WORKFLOW = 'e2eEmailImportA1';
const BEN_WORKFLOW = 'e2eEmailImportB1';
const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/emails');

type Json = Record<string, unknown>;
type MailFolders = { root: string; accounts: string; contacts: string; leads: string; partner: string };

let env: EmailEnv;
const folders = {} as Record<User, MailFolders>;
const wellKnown = {} as Record<User, { inbox: string; sentitems: string; deleteditems: string }>;

function mail(headers: { from: string; to: string; cc?: string; subject: string; id: string }, body = 'Guten Tag,\r\nanbei unser Angebot.\r\n'): Buffer {
	const lines = [
		`From: ${headers.from}`,
		`To: ${headers.to}`,
		...(headers.cc ? [`Cc: ${headers.cc}`] : []),
		`Subject: ${headers.subject}`,
		`Message-ID: <${headers.id}@e2e.example>`,
		'Date: Mon, 23 Nov 2026 09:00:00 +0000',
		'MIME-Version: 1.0',
		'Content-Type: text/plain; charset=utf-8',
	];
	return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

const fixture = (file: string) => readFileSync(path.join(FIXTURES, file));

/** A mail arrives in `origin`, then the user moves it into a CRM-Sync folder with Graph. */
async function deliverAndMove(user: User, origin: 'inbox' | 'sentitems', mime: Buffer, target: keyof MailFolders): Promise<string> {
	const id = await env.deliver(user, origin, mime);
	const moved = await env.mailboxes[user].moveMessage(id, folders[user][target]);
	expect(moved.folderId).toBe(folders[user][target]);
	return moved.id;
}

async function folderOf(user: User, messageId: string): Promise<string | undefined> {
	return (await env.mailboxes[user].getMessage?.(messageId))?.folderId;
}

async function email(messageId: string): Promise<CrmEmailRecord> {
	const found = await env.crm.findEmailByMessageId(messageId);
	if (!found) throw new Error(`No CRM e-mail with Message-ID ${messageId}`);
	return found;
}

async function record(module: 'leads' | 'contacts' | 'accounts' | 'partners', address: string): Promise<CrmRecord[]> {
	return (await env.crm.findByEmail(address, [module])).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

const links = (e: CrmEmailRecord) => e.links.map((l) => `${l.module}:${l.id}`).sort();
const ref = (r: CrmRecord) => `${r.module}:${r.id}`;

/** Graph requests on a mailbox so far (the token endpoint is not counted per mailbox). */
async function requests(user: User): Promise<number> {
	return (await env.sb.control.counters())[user]?.total ?? 0;
}

async function writes(user: User): Promise<number> {
	const byMethod = (await env.sb.control.counters())[user]?.byMethod ?? {};
	return (byMethod.POST ?? 0) + (byMethod.PATCH ?? 0) + (byMethod.DELETE ?? 0);
}

/** Numbers for the report, printed once at the end. */
const measured: Record<string, number> = {};

function importResults(run: N8nRun): Json[] {
	return nodeOutput(run, 'E-mail to Lead');
}

/** The CRM-Sync folders E-mail to Lead holds a cursor for (in its node static data, per mailbox). */
async function mailCursors(workflowId: string, user: User): Promise<Record<string, string>> {
	const stored = await env.n8n.exportWorkflow(workflowId);
	const node = (stored.staticData as Record<string, { syncFolderMail?: Record<string, { cursors?: Record<string, string> }> }> | undefined)?.[
		'node:E-mail to Lead'
	];
	const cursors = node?.syncFolderMail?.[user]?.cursors ?? {};
	const syncFolders = new Set(Object.values(folders[user]));
	return Object.fromEntries(
		Object.entries(cursors)
			.map(([key, cursor]) => [key.replace(/^mail:/, ''), cursor] as const)
			.filter(([folderId]) => syncFolders.has(folderId)),
	);
}

beforeAll(async () => {
	env = await startEmailEnv();
	for (const user of [ANNA, BEN] as User[]) {
		const client = env.mailboxes[user];
		folders[user] = (await client.ensureSyncFolders({ components: ['mail'] })).mail as MailFolders;
		wellKnown[user] = {
			inbox: (await client.getWellKnownFolder('inbox')).id,
			sentitems: (await client.getWellKnownFolder('sentitems')).id,
			deleteditems: (await client.getWellKnownFolder('deleteditems')).id,
		};
	}
	// Lisa's address also on two contacts (created after her lead): the root folder must still pick the
	// lead (E1), the Contacts folder the earlier of the two contacts (E10).
	await env.crm.create('contacts', { fields: { firstname: 'Lisa', lastname: 'Kontakt', email: 'lisa@startup.example' } });
	await new Promise((resolve) => setTimeout(resolve, 1100));
	await env.crm.create('contacts', { fields: { firstname: 'Lisa', lastname: 'Später', email: 'LISA@startup.example' } });
	// The template's options plus a blacklist of the own company's domain (E5), so colleagues get no leads.
	const emailToLead = (loadTemplate('email-import.json').nodes as Array<{ name: string; parameters: Json }>).find((n) => n.name === 'E-mail to Lead')!;
	const options = { ...(emailToLead.parameters.options as Json), blacklist: '@contoso.example' };
	const overrides = { parameters: { 'E-mail to Lead': { options } } };
	await env.importEmailTemplate(ANNA, ANNA_WORKFLOW, overrides);
	await env.importEmailTemplate(BEN, BEN_WORKFLOW, overrides);
}, SETUP_TIMEOUT);

afterAll(async () => {
	// eslint-disable-next-line no-console
	console.log(`e-mail import e2e: ${JSON.stringify(measured)}`);
	await env?.close();
}, 120_000);

describe('e-mail import template in real n8n (Run Now path)', () => {
	const ids: Record<string, string> = {};

	it(
		'imports mails moved into each CRM-Sync folder with links per folder, new leads, attachments; refuses encrypted mail; moves them back',
		async () => {
			const anna = 'Anna Schmidt <anna@contoso.example>';
			ids.root = await deliverAndMove(
				ANNA,
				'inbox',
				mail({
					from: '"Lisa Lead" <lisa@startup.example>',
					to: anna,
					cc: 'max.mueller@mueller.example, INFO@mueller.example, kontakt@sonne.example, "Neu Kunde" <neu.kunde@beispiel.example>',
					subject: 'Angebot Startup',
					id: 'root-1',
				}),
				'root',
			);
			ids.contacts = await deliverAndMove(ANNA, 'inbox', mail({ from: 'lisa@startup.example', to: anna, subject: 'Rückfrage', id: 'contacts-1' }), 'contacts');
			ids.accounts = await deliverAndMove(
				ANNA,
				'inbox',
				mail({ from: 'hello@acme.example', to: anna, cc: 'jane.doe@acme.example', subject: 'Rahmenvertrag', id: 'accounts-1' }),
				'accounts',
			);
			ids.leads = await deliverAndMove(ANNA, 'sentitems', mail({ from: anna, to: 'lisa@startup.example', subject: 'Ihr Angebot', id: 'leads-1' }), 'leads');
			ids.partner = await deliverAndMove(ANNA, 'inbox', mail({ from: 'kontakt@sonne.example', to: anna, subject: 'Kampagne', id: 'partner-1' }), 'partner');
			ids.attachments = await deliverAndMove(ANNA, 'inbox', fixture('html-inline-cid/mailparser__nodemailer.eml'), 'root');
			ids.encrypted = await deliverAndMove(ANNA, 'inbox', fixture('encrypted-signed/thunderbird__alice.env.eml'), 'contacts');
			ids.malformed = await deliverAndMove(ANNA, 'inbox', fixture('malformed/stalwart__000.eml'), 'root');
			const emailsBefore = (await env.crm.list('emails')).length;

			const requestsBefore = await requests(ANNA);
			const started = Date.now();
			const run = await env.run(ANNA_WORKFLOW);
			measured.firstRunMs = Date.now() - started;
			measured.graphRequestsPerMessage = ((await requests(ANNA)) - requestsBefore) / 8;
			const results = importResults(run);
			expect(results).toHaveLength(8);
			const result = (key: string) => results.find((r) => r.exchangeId === ids[key]) as Json;
			for (const key of ['root', 'contacts', 'accounts', 'leads', 'partner', 'attachments']) {
				expect({ key, status: result(key).status, error: result(key).error }).toEqual({ key, status: 'imported', error: undefined });
			}
			// No Code node in the template any more: Run Now feeds E-mail to Lead directly (issue 16).
			expect(loadTemplate('email-import.json').nodes.map((n) => (n as { type: string }).type)).not.toContain('n8n-nodes-base.code');

			// E1 root: Leads → Contacts → Accounts → Partners; E3/E4 a lead for the unknown address.
			const lisaLead = (await record('leads', 'lisa@startup.example'))[0];
			const [lisaContact, lisaLater] = await record('contacts', 'lisa@startup.example');
			const max = (await record('contacts', 'max.mueller@mueller.example'))[0];
			const mueller = (await record('accounts', 'info@mueller.example'))[0];
			const agency = (await record('partners', 'kontakt@sonne.example'))[0];
			const [newLead] = await record('leads', 'neu.kunde@beispiel.example');
			expect(newLead).toBeDefined();
			expect(newLead.fields).toMatchObject({ lastname: 'neu.kunde', company: 'beispiel.example', leadsource: 'E-Mail' });
			expect(newLead.assignedTo).toEqual({ type: 'user', id: 'anna' });
			const root = await email('<root-1@e2e.example>');
			expect(links(root)).toEqual([ref(lisaLead), ref(max), ref(mueller), ref(agency), ref(newLead)].sort());
			expect(root).toMatchObject({
				subject: 'Angebot Startup',
				from: 'lisa@startup.example',
				to: ['anna@contoso.example'],
				importedBy: ANNA,
				assignedTo: { type: 'user', id: 'anna' },
			});
			expect(root.cc).toEqual(['max.mueller@mueller.example', 'info@mueller.example', 'kontakt@sonne.example', 'neu.kunde@beispiel.example']);
			expect(root.bodyText).toContain('anbei unser Angebot');
			expect(result('root').ignored).toEqual(['anna@contoso.example']);

			// E1 subfolders: only their module. Contacts → the earlier of Lisa's two contacts (E10), not her lead.
			expect(lisaLater).toBeDefined();
			expect(links(await email('<contacts-1@e2e.example>'))).toEqual([ref(lisaContact)]);
			// Accounts: ACME; Jane is a contact, not an account, so she gets a lead (template option "Create Lead").
			const acme = (await record('accounts', 'hello@acme.example'))[0];
			const janeContact = (await record('contacts', 'jane.doe@acme.example'))[0];
			const [janeLead] = await record('leads', 'jane.doe@acme.example');
			expect(links(await email('<accounts-1@e2e.example>'))).toEqual([ref(acme), ref(janeLead)].sort());
			expect(links(await email('<accounts-1@e2e.example>'))).not.toContain(ref(janeContact));
			expect(links(await email('<leads-1@e2e.example>'))).toEqual([ref(lisaLead)]);
			expect(links(await email('<partner-1@e2e.example>'))).toEqual([ref(agency)]);

			// E7: inline and attached files with their bytes.
			const withFiles = await email('<012d606e-3550-2d94-b566-6cd996de88e3@kreata.ee>');
			expect(withFiles.attachments).toEqual(
				expect.arrayContaining([
					expect.objectContaining({ fileName: 'image.png', inline: true }),
					expect.objectContaining({ fileName: 'nyan cat ✔.gif', inline: true, size: 29361 }),
					expect.objectContaining({ fileName: 'notes.txt', inline: false }),
				]),
			);
			const gif = withFiles.attachments.find((a) => a.fileName === 'nyan cat ✔.gif')!;
			expect((await env.crm.getEmailAttachmentContent?.(withFiles.id, gif.id))?.subarray(0, 6).toString('latin1')).toBe('GIF89a');
			expect(result('attachments').attachmentCount).toBe(withFiles.attachments.length);
			expect((await record('leads', 'andris@kreata.ee')).length).toBe(1);

			// E8: refused with the reason, not stored, moved back all the same.
			expect(result('encrypted')).toMatchObject({ status: 'refused-encrypted', crmEmailId: null });
			expect(String(result('encrypted').reason)).toMatch(/encrypted/i);
			// Malformed MIME: a clear per-item error; the mail stays in CRM-Sync; the others went on.
			expect(result('malformed').status).toBe('error');
			expect(String(result('malformed').error)).toMatch(/could not be read/);
			expect(String(result('malformed').description)).toMatch(/not valid MIME/);
			expect((await env.crm.list('emails')).length).toBe(emailsBefore + 6);

			// E9: back where they came from: the Inbox, or Sent Items for anna's own mail.
			const { inbox, sentitems } = wellKnown[ANNA];
			for (const key of ['root', 'contacts', 'accounts', 'partner', 'attachments', 'encrypted']) {
				expect({ key, folder: await folderOf(ANNA, ids[key]) }).toEqual({ key, folder: inbox });
			}
			expect(await folderOf(ANNA, ids.leads)).toBe(sentitems);
			expect(result('leads').move).toMatchObject({ reason: 'sentItems', moved: true });
			expect(await folderOf(ANNA, ids.malformed)).toBe(folders[ANNA].root);

			// Cursors: every folder whose mails all went through; CRM-Sync itself is read again (the malformed mail).
			const cursors = await mailCursors(ANNA_WORKFLOW, ANNA);
			const f = folders[ANNA];
			expect(Object.keys(cursors).sort()).toEqual([f.accounts, f.contacts, f.leads, f.partner].sort());
		},
		STEP_TIMEOUT,
	);

	it(
		'reads only what is new: the next run sees just the mail that failed, then nothing once it is gone',
		async () => {
			const emails = (await env.crm.list('emails')).length;
			const again = importResults(await env.run(ANNA_WORKFLOW));
			expect(again.map((r) => [r.exchangeId, r.status])).toEqual([[ids.malformed, 'error']]);
			expect((await env.crm.list('emails')).length).toBe(emails);

			// The user deletes the unreadable mail; the next run finds nothing and moves the root cursor on.
			await env.mailboxes[ANNA].moveMessage(ids.malformed, wellKnown[ANNA].deleteditems);
			const idleBefore = await requests(ANNA);
			const writesBefore = await writes(ANNA);
			const idle = await env.run(ANNA_WORKFLOW);
			measured.graphRequestsIdleRun = (await requests(ANNA)) - idleBefore;
			expect(await writes(ANNA)).toBe(writesBefore);
			expect(importResults(idle)).toEqual([]);
			expect(Object.keys(await mailCursors(ANNA_WORKFLOW, ANNA))).toContain(folders[ANNA].root);

			// New mail after that is picked up by the kept cursor.
			const late = await deliverAndMove(
				ANNA,
				'inbox',
				mail({ from: 'max.mueller@mueller.example', to: 'anna@contoso.example', subject: 'Nachtrag', id: 'late-1' }),
				'contacts',
			);
			const next = importResults(await env.run(ANNA_WORKFLOW));
			expect(next.map((r) => [r.exchangeId, r.status])).toEqual([[late, 'imported']]);
			const max = (await record('contacts', 'max.mueller@mueller.example'))[0];
			expect(links(await email('<late-1@e2e.example>'))).toEqual([ref(max)]);
			expect(await folderOf(ANNA, late)).toBe(wellKnown[ANNA].inbox);
		},
		3 * STEP_TIMEOUT,
	);

	it(
		'imports the same mail (same Message-ID) moved by anna and by ben once (E6)',
		async () => {
			const shared = mail({
				from: 'Max Müller <max.mueller@mueller.example>',
				to: 'anna@contoso.example, ben@contoso.example',
				subject: 'Termin für beide',
				id: 'shared-1',
			});
			const emailsBefore = (await env.crm.list('emails')).length;
			const annaCopy = await deliverAndMove(ANNA, 'inbox', shared, 'root');
			const benCopy = await deliverAndMove(BEN, 'inbox', shared, 'contacts');

			const byAnna = importResults(await env.run(ANNA_WORKFLOW));
			expect(byAnna).toEqual([expect.objectContaining({ exchangeId: annaCopy, status: 'imported' })]);
			const byBen = importResults(await env.run(BEN_WORKFLOW));
			expect(byBen).toEqual([expect.objectContaining({ exchangeId: benCopy, status: 'duplicate', crmEmailId: byAnna[0].crmEmailId })]);

			expect((await env.crm.list('emails')).length).toBe(emailsBefore + 1);
			const stored = await email('<shared-1@e2e.example>');
			expect(stored.id).toBe(byAnna[0].crmEmailId);
			expect(stored.importedBy).toBe(ANNA);
			const max = (await record('contacts', 'max.mueller@mueller.example'))[0];
			expect(links(stored)).toEqual([ref(max)]);
			// The colleague's address is blacklisted (E5): neither matched nor turned into a lead.
			expect(byAnna[0].ignored).toEqual(['anna@contoso.example', 'ben@contoso.example']);
			expect(await record('leads', 'ben@contoso.example')).toEqual([]);

			expect(await folderOf(ANNA, annaCopy)).toBe(wellKnown[ANNA].inbox);
			expect(await folderOf(BEN, benCopy)).toBe(wellKnown[BEN].inbox);
		},
		2 * STEP_TIMEOUT,
	);
});
