/**
 * The EWS client (on the unmodified ews-javascript-api) against the sandbox's EWS face over
 * real HTTP on 127.0.0.1, on the mailbox store shared with Graph. Every SOAP response the
 * sandbox gives here is validated against Microsoft's schema with xmllint at the end.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { contactFromGraph, taskFromGraph } from '../../lib/exchange/graph/mappers';
import type { GraphContact, GraphTodoTask } from '../../lib/exchange/graph/graph-types';
import { GRAPH_IDENT_PROPERTY_ID } from '../../lib/exchange/ident';
import { canonicalExtendedPropertyId } from '../../sandbox/store';
import { EwsExchangeClient, type EwsClientOptions } from '../../lib/exchange/ews/client';
import { ExchangeError } from '../../lib/exchange/types';
import type { CalendarEvent, Contact, Task } from '../../lib/model/types';
import { startStandaloneEws, type StandaloneEws } from '../../sandbox/ews/standalone';
import { SandboxStore, type EventData } from '../../sandbox/store';

const SCHEMA = path.resolve(__dirname, '../../../shared/fixtures/ews/schema-libxml2/messages.xsd');
const ANNA = 'anna@contoso.example';

function ensureXmllint(): void {
	if (spawnSync('xmllint', ['--version']).status === 0) return;
	if (process.getuid?.() === 0) spawnSync('apt-get', ['install', '-y', 'libxml2-utils'], { stdio: 'ignore' });
	if (spawnSync('xmllint', ['--version']).status !== 0) {
		throw new Error('xmllint is missing: install Debian package libxml2-utils (apt-get install -y libxml2-utils) to validate EWS responses');
	}
}

describe('EWS client ⇄ sandbox EWS (shared store)', () => {
	let store: SandboxStore;
	let server: StandaloneEws;
	const responses: Array<{ operation: string; body: string }> = [];
	let client: EwsExchangeClient;
	const sleeps: number[] = [];

	const makeClient = (overrides: Partial<EwsClientOptions> = {}) =>
		new EwsExchangeClient({
			url: server.url,
			auth: { type: 'basic', username: ANNA, password: 'Passw0rd!' },
			mailbox: ANNA,
			retry: { sleep: async (ms) => void sleeps.push(ms) },
			...overrides,
		});

	beforeAll(async () => {
		ensureXmllint();
		store = new SandboxStore();
		store.addUser({ address: ANNA, displayName: 'Anna Schmidt', password: 'Passw0rd!', locale: 'de' });
		store.addUser({ address: 'ben@contoso.example', displayName: 'Ben Miller', password: 'Passw0rd!' });
		server = await startStandaloneEws({ store, onResponse: (operation, body, status) => status === 200 && responses.push({ operation, body }) });
		client = makeClient();
	});

	afterAll(async () => {
		client?.service.XHRApi.disconnect();
		await server?.close();
		store?.close?.();
	});

	const mailbox = () => store.mailbox(ANNA);

	test('F1/F7: CRM-Sync folders by distinguished ids (German mailbox), idempotent, removable', async () => {
		const folders = await client.ensureSyncFolders({ components: ['contact', 'event', 'task', 'mail'] });
		const again = await client.ensureSyncFolders({ components: ['contact', 'event', 'task', 'mail'] });
		expect(again).toEqual(folders);
		const mb = mailbox();
		expect(mb.getFolder(folders.contact as string)).toMatchObject({ displayName: 'CRM-Sync', kind: 'contacts', parentId: mb.wellKnownFolder('contacts')?.id });
		expect(mb.getFolder(folders.event as string)).toMatchObject({ kind: 'calendar', parentId: mb.wellKnownFolder('calendar')?.id });
		expect(mb.getFolder(folders.task as string)).toMatchObject({ kind: 'tasks' });
		expect(
			mb
				.childFolders(folders.mail?.root as string)
				.map((f) => f.displayName)
				.sort(),
		).toEqual(['Accounts', 'Contacts', 'Leads', 'Partner']);
		const inbox = await client.getWellKnownFolder('inbox');
		expect(inbox.displayName).toBe('Posteingang');
		const calendars = await client.listFolders('event');
		expect(calendars.map((c) => c.displayName)).toEqual(expect.arrayContaining(['CRM-Sync']));
		await client.removeSyncFolders(['task']);
		expect(mb.getFolder(folders.task as string)).toBeUndefined();
	});

	test('C2: contact created through EWS carries the ident as the same extended property Graph reads; same canonical record on both protocols', async () => {
		const contact: Contact = {
			firstName: 'Hans Peter',
			lastName: 'Müller',
			jobTitle: 'Einkauf',
			department: 'Beschaffung',
			description: 'Zeile 1\nZeile 2',
			accountName: 'Müller GmbH & Co. KG',
			email: 'hp.mueller@example.de',
			otherEmail: 'hp@privat.example',
			phone: '+49 30 1234',
			otherPhone: '+49 30 9999',
			mobile: '+49 170 1',
			billingAddress: { street: 'Hauptstr. 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
			shippingAddress: { street: 'Lager 2', city: 'Potsdam' },
			birthday: '1980-02-29',
			website: 'https://mueller.example',
			categories: ['Kunde'],
		};
		const created = await client.create('contact', 'contacts', contact, 'crm1:contacts:42');
		expect(created.ident).toBe('crm1:contacts:42');
		expect(created.record).toEqual(contact);
		const stored = mailbox().requireItem(created.id, 'contact');
		expect(stored.extendedProperties[canonicalExtendedPropertyId(GRAPH_IDENT_PROPERTY_ID) as string]).toBe('crm1:contacts:42');
		expect(stored.data).toMatchObject({ givenName: 'Hans', middleName: 'Peter', surname: 'Müller', companyName: 'Müller GmbH & Co. KG' });
		// what the Graph client makes of the same stored item
		expect(contactFromGraph(stored.data as unknown as GraphContact)).toEqual(contact);
		expect(created.etag).toBe(stored.changeKey);
	});

	test('C2/S1: update clears absent fields; a stale ChangeKey is a conflict, never an overwrite', async () => {
		const created = await client.create('contact', 'contacts', { firstName: 'Eva', lastName: 'Alt', jobTitle: 'CEO', phone: '1' });
		const updated = await client.update('contact', 'contacts', created.id, { firstName: 'Eva', lastName: 'Neu' }, undefined, { etag: created.etag });
		expect(updated.record).toEqual({ firstName: 'Eva', lastName: 'Neu' });
		expect(updated.etag).not.toBe(created.etag);
		const error = await client
			.update('contact', 'contacts', created.id, { firstName: 'Eva', lastName: 'Stale' }, undefined, { etag: created.etag })
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ExchangeError);
		expect(error).toMatchObject({ code: 'conflict' });
		expect(mailbox().requireItem(created.id, 'contact').data).toMatchObject({ surname: 'Neu' });
		await expect(client.delete('contact', 'contacts', created.id, { etag: created.etag })).rejects.toMatchObject({ code: 'conflict' });
		await client.delete('contact', 'contacts', created.id, { etag: updated.etag });
		expect(mailbox().getItem(created.id)).toBeUndefined();
	});

	test('SyncFolderItems feed: full listing, paging ≤ pageSize until IncludesLastItemInRange, changes written through the store (Graph side) appear, deletions and moves out (F3)', async () => {
		const folders = await client.ensureSyncFolders({ components: ['contact'] });
		const folder = folders.contact as string;
		for (let i = 0; i < 5; i++) await client.create('contact', folder, { lastName: `Person ${i}` });
		const seen: string[] = [];
		let cursor: string | undefined;
		let pages = 0;
		for (;;) {
			const page = await client.listChanges('contact', folder, cursor, { pageSize: 2 });
			pages++;
			expect(page.items.length).toBeLessThanOrEqual(2);
			seen.push(...page.items.map((i) => i.record.lastName as string));
			cursor = page.cursor;
			if (!page.hasMore) break;
		}
		expect(pages).toBe(3);
		expect(seen.sort()).toEqual(['Person 0', 'Person 1', 'Person 2', 'Person 3', 'Person 4']);
		const idle = await client.listChanges('contact', folder, cursor);
		expect(idle).toMatchObject({ items: [], deletedIds: [], hasMore: false, fullResync: false });
		// a Graph-side write (through the store) and a deletion and a move out of the folder
		const mb = mailbox();
		const [a, b, c] = mb.listItems(folder, 'contact');
		mb.updateItem(a.id, (d) => void ((d as { jobTitle?: string }).jobTitle = 'Chef'));
		mb.deleteItem(b.id);
		mb.moveItem(c.id, mb.wellKnownFolder('contacts')?.id as string);
		const page = await client.listChanges('contact', folder, idle.cursor);
		expect(page.items.map((i) => [i.id, i.record.jobTitle])).toEqual([[a.id, 'Chef']]);
		expect(page.deletedIds.sort()).toEqual([b.id, c.id].sort());
		// an expired SyncState starts over as a full listing
		mb.expireCursors();
		const again = await client.listChanges('contact', folder, page.cursor);
		expect(again.fullResync).toBe(true);
		expect(again.items.length).toBe(3);
	});

	test('C3/S23: timed event in Europe/Berlin, all-day event, private, reminder; read back equal, with the zone kept in the store', async () => {
		const timed: CalendarEvent = {
			subject: 'Abstimmung',
			start: { dateTime: '2026-03-29T07:30:00.000Z', timeZone: 'Europe/Berlin' },
			end: { dateTime: '2026-03-29T08:30:00.000Z', timeZone: 'Europe/Berlin' },
			location: 'Raum 1',
			body: 'Agenda',
			isPrivate: true,
			reminderMinutes: 10,
			categories: ['Meeting'],
		};
		const e1 = await client.create('event', 'calendar', timed, 'crm1:events:1');
		expect(e1.record).toEqual(timed);
		const stored = mailbox().requireItem(e1.id, 'event').data as EventData;
		expect(stored.times).toMatchObject({ start: '2026-03-29T07:30:00.000Z', startTimeZone: 'W. Europe Standard Time', isAllDay: false });
		expect(stored.sensitivity).toBe('private');
		const allDay: CalendarEvent = { subject: 'Messe', start: { dateTime: '2026-10-26' }, end: { dateTime: '2026-10-28' }, isAllDay: true };
		const e2 = await client.create('event', 'calendar', allDay);
		expect(e2.record).toEqual(allDay);
		expect((mailbox().requireItem(e2.id, 'event').data as EventData).times).toMatchObject({ start: '2026-10-26', end: '2026-10-28', isAllDay: true });
	});

	test('S20: weekly series with a moved and a cancelled occurrence (written through the store, as Graph would) reads back with its exceptions', async () => {
		const series: CalendarEvent = {
			subject: 'Jour fixe',
			start: { dateTime: '2026-11-02T09:00:00.000Z', timeZone: 'Europe/Berlin' },
			end: { dateTime: '2026-11-02T09:30:00.000Z', timeZone: 'Europe/Berlin' },
			recurrence: {
				pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] },
				range: { type: 'numbered', startDate: '2026-11-02', numberOfOccurrences: 5, recurrenceTimeZone: 'Europe/Berlin' },
			},
		};
		const created = await client.create('event', 'calendar', series);
		expect(created.record).toEqual(series);
		const mb = mailbox();
		mb.updateOccurrence(created.id, '2026-11-09T09:00:00.000Z', {
			subject: 'Jour fixe (verschoben)',
			times: {
				start: '2026-11-10T09:00:00.000Z',
				end: '2026-11-10T09:30:00.000Z',
				startTimeZone: 'W. Europe Standard Time',
				endTimeZone: 'W. Europe Standard Time',
				isAllDay: false,
			},
		});
		mb.cancelOccurrence(created.id, '2026-11-16T09:00:00.000Z');
		const read = await client.get('event', 'calendar', created.id);
		expect(read?.record.recurrence?.exceptions).toEqual([
			{
				originalStart: '2026-11-09T09:00:00.000Z',
				subject: 'Jour fixe (verschoben)',
				start: { dateTime: '2026-11-10T09:00:00.000Z', timeZone: 'Europe/Berlin' },
				end: { dateTime: '2026-11-10T09:30:00.000Z', timeZone: 'Europe/Berlin' },
			},
			{ originalStart: '2026-11-16T09:00:00.000Z', deleted: true },
		]);
		const occurrences = await client.listOccurrences('calendar', { from: '2026-11-01T00:00:00Z', to: '2026-12-31T00:00:00Z' });
		const mine = occurrences.filter((o) => o.record.subject?.startsWith('Jour fixe'));
		expect(mine.map((o) => o.record.start.dateTime)).toEqual([
			'2026-11-02T09:00:00.000Z',
			'2026-11-10T09:00:00.000Z',
			'2026-11-23T09:00:00.000Z',
			'2026-11-30T09:00:00.000Z',
		]);
	});

	test('C4: task round trip; the Graph mapper reads the stored task the same', async () => {
		const task: Task = {
			subject: 'Angebot schicken',
			body: 'bis Freitag',
			startDate: '2026-11-23',
			dueDate: '2026-11-27',
			status: 'inProgress',
			priority: 'high',
			categories: ['CRM'],
		};
		const created = await client.create('task', 'tasks', task, 'crm1:tasks:7');
		expect(created.record).toEqual(task);
		const stored = mailbox().requireItem(created.id, 'task');
		expect(taskFromGraph(stored.data as unknown as GraphTodoTask)).toEqual(task);
		const done = await client.update('task', 'tasks', created.id, { ...task, status: 'completed', completedAt: '2026-11-25T10:00:00.000Z' });
		expect(done.record.status).toBe('completed');
		expect(done.record.completedAt).toBe('2026-11-25T10:00:00.000Z');
	});

	test('C1/E9: a mail moved into CRM-Sync/Leads is reported with the folder it came from (pull notification), then moved back', async () => {
		const folders = await client.ensureSyncFolders({ components: ['mail'] });
		const leads = folders.mail?.leads as string;
		const first = await client.listMessageChanges(leads, undefined);
		expect(first.messages).toEqual([]);
		const mb = mailbox();
		const inbox = mb.wellKnownFolder('inbox')?.id as string;
		const mime = Buffer.from(
			'From: Kunde <kunde@example.org>\r\nTo: anna@contoso.example\r\nSubject: Anfrage\r\nMessage-ID: <abc@example.org>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\nHallo\r\n',
		);
		const message = await mb.createMessage(inbox, mime);
		mb.moveItem(message.id, leads);
		const page = await client.listMessageChanges(leads, first.cursor);
		expect(page.messages).toEqual([
			expect.objectContaining({
				id: message.id,
				folderId: leads,
				internetMessageId: '<abc@example.org>',
				subject: 'Anfrage',
				from: 'kunde@example.org',
				previousFolderId: inbox,
			}),
		]);
		expect((await client.getMessageMime(message.id)).toString()).toContain('Subject: Anfrage');
		const back = await client.moveMessage(message.id, inbox);
		expect(back.folderId).toBe(inbox);
		expect(mb.requireItem(message.id).folderId).toBe(inbox);
		const after = await client.listMessageChanges(leads, page.cursor);
		expect(after.deletedIds).toEqual([message.id]);
	});

	test('O4: ErrorServerBusy from the sandbox (injected 503) makes the client wait BackOffMilliseconds, then it goes on', async () => {
		sleeps.length = 0;
		server.injectFault({ status: 503, retryAfterSeconds: 2.5 });
		const inbox = await client.getWellKnownFolder('inbox');
		expect(inbox.displayName).toBe('Posteingang');
		expect(sleeps).toEqual([2500]);
	});

	test('A7: wrong password, wrong URL path, unreachable server are told apart', async () => {
		const wrongPw = makeClient({ auth: { type: 'basic', username: ANNA, password: 'nope' } });
		await expect(wrongPw.getWellKnownFolder('inbox')).rejects.toMatchObject({ code: 'auth', status: 401 });
		const wrongPath = makeClient({ url: server.url.replace('/EWS/Exchange.asmx', '/ews/wrong.asmx') });
		await expect(wrongPath.getWellKnownFolder('inbox')).rejects.toMatchObject({ code: 'badUrl', status: 404 });
		const refused = makeClient({ url: 'http://127.0.0.1:1/EWS/Exchange.asmx' });
		await expect(refused.getWellKnownFolder('inbox')).rejects.toMatchObject({ code: 'unavailable' });
		for (const c of [wrongPw, wrongPath, refused]) c.service.XHRApi.disconnect();
	});

	test("fidelity: every EWS response of this suite validates against Microsoft's schema (xmllint)", () => {
		expect(responses.length).toBeGreaterThan(10);
		const dir = mkdtempSync(path.join(tmpdir(), 'ews-responses-'));
		try {
			const files = responses.map((r, i) => {
				const body = /<s:Body[^>]*>([\s\S]*)<\/s:Body>/.exec(r.body)?.[1] ?? '';
				const file = path.join(dir, `${String(i).padStart(3, '0')}-${r.operation}.xml`);
				writeFileSync(file, body);
				return file;
			});
			const result = spawnSync('xmllint', ['--noout', '--schema', SCHEMA, ...files], { encoding: 'utf8' });
			const failures = result.stderr.split('\n').filter((l) => l && !l.endsWith(' validates'));
			expect(failures).toEqual([]);
			expect(result.status).toBe(0);
			const operations = new Set(responses.map((r) => r.operation));
			expect([...operations].sort()).toEqual(
				expect.arrayContaining([
					'CreateFolder',
					'CreateItem',
					'DeleteFolder',
					'DeleteItem',
					'FindFolder',
					'FindItem',
					'GetEvents',
					'GetFolder',
					'GetItem',
					'MoveItem',
					'Subscribe',
					'SyncFolderItems',
					'UpdateItem',
				]),
			);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
		void execFileSync;
	});
});
