/**
 * Issue 13 §1: the Graph client uses only shapes the v1.0 reference documents. The sandbox enforces
 * the strict rules by default: contact delta without $expand, the default Contacts folder by id,
 * weekly recurrences with firstDayOfWeek, no mailFolder.wellKnownName.
 */
import { ClientCredentialsTokenProvider, GraphExchangeClient, HttpTransport } from '../../lib/exchange';
import type { CalendarEvent, Contact } from '../../lib/model/types';
import { startTestSandbox, type GraphExchange, type TestSandbox } from '../helpers/sandbox';

const urlOf = (x: GraphExchange): string => `${x.path}?${x.query.toString()}`;

let sb: TestSandbox;
let transport: HttpTransport;
let client: GraphExchangeClient;
const ANNA = 'anna@contoso.example';

function newClient(): GraphExchangeClient {
	return new GraphExchangeClient({
		protocol: 'graph',
		baseUrl: sb.authorityUrl,
		mailbox: ANNA,
		tokens: new ClientCredentialsTokenProvider(
			{ authorityUrl: sb.authorityUrl, tenantId: sb.tenant, clientId: sb.clientId, clientSecret: sb.clientSecret },
			transport,
		),
		transport,
		sleep: async () => undefined,
	});
}

beforeAll(async () => {
	sb = await startTestSandbox();
	transport = new HttpTransport({ ca: sb.ca });
});

afterAll(async () => {
	transport.close();
	await sb.stop();
});

beforeEach(async () => {
	await sb.control.reset();
	client = newClient();
});

afterEach(async () => {
	client.close();
});

const CONTACT: Contact = { firstName: 'Ida', lastName: 'Kern', email: 'ida@kern.example' };

describe('documented Graph shapes (issue 13 §1)', () => {
	it('contact delta of the CRM-Sync folder carries the pairing ident, read by $batch GETs with $expand', async () => {
		const folders = await client.ensureSyncFolders({ components: ['contact'] });
		const folder = folders.contact as string;
		await client.create('contact', folder, CONTACT, 'crm-contact-1');
		await client.create('contact', folder, { ...CONTACT, email: 'two@kern.example' });
		const recorder = sb.recordGraph();
		const page = await client.listChanges('contact', folder, undefined);
		recorder.stop();
		expect(page.items.map((i) => i.ident ?? null).sort()).toEqual(['crm-contact-1', null]);
		const deltaCalls = recorder.exchanges.filter((x) => /\/contacts\/delta/.test(urlOf(x)));
		expect(deltaCalls.length).toBeGreaterThan(0);
		for (const x of deltaCalls) expect(decodeURIComponent(urlOf(x))).not.toMatch(/\$expand/);
	});

	it('the default Contacts folder is resolved to its id and synced through /contactFolders/{id}/contacts/delta', async () => {
		const first = await client.ensureSyncFolders({ components: ['contact'], useDefaultFolder: { contact: true } });
		await client.create('contact', first.contact as string, CONTACT, 'crm-contact-2');
		const again = await client.ensureSyncFolders({ components: ['contact'], useDefaultFolder: { contact: true } });
		expect(again.contact).not.toBe('contacts');
		const recorder = sb.recordGraph();
		const page = await client.listChanges('contact', again.contact as string, undefined);
		recorder.stop();
		expect(page.items.map((i) => [i.record.email, i.ident])).toEqual([['ida@kern.example', 'crm-contact-2']]);
		expect(recorder.exchanges.some((x) => /\/contactFolders\/[^/]+\/contacts\/delta/.test(urlOf(x)))).toBe(true);
	});

	it('an empty default Contacts folder (no contact, no subfolder) is read without /contacts/delta; a folder-less cursor of earlier versions is dropped', async () => {
		const recorder = sb.recordGraph();
		const empty = await client.listChanges('contact', 'contacts', undefined);
		expect(empty).toMatchObject({ items: [], deletedIds: [], hasMore: false, fullResync: true });
		await client.create('contact', 'contacts', CONTACT, 'crm-contact-3');
		const next = await client.listChanges('contact', 'contacts', empty.cursor);
		expect(next.items.map((i) => [i.record.email, i.ident])).toEqual([['ida@kern.example', 'crm-contact-3']]);
		const legacy = Buffer.from(JSON.stringify({ v: 1, u: `/users/${encodeURIComponent(ANNA)}/contacts/delta?$deltatoken=old`, full: false })).toString(
			'base64url',
		);
		const resumed = await client.listChanges('contact', 'contacts', legacy);
		recorder.stop();
		expect(resumed.fullResync).toBe(true);
		expect(resumed.items.map((i) => i.ident)).toEqual(['crm-contact-3']);
		const again = await client.listChanges('contact', 'contacts', resumed.cursor);
		expect(again).toMatchObject({ items: [], fullResync: false });
		expect(recorder.exchanges.filter((x) => /\/contacts\/delta/.test(x.path) && !/\/contactFolders\//.test(x.path)).map(urlOf)).toEqual([]);
		expect(recorder.exchanges.filter((x) => x.status >= 400).map(urlOf)).toEqual([]);
	});

	it('a weekly series starting on Sunday-default weeks is written with firstDayOfWeek and reads back the same', async () => {
		const folders = await client.ensureSyncFolders({ components: ['event'] });
		const event: CalendarEvent = {
			subject: 'Jour fixe',
			start: { dateTime: '2026-12-07T09:00:00.000Z', timeZone: 'Europe/Berlin' },
			end: { dateTime: '2026-12-07T09:30:00.000Z', timeZone: 'Europe/Berlin' },
			recurrence: {
				pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] },
				range: { type: 'numbered', startDate: '2026-12-07', numberOfOccurrences: 5 },
			},
		};
		const created = await client.create('event', folders.event as string, event, 'crm-event-1');
		const read = await client.get('event', folders.event as string, created.id);
		expect(read?.record.recurrence?.pattern).toEqual({ type: 'weekly', interval: 1, daysOfWeek: ['monday'] });
	});

	it('cancelledOccurrences is read with the $select Microsoft requires: a cancelled occurrence outside the window is known', async () => {
		const folders = await client.ensureSyncFolders({ components: ['event'] });
		// Beyond the default window (30 days back, 365 ahead): no instance lists it, only the master's cancelledOccurrences.
		const event: CalendarEvent = {
			subject: 'Later series',
			start: { dateTime: '2028-03-06T08:00:00.000Z', timeZone: 'Europe/Berlin' },
			end: { dateTime: '2028-03-06T09:00:00.000Z', timeZone: 'Europe/Berlin' },
			recurrence: {
				pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] },
				range: { type: 'numbered', startDate: '2028-03-06', numberOfOccurrences: 4, recurrenceTimeZone: 'Europe/Berlin' },
				exceptions: [{ originalStart: '2028-03-13T08:00:00.000Z', deleted: true }],
			},
		};
		const created = await client.create('event', folders.event as string, event, 'crm-event-2');
		const recorder = sb.recordGraph();
		const read = await client.get('event', folders.event as string, created.id);
		recorder.stop();
		expect(read?.record.recurrence?.exceptions).toEqual([{ originalStart: '2028-03-13T08:00:00.000Z', deleted: true }]);
		const masterGet = recorder.exchanges.find((x) => x.method === 'GET' && x.path.endsWith(`/events/${created.id}`));
		expect(masterGet?.query.get('$select')).toMatch(/cancelledOccurrences/);
	});

	it('a refused calendars/{id}/calendarView/delta (501) falls back to the documented calendarView listing, a full round each time', async () => {
		const folders = await client.ensureSyncFolders({ components: ['event'] });
		const cal = folders.event as string;
		const single: CalendarEvent = {
			subject: 'Kickoff',
			start: { dateTime: '2026-12-08T09:00:00.000Z', timeZone: 'Europe/Berlin' },
			end: { dateTime: '2026-12-08T10:00:00.000Z', timeZone: 'Europe/Berlin' },
		};
		const a = await client.create('event', cal, single, 'crm-event-a');
		const b = await client.create('event', cal, { ...single, subject: 'Review' }, 'crm-event-b');
		await sb.control.addFault({
			match: { protocol: 'graph', path: '/calendars/[^/?]+/calendarView/delta' },
			action: { type: 'status', status: 501, code: 'NotImplemented', message: 'Not implemented' },
		});
		try {
			const window = { from: '2026-11-01T00:00:00Z', to: '2027-02-01T00:00:00Z' };
			const first = await client.listChanges('event', cal, undefined, { window, pageSize: 1 });
			expect(first.fullResync).toBe(true);
			expect(first.hasMore).toBe(true);
			const second = await client.listChanges('event', cal, first.cursor, { window, pageSize: 1 });
			expect(second.hasMore).toBe(false);
			expect([...first.items, ...second.items].map((i) => [i.id, i.ident]).sort()).toEqual(
				[
					[a.id, 'crm-event-a'],
					[b.id, 'crm-event-b'],
				].sort(),
			);
			// the next round lists everything again (no delta to continue), and deletions show as absence
			await client.delete('event', cal, b.id);
			const again = await client.listChanges('event', cal, second.cursor, { window, pageSize: 10 });
			expect(again.fullResync).toBe(true);
			expect(again.items.map((i) => i.id)).toEqual([a.id]);
		} finally {
			await sb.control.clearFaults();
		}
	});

	it('transactionId only guards the retries of one create call; a second create call is not swallowed (twins are found by ident)', async () => {
		const folders = await client.ensureSyncFolders({ components: ['event'] });
		const cal = folders.event as string;
		const event: CalendarEvent = {
			subject: 'Twice',
			start: { dateTime: '2026-12-09T09:00:00.000Z', timeZone: 'Europe/Berlin' },
			end: { dateTime: '2026-12-09T10:00:00.000Z', timeZone: 'Europe/Berlin' },
		};
		await sb.control.addFault({
			match: { protocol: 'graph', method: 'POST', path: '/calendars/[^/?]+/events' },
			action: { type: 'status', status: 503, retryAfterSeconds: 0 },
			times: 1,
		});
		const recorder = sb.recordGraph();
		const retriesBefore = client.stats.retries;
		const first = await client.create('event', cal, event, 'crm-event-twice');
		expect(client.stats.retries - retriesBefore).toBe(1); // the 503 (answered before the sandbox's Graph face) was retried with the same body
		const second = await client.create('event', cal, event, 'crm-event-twice');
		recorder.stop();
		await sb.control.clearFaults();
		const posts = recorder.exchanges.filter((x) => x.method === 'POST' && /\/events$/.test(x.path));
		const ids = posts.map((x) => (x.requestBody as { transactionId?: string }).transactionId);
		expect(ids).toHaveLength(2);
		expect(ids[0]).toBeTruthy();
		expect(ids[1]).not.toBe(ids[0]);
		expect(second.id).not.toBe(first.id);
		const listed = await client.listChanges('event', cal, undefined, { window: { from: '2026-11-01T00:00:00Z', to: '2027-02-01T00:00:00Z' } });
		expect(listed.items.filter((i) => i.ident === 'crm-event-twice')).toHaveLength(2);
	});

	it('request economy (issue 15): after a calendar delta only the pairing ident of single events is read, in $batches', async () => {
		const folders = await client.ensureSyncFolders({ components: ['event'] });
		const cal = folders.event as string;
		for (let i = 0; i < 3; i++) {
			await client.create(
				'event',
				cal,
				{
					subject: `Single ${i}`,
					start: { dateTime: `2026-12-1${i}T09:00:00.000Z`, timeZone: 'Europe/Berlin' },
					end: { dateTime: `2026-12-1${i}T10:00:00.000Z`, timeZone: 'Europe/Berlin' },
				},
				`crm-single-${i}`,
			);
		}
		const recorder = sb.recordGraph();
		const page = await client.listChanges('event', cal, undefined, { window: { from: '2026-11-01T00:00:00Z', to: '2027-02-01T00:00:00Z' } });
		recorder.stop();
		expect(page.items.map((i) => i.ident).sort()).toEqual(['crm-single-0', 'crm-single-1', 'crm-single-2']);
		expect(page.items.map((i) => i.record.subject).sort()).toEqual(['Single 0', 'Single 1', 'Single 2']);
		const reads = recorder.exchanges.filter((x) => x.method === 'GET' && /\/events\/[^/]+$/.test(x.path));
		expect(reads).toHaveLength(3);
		for (const r of reads) expect(r.query.get('$select')).toBe('id');
		expect(recorder.exchanges.filter((x) => x.path === '/$batch')).toHaveLength(1);
	});

	it('well-known mail folders are recognised by their well-known name path, not by a wellKnownName property', async () => {
		const recorder = sb.recordGraph();
		const folders = await client.listFolders('mail');
		recorder.stop();
		const inbox = await client.getWellKnownFolder('inbox');
		expect(folders.find((f) => f.id === inbox.id)?.wellKnownName).toBe('inbox');
		expect(folders.filter((f) => f.wellKnownName).length).toBeGreaterThanOrEqual(3);
		for (const x of recorder.exchanges) expect(decodeURIComponent(urlOf(x))).not.toMatch(/wellKnownName/i);
	});
});
