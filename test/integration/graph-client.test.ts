/**
 * The Graph client against the sandbox over HTTPS (self-signed CA trusted through the
 * credential's CA option): every ExchangeClient operation, change feeds across pages,
 * deletions, the window rule, throttling, 412, token expiry.
 */
import { ClientCredentialsTokenProvider, ExchangeError, GraphExchangeClient, HttpTransport, StaticTokenProvider } from '../../lib/exchange';
import type { GraphClientConfig } from '../../lib/exchange';
import type { CalendarEvent, Contact, Task } from '../../lib/model/types';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';

let sb: TestSandbox;
const clients: GraphExchangeClient[] = [];
const ANNA = 'anna@contoso.example';

function graphClient(overrides: Partial<GraphClientConfig> = {}): GraphExchangeClient {
	const transport = new HttpTransport({ ca: sb.ca });
	const client = new GraphExchangeClient({
		protocol: 'graph',
		baseUrl: sb.authorityUrl,
		mailbox: ANNA,
		tokens: new ClientCredentialsTokenProvider(
			{ authorityUrl: sb.authorityUrl, tenantId: sb.tenant, clientId: sb.clientId, clientSecret: sb.clientSecret },
			transport,
		),
		transport,
		sleep: async () => undefined,
		...overrides,
	});
	clients.push(client);
	return client;
}

async function drain<C extends 'contact' | 'event' | 'task'>(
	client: GraphExchangeClient,
	component: C,
	folderId: string,
	cursor?: string,
	window?: { from: string; to: string },
	pageSize?: number,
) {
	const items = new Map<string, unknown>();
	const deleted: string[] = [];
	let fullResync = false;
	let pages = 0;
	for (;;) {
		const page = await client.listChanges(component, folderId, cursor, { window, pageSize });
		pages++;
		for (const i of page.items) items.set(i.id, i);
		deleted.push(...page.deletedIds);
		fullResync ||= page.fullResync;
		cursor = page.cursor;
		if (!page.hasMore) break;
	}
	return { items, deleted, cursor: cursor as string, fullResync, pages };
}

beforeAll(async () => {
	sb = await startTestSandbox();
});

afterAll(async () => {
	for (const c of clients) c.close();
	await sb.stop();
});

beforeEach(async () => {
	await sb.control.reset();
});

describe('folders (F1, F2, F5, F7)', () => {
	// The CRM-Sync calendar lives under the Calendar folder, the CRM-Sync mail folder at the
	// mailbox root: both exist side by side (test/integration/sandbox-calendar-parent.test.ts).
	it('ensures the CRM-Sync folders once, finds them again, and removes them', async () => {
		const client = graphClient();
		const first = await client.ensureSyncFolders({ components: ['contact', 'event', 'task', 'mail'] });
		expect(first.contact && first.event && first.task && first.mail?.root && first.mail.partner).toBeTruthy();
		const again = await client.ensureSyncFolders({ components: ['contact', 'event', 'task', 'mail'] });
		expect(again).toEqual(first);
		expect((await client.listFolders('event')).find((f) => f.id === first.event)?.displayName).toBe('CRM-Sync');
		const subfolders = await client.listFolders('mail', first.mail?.root);
		expect(subfolders.map((f) => f.displayName).sort()).toEqual(['Accounts', 'Contacts', 'Leads', 'Partner']);
		await client.removeSyncFolders(['contact', 'event', 'task', 'mail']);
		expect((await client.listFolders('event')).some((f) => f.displayName === 'CRM-Sync')).toBe(false);
		expect((await client.listFolders('contact')).some((f) => f.displayName === 'CRM-Sync')).toBe(false);
		expect((await client.listFolders('mail')).some((f) => f.displayName === 'CRM-Sync')).toBe(false);
		expect((await client.listFolders('task')).some((f) => f.displayName === 'CRM-Sync')).toBe(false);
	});

	it('uses the default folders when configured and never deletes them', async () => {
		const client = graphClient();
		const folders = await client.ensureSyncFolders({ components: ['contact', 'event', 'task'], useDefaultFolder: { contact: true, event: true, task: true } });
		expect(folders.contact).toBe('contacts');
		expect((await client.getWellKnownFolder('calendar')).id).toBe(folders.event);
		expect((await client.getWellKnownFolder('tasks')).id).toBe(folders.task);
		expect((await client.getWellKnownFolder('inbox')).wellKnownName).toBe('inbox');
	});
});

describe('contacts', () => {
	it('create, get (with ident), update with etag, 412 on a stale etag, delete', async () => {
		const client = graphClient();
		const { contact: folder } = await client.ensureSyncFolders({ components: ['contact'] });
		const record: Contact = {
			firstName: 'Anna Maria',
			lastName: 'Schmidt',
			email: 'anna.schmidt@example.com',
			accountName: 'Muster GmbH & Co. KG',
			birthday: '1980-03-02',
			categories: ['Kunde'],
		};
		const created = await client.create('contact', folder as string, record, 'crm1:contacts:42');
		expect(created.ident).toBe('crm1:contacts:42');
		const got = await client.get('contact', folder as string, created.id);
		expect(got?.record).toEqual(record);
		expect(got?.ident).toBe('crm1:contacts:42');
		const updated = await client.update('contact', folder as string, created.id, { ...record, jobTitle: 'CEO' }, undefined, { etag: got?.etag });
		expect(updated.record.jobTitle).toBe('CEO');
		expect(updated.etag).not.toBe(got?.etag);
		const stale = client.update('contact', folder as string, created.id, { ...record, jobTitle: 'CFO' }, undefined, { etag: got?.etag });
		await expect(stale).rejects.toMatchObject({ code: 'conflict', status: 412 });
		expect((await client.get('contact', folder as string, created.id))?.record.jobTitle).toBe('CEO');
		await client.delete('contact', folder as string, created.id);
		expect(await client.get('contact', folder as string, created.id)).toBeUndefined();
		await client.delete('contact', folder as string, created.id); // idempotent
	});

	it('change feed across pages: full listing, then only changes and deletions', async () => {
		const client = graphClient();
		const { contact: folder } = await client.ensureSyncFolders({ components: ['contact'] });
		const ids: string[] = [];
		for (let i = 0; i < 25; i++) ids.push((await client.create('contact', folder as string, { lastName: `Person ${i}` }, `crm1:contacts:${i}`)).id);
		const full = await drain(client, 'contact', folder as string, undefined, undefined, 10);
		expect(full.items.size).toBe(25);
		expect(full.pages).toBeGreaterThanOrEqual(3);
		expect(full.fullResync).toBe(true);
		const idle = await drain(client, 'contact', folder as string, full.cursor);
		expect(idle.items.size + idle.deleted.length).toBe(0);
		expect(idle.fullResync).toBe(false);
		await client.update('contact', folder as string, ids[3], { lastName: 'Changed' });
		await client.delete('contact', folder as string, ids[7]);
		const next = await drain(client, 'contact', folder as string, idle.cursor);
		expect([...next.items.keys()]).toEqual([ids[3]]);
		expect(next.deleted).toEqual([ids[7]]);
	});

	it('a stale cursor means a full resync, signalled to the caller', async () => {
		const client = graphClient();
		const { contact: folder } = await client.ensureSyncFolders({ components: ['contact'] });
		await client.create('contact', folder as string, { lastName: 'One' });
		const first = await drain(client, 'contact', folder as string);
		await sb.control.expireSyncState(ANNA);
		const again = await drain(client, 'contact', folder as string, first.cursor);
		expect(again.fullResync).toBe(true);
		expect(again.items.size).toBe(1);
	});
});

describe('events', () => {
	const window = { from: '2026-10-01T00:00:00.000Z', to: '2027-03-01T00:00:00.000Z' };

	it('S23/S17/S19: timed (Berlin), all-day and private events come back exactly', async () => {
		const client = graphClient({ includeRaw: true });
		const { event: cal } = await client.ensureSyncFolders({ components: ['event'] });
		const timed: CalendarEvent = {
			subject: 'Kick-off',
			start: { dateTime: '2026-11-23T08:30:00.000Z', timeZone: 'Europe/Berlin' },
			end: { dateTime: '2026-11-23T09:30:00.000Z', timeZone: 'Europe/Berlin' },
			location: 'Raum 1',
			body: 'Agenda',
			categories: ['Meeting'],
			isPrivate: true,
		};
		const allDay: CalendarEvent = { subject: 'Messe', isAllDay: true, start: { dateTime: '2026-12-01' }, end: { dateTime: '2026-12-03' } };
		const a = await client.create('event', cal as string, timed, 'crm1:events:1');
		const b = await client.create('event', cal as string, allDay, 'crm1:events:2');
		const gotA = await client.get('event', cal as string, a.id);
		const gotB = await client.get('event', cal as string, b.id);
		expect(gotA?.record).toEqual({ ...timed, reminderMinutes: 15 });
		expect(gotA?.ident).toBe('crm1:events:1');
		expect((gotA?.raw as { originalStartTimeZone?: string }).originalStartTimeZone).toBe('W. Europe Standard Time');
		expect(gotB?.record).toEqual({ ...allDay, reminderMinutes: 15 });
		// S19: set once on creation, an update does not touch it
		await client.update('event', cal as string, a.id, { ...timed, reminderMinutes: 60 });
		expect((await client.get('event', cal as string, a.id))?.record.reminderMinutes).toBe(15);
	});

	it('S18: attendees go into the body and are never sent to Graph as attendees', async () => {
		const client = graphClient({ includeRaw: true });
		const { event: cal } = await client.ensureSyncFolders({ components: ['event'] });
		const record: CalendarEvent = {
			subject: 'Review',
			start: { dateTime: '2026-11-24T08:00:00.000Z', timeZone: 'Europe/Berlin' },
			end: { dateTime: '2026-11-24T09:00:00.000Z', timeZone: 'Europe/Berlin' },
			attendees: [{ email: 'kunde@example.com', name: 'Kunde', type: 'required' }],
		};
		const created = await client.create('event', cal as string, record, undefined, { attendeesInBody: true });
		const raw = (await client.get('event', cal as string, created.id))?.raw as { attendees?: unknown[]; body?: { content?: string } };
		expect(raw.attendees ?? []).toEqual([]);
		expect(raw.body?.content).toContain('kunde@example.com');
		expect((await client.get('event', cal as string, created.id))?.record.attendees).toEqual(record.attendees);
	});

	it('S20: a weekly series with a moved and a cancelled occurrence round-trips', async () => {
		const client = graphClient();
		const { event: cal } = await client.ensureSyncFolders({ components: ['event'] });
		const series: CalendarEvent = {
			subject: 'Jour fixe',
			start: { dateTime: '2026-11-02T09:00:00.000Z', timeZone: 'Europe/Berlin' },
			end: { dateTime: '2026-11-02T09:30:00.000Z', timeZone: 'Europe/Berlin' },
			recurrence: {
				pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] },
				range: { type: 'endDate', startDate: '2026-11-02', endDate: '2026-12-28', recurrenceTimeZone: 'Europe/Berlin' },
				exceptions: [
					{
						originalStart: '2026-11-09T09:00:00.000Z',
						start: { dateTime: '2026-11-10T13:00:00.000Z', timeZone: 'Europe/Berlin' },
						end: { dateTime: '2026-11-10T13:30:00.000Z', timeZone: 'Europe/Berlin' },
						subject: 'Jour fixe (verschoben)',
					},
					{ originalStart: '2026-11-16T09:00:00.000Z', deleted: true },
				],
			},
		};
		const created = await client.create('event', cal as string, series, 'crm1:events:s');
		expect(created.record.recurrence).toEqual(series.recurrence);
		const feed = await drain(client, 'event', cal as string, undefined, window);
		expect([...feed.items.keys()]).toEqual([created.id]); // occurrences fold into their series
		expect((feed.items.get(created.id) as { record: CalendarEvent }).record.recurrence).toEqual(series.recurrence);
	});

	it('window rule: an event leaving the window is not a deletion; a deleted one is', async () => {
		const client = graphClient();
		const { event: cal } = await client.ensureSyncFolders({ components: ['event'] });
		const mk = (subject: string, day: string): CalendarEvent => ({
			subject,
			start: { dateTime: `${day}T10:00:00.000Z` },
			end: { dateTime: `${day}T11:00:00.000Z` },
		});
		const stay = await client.create('event', cal as string, mk('leaves window', '2026-11-20'));
		const gone = await client.create('event', cal as string, mk('deleted', '2026-11-21'));
		const first = await drain(client, 'event', cal as string, undefined, window);
		expect(first.items.size).toBe(2);
		await client.update('event', cal as string, stay.id, mk('leaves window', '2026-06-01'));
		await client.delete('event', cal as string, gone.id);
		const next = await drain(client, 'event', cal as string, first.cursor, window);
		expect(next.deleted).toEqual([gone.id]);
		expect(next.items.size).toBe(0);
		expect(await client.get('event', cal as string, stay.id)).toBeDefined();
	});
});

describe('To Do tasks', () => {
	it('create with ident (linkedResources), update writes a missing ident, change feed, delete', async () => {
		const client = graphClient();
		const { task: list } = await client.ensureSyncFolders({ components: ['task'] });
		const record: Task = { subject: 'Angebot schicken', dueDate: '2026-11-30', status: 'inProgress', priority: 'high', body: 'bis Freitag' };
		const a = await client.create('task', list as string, record, 'crm1:tasks:1');
		const b = await client.create('task', list as string, { subject: 'Born in Exchange' });
		expect((await client.get('task', list as string, a.id))?.record).toEqual(record);
		expect((await client.get('task', list as string, a.id))?.ident).toBe('crm1:tasks:1');
		const full = await drain(client, 'task', list as string);
		expect(full.items.size).toBe(2);
		expect((full.items.get(a.id) as { ident?: string }).ident).toBe('crm1:tasks:1');
		const linked = await client.update('task', list as string, b.id, { subject: 'Born in Exchange', status: 'completed' }, 'crm1:tasks:2');
		expect(linked.ident).toBe('crm1:tasks:2');
		await client.delete('task', list as string, a.id);
		const next = await drain(client, 'task', list as string, full.cursor);
		expect(next.deleted).toEqual([a.id]);
		expect((next.items.get(b.id) as { ident?: string; record: Task }).ident).toBe('crm1:tasks:2');
	});
});

describe('messages', () => {
	it("a message moved into CRM-Sync shows up in that folder's delta; moving back works; MIME downloads", async () => {
		const client = graphClient();
		const { mail } = await client.ensureSyncFolders({ components: ['mail'] });
		await sb.control.generate({ mailbox: ANNA, messages: 3, seed: 7 });
		const inbox = (await client.getWellKnownFolder('inbox')).id;
		const start = await client.listMessageChanges(mail?.leads as string, undefined);
		expect(start.messages).toEqual([]);
		const inInbox = await client.listMessageChanges(inbox, undefined);
		const message = inInbox.messages[0];
		const moved = await client.moveMessage(message.id, mail?.leads as string);
		expect(moved.id).toBe(message.id); // immutable ids survive the move
		const changes = await client.listMessageChanges(mail?.leads as string, start.cursor);
		expect(changes.messages.map((m) => m.id)).toEqual([message.id]);
		expect(changes.messages[0].internetMessageId).toBe(message.internetMessageId);
		const mime = await client.getMessageMime(message.id);
		expect(mime.toString('utf8')).toMatch(/Message-ID:/i);
		await client.moveMessage(message.id, inbox);
		const after = await client.listMessageChanges(mail?.leads as string, changes.cursor);
		expect(after.deletedIds).toEqual([message.id]);
	});
});

describe('$batch writes', () => {
	it('creates 45 contacts and 3 tasks in 3 + 1 requests; results keep their order and idents', async () => {
		const client = graphClient();
		const { contact: folder, task: list } = await client.ensureSyncFolders({ components: ['contact', 'task'] });
		const before = client.stats.requests;
		const entries = Array.from({ length: 45 }, (_, i) => ({ record: { lastName: `Batch ${i}` } as Contact, ident: `crm1:contacts:b${i}` }));
		const results = await client.createMany('contact', folder as string, entries);
		expect(client.stats.requests - before).toBe(3);
		expect(results.map((r) => (r as { ident?: string }).ident)).toEqual(entries.map((e) => e.ident));
		const tasks = await client.createMany('task', list as string, [
			{ record: { subject: 'a' }, ident: 't1' },
			{ record: { subject: 'b' } },
			{ record: { subject: 'c' }, ident: 't3' },
		]);
		expect(tasks.map((t) => (t as { ident?: string }).ident)).toEqual(['t1', undefined, 't3']);
		const listed = await drain(client, 'contact', folder as string, undefined, undefined, 100);
		expect(listed.items.size).toBe(45);
		expect((listed.items.get((results[44] as { id: string }).id) as { ident: string }).ident).toBe('crm1:contacts:b44');
	});
});

describe('resilience (O4)', () => {
	async function scenario(client: GraphExchangeClient) {
		const { contact: folder } = await client.ensureSyncFolders({ components: ['contact'] });
		for (let i = 0; i < 12; i++) await client.create('contact', folder as string, { lastName: `T${i}`, email: `t${i}@example.com` }, `crm1:contacts:${i}`);
		const listed = await drain(client, 'contact', folder as string, undefined, undefined, 5);
		return [...listed.items.values()].map((i) => (i as { ident?: string; record: Contact }).ident + ':' + (i as { record: Contact }).record.lastName).sort();
	}

	it('429 with Retry-After at random points (also inside $batch) gives the same result', async () => {
		const clean = await scenario(graphClient());
		await sb.control.reset();
		await sb.control.addFault({ match: { protocol: 'graph' }, action: { type: 'status', status: 429, retryAfterSeconds: 2 }, probability: 0.3 });
		await sb.control.addFault({ match: { protocol: 'graph' }, action: { type: 'status', status: 503 }, probability: 0.05 });
		const waits: number[] = [];
		// A generous bound: with 30 % faults, 12 attempts fail together with p ≈ 5e-7 per request.
		const client = graphClient({ sleep: async (ms) => void waits.push(ms), retry: { maxAttempts: 12 } });
		const faulty = await scenario(client);
		expect(faulty).toEqual(clean);
		expect(client.stats.throttled).toBeGreaterThan(0);
		expect(waits).toContain(2000); // Retry-After honoured
		// events go through $batch (removals, series): throttled sub-requests are retried too
		const { event: cal } = await client.ensureSyncFolders({ components: ['event'] });
		const w = { from: '2026-10-01T00:00:00.000Z', to: '2027-03-01T00:00:00.000Z' };
		const e = await client.create('event', cal as string, {
			subject: 'x',
			start: { dateTime: '2026-11-20T10:00:00.000Z' },
			end: { dateTime: '2026-11-20T11:00:00.000Z' },
		});
		const first = await drain(client, 'event', cal as string, undefined, w);
		await client.delete('event', cal as string, e.id);
		const next = await drain(client, 'event', cal as string, first.cursor, w);
		expect(next.deleted).toEqual([e.id]);
		await sb.control.clearFaults();
	});

	it('keeps at most 4 requests in flight per mailbox, also across clients of the same mailbox', async () => {
		// Counted at the transport: the sandbox adds its latency outside its concurrency check.
		class CountingTransport extends HttpTransport {
			active = 0;
			max = 0;
			override async send(request: Parameters<HttpTransport['send']>[0]) {
				this.max = Math.max(this.max, ++this.active);
				try {
					return await super.send(request);
				} finally {
					this.active--;
				}
			}
		}
		await sb.control.configure({ latencyMs: 30 });
		const transport = new CountingTransport({ ca: sb.ca });
		const a = graphClient({ transport, mailbox: 'ben@contoso.example' });
		const b = graphClient({ transport, mailbox: 'ben@contoso.example' });
		await Promise.all([
			...Array.from({ length: 12 }, () => a.getWellKnownFolder('inbox')),
			...Array.from({ length: 12 }, () => b.getWellKnownFolder('sentitems')),
		]);
		expect(transport.max).toBe(4);
		await sb.control.configure({ latencyMs: 0 });
		transport.close();
	});

	it('403 (missing permission) names the scopes to grant', async () => {
		await sb.control.addFault({
			match: { protocol: 'graph', path: 'contactFolders' },
			action: { type: 'status', status: 403, code: 'ErrorAccessDenied', message: 'Access is denied. Check credentials and try again.' },
			times: 1,
		});
		const client = graphClient();
		await expect(client.listFolders('contact')).rejects.toMatchObject({ code: 'forbidden', hint: expect.stringContaining('Contacts.ReadWrite') });
		await sb.control.clearFaults();
	});

	it('a throttled step inside a $batch is retried together with the step that depends on it', async () => {
		const client = graphClient();
		const { task: list } = await client.ensureSyncFolders({ components: ['task'] });
		const t = await client.create('task', list as string, { subject: 'vorher' });
		await sb.control.addFault({
			match: { protocol: 'graph', method: 'PATCH', path: 'tasks' },
			action: { type: 'status', status: 429, retryAfterSeconds: 1 },
			times: 1,
		});
		const updated = await client.update('task', list as string, t.id, { subject: 'nachher' }, 'crm1:tasks:9');
		expect(updated.record.subject).toBe('nachher');
		expect(updated.ident).toBe('crm1:tasks:9');
		expect(client.stats.throttled).toBe(1);
		await sb.control.clearFaults();
	});

	it('gives up after the retry bound with a throttling error', async () => {
		await sb.control.addFault({ match: { protocol: 'graph', path: 'mailFolders' }, action: { type: 'status', status: 429, retryAfterSeconds: 1 } });
		const client = graphClient({ retry: { maxAttempts: 3 } });
		await expect(client.getWellKnownFolder('inbox')).rejects.toMatchObject({ code: 'throttled', status: 429 });
		expect(client.stats.retries).toBe(2);
		await sb.control.clearFaults();
	});

	it('401 on an expired token: refreshed once, then the call succeeds', async () => {
		const client = graphClient();
		await client.getWellKnownFolder('inbox');
		await sb.control.call('POST', '/tokens/expire');
		const inbox = await client.getWellKnownFolder('inbox');
		expect(inbox.wellKnownName).toBe('inbox');
		expect(client.stats.tokenRefreshes).toBe(1);
	});

	it('a token that stays invalid is an auth error, not a loop', async () => {
		const client = graphClient({ tokens: new StaticTokenProvider('not-a-token') });
		await expect(client.getWellKnownFolder('inbox')).rejects.toBeInstanceOf(ExchangeError);
		await expect(client.getWellKnownFolder('inbox')).rejects.toMatchObject({ code: 'auth' });
		expect(client.stats.requests).toBe(4);
	});

	it('a wrong client secret and an unknown mailbox give hints', async () => {
		const transport = new HttpTransport({ ca: sb.ca });
		const wrong = graphClient({
			tokens: new ClientCredentialsTokenProvider(
				{ authorityUrl: sb.authorityUrl, tenantId: sb.tenant, clientId: sb.clientId, clientSecret: 'wrong' },
				transport,
			),
		});
		await expect(wrong.getWellKnownFolder('inbox')).rejects.toMatchObject({ code: 'auth' });
		const nobody = graphClient({ mailbox: 'nobody@contoso.example' });
		await expect(nobody.getWellKnownFolder('inbox')).rejects.toMatchObject({ code: 'notFound', hint: expect.stringContaining('mailbox') });
		transport.close();
	});

	it('without the CA option the self-signed sandbox certificate is rejected (TLS on by default)', async () => {
		const client = graphClient({ transport: new HttpTransport(), tokens: new StaticTokenProvider('x'), retry: { maxAttempts: 1 } });
		await expect(client.getWellKnownFolder('inbox')).rejects.toMatchObject({ code: 'tls' });
	});
});
