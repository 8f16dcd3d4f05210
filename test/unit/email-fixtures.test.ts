/**
 * Every e-mail fixture through the pure parts of the importer: MIME parsing (mailparser),
 * the E8 encryption verdict, attachments (E7) and the plain-text body (S9).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';
import { generateKeyPairSync } from 'node:crypto';
import { plainTextBody } from '../../lib/email/body';
import { cmsContentType, CMS_CONTENT_TYPES, encryptionReason } from '../../lib/email/encryption';
import { MalformedEmailError, parseEmail } from '../../lib/email/mime';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/emails');
const ALL_FIXTURES = readdirSync(FIXTURES).flatMap((folder) =>
	readdirSync(path.join(FIXTURES, folder))
		.filter((file) => file.endsWith('.eml'))
		.map((file) => `${folder}/${file}`),
);
const read = (file: string) => readFileSync(path.join(FIXTURES, file));

const ENCRYPTED: Record<string, RegExp> = {
	'encrypted-signed/thunderbird__alice.env.eml': /S\/MIME encrypted .*enveloped-data/,
	'encrypted-signed/thunderbird__alice-broken-exchange.eml': /PGP\/MIME encrypted/,
};
const MALFORMED: Record<string, RegExp> = {
	'malformed/stalwart__000.eml': /binary data \(NUL bytes\)/,
};

describe('every e-mail fixture', () => {
	it('finds the fixture corpus', () => {
		expect(ALL_FIXTURES.length).toBeGreaterThanOrEqual(28);
	});

	it.each(ALL_FIXTURES)('%s', async (file) => {
		if (MALFORMED[file]) {
			await expect(parseEmail(read(file))).rejects.toThrow(MalformedEmailError);
			await expect(parseEmail(read(file))).rejects.toThrow(MALFORMED[file]);
			return;
		}
		const email = await parseEmail(read(file));
		expect(email.messageId).toMatch(/^<.+>$/);
		const reason = encryptionReason(email);
		if (ENCRYPTED[file]) {
			expect(reason).toMatch(ENCRYPTED[file]);
			return;
		}
		expect(reason).toBeUndefined();
		// S9: whatever the message carried, the stored body is text without markup.
		const body = plainTextBody(email.text, email.html);
		expect(body ?? '').not.toMatch(/<(?:html|body|div|p|span|table|img|a|script|style)\b[^>]*>/i);
		expect(body ?? '').not.toMatch(/cid:|data:image/);
		for (const attachment of email.attachments) {
			expect(attachment.fileName).not.toBe('');
			expect(attachment.content.length).toBeGreaterThanOrEqual(0);
		}
	});
});

describe('attachments (E7)', () => {
	async function attachmentsOf(file: string) {
		const email = await parseEmail(read(file));
		return email.attachments.map(({ fileName, contentType, contentId, inline, content }) => ({
			fileName,
			contentType,
			contentId,
			inline,
			size: content.length,
		}));
	}

	it('keeps inline cid images and attached files apart (nodemailer.eml)', async () => {
		const attachments = await attachmentsOf('html-inline-cid/mailparser__nodemailer.eml');
		expect(attachments).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ fileName: 'image.png', contentId: 'note@example.com', inline: true }),
				expect.objectContaining({ fileName: 'nyan cat ✔.gif', contentId: 'nyan@example.com', inline: true, size: 29361 }),
				expect.objectContaining({ fileName: 'notes.txt', contentType: 'text/plain', inline: false }),
			]),
		);
	});

	it('imports inline images of multipart/related (other-multi-related)', async () => {
		const attachments = await attachmentsOf('html-inline-cid/enmime__other-multi-related.eml');
		expect(attachments).toEqual([
			expect.objectContaining({ fileName: 'image001.png', contentId: 'image001.png@01D3BA12.F6C6AEB0', inline: true, size: 687 }),
			expect.objectContaining({ fileName: 'image002.png', contentId: 'image002.png@01D3BA12.F6C6AEB0', inline: true, size: 687 }),
		]);
	});

	it('keeps a forwarded message and a TNEF winmail.dat as attachments', async () => {
		expect(await attachmentsOf('html-inline-cid/mail__attachment_message_rfc822_inline_image.eml')).toEqual([
			expect.objectContaining({ fileName: 'img.png', inline: true }),
			expect.objectContaining({ fileName: 'Testmail.eml', contentType: 'message/rfc822', inline: false }),
		]);
		expect(await attachmentsOf('structure/mimekit__ukr.eml')).toEqual([
			expect.objectContaining({ fileName: 'winmail.dat', contentType: 'application/ms-tnef', inline: false, size: 9566 }),
		]);
	});

	it('names an attachment that has no file name', async () => {
		const attachments = await attachmentsOf('encodings/mailparser__decoderended.eml');
		expect(attachments).toEqual([expect.objectContaining({ fileName: 'attachment-1.eml', contentType: 'message/rfc822' })]);
	});
});

describe('message identity (E6)', () => {
	it('uses the Message-ID header', async () => {
		const email = await parseEmail(read('structure/mimekit__ukr.eml'));
		expect(email.messageIdDerived).toBe(false);
		expect(email.messageId).toBe('<AM0PR0702MB3522C04E8C4950FA9976EC23E12B0@AM0PR0702MB3522.eurprd07.prod.outlook.com>');
	});

	it('derives a stable id without one, equal for copies that differ only in transport headers', async () => {
		const raw = read('structure/mailparser__nested.eml');
		const copy = Buffer.concat([Buffer.from('Received: from relay.example by mx.example; Mon, 1 Jan 2024 00:00:00 +0000\r\n'), raw]);
		const first = await parseEmail(raw);
		const second = await parseEmail(copy);
		expect(first.messageIdDerived).toBe(true);
		expect(second.messageId).toBe(first.messageId);
		const other = await parseEmail(read('structure/mailparser__mixed.eml'));
		expect(other.messageId).not.toBe(first.messageId);
	});
});

describe('plain-text body (S9)', () => {
	it('converts HTML-only mail and drops script, style, images and javascript: links', () => {
		const html =
			'<html><head><style>p{color:red}</style><script>alert("x")</script></head><body>' +
			'<p>Hello <b>Anna</b></p><img src="data:image/png;base64,AAAA" alt="logo">' +
			'<a href="javascript:steal()">click</a> <a href="https://example.com/x">site</a>' +
			'<iframe src="https://evil.example"></iframe><script>document.cookie</script></body></html>';
		const text = plainTextBody(undefined, html) ?? '';
		expect(text).toContain('Hello Anna');
		expect(text).toContain('site [https://example.com/x]');
		expect(text).not.toMatch(/alert|cookie|color:red|javascript|data:image|evil|</);
	});

	it('prefers the text/plain part and converts the HTML-only spam fixture', async () => {
		const spam = await parseEmail(read('html/mailparser__spam.eml'));
		expect(spam.text).toBeUndefined();
		const text = plainTextBody(spam.text, spam.html) ?? '';
		expect(text.length).toBeGreaterThan(50);
		expect(text).not.toMatch(/<[a-z]/i);
		const mixed = await parseEmail(read('structure/mailparser__mixed.eml'));
		expect(plainTextBody(mixed.text, mixed.html)).toBe(mixed.text?.replace(/\s+$/, ''));
	});
});

describe('malformed input', () => {
	it.each([
		['empty', Buffer.alloc(0), /empty/],
		['no header section', Buffer.from('\r\njust a body without headers\r\n'), /no header section/],
		['not a message at all', Buffer.from('%PDF-1.4 binary \x00\x01 garbage'), /no header section/],
	])('%s gives a clear error', async (_name, raw, message) => {
		await expect(parseEmail(raw)).rejects.toThrow(message);
	});
});

/** Real S/MIME structures built with node-forge (the fixture set has no signed mail). */
describe('S/MIME and PGP verdicts (E8)', () => {
	const { signer, certificate } = selfSignedSigner();

	function signedData(content: string, detached: boolean): Buffer {
		const p7 = forge.pkcs7.createSignedData();
		p7.content = forge.util.createBuffer(content, 'utf8');
		p7.addCertificate(certificate);
		p7.addSigner({ key: signer, certificate, digestAlgorithm: forge.pki.oids.sha256 });
		p7.sign({ detached });
		return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
	}

	const base64Lines = (buffer: Buffer) => buffer.toString('base64').replace(/.{1,76}/g, '$&\r\n');
	const inner = 'Content-Type: text/plain; charset=utf-8\r\n\r\nSigned hello from Anna\r\n';
	const head = 'From: Anna <anna@example.org>\r\nTo: bob@example.com\r\nSubject: signed\r\nMessage-ID: <s1@example.org>\r\n';

	it('imports multipart/signed (detached S/MIME signature)', async () => {
		const raw =
			head +
			'MIME-Version: 1.0\r\nContent-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="b1"\r\n\r\n' +
			`--b1\r\n${inner}--b1\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n` +
			`Content-Disposition: attachment; filename=smime.p7s\r\n\r\n${base64Lines(signedData(inner, true))}--b1--\r\n`;
		const email = await parseEmail(Buffer.from(raw));
		expect(encryptionReason(email)).toBeUndefined();
		expect(email.text).toContain('Signed hello from Anna');
		// The signature part is no attachment of the sender's (issue 12 §4).
		expect(email.attachments.map((a) => a.fileName)).toEqual([]);
	});

	it.each([
		['with smime-type=signed-data', '; smime-type=signed-data'],
		['without smime-type (CMS content type says signedData)', ''],
	])('imports opaque S/MIME signed mail %s', async (_name, smimeType) => {
		const der = signedData(inner, false);
		expect(cmsContentType(der)).toBe(CMS_CONTENT_TYPES.signedData);
		const raw =
			head +
			`MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; name=smime.p7m${smimeType}\r\n` +
			`Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=smime.p7m\r\n\r\n${base64Lines(der)}`;
		const email = await parseEmail(Buffer.from(raw));
		expect(encryptionReason(email)).toBeUndefined();
		// The message inside the signature, not smime.p7m (issue 12 §4).
		expect(email.text).toContain('Signed hello from Anna');
		expect(email.attachments).toHaveLength(0);
	});

	it('refuses S/MIME enveloped data without smime-type by its CMS content type', async () => {
		const envelopedFixture = read('encrypted-signed/thunderbird__alice.env.eml')
			.toString('binary')
			.replace(/;\s*smime-type=enveloped-data/, '');
		const email = await parseEmail(Buffer.from(envelopedFixture, 'binary'));
		expect(email.contentType.params['smime-type']).toBeUndefined();
		expect(cmsContentType(email.attachments[0].content)).toBe(CMS_CONTENT_TYPES.envelopedData);
		expect(encryptionReason(email)).toMatch(/S\/MIME encrypted .*CMS enveloped data/);
	});

	it('refuses PGP/MIME multipart/encrypted and inline PGP', async () => {
		const armored = read('encrypted-signed/thunderbird__alice-broken-exchange.eml').toString('binary');
		const asc = Buffer.from(/encrypted\.asc"[\s\S]*?\r\n\r\n([A-Za-z0-9+/=\r\n]+)/.exec(armored)![1], 'base64').toString();
		const pgpMime =
			head +
			'MIME-Version: 1.0\r\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="p"\r\n\r\n' +
			'--p\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n' +
			`--p\r\nContent-Type: application/octet-stream; name="encrypted.asc"\r\n\r\n${asc}\r\n--p--\r\n`;
		expect(encryptionReason(await parseEmail(Buffer.from(pgpMime)))).toMatch(/multipart\/encrypted \(application\/pgp-encrypted\)/);
		const inline = `${head}Content-Type: text/plain\r\n\r\n${asc}`;
		expect(asc).toContain('-----BEGIN PGP MESSAGE-----');
		expect(encryptionReason(await parseEmail(Buffer.from(inline)))).toMatch(/inline PGP/);
	});
});

function selfSignedSigner(): { signer: forge.pki.rsa.PrivateKey; certificate: forge.pki.Certificate } {
	const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
	const signer = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
	const certificate = forge.pki.createCertificate();
	certificate.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
	certificate.serialNumber = '01';
	certificate.validity.notBefore = new Date('2024-01-01T00:00:00Z');
	certificate.validity.notAfter = new Date('2034-01-01T00:00:00Z');
	const subject = [
		{ name: 'commonName', value: 'Anna Test' },
		{ name: 'emailAddress', value: 'anna@example.org' },
	];
	certificate.setSubject(subject);
	certificate.setIssuer(subject);
	certificate.sign(signer, forge.md.sha256.create());
	return { signer, certificate };
}
