/**
 * E8 with S/MIME: signed mail (opaque smime.p7m as OpenSSL and Outlook write it — BER with
 * indefinite lengths and a chunked OCTET STRING —, DER from node-forge, and multipart/signed) is
 * imported into the embedded CRM with the text and attachments inside the signature; only
 * encrypted mail (enveloped-data, also when it sits inside a signature) is refused with a reason.
 * The signed structures are made by real tools (the openssl CLI, node-forge) at test time:
 * the fixture set has no signed S/MIME mail.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { EmbeddedCrmBackend } from '../../lib/crm';
import { DEFAULT_EMAIL_IMPORT_OPTIONS, EmailImporter } from '../../lib/email';
import { signedDataContent } from '../../lib/email/cms';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/emails');
const OWNER = 'bob@firm.example';
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 256))]);

/** A signed message's content: text, HTML alternative, and a PDF attachment. */
const INNER = [
	'Content-Type: multipart/mixed; boundary="mix"',
	'',
	'--mix',
	'Content-Type: multipart/alternative; boundary="alt"',
	'',
	'--alt',
	'Content-Type: text/plain; charset=utf-8',
	'Content-Transfer-Encoding: 8bit',
	'',
	'Guten Tag, anbei das signierte Angebot. Grüße, Anna',
	'--alt',
	'Content-Type: text/html; charset=utf-8',
	'',
	'<p>Guten Tag, anbei das <b>signierte</b> Angebot.</p>',
	'--alt--',
	'--mix',
	'Content-Type: application/pdf; name="Angebot.pdf"',
	'Content-Disposition: attachment; filename="Angebot.pdf"',
	'Content-Transfer-Encoding: base64',
	'',
	PDF.toString('base64')
		.replace(/.{1,76}/g, '$&\r\n')
		.trimEnd(),
	'--mix--',
	'',
].join('\r\n');

describe('S/MIME signed mail is imported, encrypted mail refused (E8)', () => {
	let dir: string;
	let crm: EmbeddedCrmBackend;
	const keys = path.join(tmpdir(), `smime-keys-${process.pid}`);

	beforeAll(() => {
		rmSync(keys, { recursive: true, force: true });
		execFileSync('mkdir', ['-p', keys]);
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
				path.join(keys, 'key.pem'),
				'-out',
				path.join(keys, 'cert.pem'),
				'-subj',
				'/CN=Anna Sender/emailAddress=anna@sender.example',
			],
			{ stdio: 'pipe' },
		);
		writeFileSync(path.join(keys, 'inner.eml'), INNER);
	});
	afterAll(() => rmSync(keys, { recursive: true, force: true }));

	beforeEach(async () => {
		dir = mkdtempSync(path.join(tmpdir(), 'email-safety-smime-'));
		crm = EmbeddedCrmBackend.open(path.join(dir, 'crm.sqlite'));
		crm.saveUser({ id: 'u1', userName: 'bob', email: OWNER, active: true });
		await crm.create('contacts', { fields: { lastname: 'Sender', email: 'anna@sender.example' } });
	});
	afterEach(async () => {
		await crm.close();
		rmSync(dir, { recursive: true, force: true });
	});

	/** openssl cms -sign as a mail client would send it (S/MIME output with headers). */
	function opensslSigned(messageId: string, opaque: boolean, input = path.join(keys, 'inner.eml')): Buffer {
		const smime = execFileSync('openssl', [
			'cms',
			'-sign',
			...(opaque ? ['-nodetach'] : []),
			'-stream',
			'-binary',
			'-signer',
			path.join(keys, 'cert.pem'),
			'-inkey',
			path.join(keys, 'key.pem'),
			'-in',
			input,
			'-outform',
			'SMIME',
			'-from',
			'Anna Sender <anna@sender.example>',
			'-to',
			OWNER,
			'-subject',
			'Signiertes Angebot',
		]);
		return Buffer.concat([Buffer.from(`Message-ID: <${messageId}@sender.example>\r\nDate: Mon, 02 Mar 2026 09:00:00 +0100\r\n`), smime]);
	}

	const importer = () => new EmailImporter({ crm, ownerAddresses: [OWNER], ownerUserId: 'u1', options: { ...DEFAULT_EMAIL_IMPORT_OPTIONS } });

	async function importAndRead(raw: Buffer) {
		const copy = Buffer.from(raw);
		const result = await importer().importMessage({ raw, folderRole: 'syncRoot' });
		expect(raw.equals(copy)).toBe(true); // the mail itself is not changed
		const stored = result.crmEmailId ? await crm.getEmail(result.crmEmailId) : undefined;
		return { result, stored };
	}

	async function expectSignedContentStored(raw: Buffer, messageId: string, signature: 'opaque' | 'detached' = 'opaque') {
		const { result, stored } = await importAndRead(raw);
		expect(result.status).toBe('imported');
		expect(result.signature).toBe(signature);
		expect(result.attachmentCount).toBe(1);
		expect(result.links).toEqual([expect.objectContaining({ module: 'contacts', address: 'anna@sender.example' })]);
		expect(stored!.messageId).toBe(`<${messageId}@sender.example>`);
		expect(stored!.subject).toBe('Signiertes Angebot');
		expect(stored!.from).toBe('anna@sender.example');
		expect(stored!.to).toEqual([OWNER]);
		expect(stored!.bodyText).toBe('Guten Tag, anbei das signierte Angebot. Grüße, Anna');
		expect(stored!.attachments.map((a) => [a.fileName, a.contentType, a.size])).toEqual([['Angebot.pdf', 'application/pdf', PDF.length]]);
		const bytes = await crm.getEmailAttachmentContent(stored!.id, stored!.attachments[0].id);
		expect(bytes?.equals(PDF)).toBe(true);
		return stored!;
	}

	it('opaque smime.p7m from openssl (BER, indefinite lengths, chunked content): inner text and PDF', async () => {
		const raw = opensslSigned('opaque-ber', true);
		expect(raw.toString()).toMatch(/application\/pkcs7-mime; smime-type=signed-data; name="smime.p7m"/);
		await expectSignedContentStored(raw, 'opaque-ber');
		expect((await crm.list('contacts')).map((c) => c.fields.lastname)).toEqual(['Sender']);
	});

	it('multipart/signed from openssl: the signed parts, without smime.p7s as an attachment', async () => {
		const raw = opensslSigned('detached', false);
		expect(raw.toString()).toMatch(/multipart\/signed; protocol="application\/pkcs7-signature"/);
		await expectSignedContentStored(raw, 'detached', 'detached');
	});

	it('opaque DER signed-data from node-forge without smime-type', async () => {
		const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
		const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
		const certificate = forge.pki.createCertificate();
		certificate.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
		certificate.serialNumber = '01';
		certificate.validity.notBefore = new Date('2026-01-01T00:00:00Z');
		certificate.validity.notAfter = new Date('2027-01-01T00:00:00Z');
		certificate.setSubject([{ name: 'commonName', value: 'Anna Sender' }]);
		certificate.setIssuer([{ name: 'commonName', value: 'Anna Sender' }]);
		certificate.sign(key, forge.md.sha256.create());
		const p7 = forge.pkcs7.createSignedData();
		p7.content = forge.util.createBuffer(Buffer.from(INNER).toString('binary'));
		p7.addCertificate(certificate);
		p7.addSigner({ key, certificate, digestAlgorithm: forge.pki.oids.sha256 });
		p7.sign();
		const der = Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
		expect(signedDataContent(der)?.toString('binary')).toBe(Buffer.from(INNER).toString('binary'));
		const raw = Buffer.from(
			'From: Anna Sender <anna@sender.example>\r\nTo: bob@firm.example\r\nSubject: Signiertes Angebot\r\n' +
				'Message-ID: <opaque-der@sender.example>\r\nMIME-Version: 1.0\r\n' +
				'Content-Type: application/x-pkcs7-mime; name="smime.p7m"\r\nContent-Transfer-Encoding: base64\r\n' +
				`Content-Disposition: attachment; filename="smime.p7m"\r\n\r\n${der.toString('base64').replace(/.{1,76}/g, '$&\r\n')}`,
		);
		await expectSignedContentStored(raw, 'opaque-der');
	});

	it('refuses enveloped-data (the real Thunderbird fixture) and encrypted mail inside a signature, storing nothing', async () => {
		const fixture = await importAndRead(readFileSync(path.join(FIXTURES, 'encrypted-signed/thunderbird__alice.env.eml')));
		expect(fixture.result.status).toBe('refused-encrypted');
		expect(fixture.result.reason).toMatch(/S\/MIME encrypted \(application\/pkcs7-mime; smime-type=enveloped-data\); encrypted e-mails are not imported/);

		// Encrypt, then sign the encrypted entity (what a signing gateway does to encrypted mail).
		const encrypted = execFileSync('openssl', [
			'cms',
			'-encrypt',
			'-aes256',
			'-in',
			path.join(keys, 'inner.eml'),
			'-outform',
			'SMIME',
			path.join(keys, 'cert.pem'),
		]);
		writeFileSync(path.join(keys, 'encrypted.eml'), encrypted);
		const signedEncrypted = await importAndRead(opensslSigned('signed-encrypted', true, path.join(keys, 'encrypted.eml')));
		expect(signedEncrypted.result.status).toBe('refused-encrypted');
		expect(signedEncrypted.result.reason).toMatch(/smime-type=enveloped-data\); encrypted e-mails are not imported/);

		expect(fixture.stored).toBeUndefined();
		expect(signedEncrypted.stored).toBeUndefined();
		expect(await crm.findEmailByMessageId('<signed-encrypted@sender.example>')).toBeUndefined();
		expect((await crm.list('contacts')).map((c) => c.fields.lastname)).toEqual(['Sender']);
	});

	it('a damaged signature blob is not refused as encrypted: the mail is kept with smime.p7m attached', async () => {
		const raw = Buffer.from(
			'From: anna@sender.example\r\nTo: bob@firm.example\r\nSubject: kaputt\r\nMessage-ID: <broken@sender.example>\r\n' +
				'MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"\r\n' +
				`Content-Transfer-Encoding: base64\r\n\r\n${Buffer.from('0\x80\x06\x09not really cms').toString('base64')}\r\n`,
		);
		const { result, stored } = await importAndRead(raw);
		expect(result.status).toBe('imported');
		expect(stored!.attachments.map((a) => a.fileName)).toEqual(['smime.p7m']);
	});
});
