/**
 * The sandbox's Graph face driven by the unmodified @microsoft/microsoft-graph-client over
 * real HTTPS (self-signed CA trusted through a node:https middleware, customHosts localhost).
 */
import * as https from 'node:https';
import { Client, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { NO_MEETING_MESSAGES, startTestSandbox, type TestSandbox } from '../helpers/sandbox';

const SYNC_KEY = 'String {66f5a359-4659-4830-9070-00047ec6ac6e} Name CrmSyncKey';

function raw(
	sb: TestSandbox,
	method: string,
	path: string,
	options: { token?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
	return new Promise((resolve, reject) => {
		const url = path.startsWith('https://') ? new URL(path) : new URL(sb.graphUrl + path);
		const req = https.request(
			url,
			{
				method,
				ca: sb.ca,
				headers: {
					...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
					...(options.body ? { 'content-type': 'application/json' } : {}),
					...options.headers,
				},
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
			},
		);
		req.on('error', reject);
		req.end(options.body);
	});
}

/** Terminal middleware: node:https with the sandbox CA (Node's fetch cannot take a CA). */
class HttpsWithCa implements Middleware {
	constructor(private readonly ca: string) {}
	async execute(context: Context): Promise<void> {
		const request = context.request as string;
		const init = context.options ?? {};
		const headers: Record<string, string> = {};
		new Headers(init.headers).forEach((v, k) => (headers[k] = v));
		const body = typeof init.body === 'string' ? init.body : undefined;
		const res = await new Promise<{ status: number; headers: Headers; body: Buffer }>((resolve, reject) => {
			const req = https.request(request, { method: init.method ?? 'GET', headers, ca: this.ca }, (r) => {
				const chunks: Buffer[] = [];
				r.on('data', (c: Buffer) => chunks.push(c));
				r.on('end', () => {
					const h = new Headers();
					for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
					resolve({ status: r.statusCode ?? 0, headers: h, body: Buffer.concat(chunks) });
				});
			});
			req.on('error', reject);
			req.end(body);
		});
		context.response = new Response(res.status === 204 ? null : res.body, { status: res.status, headers: res.headers });
	}
}

class Bearer implements Middleware {
	private nextMiddleware?: Middleware;
	constructor(private readonly token: () => string) {}
	async execute(context: Context): Promise<void> {
		const init = (context.options ??= {});
		const headers = new Headers(init.headers);
		headers.set('Authorization', `Bearer ${this.token()}`);
		init.headers = Object.fromEntries(headers.entries());
		await this.nextMiddleware?.execute(context);
	}
	setNext(next: Middleware): void {
		this.nextMiddleware = next;
	}
}

function graphClient(sb: TestSandbox, token: string): Client {
	const auth = new Bearer(() => token);
	auth.setNext(new HttpsWithCa(sb.ca));
	return Client.initWithMiddleware({ middleware: auth, baseUrl: `${sb.authorityUrl}/`, customHosts: new Set(['localhost']), defaultVersion: 'v1.0' });
}

async function clientCredentialsToken(sb: TestSandbox): Promise<string> {
	const form = new URLSearchParams({
		grant_type: 'client_credentials',
		client_id: sb.clientId,
		client_secret: sb.clientSecret,
		scope: 'https://graph.microsoft.com/.default',
	}).toString();
	const res = await raw(sb, 'POST', sb.tokenUrl, { body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
	expect(res.status).toBe(200);
	return (JSON.parse(res.text) as { access_token: string }).access_token;
}

describe('sandbox Graph face', () => {
	let sb: TestSandbox;
	let graph: Client;
	const anna = '/users/anna@contoso.example';

	beforeAll(async () => {
		sb = await startTestSandbox();
		graph = graphClient(sb, await clientCredentialsToken(sb));
	});
	afterAll(async () => {
		await sb.stop();
	});

	it('answers 401 in Graph error shape without or with a wrong/expired token', async () => {
		const none = await raw(sb, 'GET', `${anna}/contacts`);
		expect(none.status).toBe(401);
		expect(JSON.parse(none.text)).toMatchObject({ error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' } });
		const expired = await sb.control.token('anna@contoso.example', -1);
		expect(JSON.parse((await raw(sb, 'GET', '/me/contacts', { token: expired })).text).error.message).toMatch(/expired/);
		const badSecret = await raw(sb, 'POST', sb.tokenUrl, {
			body: `grant_type=client_credentials&client_id=${sb.clientId}&client_secret=nope`,
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
		});
		expect(badSecret.status).toBe(401);
		expect(JSON.parse(badSecret.text).error).toBe('invalid_client');
	});

	it('does contact CRUD with extended properties, $filter, $expand and If-Match through the Graph SDK', async () => {
		const created = (await graph.api(`${anna}/contacts`).post({
			givenName: 'Jürgen',
			surname: 'Groß',
			emailAddresses: [{ address: 'j.gross@example.de', name: 'Jürgen Groß' }],
			singleValueExtendedProperties: [{ id: SYNC_KEY, value: 'crm1:Contacts:42' }],
		})) as { id: string; '@odata.etag': string; displayName: string };
		expect(created.displayName).toBe('Jürgen Groß');
		const filter = `singleValueExtendedProperties/Any(ep: ep/id eq '${SYNC_KEY}' and ep/value eq 'crm1:Contacts:42')`;
		const found = (await graph.api(`${anna}/contacts`).filter(filter).expand(`singleValueExtendedProperties($filter=id eq '${SYNC_KEY}')`).get()) as {
			value: Array<{ id: string; singleValueExtendedProperties: unknown[] }>;
		};
		expect(found.value.map((c) => c.id)).toEqual([created.id]);
		expect(found.value[0].singleValueExtendedProperties).toEqual([{ id: SYNC_KEY, value: 'crm1:Contacts:42' }]);

		await graph.api(`${anna}/contacts/${created.id}`).header('If-Match', created['@odata.etag']).patch({ jobTitle: 'Einkauf' });
		await expect(graph.api(`${anna}/contacts/${created.id}`).header('If-Match', created['@odata.etag']).patch({ jobTitle: 'x' })).rejects.toMatchObject({
			statusCode: 412,
			code: 'ErrorIrresolvableConflict',
		});
		await graph.api(`${anna}/contacts/${created.id}`).delete();
		await expect(graph.api(`${anna}/contacts/${created.id}`).get()).rejects.toMatchObject({ statusCode: 404 });
	});

	it('reports contact folder changes through delta, with @removed for moved-out and deleted items, and 410 for a stale token', async () => {
		const folder = (await graph.api(`${anna}/contactFolders`).post({ displayName: 'CRM-Sync' })) as { id: string };
		const base = `${anna}/contactFolders/${folder.id}/contacts`;
		const ids: string[] = [];
		for (let i = 0; i < 5; i++) ids.push(((await graph.api(base).post({ givenName: `P${i}` })) as { id: string }).id);
		// full sync in pages of 2
		let link: string | undefined = `${base}/delta`;
		const seen: string[] = [];
		let deltaLink = '';
		while (link) {
			const page = (await graph.api(link).header('Prefer', 'odata.maxpagesize=2').get()) as {
				value: Array<{ id: string }>;
				'@odata.nextLink'?: string;
				'@odata.deltaLink'?: string;
			};
			seen.push(...page.value.map((v) => v.id));
			link = page['@odata.nextLink'];
			deltaLink = page['@odata.deltaLink'] ?? deltaLink;
		}
		expect(seen).toEqual(ids);
		await graph.api(`${anna}/contacts/${ids[0]}`).patch({ surname: 'Neu' });
		await graph.api(`${anna}/contacts/${ids[1]}`).delete();
		// moving out of the folder (F3) through the shared store, as EWS would
		const mailbox = sb.sandbox.store.mailbox('anna@contoso.example');
		mailbox.moveItem(ids[2], mailbox.wellKnownFolder('contacts')!.id);
		const changes = (await graph.api(deltaLink).get()) as {
			value: Array<{ id: string; surname?: string; '@removed'?: { reason: string } }>;
			'@odata.deltaLink': string;
		};
		expect(changes.value.map((v) => [v.id, v['@removed']?.reason ?? v.surname])).toEqual([
			[ids[0], 'Neu'],
			[ids[1], 'deleted'],
			[ids[2], 'changed'],
		]);
		await sb.control.expireSyncState('anna@contoso.example');
		await expect(graph.api(changes['@odata.deltaLink']).get()).rejects.toMatchObject({ statusCode: 410 });
	});

	it('expands a recurring series with an exception, de-duplicates transactionId and tracks the calendar view window', async () => {
		const series = (await graph
			.api(`${anna}/events`)
			.header('Prefer', 'outlook.timezone="W. Europe Standard Time"')
			.post({
				subject: 'Jour fixe',
				start: { dateTime: '2026-11-02T09:00:00', timeZone: 'W. Europe Standard Time' },
				end: { dateTime: '2026-11-02T10:00:00', timeZone: 'W. Europe Standard Time' },
				recurrence: {
					pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'], firstDayOfWeek: 'monday' },
					range: { type: 'numbered', startDate: '2026-11-02', numberOfOccurrences: 4 },
				},
				transactionId: 'tx-1',
			})) as { id: string; type: string; start: { dateTime: string } };
		expect(series.type).toBe('seriesMaster');
		expect(series.start.dateTime).toBe('2026-11-02T09:00:00.0000000');
		const again = (await graph.api(`${anna}/events`).post({
			subject: 'dup',
			start: { dateTime: '2026-11-02T09:00:00', timeZone: 'UTC' },
			end: { dateTime: '2026-11-02T10:00:00', timeZone: 'UTC' },
			transactionId: 'tx-1',
		})) as { id: string };
		expect(again.id).toBe(series.id);

		const window = '?startDateTime=2026-11-01T00:00:00Z&endDateTime=2026-12-01T00:00:00Z';
		const instances = (await graph.api(`${anna}/events/${series.id}/instances${window}`).get()) as {
			value: Array<{ id: string; type: string; start: { dateTime: string } }>;
		};
		expect(instances.value.map((i) => i.start.dateTime)).toEqual([
			'2026-11-02T08:00:00.0000000',
			'2026-11-09T08:00:00.0000000',
			'2026-11-16T08:00:00.0000000',
			'2026-11-23T08:00:00.0000000',
		]);

		const first = (await graph.api(`${anna}/calendarView/delta${window}`).get()) as { value: Array<{ id: string }>; '@odata.deltaLink': string };
		expect(first.value).toHaveLength(4);
		await graph.api(`${anna}/events/${instances.value[1].id}`).patch({
			subject: 'Jour fixe (verschoben)',
			start: { dateTime: '2026-11-10T09:00:00', timeZone: 'UTC' },
			end: { dateTime: '2026-11-10T10:00:00', timeZone: 'UTC' },
		});
		await graph.api(`${anna}/events/${instances.value[2].id}`).delete();
		const single = (await graph.api(`${anna}/events`).post({
			subject: 'Einzeltermin',
			start: { dateTime: '2026-11-20T09:00:00', timeZone: 'UTC' },
			end: { dateTime: '2026-11-20T10:00:00', timeZone: 'UTC' },
		})) as { id: string };
		const second = (await graph.api(first['@odata.deltaLink']).get()) as {
			value: Array<{ id: string; type?: string; subject?: string; '@removed'?: { reason: string } }>;
			'@odata.deltaLink': string;
		};
		const byId = new Map(second.value.map((v) => [v.id, v]));
		expect(byId.get(instances.value[1].id)).toMatchObject({ type: 'exception', subject: 'Jour fixe (verschoben)' });
		expect(byId.get(instances.value[2].id)?.['@removed']).toEqual({ reason: 'deleted' });
		expect(byId.get(single.id)).toMatchObject({ type: 'singleInstance' });
		// moving the single event out of the window: @removed, reason "changed" (it still exists)
		await graph
			.api(`${anna}/events/${single.id}`)
			.patch({ start: { dateTime: '2027-01-20T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2027-01-20T10:00:00', timeZone: 'UTC' } });
		const third = (await graph.api(second['@odata.deltaLink']).get()) as { value: Array<{ id: string; '@removed'?: { reason: string } }> };
		expect(third.value).toEqual([{ '@odata.type': '#microsoft.graph.event', id: single.id, '@removed': { reason: 'changed' } }]);
	});

	it('serves seeded messages: MIME, inline attachments with contentId, headers, move and folder delta', async () => {
		await sb.control.generate({ mailbox: 'anna@contoso.example', messages: 4, locale: 'de', seed: 7 });
		const list = (await graph.api(`${anna}/mailFolders/inbox/messages`).select('subject,internetMessageId,internetMessageHeaders,hasAttachments').get()) as {
			value: Array<{ id: string; internetMessageId: string; internetMessageHeaders: Array<{ name: string }> }>;
		};
		expect(list.value).toHaveLength(4);
		expect(list.value[0].internetMessageHeaders.some((h) => h.name === 'Message-ID')).toBe(true);
		const withLogo = list.value.find((m) => m.internetMessageId.includes('-7-0@'))!;
		const attachments = (await graph.api(`${anna}/messages/${withLogo.id}/attachments`).get()) as {
			value: Array<{ isInline: boolean; contentId: string | null }>;
		};
		expect(attachments.value).toEqual([expect.objectContaining({ isInline: true, contentId: 'logo@sandbox' })]);
		const mime = await raw(sb, 'GET', `${anna}/messages/${withLogo.id}/$value`, { token: await sb.control.token() });
		expect(mime.text).toContain('Message-ID: <sandbox-7-0@');

		const start = (await graph.api(`${anna}/mailFolders/inbox/messages/delta`).get()) as { '@odata.deltaLink': string; value: unknown[] };
		expect(start.value).toHaveLength(4);
		const crmSync = (await graph.api(`${anna}/mailFolders`).post({ displayName: 'CRM-Sync' })) as { id: string };
		const moved = (await graph.api(`${anna}/messages/${withLogo.id}/move`).post({ destinationId: crmSync.id })) as { id: string; parentFolderId: string };
		expect(moved).toMatchObject({ id: withLogo.id, parentFolderId: crmSync.id });
		const after = (await graph.api(start['@odata.deltaLink']).get()) as { value: Array<{ id: string; '@removed'?: unknown }> };
		expect(after.value).toEqual([expect.objectContaining({ id: withLogo.id, '@removed': { reason: 'changed' } })]);
		expect(
			(
				(await graph
					.api(`${anna}/mailFolders('CRM-Sync')`)
					.get()
					.catch((e: { statusCode: number }) => e)) as { statusCode: number }
			).statusCode,
		).toBe(404);
		expect(((await graph.api(`${anna}/mailFolders/inbox`).get()) as { totalItemCount: number }).totalItemCount).toBe(3);
	});

	it('creates To Do tasks with linkedResources and reports them in delta', async () => {
		const lists = (await graph.api(`${anna}/todo/lists`).get()) as { value: Array<{ id: string; wellknownListName: string }> };
		const list = lists.value.find((l) => l.wellknownListName === 'defaultList')!;
		const start = (await graph.api(`${anna}/todo/lists/${list.id}/tasks/delta`).get()) as { '@odata.deltaLink': string };
		const task = (await graph.api(`${anna}/todo/lists/${list.id}/tasks`).post({
			title: 'Angebot nachfassen',
			dueDateTime: { dateTime: '2026-11-30T00:00:00', timeZone: 'UTC' },
			linkedResources: [{ applicationName: 'CRM', displayName: 'Task 7', externalId: 'crm1:Calendar:7', webUrl: 'https://crm.example/7' }],
		})) as { id: string; linkedResources: Array<{ externalId: string }> };
		expect(task.linkedResources[0].externalId).toBe('crm1:Calendar:7');
		const delta = (await graph.api(start['@odata.deltaLink']).get()) as { value: Array<{ id: string; title: string }> };
		expect(delta.value.map((t) => [t.id, t.title])).toEqual([[task.id, 'Angebot nachfassen']]);
		const expanded = (await graph.api(`${anna}/todo/lists/${list.id}/tasks/${task.id}`).expand('linkedResources').get()) as {
			linkedResources: Array<{ externalId: string }>;
		};
		expect(expanded.linkedResources.map((l) => l.externalId)).toEqual(['crm1:Calendar:7']);
	});

	it('runs $batch with dependsOn, reports an injected 429 inside the 200 and a 424 for its dependent', async () => {
		await sb.control.addFault({ match: { protocol: 'graph', path: '/todo/lists$' }, action: { type: 'status', status: 429, retryAfterSeconds: 3 }, times: 1 });
		const result = (await graph.api('/$batch').post({
			requests: [
				{ id: '1', method: 'GET', url: `${anna}/mailFolders/inbox` },
				{ id: '2', method: 'GET', url: `${anna}/todo/lists` },
				{ id: '3', method: 'GET', url: `${anna}/contacts`, dependsOn: ['2'] },
				{ id: '4', method: 'POST', url: `${anna}/contacts`, body: { givenName: 'Batch' }, headers: { 'Content-Type': 'application/json' } },
			],
		})) as { responses: Array<{ id: string; status: number; headers: Record<string, string> }> };
		expect(result.responses.map((r) => [r.id, r.status])).toEqual([
			['1', 200],
			['2', 429],
			['3', 424],
			['4', 201],
		]);
		expect(result.responses[1].headers['retry-after']).toBe('3');
		const tooMany = await raw(sb, 'POST', '/$batch', {
			token: await sb.control.token(),
			body: JSON.stringify({ requests: Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/users' })) }),
		});
		expect(tooMany.status).toBe(400);
	});

	it('refuses in $batch what Graph refuses and honours If-Match per request', async () => {
		const token = await sb.control.token();
		const post = async (requests: unknown[]) => raw(sb, 'POST', '/$batch', { token, body: JSON.stringify({ requests }) });
		const refused = [
			[
				{ id: '1', method: 'GET', url: `${anna}/contacts` },
				{ id: '1', method: 'GET', url: `${anna}/contacts` },
			],
			[{ id: '1', method: 'GET', url: `${sb.graphUrl}${anna}/contacts` }],
			[{ id: '1', method: 'POST', url: `${anna}/contacts`, body: { givenName: 'No type' } }],
			[{ id: '1', method: 'GET', url: `${anna}/contacts`, dependsOn: ['9'] }],
			[{ id: '1', method: 'TRACE', url: `${anna}/contacts` }],
			[{ id: '1', method: 'POST', url: '/$batch', body: { requests: [] }, headers: { 'Content-Type': 'application/json' } }],
		];
		for (const requests of refused) {
			const res = await post(requests);
			expect([JSON.stringify(requests), res.status]).toEqual([JSON.stringify(requests), 400]);
			expect(JSON.parse(res.text).error.code).toBe('BadRequest');
		}
		expect((await post([])).status).toBe(400);

		const created = (await graph.api(`${anna}/contacts`).post({ givenName: 'Etag', surname: 'Batch' })) as { id: string; '@odata.etag': string };
		const json = { 'Content-Type': 'application/json' };
		const res = await post([
			{ id: 'stale', method: 'PATCH', url: `${anna}/contacts/${created.id}`, body: { jobTitle: 'stale' }, headers: { ...json, 'If-Match': 'W/"CQAAAAnope"' } },
			{
				id: 'fresh',
				method: 'PATCH',
				url: `${anna}/contacts/${created.id}`,
				body: { jobTitle: 'fresh' },
				headers: { ...json, 'If-Match': created['@odata.etag'] },
			},
			{ id: 'gone', method: 'DELETE', url: `${anna}/contacts/AAMkAGnope=` },
		]);
		expect(res.status).toBe(200);
		const responses = (JSON.parse(res.text) as { responses: Array<{ id: string; status: number }> }).responses;
		expect(responses.map((r) => [r.id, r.status])).toEqual([
			['stale', 412],
			['fresh', 200],
			['gone', 404],
		]);
		const after = (await graph.api(`${anna}/contacts/${created.id}`).get()) as { jobTitle: string; givenName: string };
		expect([after.jobTitle, after.givenName]).toEqual(['fresh', 'Etag']);
	});

	it('throttles a mailbox beyond its request budget with 429 and Retry-After, and counts requests per route', async () => {
		await sb.control.call('DELETE', '/counters');
		await sb.control.configure({ throttle: { perWindow: 3, windowMs: 60_000 } });
		try {
			const token = await sb.control.token();
			const statuses: number[] = [];
			let retryAfter: string | string[] | undefined;
			for (let i = 0; i < 4; i++) {
				const res = await raw(sb, 'GET', '/users/ben@contoso.example/contacts', { token });
				statuses.push(res.status);
				if (res.status === 429) retryAfter = res.headers['retry-after'];
			}
			expect(statuses).toEqual([200, 200, 200, 429]);
			expect(Number(retryAfter)).toBeGreaterThan(0);
			const counters = await sb.control.counters();
			expect(counters['ben@contoso.example']).toMatchObject({ total: 3, throttled: 1, byRoute: { 'GET /users/{id}/contacts': 3 } });
		} finally {
			await sb.control.configure({ throttle: { perWindow: 10_000, windowMs: 600_000 } });
		}
	});

	it('resets the connection or answers 503 when told to', async () => {
		const token = await sb.control.token();
		await sb.control.addFault({ match: { path: 'contactFolders' }, action: { type: 'reset' }, times: 1 });
		await expect(raw(sb, 'GET', `${anna}/contactFolders`, { token })).rejects.toThrow(/socket hang up|ECONNRESET/);
		await sb.control.addFault({ match: { path: 'contactFolders' }, action: { type: 'status', status: 503, retryAfterSeconds: 1 }, times: 1 });
		const unavailable = await raw(sb, 'GET', `${anna}/contactFolders`, { token });
		expect([unavailable.status, JSON.parse(unavailable.text).error.code]).toEqual([503, 'ServiceUnavailable']);
		expect((await raw(sb, 'GET', `${anna}/contactFolders`, { token })).status).toBe(200);
	});

	it('S18: none of the above sent a meeting request or cancellation', async () => {
		expect(await sb.control.meetingMessages()).toEqual(NO_MEETING_MESSAGES);
	});
});

describe('S18: the sandbox counts the meeting messages Exchange would have sent', () => {
	let sb: TestSandbox;
	let token: string;
	const anna = '/users/anna@contoso.example';
	const meeting = (extra: Record<string, unknown> = {}) => ({
		subject: 'Review',
		start: { dateTime: '2026-11-24T08:00:00', timeZone: 'UTC' },
		end: { dateTime: '2026-11-24T09:00:00', timeZone: 'UTC' },
		attendees: [{ type: 'required', emailAddress: { address: 'kunde@example.com', name: 'Kunde' } }],
		...extra,
	});
	const send = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
		const res = await raw(sb, method, path, { token, body: body === undefined ? undefined : JSON.stringify(body) });
		return { status: res.status, json: res.text ? (JSON.parse(res.text) as Record<string, unknown>) : {} };
	};

	beforeAll(async () => {
		sb = await startTestSandbox();
		token = await sb.control.token();
	});
	afterAll(async () => {
		await sb.stop();
	});
	beforeEach(async () => {
		await sb.control.reset();
		token = await sb.control.token();
	});

	it('invitations for a meeting created, updated or forwarded by its organizer; cancellations for delete and cancel', async () => {
		const a = await send('POST', `${anna}/calendar/events`, meeting());
		expect(a.status).toBe(201);
		expect(await sb.control.meetingMessages()).toEqual({ invitations: 1, cancellations: 0 });
		expect((await send('PATCH', `${anna}/calendar/events/${String(a.json.id)}`, { subject: 'Review 2' })).status).toBe(200);
		expect(
			(
				await send('POST', `${anna}/calendar/events/${String(a.json.id)}/forward`, {
					toRecipients: [{ emailAddress: { address: 'chef@example.com' } }],
					comment: 'FYI',
				})
			).status,
		).toBe(202);
		expect(await sb.control.meetingMessages('anna@contoso.example')).toEqual({ invitations: 3, cancellations: 0 });
		expect((await send('DELETE', `${anna}/calendar/events/${String(a.json.id)}`)).status).toBe(204);
		const b = await send('POST', `${anna}/calendar/events`, meeting());
		expect((await send('POST', `${anna}/calendar/events/${String(b.json.id)}/cancel`, { comment: 'entfällt' })).status).toBe(202);
		expect((await send('GET', `${anna}/calendar/events/${String(b.json.id)}`)).status).toBe(404);
		expect(await sb.control.meetingMessages()).toEqual({ invitations: 4, cancellations: 2 });
		expect(await sb.control.meetingMessages('ben@contoso.example')).toEqual(NO_MEETING_MESSAGES);
	});

	it('nothing for appointments without attendees, for drafts, and for meetings someone else organizes', async () => {
		const plain = await send('POST', `${anna}/calendar/events`, meeting({ attendees: [] }));
		await send('PATCH', `${anna}/calendar/events/${String(plain.json.id)}`, { subject: 'still alone' });
		await send('DELETE', `${anna}/calendar/events/${String(plain.json.id)}`);
		const draft = await send('POST', `${anna}/calendar/events`, meeting({ isDraft: true }));
		await send('PATCH', `${anna}/calendar/events/${String(draft.json.id)}`, { subject: 'draft 2' });
		const invited = await send('POST', `${anna}/calendar/events`, meeting({ organizer: { emailAddress: { address: 'boss@fabrikam.example', name: 'Boss' } } }));
		expect(invited.status).toBe(201);
		expect((await send('POST', `${anna}/calendar/events/${String(invited.json.id)}/cancel`, {})).status).toBe(400);
		await send('DELETE', `${anna}/calendar/events/${String(invited.json.id)}`);
		expect(await sb.control.meetingMessages()).toEqual(NO_MEETING_MESSAGES);
	});
});
