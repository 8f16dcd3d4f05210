/**
 * E8 against a real EWS server (Gromox, or any Exchange, when EWS_URL, EWS_USERNAME and
 * EWS_PASSWORD are set): S/MIME signed messages (opaque smime.p7m and multipart/signed, made
 * with the openssl CLI) are put into the Inbox as MIME, fetched back by id through the EWS
 * client and imported into the embedded CRM with the text and attachment inside the signature.
 * The message in the mailbox stays as it was (same MIME before and after; not moved).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteMode, EmailMessage, ItemId, MimeContent, WellKnownFolderName } from 'ews-javascript-api';

import { EmbeddedCrmBackend } from '../../lib/crm';
import { DEFAULT_EMAIL_IMPORT_OPTIONS, EmailImporter } from '../../lib/email';
import { EwsExchangeClient } from '../../lib/exchange/ews/client';
import { ewsOptionsFromCredential } from '../../lib/exchange/ews/connection';

const { EWS_URL, EWS_USERNAME, EWS_PASSWORD } = process.env;
const configured = Boolean(EWS_URL && EWS_USERNAME && EWS_PASSWORD);
const live = configured ? describe : describe.skip;
if (!configured) test('EWS part skipped: set EWS_URL, EWS_USERNAME and EWS_PASSWORD', () => expect(configured).toBe(false));

const run = `smime${Date.now().toString(36)}`;
const ATTACHMENT = Buffer.from(`Angebot ${run}\n`.repeat(200));
const INNER = [
	'Content-Type: multipart/mixed; boundary="mix"',
	'',
	'--mix',
	'Content-Type: text/plain; charset=utf-8',
	'',
	`Signierter Text ${run}`,
	'--mix',
	'Content-Type: text/plain; name="angebot.txt"',
	'Content-Disposition: attachment; filename="angebot.txt"',
	'Content-Transfer-Encoding: base64',
	'',
	ATTACHMENT.toString('base64')
		.replace(/.{1,76}/g, '$&\r\n')
		.trimEnd(),
	'--mix--',
	'',
].join('\r\n');

live('S/MIME signed mail from a real EWS mailbox', () => {
	let client: EwsExchangeClient;
	let dir: string;
	let crm: EmbeddedCrmBackend;
	const created: string[] = [];

	beforeAll(() => {
		dir = mkdtempSync(path.join(tmpdir(), 'email-safety-smime-ews-'));
		execFileSync(
			'openssl',
			[
				'req',
				'-x509',
				'-newkey',
				'rsa:2048',
				'-nodes',
				'-days',
				'2',
				'-keyout',
				path.join(dir, 'key.pem'),
				'-out',
				path.join(dir, 'cert.pem'),
				'-subj',
				'/CN=Signer/emailAddress=signer@sender.example',
			],
			{ stdio: 'pipe' },
		);
		writeFileSync(path.join(dir, 'inner.eml'), INNER);
		client = new EwsExchangeClient(
			ewsOptionsFromCredential({
				url: EWS_URL as string,
				authentication: (process.env.EWS_AUTH as 'basic' | 'ntlm') ?? 'basic',
				username: EWS_USERNAME,
				password: EWS_PASSWORD,
				mailbox: process.env.EWS_MAILBOX,
				allowSelfSigned: process.env.EWS_ALLOW_SELF_SIGNED === '1',
				ca: process.env.EWS_CA_FILE ? readFileSync(process.env.EWS_CA_FILE, 'utf8') : undefined,
			}),
		);
		crm = EmbeddedCrmBackend.open(path.join(dir, 'crm.sqlite'));
	});

	afterAll(async () => {
		for (const id of created) {
			await EmailMessage.Bind(client.service, new ItemId(id))
				.then((item) => item.Delete(DeleteMode.HardDelete))
				.catch(() => undefined);
		}
		client?.service.XHRApi.disconnect();
		await crm?.close();
		rmSync(dir, { recursive: true, force: true });
	});

	/** openssl cms -sign, as a mail client sends it, saved into the Inbox as MIME. */
	async function signedMessageInInbox(kind: 'opaque' | 'detached'): Promise<string> {
		const smime = execFileSync('openssl', [
			'cms',
			'-sign',
			...(kind === 'opaque' ? ['-nodetach'] : []),
			'-stream',
			'-binary',
			'-signer',
			path.join(dir, 'cert.pem'),
			'-inkey',
			path.join(dir, 'key.pem'),
			'-in',
			path.join(dir, 'inner.eml'),
			'-outform',
			'SMIME',
			'-from',
			'Signer <signer@sender.example>',
			'-to',
			client.mailbox,
			'-subject',
			`Signiert ${kind} ${run}`,
		]);
		const raw = Buffer.concat([Buffer.from(`Message-ID: <${kind}.${run}@sender.example>\r\nDate: Mon, 02 Mar 2026 09:00:00 +0100\r\n`), smime]);
		const message = new EmailMessage(client.service);
		message.MimeContent = new MimeContent('UTF-8', raw.toString('base64'));
		await message.Save(WellKnownFolderName.Inbox);
		created.push(message.Id.UniqueId);
		return message.Id.UniqueId;
	}

	test.each(['opaque', 'detached'] as const)('%s: stored with the signed text and attachment; the mailbox copy is unchanged', async (kind) => {
		const id = await signedMessageInInbox(kind);
		const mimeBefore = await client.getMessageMime(id);
		const importer = new EmailImporter({
			crm,
			exchange: client,
			ownerAddresses: [client.mailbox],
			options: { ...DEFAULT_EMAIL_IMPORT_OPTIONS },
		});
		const result = await importer.importMessage({ exchangeId: id, folderRole: 'inbox' });
		expect(result).toMatchObject({ status: 'imported', signature: kind, attachmentCount: 1 });

		const stored = (await crm.getEmail(result.crmEmailId as string))!;
		expect(stored.messageId).toBe(`<${kind}.${run}@sender.example>`);
		expect(stored.subject).toBe(`Signiert ${kind} ${run}`);
		expect(stored.bodyText).toBe(`Signierter Text ${run}`);
		expect(stored.attachments.map((a) => a.fileName)).toEqual(['angebot.txt']);
		const bytes = await crm.getEmailAttachmentContent(stored.id, stored.attachments[0].id);
		expect(bytes?.equals(ATTACHMENT)).toBe(true);

		// Inbox mode: not moved; the message on the server is what it was.
		expect(result.move).toBeUndefined();
		expect((await client.getMessageMime(id)).equals(mimeBefore)).toBe(true);
	});
});
