/** Embedded CRM specifics on a real SQLite file: e-mails, conflicts, permissions, schema, filters. */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import type { CrmEmailInput } from '../../lib/crm';
import { createCrmBackend, CrmError, EmbeddedCrmBackend, seedDemoCrm } from '../../lib/crm';
import { MIGRATIONS } from '../../lib/crm/embedded/schema';

async function expectCrmError(promise: Promise<unknown>, code: CrmError['code']): Promise<CrmError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(CrmError);
		expect((error as CrmError).code).toBe(code);
		return error as CrmError;
	}
	throw new Error(`expected CrmError ${code}, but the call succeeded`);
}

function countRows(path: string, sql: string): number {
	const db = new DatabaseSync(path, { readOnly: true });
	try {
		return Number((db.prepare(sql).get() as { n: number }).n);
	} finally {
		db.close();
	}
}

describe('embedded CRM on a SQLite file', () => {
	let dir: string;
	let dbPath: string;
	let crm: EmbeddedCrmBackend;

	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'crm-embedded-'));
		dbPath = join(dir, 'crm.sqlite');
		crm = EmbeddedCrmBackend.open(dbPath);
	});
	afterEach(async () => {
		await crm.close();
		rmSync(dir, { recursive: true, force: true });
	});

	function email(overrides: Partial<CrmEmailInput> = {}): CrmEmailInput {
		return {
			messageId: '<abc.123@mail.example>',
			subject: 'Angebot',
			from: 'max.mueller@mueller.example',
			to: ['anna@contoso.example'],
			cc: [],
			bcc: [],
			sentAt: '2026-11-23T08:00:00.000Z',
			bodyText: 'Hallo Anna',
			headers: { 'x-mailer': 'Test' },
			attachments: [
				{ fileName: 'angebot.pdf', contentType: 'application/pdf', inline: false, content: Buffer.from('%PDF-1.4 test') },
				{ fileName: 'logo.png', contentType: 'image/png', contentId: 'logo@x', inline: true, content: Buffer.from([137, 80, 78, 71]) },
			],
			links: [],
			...overrides,
		};
	}

	test('createCrmBackend opens the file, creates the schema and keeps data across reopen', async () => {
		const viaFactory = await createCrmBackend({ kind: 'embedded', databasePath: join(dir, 'other.sqlite') });
		expect(viaFactory.kind).toBe('embedded');
		const rec = await viaFactory.create('accounts', { fields: { accountname: 'Persisted AG' } });
		const instanceId = viaFactory.instanceId;
		await viaFactory.close();
		const again = await createCrmBackend({ kind: 'embedded', databasePath: join(dir, 'other.sqlite') });
		expect(again.instanceId).toBe(instanceId);
		expect((await again.get('accounts', rec.id))?.fields.accountname).toBe('Persisted AG');
		await again.close();
		expect(countRows(join(dir, 'other.sqlite'), 'SELECT version AS n FROM schema_version')).toBe(MIGRATIONS.length);
		await expectCrmError(createCrmBackend({ kind: 'embedded', databasePath: '  ' }), 'invalid');
	});

	test('a database from a newer package version is refused with a clear message', async () => {
		const path = join(dir, 'newer.sqlite');
		await (await createCrmBackend({ kind: 'embedded', databasePath: path })).close();
		const db = new DatabaseSync(path);
		db.prepare('UPDATE schema_version SET version = ?').run(MIGRATIONS.length + 1);
		db.close();
		const error = await expectCrmError(createCrmBackend({ kind: 'embedded', databasePath: path }), 'unavailable');
		expect(error.message).toContain('newer version');
	});

	test('a file that is not a database is refused with a clear message', async () => {
		const path = join(dir, 'not-a-db.sqlite');
		writeFileSync(path, 'this is not sqlite, just some text padding '.repeat(50));
		const error = await expectCrmError(createCrmBackend({ kind: 'embedded', databasePath: path }), 'unavailable');
		expect(error.message).toContain(path);
	});

	test('an e-mail with attachments and links is stored once per Message-ID (E6, E7)', async () => {
		const seed = await seedDemoCrm(crm);
		const stored = await crm.createEmail(email({ links: [{ module: 'contacts', id: seed.contacts.maxMueller.id }], assignedTo: { type: 'user', id: 'anna' } }));
		expect(stored.messageId).toBe('<abc.123@mail.example>');
		expect(stored.links).toEqual([{ module: 'contacts', id: seed.contacts.maxMueller.id }]);
		expect(stored.attachments.map((a) => [a.fileName, a.inline, a.size, a.contentId])).toEqual([
			['angebot.pdf', false, 13, undefined],
			['logo.png', true, 4, 'logo@x'],
		]);
		const content = await crm.getEmailAttachmentContent(stored.id, stored.attachments[1].id);
		expect(content).toEqual(Buffer.from([137, 80, 78, 71]));

		// Found with or without angle brackets.
		expect((await crm.findEmailByMessageId('abc.123@mail.example'))?.id).toBe(stored.id);
		expect((await crm.findEmailByMessageId('<abc.123@mail.example>'))?.id).toBe(stored.id);
		expect(await crm.findEmailByMessageId('<other@mail.example>')).toBeUndefined();

		await expectCrmError(crm.createEmail(email({ messageId: 'abc.123@mail.example' })), 'duplicate');
		expect(countRows(dbPath, "SELECT count(*) AS n FROM records WHERE module = 'emails'")).toBe(1);
		expect(countRows(dbPath, 'SELECT count(*) AS n FROM email_attachments')).toBe(2);
	});

	test('a failure in the middle of an e-mail write leaves no partial record', async () => {
		const broken = email({
			messageId: '<broken@mail.example>',
			attachments: [
				{ fileName: 'ok.txt', contentType: 'text/plain', inline: false, content: Buffer.from('fine') },
				// The second attachment insert throws after the e-mail row and the first attachment were written.
				{ fileName: 'bad.bin', contentType: 'application/octet-stream', inline: false, content: undefined as unknown as Buffer },
			],
		});
		await expectCrmError(crm.createEmail(broken), 'invalid');
		expect(await crm.findEmailByMessageId('<broken@mail.example>')).toBeUndefined();
		expect(countRows(dbPath, "SELECT count(*) AS n FROM records WHERE module = 'emails'")).toBe(0);
		expect(countRows(dbPath, 'SELECT count(*) AS n FROM email_attachments')).toBe(0);

		// A link to a record that does not exist also rolls everything back.
		await expectCrmError(crm.createEmail(email({ links: [{ module: 'leads', id: '999999' }] })), 'notFound');
		expect(countRows(dbPath, "SELECT count(*) AS n FROM records WHERE module = 'emails'")).toBe(0);
		expect(countRows(dbPath, 'SELECT count(*) AS n FROM email_links')).toBe(0);

		// The change sequence is not consumed by the failed writes: the feed has nothing new.
		const page = await crm.listChanges('emails', 'c1:0');
		expect(page.changed).toEqual([]);

		// A constraint violation raised by SQLite itself (NOT NULL file name) after the first attachment.
		const sqliteFailure = email({
			messageId: '<constraint@mail.example>',
			attachments: [
				{ fileName: 'ok.txt', contentType: 'text/plain', inline: false, content: Buffer.from('fine') },
				{ fileName: null as unknown as string, contentType: 'text/plain', inline: false, content: Buffer.from('x') },
			],
		});
		await expect(crm.createEmail(sqliteFailure)).rejects.toThrow(/NOT NULL/);
		expect(countRows(dbPath, "SELECT count(*) AS n FROM records WHERE module = 'emails'")).toBe(0);
		expect(countRows(dbPath, 'SELECT count(*) AS n FROM email_attachments')).toBe(0);

		// And the same e-mail can be imported properly afterwards.
		const ok = await crm.createEmail({ ...broken, attachments: [broken.attachments[0]] });
		expect(ok.attachments).toHaveLength(1);
	});

	test('sync conflicts are recorded, listed by state and resolved (S12, E11)', async () => {
		const c1 = await crm.recordConflict({
			module: 'contacts',
			side: 'exchange',
			reason: 'Contacts: the field "lastname" is mandatory but has no value',
			payload: { givenName: 'Only' },
			mailbox: 'anna@contoso.example',
		});
		const c2 = await crm.recordConflict({ module: 'events', recordId: '7', side: 'crm', reason: 'end before start', payload: null });
		expect(c1).toMatchObject({ module: 'contacts', side: 'exchange', resolved: false, payload: { givenName: 'Only' } });
		expect((await crm.listConflicts({ resolved: false })).map((c) => c.id)).toEqual([c1.id, c2.id]);
		const resolved = await crm.resolveConflict(c1.id);
		expect(resolved.resolved).toBe(true);
		expect((await crm.listConflicts({ resolved: false })).map((c) => c.id)).toEqual([c2.id]);
		expect((await crm.listConflicts({ resolved: true })).map((c) => c.id)).toEqual([c1.id]);
		expect(await crm.listConflicts()).toHaveLength(2);
		await expectCrmError(crm.resolveConflict('424242'), 'notFound');
	});

	test('per-user module permissions (O5)', async () => {
		await seedDemoCrm(crm);
		expect(await crm.checkPermission('anna', 'accounts', 'write')).toBe(true);
		expect(await crm.checkPermission('ben', 'accounts', 'read')).toBe(true);
		expect(await crm.checkPermission('ben', 'accounts', 'write')).toBe(false);
		expect(await crm.checkPermission('ben', 'leads', 'read')).toBe(false);
		expect(await crm.checkPermission('nobody', 'contacts', 'read')).toBe(false);

		const denied = await expectCrmError(crm.create('accounts', { fields: { accountname: 'Ben AG' } }, { actingUserId: 'ben' }), 'permission');
		expect(denied.message).toContain('ben');
		expect(denied.message).toContain('Accounts');
		expect(await crm.findAccountByName('Ben AG')).toBeUndefined();
		const own = await crm.create('contacts', { fields: { lastname: 'Bens Kontakt' } }, { actingUserId: 'ben' });
		const account = (await crm.list('accounts'))[0];
		await expectCrmError(crm.update('accounts', account.id, { fields: { website: 'x' } }, { actingUserId: 'ben' }), 'permission');
		await expectCrmError(crm.delete('accounts', account.id, { actingUserId: 'ben' }), 'permission');
		expect(await crm.get('accounts', account.id)).toBeDefined();
		await crm.delete('contacts', own.id, { actingUserId: 'ben' });

		crm.saveUser({ id: 'ben', userName: 'ben', active: false });
		expect(await crm.checkPermission('ben', 'contacts', 'read')).toBe(false);
	});

	test('list filters: modified since, assigned to (user or group), tags, type, limit/offset', async () => {
		let clock = new Date('2026-11-01T10:00:00.000Z');
		await crm.close();
		crm = EmbeddedCrmBackend.open(dbPath, { now: () => clock });
		const seed = await seedDemoCrm(crm);
		clock = new Date('2026-11-20T10:00:00.000Z');
		await crm.update('contacts', seed.contacts.janeDoe.id, { fields: { department: 'IT' } });

		expect((await crm.list('contacts', { modifiedSince: '2026-11-10T00:00:00Z' })).map((r) => r.id)).toEqual([seed.contacts.janeDoe.id]);
		expect((await crm.list('contacts', { assignedTo: { type: 'user', id: 'anna' } })).map((r) => r.id)).toEqual([seed.contacts.maxMueller.id]);
		expect((await crm.list('accounts', { assignedTo: { type: 'group', id: 'sales' } })).map((r) => r.id)).toEqual([seed.accounts.acme.id]);
		expect((await crm.list('contacts', { tags: ['vip'] })).map((r) => r.id)).toEqual([seed.contacts.maxMueller.id]);
		expect((await crm.list('contacts', { tags: ['vip', 'prospect'] })).length).toBe(2);
		expect((await crm.list('accounts', { type: 'Customer' })).map((r) => r.id)).toEqual([seed.accounts.mueller.id, seed.accounts.oesterreich.id]);
		expect((await crm.list('accounts', { limit: 1, offset: 1 })).map((r) => r.id)).toEqual([seed.accounts.acme.id]);
		await expectCrmError(crm.list('contacts', { modifiedSince: 'yesterday-ish' }), 'invalid');
	});

	test('references and assignees must exist; bad cursors and modules are rejected', async () => {
		await seedDemoCrm(crm);
		const badAccount = await expectCrmError(crm.create('contacts', { fields: { lastname: 'X', account_id: '999' } }), 'invalid');
		expect(badAccount.field).toBe('account_id');
		await expectCrmError(crm.create('contacts', { assignedTo: { type: 'user', id: 'zoe' }, fields: { lastname: 'X' } }), 'invalid');
		await expectCrmError(crm.listChanges('contacts', 'not-a-cursor'), 'invalid');
		await expectCrmError(crm.get('widgets' as 'contacts', '1'), 'invalid');
		await expectCrmError(crm.create('leads', { fields: { lastname: 'NoCompany' } }), 'mandatoryField');
	});

	test('optimistic concurrency with ifEtag', async () => {
		const c = await crm.create('contacts', { fields: { lastname: 'Etag' } });
		const u = await crm.update('contacts', c.id, { fields: { title: 'A' } }, { ifEtag: c.etag });
		await expectCrmError(crm.update('contacts', c.id, { fields: { title: 'B' } }, { ifEtag: c.etag }), 'conflict');
		expect((await crm.get('contacts', c.id))?.fields.title).toBe('A');
		expect(u.etag).not.toBe(c.etag);
	});

	test('two connections to one file see each other and the change feed stays ordered', async () => {
		const other = EmbeddedCrmBackend.open(dbPath);
		try {
			const start = (await crm.listChanges('contacts', undefined)).cursor;
			const a = await crm.create('contacts', { fields: { lastname: 'A' } });
			const b = await other.create('contacts', { fields: { lastname: 'B' } });
			await other.delete('contacts', a.id);
			const page = await crm.listChanges('contacts', start);
			expect(page.changed.map((r) => r.id)).toEqual([b.id]);
			expect(page.deletedIds).toEqual([a.id]);
			expect(statSync(dbPath).size).toBeGreaterThan(0);
		} finally {
			await other.close();
		}
	});
});
