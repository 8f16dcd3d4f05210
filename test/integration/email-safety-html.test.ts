/**
 * S9 end to end: what lands in the embedded CRM (a real SQLite file) from an e-mail import and
 * from the description mapping of contacts, events and tasks. No markup (also none that arrived
 * entity-escaped), no javascript:/data: link, and a 2 MB HTML body becomes its text.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddedCrmBackend } from '../../lib/crm';
import { DEFAULT_EMAIL_IMPORT_OPTIONS, EmailImporter } from '../../lib/email';
import { buildMappingConfig, canonicalToCrm } from '../../lib/mapping';
import type { CalendarEvent, Contact, Task } from '../../lib/model';

const OWNER = 'owner@firm.example';

/** Nothing a browser or a CRM view could run or follow. */
function expectSafe(text: string | undefined): void {
	expect(text).toBeDefined();
	expect(text).not.toMatch(/<\/?[a-z!][^>]*>?/i);
	expect(text).not.toMatch(/&(?:lt|#0*60|#x0*3c);/i);
	expect(text).not.toMatch(/javascript:|vbscript:|data:/i);
	expect(text).not.toMatch(/alert|steal|cookie/);
}

/** Real Outlook HTML bodies nest unclosed <font>/<span>/<div> deeply; 2 MB of it. */
function hugeNestedHtml(): { html: string; paragraphs: number } {
	const parts: string[] = ['<html><head><style>p{}</style></head><body>'];
	let size = 0;
	let paragraphs = 0;
	while (size < 2 * 1024 * 1024) {
		const part = `<div><font face="Calibri"><span>Absatz ${paragraphs++} mit Text &amp; Inhalt.`;
		parts.push(part);
		size += part.length;
	}
	parts.push('<p>Ende der Nachricht</p></body></html>');
	return { html: parts.join(''), paragraphs };
}

/** Every paragraph of the huge body arrived, in order, as text. */
function expectAllParagraphs(text: string, paragraphs: number): void {
	expect(text.match(/Absatz \d+ mit Text & Inhalt\./g)).toHaveLength(paragraphs);
	expect(text).toContain(`Absatz ${paragraphs - 1} mit Text & Inhalt.`);
	expect(text.trimEnd().endsWith('Ende der Nachricht')).toBe(true);
	expect(text).not.toContain('Inhalt.Absatz');
	expect(text).not.toMatch(/<[a-z/!]/i);
}

const HOSTILE_HTML =
	'<p>Hallo &lt;script&gt;alert(1)&lt;/script&gt;Anna</p>' +
	'<p>&amp;lt;img src=x onerror=steal()&amp;gt;zweimal</p>' +
	'<a href="javascript:alert(2)">Klick</a> <a href="java&#x09;script:steal()">Tab</a> ' +
	'<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgzKTwvc2NyaXB0Pg==">Daten</a> ' +
	'<img src="data:image/png;base64,iVBORw0KGgo="><a href="https://firm.example/angebot">Angebot</a>';

function mime(headers: Record<string, string>, contentType: string, body: string): Buffer {
	const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
	return Buffer.from(`${lines.join('\r\n')}\r\nMIME-Version: 1.0\r\nContent-Type: ${contentType}\r\n\r\n${body}\r\n`);
}

describe('S9: no markup and no live link reaches the CRM', () => {
	let dir: string;
	let crm: EmbeddedCrmBackend;

	beforeEach(() => {
		dir = mkdtempSync(path.join(tmpdir(), 'email-safety-html-'));
		crm = EmbeddedCrmBackend.open(path.join(dir, 'crm.sqlite'));
		crm.saveUser({ id: 'u1', userName: 'owner', email: OWNER, active: true });
	});

	afterEach(async () => {
		await crm.close();
		rmSync(dir, { recursive: true, force: true });
	});

	const importer = () => new EmailImporter({ crm, ownerAddresses: [OWNER], ownerUserId: 'u1', options: { ...DEFAULT_EMAIL_IMPORT_OPTIONS } });

	it('e-mail import: escaped script, javascript:/data: links and a text/plain part with escaped markup', async () => {
		const bystander = await crm.create('contacts', { fields: { lastname: 'Bystander', description: 'Keep <me> & this' } });
		const htmlMail = mime(
			{ From: 'kunde@kunde.example', To: OWNER, Subject: 'HTML', 'Message-ID': '<s9-html@kunde.example>' },
			'text/html; charset=utf-8',
			HOSTILE_HTML,
		);
		const textMail = mime(
			{ From: 'kunde@kunde.example', To: OWNER, Subject: 'Text', 'Message-ID': '<s9-text@kunde.example>' },
			'text/plain; charset=utf-8',
			'Guten Tag,\r\n&lt;script&gt;steal(document.cookie)&lt;/script&gt;\r\nbis bald',
		);
		const htmlCopy = Buffer.from(htmlMail);
		const textCopy = Buffer.from(textMail);

		const html = await importer().importMessage({ raw: htmlMail, folderRole: 'syncRoot' });
		const text = await importer().importMessage({ raw: textMail, folderRole: 'syncRoot' });
		expect([html.status, text.status]).toEqual(['imported', 'imported']);

		const storedHtml = (await crm.getEmail(html.crmEmailId!))!;
		expectSafe(storedHtml.bodyText);
		expect(storedHtml.bodyText).toContain('Hallo Anna');
		expect(storedHtml.bodyText).toContain('zweimal');
		expect(storedHtml.bodyText).toContain('Klick');
		expect(storedHtml.bodyText).toContain('Angebot [https://firm.example/angebot]');
		const storedText = (await crm.getEmail(text.crmEmailId!))!;
		expectSafe(storedText.bodyText);
		expect(storedText.bodyText).toMatch(/Guten Tag,\s+bis bald/);
		expect(storedText.headers.subject).toBe('Text');

		// The mail itself is untouched; the unrelated record survived as it was.
		expect(htmlMail.equals(htmlCopy)).toBe(true);
		expect(textMail.equals(textCopy)).toBe(true);
		expect((await crm.get('contacts', bystander.id))!.fields.description).toBe('Keep <me> & this');
	});

	it('e-mail import: a lead named after a display name gets no markup from it', async () => {
		const raw = mime(
			{
				From: '"<img src=x onerror=alert(1)>Eve &lt;b&gt;Böse&lt;/b&gt;" <eve@evil.example>',
				To: `${OWNER}, "<script>steal()</script>" <mallory@evil.example>`,
				Subject: 'Namen',
				'Message-ID': '<s9-names@evil.example>',
			},
			'text/plain; charset=utf-8',
			'Hallo',
		);
		const result = await new EmailImporter({
			crm,
			ownerAddresses: [OWNER],
			ownerUserId: 'u1',
			options: { ...DEFAULT_EMAIL_IMPORT_OPTIONS, noMatch: 'createLead', leadLastName: 'displayName' },
		}).importMessage({ raw, folderRole: 'syncRoot' });
		expect(result.status).toBe('imported');
		const leads = await crm.list('leads');
		expect(leads.map((lead) => [lead.fields.email, lead.fields.lastname]).sort()).toEqual([
			['eve@evil.example', 'Eve Böse'],
			['mallory@evil.example', 'mallory'],
		]);
	});

	it('e-mail import: a 2 MB HTML-only body with deeply nested unclosed tags is stored as its text', async () => {
		const huge = hugeNestedHtml();
		const raw = mime(
			{ From: 'kunde@kunde.example', To: OWNER, Subject: 'Riesig', 'Message-ID': '<s9-huge@kunde.example>' },
			'text/html; charset=utf-8',
			huge.html,
		);
		expect(raw.length).toBeGreaterThan(2 * 1024 * 1024);
		const result = await importer().importMessage({ raw, folderRole: 'syncRoot' });
		expect(result.status).toBe('imported');
		const body = (await crm.getEmail(result.crmEmailId!))!.bodyText ?? '';
		expectAllParagraphs(body, huge.paragraphs);
	});

	it('description mapping of contacts, events and tasks: hostile and 2 MB HTML become safe text', async () => {
		const bystander = await crm.create('tasks', { fields: { subject: 'Other', description: 'Untouched\n\n\nwith blank lines' } });
		const huge = hugeNestedHtml();
		const contact: Contact = { lastName: 'Schmidt', description: HOSTILE_HTML };
		const event: CalendarEvent = {
			subject: 'Termin',
			start: { dateTime: '2026-03-02T09:00:00', timeZone: 'Europe/Berlin' },
			end: { dateTime: '2026-03-02T10:00:00', timeZone: 'Europe/Berlin' },
			body: '&lt;iframe src=&quot;javascript:steal()&quot;&gt;&lt;/iframe&gt;Agenda &lt;b&gt;fett&lt;/b&gt;',
		};
		const task: Task = { subject: 'Aufgabe', body: huge.html };
		const originals = JSON.stringify([contact, event, task]);

		const contactFields = canonicalToCrm('contact', contact, buildMappingConfig('contact'), { creating: true });
		const eventFields = canonicalToCrm('event', event, buildMappingConfig('event'), { creating: true });
		const taskFields = canonicalToCrm('task', task, buildMappingConfig('task'), { creating: true });
		const stored = {
			contact: await crm.create('contacts', { fields: contactFields }),
			event: await crm.create('events', { fields: eventFields }),
			task: await crm.create('tasks', { fields: taskFields }),
		};

		const contactText = (await crm.get('contacts', stored.contact.id))!.fields.description as string;
		expectSafe(contactText);
		expect(contactText).toContain('Hallo Anna');
		expect(contactText).toContain('Angebot [https://firm.example/angebot]');
		const eventText = (await crm.get('events', stored.event.id))!.fields.description as string;
		expectSafe(eventText);
		expect(eventText).toBe('Agenda fett');
		const taskText = (await crm.get('tasks', stored.task.id))!.fields.description as string;
		expectAllParagraphs(taskText, huge.paragraphs);

		// The Exchange-side records are not modified by the mapping; the unrelated task survived.
		expect(JSON.stringify([contact, event, task])).toBe(originals);
		expect((await crm.get('tasks', bystander.id))!.fields.description).toBe('Untouched\n\n\nwith blank lines');
	});
});
