/**
 * Issue 7 numbers: messages per second for 1,000 mails with attachments, and requests per
 * message. A real embedded CRM (SQLite file in a temp folder); the mailbox side counts the
 * Exchange interface calls the importer makes (each is one Graph/EWS request).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { EmbeddedCrmBackend, type CrmBackend } from '../lib/crm';
import { DEFAULT_EMAIL_IMPORT_OPTIONS, EmailImporter, type MailboxAccess } from '../lib/email';
import type { ExchangeFolder, MailMessageSummary } from '../lib/exchange';

const MESSAGES = 1000;
const OWNER = 'owner@firm.example';
// A 1x1 PNG, as an inline (cid) image.
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

export async function benchEmail(): Promise<Array<{ metric: string; value: number; unit: string }>> {
	const dir = mkdtempSync(path.join(tmpdir(), 'bench-email-'));
	const crm = EmbeddedCrmBackend.open(path.join(dir, 'crm.sqlite'));
	try {
		for (let i = 0; i < 200; i++) await crm.create('contacts', { fields: { lastname: `Contact ${i}`, email: `contact${i}@customer.example` } });
		for (let i = 0; i < 50; i++) await crm.create('accounts', { fields: { accountname: `Account ${i}`, email1: `info@account${i}.example` } });

		const store = new Map<string, Buffer>();
		for (let i = 0; i < MESSAGES; i++) store.set(`msg-${i}`, await composeMessage(i));
		const totalBytes = [...store.values()].reduce((sum, raw) => sum + raw.length, 0);

		const calls = { exchange: 0, crm: 0 };
		const mailbox = countingMailbox(store, calls);
		const countedCrm = countingCrm(crm, calls);
		const importer = new EmailImporter({
			crm: countedCrm,
			exchange: mailbox,
			ownerAddresses: [OWNER],
			options: { ...DEFAULT_EMAIL_IMPORT_OPTIONS, noMatch: 'createLead', blacklist: ['noreply'] },
		});

		const started = process.hrtime.bigint();
		let imported = 0;
		for (let i = 0; i < MESSAGES; i++) {
			const result = await importer.importMessage({ exchangeId: `msg-${i}`, folderRole: i % 5 === 0 ? 'contacts' : 'syncRoot' });
			if (result.status === 'imported') imported++;
		}
		const seconds = Number(process.hrtime.bigint() - started) / 1e9;
		if (imported !== MESSAGES) throw new Error(`only ${imported} of ${MESSAGES} messages were imported`);
		const firstRun = { ...calls };

		// Second pass: every message is a duplicate (E6), e.g. a second user moving the same mails.
		calls.exchange = 0;
		calls.crm = 0;
		const dupStarted = process.hrtime.bigint();
		for (let i = 0; i < MESSAGES; i++) await importer.importMessage({ exchangeId: `msg-${i}`, folderRole: 'syncRoot' });
		const dupSeconds = Number(process.hrtime.bigint() - dupStarted) / 1e9;
		const duplicateCalls = calls.exchange;

		// Third pass: the trigger passes the Message-ID along, so a duplicate is not downloaded.
		calls.exchange = 0;
		for (let i = 0; i < MESSAGES; i++) {
			await importer.importMessage({
				exchangeId: `msg-${i}`,
				internetMessageId: `<bench-${i}@sender.example>`,
				folderRole: 'syncRoot',
			});
		}

		return [
			{ metric: 'email_import_msg_per_s', value: round(MESSAGES / seconds), unit: 'msg/s' },
			{ metric: 'email_import_ms_per_msg', value: round((seconds * 1000) / MESSAGES), unit: 'ms' },
			{ metric: 'email_avg_message_kib', value: round(totalBytes / MESSAGES / 1024), unit: 'KiB' },
			{ metric: 'email_exchange_requests_per_msg', value: round(firstRun.exchange / MESSAGES), unit: 'requests' },
			{ metric: 'email_crm_calls_per_msg', value: round(firstRun.crm / MESSAGES), unit: 'calls' },
			{ metric: 'email_duplicate_msg_per_s', value: round(MESSAGES / dupSeconds), unit: 'msg/s' },
			{ metric: 'email_exchange_requests_per_duplicate', value: round(duplicateCalls / MESSAGES), unit: 'requests' },
			{ metric: 'email_exchange_requests_per_duplicate_with_message_id', value: round(calls.exchange / MESSAGES), unit: 'requests' },
		];
	} finally {
		await crm.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

async function composeMessage(i: number): Promise<Buffer> {
	const composer = new MailComposer({
		messageId: `<bench-${i}@sender.example>`,
		date: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
		from: i % 3 === 0 ? `Prospect ${i} <prospect${i}@new${i % 97}.example>` : `contact${i % 200}@customer.example`,
		to: [OWNER, `info@account${i % 50}.example`],
		cc: i % 4 === 0 ? ['noreply@bounce.example', `contact${(i + 7) % 200}@customer.example`] : [],
		subject: `Offer ${i}`,
		text: `Hello,\n\nplease find offer ${i} attached.\n\nRegards`,
		html: `<p>Hello,</p><p>please find offer <b>${i}</b> attached.</p><img src="cid:logo@sender.example">`,
		attachments: [
			{ filename: `offer-${i}.pdf`, content: randomBytes(24 * 1024), contentType: 'application/pdf' },
			{ filename: 'logo.png', content: PIXEL, cid: 'logo@sender.example' },
		],
	});
	return composer.compile().build();
}

function countingMailbox(store: Map<string, Buffer>, calls: { exchange: number }): MailboxAccess {
	const folder = (id: string, wellKnownName: string): ExchangeFolder => ({ id, displayName: id, kind: 'mail', wellKnownName });
	return {
		mailbox: OWNER,
		async getMessageMime(id: string): Promise<Buffer> {
			calls.exchange++;
			const raw = store.get(id);
			if (!raw) throw new Error(`no message ${id}`);
			return raw;
		},
		async moveMessage(id: string, destinationFolderId: string): Promise<MailMessageSummary> {
			calls.exchange++;
			return { id, folderId: destinationFolderId };
		},
		async getWellKnownFolder(name: string): Promise<ExchangeFolder> {
			calls.exchange++;
			return folder(`folder-${name}`, name);
		},
	};
}

function countingCrm(crm: CrmBackend, calls: { crm: number }): CrmBackend {
	return new Proxy(crm, {
		get(target, property, receiver) {
			const value = Reflect.get(target, property, receiver) as unknown;
			if (typeof value !== 'function') return value;
			return (...args: unknown[]) => {
				calls.crm++;
				return (value as (...a: unknown[]) => unknown).apply(target, args);
			};
		},
	});
}

function round(value: number): number {
	return Math.round(value * 100) / 100;
}
