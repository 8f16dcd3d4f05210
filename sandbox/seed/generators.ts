/**
 * Deterministic data generators (seeded PRNG): contacts, events (time zones, all-day,
 * recurring with exceptions, private), tasks and messages (HTML, inline and attached files,
 * several To/Cc, one S/MIME-encrypted), in German or English.
 */
import forge from 'node-forge';
import MailComposer from 'nodemailer/lib/mail-composer';
import { selfSignedCertificate } from '../http/tls';
import { seededRandom } from '../http/services';
import type { ContactData, EventData, Mailbox, TaskData } from '../store';
import { localToUtc } from '../store';

type Locale = 'en' | 'de';

const NAMES = {
	de: {
		first: ['Jürgen', 'Anna-Lena', 'Müller', 'Sören', 'Käthe', 'Lukas', 'Marie', 'Özlem', 'Björn', 'Franziska'],
		last: ['Müller', 'Schröder', 'Weiß', 'Groß', 'Becker', 'Hoffmann', 'Krüger', 'von Bülow', 'Şahin', 'Nguyen'],
	},
	en: {
		first: ['Oliver', 'Amelia', 'Noah', 'Isla', 'Liam', 'Olivia', 'Jack', 'Emily', 'Harry', 'Sophia'],
		last: ['Smith', 'Jones', 'Taylor', "O'Brien", 'Brown', 'Wilson', 'Evans', 'Thomas', 'Johnson', 'Roberts'],
	},
};
const COMPANIES = {
	de: ['Brainformatik GmbH', 'Müller & Söhne GmbH & Co. KG', 'Bäckerei Groß e.K.', 'Nordlicht AG', 'Straßenbau Weiß OHG'],
	en: ['Fabrikam, Inc.', 'Contoso Ltd', 'Northwind Traders', 'Tailspin Toys', 'Adventure Works Cycles'],
};
const CITIES = { de: ['München', 'Köln', 'Düsseldorf', 'Nürnberg', 'Gießen'], en: ['London', 'Seattle', 'Dublin', 'Leeds', 'Boston'] };
const SUBJECTS = {
	de: ['Projektbesprechung', 'Angebot prüfen', 'Rückruf Kunde', 'Quartalsgespräch', 'Schulung Übergabe'],
	en: ['Project review', 'Check the offer', 'Call back customer', 'Quarterly review', 'Handover training'],
};
const ZONES = ['W. Europe Standard Time', 'Europe/Berlin', 'GMT Standard Time', 'Pacific Standard Time', 'UTC', 'Tokyo Standard Time'];

export interface GeneratorOptions {
	seed?: number;
	locale?: Locale;
	/** ISO instant around which dates are generated; default 2026-11-23T00:00:00Z */
	anchor?: string;
}

class Dice {
	private random: () => number;
	constructor(seed: number) {
		this.random = seededRandom(seed);
	}
	int(max: number): number {
		return Math.floor(this.random() * max);
	}
	pick<T>(list: readonly T[]): T {
		return list[this.int(list.length)];
	}
	chance(p: number): boolean {
		return this.random() < p;
	}
}

function slug(text: string): string {
	return text
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.replace(/ß/g, 'ss')
		.replace(/[^a-zA-Z]/g, '')
		.toLowerCase();
}

export function generateContacts(mailbox: Mailbox, folderId: string, count: number, options: GeneratorOptions = {}): string[] {
	const locale = options.locale ?? 'en';
	const dice = new Dice(options.seed ?? 1);
	const ids: string[] = [];
	for (let i = 0; i < count; i++) {
		const givenName = dice.pick(NAMES[locale].first) + (dice.chance(0.15) ? ` ${dice.pick(NAMES[locale].first)}` : '');
		const surname = dice.pick(NAMES[locale].last);
		const company = dice.pick(COMPANIES[locale]);
		const domain = `${slug(company.split(' ')[0])}.example`;
		const data: ContactData = {
			givenName,
			surname,
			displayName: `${givenName} ${surname}`,
			companyName: company,
			jobTitle: locale === 'de' ? dice.pick(['Geschäftsführer', 'Einkäuferin', 'Vertrieb']) : dice.pick(['Director', 'Buyer', 'Sales']),
			department: locale === 'de' ? 'Einkauf' : 'Purchasing',
			emailAddresses: [{ name: `${givenName} ${surname}`, address: `${slug(givenName)}.${slug(surname)}${i}@${domain}` }],
			businessPhones: [locale === 'de' ? `+49 89 ${1000 + i}` : `+44 20 ${7000 + i}`],
			mobilePhone: dice.chance(0.5) ? (locale === 'de' ? `+49 171 ${200000 + i}` : `+44 7700 ${900000 + i}`) : undefined,
			businessAddress: {
				street: locale === 'de' ? `Hauptstraße ${i + 1}` : `${i + 1} High Street`,
				city: dice.pick(CITIES[locale]),
				state: locale === 'de' ? 'Bayern' : 'Greater London',
				postalCode: String(10000 + i * 7),
				countryOrRegion: locale === 'de' ? 'Deutschland' : 'United Kingdom',
			},
			birthday: dice.chance(0.3) ? `19${60 + dice.int(40)}-0${1 + dice.int(9)}-1${dice.int(9)}` : undefined,
			businessHomePage: `https://www.${domain}`,
			personalNotes: locale === 'de' ? 'Kunde seit 2019 – „wichtig“' : 'Customer since 2019',
			categories: dice.chance(0.4) ? [locale === 'de' ? 'Kunde' : 'Customer'] : undefined,
		};
		ids.push(mailbox.createItem(folderId, 'contact', data).id);
	}
	return ids;
}

export function generateEvents(mailbox: Mailbox, folderId: string, count: number, options: GeneratorOptions = {}): string[] {
	const locale = options.locale ?? 'en';
	const dice = new Dice((options.seed ?? 1) + 1000);
	const anchor = Date.parse(options.anchor ?? '2026-11-23T00:00:00.000Z');
	const ids: string[] = [];
	for (let i = 0; i < count; i++) {
		const day = new Date(anchor + (dice.int(60) - 20) * 86400000).toISOString().slice(0, 10);
		const subject = `${dice.pick(SUBJECTS[locale])} ${i + 1}`;
		const variant = i % 6;
		const zone = dice.pick(ZONES);
		const hour = 8 + dice.int(9);
		const startLocal = `${day}T${String(hour).padStart(2, '0')}:${dice.pick(['00', '30'])}:00`;
		const start = localToUtc(startLocal, zone);
		const end = new Date(Date.parse(start) + (30 + dice.int(4) * 30) * 60000).toISOString();
		const data: EventData = {
			subject,
			body: { contentType: 'html', content: `<html><body><p>${locale === 'de' ? 'Tagesordnung' : 'Agenda'}: <b>${subject}</b></p></body></html>` },
			times: { start, end, startTimeZone: zone, endTimeZone: zone, isAllDay: false },
			location: { displayName: locale === 'de' ? 'Besprechungsraum Süd' : 'Meeting room 2' },
			iCalUId: `040000008200E00074C5B7101A82E0080000000000000000000000000000${String(i).padStart(8, '0')}`,
			isReminderOn: true,
			reminderMinutesBeforeStart: 15,
			showAs: 'busy',
			sensitivity: 'normal',
		};
		if (variant === 1) {
			const end = new Date(Date.parse(`${day}T00:00:00Z`) + 86400000).toISOString().slice(0, 10);
			data.times = { start: day, end, startTimeZone: zone, endTimeZone: zone, isAllDay: true };
			data.showAs = 'free';
		} else if (variant === 2) {
			data.sensitivity = 'private';
			data.subject = locale === 'de' ? `Arzttermin ${i + 1}` : `Doctor ${i + 1}`;
		}
		const item = mailbox.createItem(folderId, 'event', data);
		if (variant === 3) {
			// weekly series with one moved and one cancelled occurrence
			const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
			const days = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
			mailbox.updateItem<'event'>(item.id, (d) => {
				d.recurrence = {
					pattern: { type: 'weekly', interval: 1, daysOfWeek: [days[weekday]], firstDayOfWeek: 'monday' },
					range: { type: 'numbered', startDate: day, numberOfOccurrences: 6, recurrenceTimeZone: zone },
				};
			});
			const second = new Date(Date.parse(start) + 7 * 86400000).toISOString();
			const third = new Date(Date.parse(start) + 14 * 86400000).toISOString();
			mailbox.updateOccurrence(item.id, second, {
				subject: `${subject} (${locale === 'de' ? 'verschoben' : 'moved'})`,
				times: {
					...data.times,
					start: new Date(Date.parse(second) + 3600000).toISOString(),
					end: new Date(Date.parse(end) + 7 * 86400000 + 3600000).toISOString(),
				},
			});
			mailbox.cancelOccurrence(item.id, third);
		}
		ids.push(item.id);
	}
	return ids;
}

export function generateTasks(mailbox: Mailbox, folderId: string, count: number, options: GeneratorOptions = {}): string[] {
	const locale = options.locale ?? 'en';
	const dice = new Dice((options.seed ?? 1) + 2000);
	const anchor = Date.parse(options.anchor ?? '2026-11-23T00:00:00.000Z');
	const statuses = ['notStarted', 'inProgress', 'completed', 'waitingOnOthers', 'deferred'] as const;
	const ids: string[] = [];
	for (let i = 0; i < count; i++) {
		const due = new Date(anchor + (dice.int(40) - 10) * 86400000).toISOString().slice(0, 10);
		const status = dice.pick(statuses);
		const data: TaskData = {
			title: `${dice.pick(SUBJECTS[locale])} #${i + 1}`,
			body: { contentType: 'text', content: locale === 'de' ? 'Bitte bis Freitag erledigen.' : 'Please finish by Friday.' },
			importance: dice.pick(['low', 'normal', 'high'] as const),
			status,
			dueDateTime: { dateTime: `${due}T00:00:00.0000000`, timeZone: 'UTC' },
			...(status === 'completed' ? { completedDateTime: { dateTime: `${due}T00:00:00.0000000`, timeZone: 'UTC' } } : {}),
			isReminderOn: false,
		};
		ids.push(mailbox.createItem(folderId, 'task', data).id);
	}
	return ids;
}

/** An S/MIME enveloped-data message (application/pkcs7-mime), encrypted to the sandbox certificate. */
function smimeMessage(from: string, to: string, subject: string, messageId: string): Buffer {
	const inner = `Content-Type: text/plain; charset=utf-8\r\n\r\nVertraulich / confidential.\r\n`;
	const envelope = forge.pkcs7.createEnvelopedData();
	envelope.addRecipient(forge.pki.certificateFromPem(selfSignedCertificate().cert));
	envelope.content = forge.util.createBuffer(inner);
	envelope.encrypt();
	const der = forge.asn1.toDer(envelope.toAsn1()).getBytes();
	const body = Buffer.from(der, 'binary')
		.toString('base64')
		.replace(/(.{76})/g, '$1\r\n');
	return Buffer.from(
		[
			`From: ${from}`,
			`To: ${to}`,
			`Subject: ${subject}`,
			`Message-ID: ${messageId}`,
			'Date: Mon, 23 Nov 2026 09:00:00 +0000',
			'MIME-Version: 1.0',
			'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"',
			'Content-Transfer-Encoding: base64',
			'Content-Disposition: attachment; filename="smime.p7m"',
			'',
			body,
			'',
		].join('\r\n'),
	);
}

const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

export async function generateMessages(mailbox: Mailbox, folderId: string, count: number, options: GeneratorOptions = {}): Promise<string[]> {
	const locale = options.locale ?? 'en';
	const dice = new Dice((options.seed ?? 1) + 3000);
	const anchor = Date.parse(options.anchor ?? '2026-11-23T00:00:00.000Z');
	const ids: string[] = [];
	for (let i = 0; i < count; i++) {
		const first = dice.pick(NAMES[locale].first);
		const last = dice.pick(NAMES[locale].last);
		const company = dice.pick(COMPANIES[locale]);
		const from = `"${first} ${last}" <${slug(first)}.${slug(last)}@${slug(company.split(' ')[0])}.example>`;
		const messageId = `<sandbox-${options.seed ?? 1}-${i}@${slug(company.split(' ')[0])}.example>`;
		const subject = `${dice.pick(SUBJECTS[locale])} – ${company}`;
		const date = new Date(anchor - i * 3600000);
		let mime: Buffer;
		if (i % 10 === 9) {
			mime = smimeMessage(from, mailbox.address, locale === 'de' ? 'Verschlüsselt: Vertrag' : 'Encrypted: contract', messageId);
		} else {
			const html = `<html><body><p>${locale === 'de' ? 'Guten Tag' : 'Hello'},</p><p>${subject}</p>${i % 3 === 0 ? '<p><img src="cid:logo@sandbox" alt="logo"></p>' : ''}<script>alert(1)</script></body></html>`;
			mime = await new MailComposer({
				from,
				to: [mailbox.address, ...(i % 2 === 0 ? [`team@${mailbox.address.split('@')[1]}`] : [])].join(', '),
				cc:
					i % 4 === 0
						? [`einkauf@${slug(company.split(' ')[0])}.example`, `"${last}, ${first}" <assistant@${slug(company.split(' ')[0])}.example>`]
						: undefined,
				subject,
				messageId,
				date,
				html,
				text: `${locale === 'de' ? 'Guten Tag' : 'Hello'},\n${subject}`,
				attachments: [
					...(i % 3 === 0 ? [{ filename: 'logo.png', content: PNG_1PX, cid: 'logo@sandbox', contentType: 'image/png' }] : []),
					...(i % 2 === 1
						? [
								{
									filename: locale === 'de' ? 'Angebot-Übersicht.pdf' : 'offer.pdf',
									content: Buffer.from(`%PDF-1.4\n% sandbox ${i}\n`),
									contentType: 'application/pdf',
								},
							]
						: []),
				],
			})
				.compile()
				.build();
		}
		const item = await mailbox.createMessage(folderId, mime, { receivedAt: date.toISOString(), isRead: dice.chance(0.5) });
		ids.push(item.id);
	}
	return ids;
}
