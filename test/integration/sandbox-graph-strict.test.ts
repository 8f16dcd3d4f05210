/**
 * The sandbox refuses what Graph v1.0 refuses (issue 13 §2, sandbox/graph/strictRules.ts):
 * undocumented query options on delta functions, undocumented paths, non-v1.0 properties,
 * weekly recurrences without firstDayOfWeek — with Microsoft's error shape. All rules are
 * enforced by default (the client relies on none of them since d5291df).
 */
import * as https from 'node:https';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';

let sb: TestSandbox;
let token: string;
const anna = '/users/anna@contoso.example';
const WINDOW = 'startDateTime=2026-10-01T00:00:00Z&endDateTime=2027-01-01T00:00:00Z';

interface Reply {
	status: number;
	json: Record<string, unknown>;
}

function graph(method: string, path: string, body?: unknown): Promise<Reply> {
	return new Promise((resolve, reject) => {
		const req = https.request(
			new URL(sb.graphUrl + path),
			{ method, ca: sb.ca, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
				});
			},
		);
		req.on('error', reject);
		req.end(body === undefined ? undefined : JSON.stringify(body));
	});
}

/** status and error code, the way a test compares a refusal */
async function outcome(method: string, path: string, body?: unknown): Promise<[number, string | undefined]> {
	const reply = await graph(method, path, body);
	const error = reply.json.error as { code?: string; message?: string } | undefined;
	if (error) expect(typeof error.message).toBe('string');
	return [reply.status, error?.code];
}

beforeAll(async () => {
	sb = await startTestSandbox();
});

afterAll(async () => {
	await sb.stop();
});

beforeEach(async () => {
	await sb.control.reset();
	token = await sb.control.token();
});

describe('strict Graph: query options a delta function does not document are refused', () => {
	it('calendarView/delta takes no $select, $filter, $expand, $orderby, $top, on the primary and on another calendar', async () => {
		const other = (await graph('POST', `${anna}/calendars`, { name: 'CRM-Sync' })).json.id as string;
		for (const prefix of ['', '/calendar', `/calendars/${other}`]) {
			for (const option of ['$select=subject', "$filter=subject eq 'x'", '$expand=singleValueExtendedProperties', '$orderby=start/dateTime', '$top=5']) {
				expect(await outcome('GET', `${anna}${prefix}/calendarView/delta?${WINDOW}&${option}`)).toEqual([400, 'ErrorInvalidUrlQuery']);
			}
			const first = await graph('GET', `${anna}${prefix}/calendarView/delta?${WINDOW}`);
			expect(first.status).toBe(200);
			const next = String(first.json['@odata.deltaLink']).replace(sb.graphUrl, '');
			expect((await graph('GET', next)).status).toBe(200);
		}
		const refused = await graph('GET', `${anna}/calendarView/delta?${WINDOW}&$select=subject`);
		expect(refused.json.error).toMatchObject({ code: 'ErrorInvalidUrlQuery', message: expect.stringContaining('$select') });
	});

	it('messages/delta: $select, $top and receivedDateTime filters pass; other $filter/$orderby and $search are refused', async () => {
		for (const ok of ['$select=id,subject', '$top=5', '$filter=receivedDateTime ge 2026-01-01T00:00:00Z', '$orderby=receivedDateTime desc']) {
			expect((await graph('GET', `${anna}/mailFolders/inbox/messages/delta?${ok}`)).status).toBe(200);
		}
		for (const refused of ["$filter=subject eq 'x'", '$orderby=subject', '$search="hello"', '$count=true']) {
			expect(await outcome('GET', `${anna}/mailFolders/inbox/messages/delta?${refused}`)).toEqual([400, 'ErrorInvalidUrlQuery']);
		}
	});

	it('todo tasks/delta takes $select only', async () => {
		const lists = (await graph('GET', `${anna}/todo/lists`)).json.value as Array<{ id: string }>;
		expect((await graph('GET', `${anna}/todo/lists/${lists[0].id}/tasks/delta?$select=title`)).status).toBe(200);
		expect(await outcome('GET', `${anna}/todo/lists/${lists[0].id}/tasks/delta?$expand=linkedResources`)).toEqual([400, 'ErrorInvalidUrlQuery']);
	});
});

describe('strict Graph: properties v1.0 does not have', () => {
	it('mailFolder.wellKnownName and event.occurrenceId cannot be selected or filtered', async () => {
		expect(await outcome('GET', `${anna}/mailFolders?$select=displayName,wellKnownName`)).toEqual([400, 'RequestBroker--ParseUri']);
		expect(await outcome('GET', `${anna}/mailFolders/inbox?$select=wellKnownName`)).toEqual([400, 'RequestBroker--ParseUri']);
		expect(await outcome('GET', `${anna}/mailFolders?$filter=wellKnownName eq 'inbox'`)).toEqual([400, 'RequestBroker--ParseUri']);
		expect(await outcome('GET', `${anna}/calendar/events?$select=subject,occurrenceId`)).toEqual([400, 'RequestBroker--ParseUri']);
		const folders = await graph('GET', `${anna}/mailFolders?$select=displayName`);
		expect(folders.status).toBe(200);
		expect((folders.json.value as Array<Record<string, unknown>>).every((f) => !('wellKnownName' in f))).toBe(true);
	});
});

describe('strict Graph: event.cancelledOccurrences', () => {
	it('is returned only on $select, on a GET of the series master, as OID.{masterId}.{date}', async () => {
		const series = await graph('POST', `${anna}/calendar/events`, {
			subject: 'Jour fixe',
			start: { dateTime: '2026-11-02T09:00:00', timeZone: 'W. Europe Standard Time' },
			end: { dateTime: '2026-11-02T09:30:00', timeZone: 'W. Europe Standard Time' },
			recurrence: {
				pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'], firstDayOfWeek: 'monday' },
				range: { type: 'numbered', startDate: '2026-11-02', numberOfOccurrences: 4 },
			},
		});
		const id = String(series.json.id);
		const instances = (
			await graph('GET', `${anna}/calendar/events/${id}/instances?startDateTime=2026-11-01T00:00:00Z&endDateTime=2026-12-01T00:00:00Z&$select=id,start`)
		).json.value as Array<{ id: string }>;
		expect(instances).toHaveLength(4);
		expect((await graph('DELETE', `${anna}/calendar/events/${instances[1].id}`)).status).toBe(204);
		expect((await graph('GET', `${anna}/calendar/events/${id}`)).json).not.toHaveProperty('cancelledOccurrences');
		const selected = (await graph('GET', `${anna}/calendar/events/${id}?$select=subject,cancelledOccurrences`)).json;
		expect(selected.cancelledOccurrences).toEqual([`OID.${id}.2026-11-09`]);
		expect(selected.subject).toBe('Jour fixe');
	});
});

describe('strict Graph: rules the client once relied on, enforced by default', () => {
	const weekly = (firstDayOfWeek?: string) => ({
		subject: 'Jour fixe',
		start: { dateTime: '2026-11-02T09:00:00', timeZone: 'W. Europe Standard Time' },
		end: { dateTime: '2026-11-02T09:30:00', timeZone: 'W. Europe Standard Time' },
		recurrence: {
			pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'], ...(firstDayOfWeek ? { firstDayOfWeek } : {}) },
			range: { type: 'noEnd', startDate: '2026-11-02' },
		},
	});

	async function contactFolder(): Promise<string> {
		return (await graph('POST', `${anna}/contactFolders`, { displayName: 'CRM-Sync' })).json.id as string;
	}

	describe('by default', () => {
		it('contact delta takes $select only; the folder-less /contacts/delta is not a documented path', async () => {
			const folder = await contactFolder();
			expect(await outcome('GET', `${anna}/contactFolders/${folder}/contacts/delta?$expand=singleValueExtendedProperties`)).toEqual([
				400,
				'ErrorInvalidUrlQuery',
			]);
			expect(await outcome('GET', `${anna}/contactFolders/${folder}/contacts/delta?$filter=surname eq 'x'`)).toEqual([400, 'ErrorInvalidUrlQuery']);
			expect((await graph('GET', `${anna}/contactFolders/${folder}/contacts/delta?$select=givenName,surname`)).status).toBe(200);
			expect(await outcome('GET', `${anna}/contacts/delta`)).toEqual([400, 'BadRequest']);
			// the documented path works for the default Contacts folder too, by its id (a contact's parentFolderId)
			const inDefault = (await graph('POST', `${anna}/contacts`, { givenName: 'Erika' })).json;
			const delta = await graph('GET', `${anna}/contactFolders/${String(inDefault.parentFolderId)}/contacts/delta`);
			expect(delta.status).toBe(200);
			expect((delta.json.value as Array<{ id: string }>).map((c) => c.id)).toContain(inDefault.id);
		});

		it('a weekly recurrence needs firstDayOfWeek, on create and on update; nothing is written when refused', async () => {
			const before = ((await graph('GET', `${anna}/calendar/events?$top=100`)).json.value as unknown[]).length;
			expect(await outcome('POST', `${anna}/calendar/events`, weekly())).toEqual([400, 'ErrorInvalidRecurrence']);
			expect(((await graph('GET', `${anna}/calendar/events?$top=100`)).json.value as unknown[]).length).toBe(before);
			const created = await graph('POST', `${anna}/calendar/events`, weekly('monday'));
			expect(created.status).toBe(201);
			expect(await outcome('PATCH', `${anna}/calendar/events/${String(created.json.id)}`, { recurrence: weekly().recurrence })).toEqual([
				400,
				'ErrorInvalidRecurrence',
			]);
			const after = await graph('GET', `${anna}/calendar/events/${String(created.json.id)}`);
			expect((after.json.recurrence as { pattern: { firstDayOfWeek?: string } }).pattern.firstDayOfWeek).toBe('monday');
			expect(((await graph('GET', `${anna}/calendar/events?$top=100`)).json.value as unknown[]).length).toBe(before + 1);
		});
	});
});
