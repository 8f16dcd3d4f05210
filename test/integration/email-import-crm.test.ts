/**
 * The e-mail importer against a real embedded CRM (SQLite file): every fixture, E1–E11.
 * Messages are passed as raw MIME; the Exchange side (fetch by id, move back) is covered by
 * email-import-sandbox.test.ts.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CrmError, EmbeddedCrmBackend, type CrmBackend, type CrmRecordInput } from '../../lib/crm';
import { DEFAULT_EMAIL_IMPORT_OPTIONS, EmailImporter, type EmailImportOptions, type EmailImportResult, type MailFolderRole } from '../../lib/email';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/emails');
const ALL_FIXTURES = readdirSync(FIXTURES).flatMap((folder) =>
	readdirSync(path.join(FIXTURES, folder))
		.filter((file) => file.endsWith('.eml'))
		.map((file) => `${folder}/${file}`),
);
const read = (file: string) => readFileSync(path.join(FIXTURES, file));

const OWNER = 'owner@firm.example';

function message(headers: Record<string, string>, body = 'Hello'): Buffer {
	const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
	return Buffer.from(`${lines.join('\r\n')}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`);
}

describe('e-mail import into the embedded CRM', () => {
	let dir: string;
	let crm: EmbeddedCrmBackend;
	let clock: number;

	beforeEach(() => {
		dir = mkdtempSync(path.join(tmpdir(), 'email-import-'));
		clock = Date.parse('2026-01-01T00:00:00Z');
		// Each write one second later, so "earliest created" (E10) is well defined.
		crm = EmbeddedCrmBackend.open(path.join(dir, 'crm.sqlite'), { now: () => new Date((clock += 1000)) });
		crm.saveUser({ id: 'u1', userName: 'owner', email: OWNER, active: true });
	});

	afterEach(async () => {
		await crm.close();
		rmSync(dir, { recursive: true, force: true });
	});

	function importer(options: Partial<EmailImportOptions> = {}, backend: CrmBackend = crm, owner = OWNER) {
		return new EmailImporter({
			crm: backend,
			ownerAddresses: [owner],
			ownerUserId: 'u1',
			options: { ...DEFAULT_EMAIL_IMPORT_OPTIONS, ...options },
		});
	}
	const create = (module: 'leads' | 'contacts' | 'accounts' | 'partners', fields: CrmRecordInput['fields']) => crm.create(module, { fields });

	it('imports every fixture once: encrypted refused with a reason, malformed a clear error, the others go on', async () => {
		const run = importer();
		const first: Array<EmailImportResult & { file: string }> = [];
		for (const file of ALL_FIXTURES) first.push({ file, ...(await run.importMessage({ raw: read(file), folderRole: 'syncRoot' })) });

		const byStatus = (status: string) => first.filter((r) => r.status === status).map((r) => r.file);
		expect(byStatus('refused-encrypted').sort()).toEqual([
			'encrypted-signed/thunderbird__alice-broken-exchange.eml',
			'encrypted-signed/thunderbird__alice.env.eml',
		]);
		expect(byStatus('error')).toEqual(['malformed/stalwart__000.eml']);
		const malformed = first.find((r) => r.status === 'error')!;
		expect(malformed.error).toEqual({
			code: 'malformed',
			message: expect.stringMatching(/^The e-mail could not be read: .*NUL bytes/),
			hint: expect.stringMatching(/not valid MIME/),
		});
		for (const refused of first.filter((r) => r.status === 'refused-encrypted')) {
			expect(refused.reason).toMatch(/encrypted e-mails are not imported/);
			expect(refused.crmEmailId).toBeUndefined();
		}
		const imported = first.filter((r) => r.status === 'imported');
		expect(imported).toHaveLength(ALL_FIXTURES.length - 3);
		expect((await crm.list('emails')).length).toBe(imported.length);

		// E6: a second run (another user, say) imports nothing new.
		const second = importer({}, crm, 'someone.else@firm.example');
		for (const file of ALL_FIXTURES) {
			const result = await second.importMessage({ raw: read(file), folderRole: 'syncRoot' });
			const before = first.find((r) => r.file === file)!;
			if (before.status === 'imported') {
				expect(result).toMatchObject({ status: 'duplicate', crmEmailId: before.crmEmailId });
			} else {
				expect(result.status).toBe(before.status);
			}
		}
		expect((await crm.list('emails')).length).toBe(imported.length);
	});

	it('stores inline and attached files with their bytes (E7) and a plain-text body (S9)', async () => {
		const raw = read('html-inline-cid/mailparser__nodemailer.eml');
		const result = await importer().importMessage({ raw, folderRole: 'syncRoot' });
		expect(result.status).toBe('imported');
		const stored = (await crm.getEmail(result.crmEmailId!))!;
		expect(stored.messageId).toBe('<012d606e-3550-2d94-b566-6cd996de88e3@kreata.ee>');
		expect(stored.attachments).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ fileName: 'image.png', contentId: 'note@example.com', inline: true }),
				expect.objectContaining({ fileName: 'nyan cat ✔.gif', contentId: 'nyan@example.com', inline: true, size: 29361 }),
				expect.objectContaining({ fileName: 'notes.txt', inline: false }),
			]),
		);
		const gif = stored.attachments.find((a) => a.fileName === 'nyan cat ✔.gif')!;
		const bytes = await crm.getEmailAttachmentContent(stored.id, gif.id);
		expect(bytes?.subarray(0, 6).toString('latin1')).toBe('GIF89a');
		expect(stored.bodyText).toBeTruthy();
		expect(stored.bodyText).not.toMatch(/<[a-z]/i);
		expect(stored.headers['message-id']).toBe('<012d606e-3550-2d94-b566-6cd996de88e3@kreata.ee>');
		expect(stored.to).toEqual(['andris+123@kreata.ee', 'andris.reinman@gmail.com']);
		expect(stored.assignedTo).toEqual({ type: 'user', id: 'u1' });

		const spam = await importer().importMessage({ raw: read('html/mailparser__spam.eml'), folderRole: 'syncRoot' });
		const spamBody = (await crm.getEmail(spam.crmEmailId!))!.bodyText ?? '';
		expect(spamBody.length).toBeGreaterThan(50);
		expect(spamBody).not.toMatch(/<[a-z/!]/i);
	});

	it('E1/E10: root folder searches leads → contacts → accounts → partners, earliest created wins', async () => {
		const partner = await create('partners', { partnername: 'P', email: 'pat@partner.example' });
		const account = await create('accounts', { accountname: 'Acme', email1: 'info@acme.example' });
		const olderContact = await create('contacts', { lastname: 'Old', email: 'anna@acme.example' });
		await create('contacts', { lastname: 'New', email: 'ANNA@acme.example' });
		const lead = await create('leads', { lastname: 'Lead', company: 'Acme', email: 'info@acme.example' });

		const raw = message({
			From: 'Anna <Anna@Acme.example>',
			To: `${OWNER}, info@acme.example`,
			Cc: 'Team: pat@partner.example, nobody@unknown.example;',
			'Message-ID': '<e1@test>',
		});
		const root = await importer().importMessage({ raw, folderRole: 'syncRoot' });
		expect(root.status).toBe('imported');
		expect(root.links).toEqual([
			{ module: 'contacts', id: olderContact.id, address: 'anna@acme.example' },
			{ module: 'leads', id: lead.id, address: 'info@acme.example' },
			{ module: 'partners', id: partner.id, address: 'pat@partner.example' },
		]);
		expect(root.unmatched).toEqual(['nobody@unknown.example']);
		expect(root.ignored).toEqual([OWNER]);
		const stored = (await crm.getEmail(root.crmEmailId!))!;
		expect(stored.links).toEqual(
			expect.arrayContaining([
				{ module: 'contacts', id: olderContact.id },
				{ module: 'leads', id: lead.id },
				{ module: 'partners', id: partner.id },
			]),
		);

		// The Accounts subfolder searches only accounts.
		const accountsOnly = await importer().importMessage({
			raw: message({ From: 'info@acme.example', To: 'anna@acme.example', 'Message-ID': '<e1-accounts@test>' }),
			folderRole: 'accounts',
		});
		expect(accountsOnly.links).toEqual([{ module: 'accounts', id: account.id, address: 'info@acme.example' }]);
		expect(accountsOnly.unmatched).toEqual(['anna@acme.example']);
	});

	it.each<[string, Partial<EmailImportOptions>, { lastname: string; company: string }]>([
		[
			'local part / domain without TLD',
			{ leadLastName: 'localPart', leadCompany: 'domainWithoutTld' },
			{ lastname: 'max.mustermann', company: 'mail.example' },
		],
		['display name / whole domain', { leadLastName: 'displayName', leadCompany: 'domain' }, { lastname: 'Max Müller', company: 'mail.example.de' }],
		['placeholders', { leadLastName: 'placeholder', leadCompany: 'placeholder' }, { lastname: '???', company: '???' }],
	])('E3/E4: creates a lead for an unknown address (%s)', async (_name, options, expected) => {
		const raw = message({
			From: '=?UTF-8?Q?Max_M=C3=BCller?= <Max.Mustermann@mail.example.de>',
			To: OWNER,
			'Message-ID': `<lead-${expected.lastname}@test>`,
		});
		const result = await importer({ noMatch: 'createLead', leadSource: 'E-Mail', ...options }).importMessage({
			raw,
			folderRole: 'leads',
		});
		expect(result.createdLeads).toHaveLength(1);
		const lead = (await crm.get('leads', result.createdLeads[0].id))!;
		expect(lead.fields).toMatchObject({ ...expected, email: 'max.mustermann@mail.example.de', leadsource: 'E-Mail' });
		expect(lead.assignedTo).toEqual({ type: 'user', id: 'u1' });
		expect(result.links).toEqual([{ module: 'leads', id: lead.id, address: 'max.mustermann@mail.example.de' }]);

		// The next mail from the same address finds the lead instead of creating another one.
		const again = await importer({ noMatch: 'createLead', ...options }).importMessage({
			raw: message({ From: 'max.mustermann@mail.example.de', To: OWNER, 'Message-ID': `<lead2-${expected.lastname}@test>` }),
			folderRole: 'syncRoot',
		});
		expect(again.createdLeads).toEqual([]);
		expect(again.links).toEqual([{ module: 'leads', id: lead.id, address: 'max.mustermann@mail.example.de' }]);
	});

	it('E5: blacklisted addresses and the owner get neither links nor leads', async () => {
		const raw = message({
			From: 'Support <support@brainformatik.com>',
			To: `${OWNER.toUpperCase()}, x@example.com, real@customer.example`,
			'Message-ID': '<e5@test>',
		});
		const result = await importer({ noMatch: 'createLead', blacklist: ['brain', '@example.com'] }).importMessage({
			raw,
			folderRole: 'syncRoot',
		});
		expect(result.ignored.sort()).toEqual([OWNER, 'support@brainformatik.com', 'x@example.com']);
		expect(result.createdLeads.map((lead) => lead.address)).toEqual(['real@customer.example']);
		expect(await crm.list('leads')).toHaveLength(1);
	});

	it('E11: a lead the CRM refuses becomes a sync-conflict entry; the e-mail is still imported', async () => {
		// A CRM whose lead layout has one more mandatory field than the importer fills in.
		const strict: CrmBackend = Object.create(crm) as CrmBackend;
		strict.create = async (module, input, options) => {
			if (module === 'leads' && !input.fields.leadsource) {
				throw new CrmError('mandatoryField', 'Leads: the field "leadsource" is mandatory but has no value', undefined, 'leadsource');
			}
			return crm.create(module, input, options);
		};
		const known = await create('contacts', { lastname: 'Known', email: 'known@customer.example' });
		const raw = message({ From: 'known@customer.example', To: `${OWNER}, new@prospect.example`, 'Message-ID': '<e11@test>' });
		const result = await importer({ noMatch: 'createLead' }, strict).importMessage({ raw, folderRole: 'syncRoot' });
		expect(result.status).toBe('imported');
		expect(result.links).toEqual([{ module: 'contacts', id: known.id, address: 'known@customer.example' }]);
		expect(result.unmatched).toEqual(['new@prospect.example']);
		expect(result.conflictIds).toHaveLength(1);
		const [conflict] = await crm.listConflicts();
		expect(conflict).toMatchObject({
			id: result.conflictIds[0],
			module: 'leads',
			side: 'exchange',
			reason: expect.stringContaining('new@prospect.example'),
			resolved: false,
		});
		expect(await crm.list('leads')).toHaveLength(0);
	});

	it('E6: two mailboxes importing the same message at the same moment store it once', async () => {
		const raw = read('structure/mimekit__ukr.eml');
		const results = await Promise.all([
			importer({}, crm, 'ems365sync@xink.io').importMessage({ raw, folderRole: 'syncRoot' }),
			importer({}, crm, 'rrtest1@xink.io').importMessage({ raw, folderRole: 'contacts' }),
		]);
		expect(results.map((r) => r.status).sort()).toEqual(['duplicate', 'imported']);
		expect(new Set(results.map((r) => r.crmEmailId)).size).toBe(1);
		expect(await crm.list('emails')).toHaveLength(1);
	});

	it('E6: a Message-ID reported by the trigger finds the duplicate without downloading the message', async () => {
		await importer().importMessage({ raw: read('structure/mimekit__ukr.eml'), folderRole: 'syncRoot' });
		const result = await importer().importMessage({
			exchangeId: 'AAMk-not-fetchable',
			internetMessageId: '<AM0PR0702MB3522C04E8C4950FA9976EC23E12B0@AM0PR0702MB3522.eurprd07.prod.outlook.com>',
			folderRole: 'syncRoot',
		});
		expect(result).toMatchObject({ status: 'duplicate', crmEmailId: expect.any(String) });
	});

	it('without raw MIME or a mailbox to fetch from, the item gets a clear error', async () => {
		const result = await importer().importMessage({ exchangeId: 'AAMk1', folderRole: 'syncRoot' as MailFolderRole });
		expect(result).toMatchObject({ status: 'error', error: { code: 'noContent' } });
	});
});
