/**
 * Issue 12 §1 on Graph: an update with `changedFields` changes only the Graph properties of those
 * fields. Items are seeded raw through the sandbox's Graph API with many properties the mapping does
 * not sync, updated through the client, and read back raw: everything else is bit-identical.
 */
import fc from 'fast-check';

import { ClientCredentialsTokenProvider, GraphExchangeClient, HttpTransport } from '../../lib/exchange';
import type { CalendarEvent, Contact, Task } from '../../lib/model/types';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';

let sb: TestSandbox;
let transport: HttpTransport;
let client: GraphExchangeClient;
const ANNA = 'anna@contoso.example';
const ROOT = `/users/${encodeURIComponent(ANNA)}`;

type Json = Record<string, unknown>;

async function raw(method: string, path: string, body?: unknown): Promise<Json> {
	const token = await sb.control.token(ANNA);
	const res = await transport.send({
		method,
		url: `${sb.graphUrl}${path}`,
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', prefer: 'IdType="ImmutableId"' },
		...(body !== undefined ? { body: JSON.stringify(body) } : {}),
	});
	const text = res.body.toString('utf8');
	if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
	return text ? (JSON.parse(text) as Json) : {};
}

/** Everything but the bookkeeping Exchange changes on every write. */
function stable(item: Json): Json {
	const out: Json = { ...item };
	for (const k of ['@odata.etag', '@odata.context', 'changeKey', 'lastModifiedDateTime', 'bodyLastModifiedDateTime']) delete out[k];
	return out;
}

function expectOnlyChanged(before: Json, after: Json, changed: readonly string[]): void {
	const a = stable(before);
	const b = stable(after);
	for (const k of changed) {
		delete a[k];
		delete b[k];
	}
	expect(b).toEqual(a);
}

const HTML_BODY = '<html><body><p>Met at <b>Hannover Messe</b></p><ul><li>wants a quote</li></ul></body></html>';

const OUTLOOK_CONTACT: Json = {
	givenName: 'Anna',
	middleName: 'Maria',
	surname: 'Berg',
	displayName: 'Dr. Anna Maria Berg',
	fileAs: 'Berg, Anna',
	nickName: 'Anni',
	title: 'Dr.',
	jobTitle: 'CTO',
	department: 'R&D',
	companyName: 'Contoso',
	officeLocation: 'Building 4',
	profession: 'Engineer',
	assistantName: 'Paul',
	spouseName: 'Jan',
	manager: 'Eva',
	personalNotes: 'Prefers calls in the morning',
	businessHomePage: 'https://contoso.example',
	emailAddresses: [
		{ address: 'anna@contoso.example', name: 'Anna Berg (work)' },
		{ address: 'anna.private@example.org', name: 'anna.private@example.org' },
		{ address: 'anna3@example.net', name: 'Third' },
	],
	imAddresses: ['sip:anna@contoso.example', 'anna.skype'],
	businessPhones: ['+49 30 1111', '+49 30 2222'],
	homePhones: ['+49 30 3333', '+49 30 4444'],
	mobilePhone: '+49 170 5555',
	homeAddress: { street: 'Homestr. 1', city: 'Berlin', postalCode: '10115', countryOrRegion: 'Germany' },
	businessAddress: { street: 'Work 2', city: 'Berlin', postalCode: '10117', countryOrRegion: 'Germany' },
	otherAddress: { street: 'Other 3', city: 'Hamburg', postalCode: '20095', countryOrRegion: 'Germany' },
	children: ['Lena'],
	categories: ['VIP', 'Red category'],
};

let folders: { contact: string; event: string; task: string };

beforeAll(async () => {
	sb = await startTestSandbox();
	transport = new HttpTransport({ ca: sb.ca });
	client = new GraphExchangeClient({
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
});

afterAll(async () => {
	client.close();
	await sb.stop();
});

beforeEach(async () => {
	await sb.control.reset();
	const f = await client.ensureSyncFolders({ components: ['contact', 'event', 'task'] });
	folders = { contact: f.contact as string, event: f.event as string, task: f.task as string };
});

async function seedContact(extra: Json = {}): Promise<Json> {
	return raw('POST', `${ROOT}/contactFolders/${folders.contact}/contacts`, { ...OUTLOOK_CONTACT, ...extra });
}

const readContact = (id: string): Promise<Json> => raw('GET', `${ROOT}/contactFolders/${folders.contact}/contacts/${id}`);

describe('contacts: only the changed fields are written', () => {
	it('a phone edit changes the first business phone and nothing else', async () => {
		const seeded = await seedContact();
		const id = seeded.id as string;
		const before = await readContact(id);
		const item = await client.get('contact', folders.contact, id);
		const record: Contact = { ...(item?.record as Contact), phone: '+49 30 9999' };
		await client.update('contact', folders.contact, id, record, undefined, { changedFields: ['phone'] });
		const after = await readContact(id);
		expect(after.businessPhones).toEqual(['+49 30 9999', '+49 30 2222']);
		expectOnlyChanged(before, after, ['businessPhones']);
	});

	it('e-mail slots: email is slot 0, otherEmail slot 1, the third address stays; a cleared field removes only its slot', async () => {
		const id = (await seedContact()).id as string;
		const before = await readContact(id);
		const record = (await client.get('contact', folders.contact, id))?.record as Contact;
		await client.update('contact', folders.contact, id, { ...record, otherEmail: 'anna.new@example.org' }, undefined, { changedFields: ['otherEmail'] });
		const after = await readContact(id);
		expect(after.emailAddresses).toEqual([
			{ address: 'anna@contoso.example', name: 'Anna Berg (work)' },
			{ address: 'anna.new@example.org', name: 'anna.new@example.org' },
			{ address: 'anna3@example.net', name: 'Third' },
		]);
		expectOnlyChanged(before, after, ['emailAddresses']);

		const { otherPhone: _dropped, ...withoutOtherPhone } = record;
		await client.update('contact', folders.contact, id, withoutOtherPhone, undefined, { changedFields: ['otherPhone'] });
		const cleared = await readContact(id);
		expect(cleared.homePhones).toEqual(['+49 30 4444']);
		expectOnlyChanged(after, cleared, ['homePhones']);
	});

	it('a description edit writes plain text (S9); a name edit touches only the name parts; categories only when changed', async () => {
		const id = (await seedContact()).id as string;
		const before = await readContact(id);
		const record = (await client.get('contact', folders.contact, id))?.record as Contact;
		await client.update('contact', folders.contact, id, { ...record, description: 'New note' }, undefined, { changedFields: ['description'] });
		const afterNote = await readContact(id);
		expect(afterNote.personalNotes).toBe('New note');
		expectOnlyChanged(before, afterNote, ['personalNotes']);

		await client.update('contact', folders.contact, id, { ...record, lastName: 'Berg-Meyer' }, undefined, { changedFields: ['lastName'] });
		const afterName = await readContact(id);
		expect(afterName.surname).toBe('Berg-Meyer');
		expect(afterName.givenName).toBe('Anna');
		expect(afterName.middleName).toBe('Maria');
		expectOnlyChanged(afterNote, afterName, ['surname', 'displayName', 'fileAs']);
	});

	it("without changedFields the whole mapped record is written (today's full write)", async () => {
		const id = (await seedContact()).id as string;
		const record = (await client.get('contact', folders.contact, id))?.record as Contact;
		await client.update('contact', folders.contact, id, { ...record, categories: undefined }, undefined, {});
		const after = await readContact(id);
		expect(after.categories).toEqual([]);
		expect((after.emailAddresses as unknown[]).length).toBe(2);
	});

	it('property: Exchange-only properties survive any sequence of sync edits', async () => {
		const LIST_FIELDS = new Set<string>(['email', 'otherEmail', 'phone', 'otherPhone']);
		const editable = ['jobTitle', 'department', 'description', 'email', 'otherEmail', 'phone', 'otherPhone', 'mobile', 'website', 'lastName'] as const;
		const value = fc.oneof(fc.constant(undefined), fc.stringMatching(/^[a-z]{1,8}$/));
		const edit = fc.record({ field: fc.constantFrom(...editable), value });
		const exchangeOnly = fc.record({
			imAddresses: fc.array(fc.stringMatching(/^[a-z]{1,6}$/), { maxLength: 3 }),
			nickName: fc.stringMatching(/^[A-Z][a-z]{0,6}$/),
			homeAddress: fc.record({ street: fc.stringMatching(/^[A-Z][a-z]{1,8}$/), city: fc.stringMatching(/^[A-Z][a-z]{1,8}$/) }),
			categories: fc.uniqueArray(fc.stringMatching(/^[A-Z][a-z]{1,6}$/), { maxLength: 3 }),
			thirdEmail: fc.stringMatching(/^[a-z]{1,6}$/),
			secondPhone: fc.stringMatching(/^[0-9]{3,8}$/),
		});
		await fc.assert(
			fc.asyncProperty(exchangeOnly, fc.array(edit, { minLength: 1, maxLength: 4 }), async (only, edits) => {
				const seeded = await seedContact({
					imAddresses: only.imAddresses,
					nickName: only.nickName,
					homeAddress: only.homeAddress,
					categories: only.categories,
					emailAddresses: [
						{ address: 'a@x.example', name: 'a@x.example' },
						{ address: 'b@x.example', name: 'b@x.example' },
						{ address: `${only.thirdEmail}@third.example`, name: 'Third' },
					],
					businessPhones: ['100', only.secondPhone],
				});
				const id = seeded.id as string;
				const keep = (c: Json): Json => ({
					imAddresses: c.imAddresses,
					nickName: c.nickName,
					homeAddress: c.homeAddress,
					categories: c.categories,
					thirdEmail: (c.emailAddresses as Array<{ address: string }>).find((e) => e.address.endsWith('@third.example')),
					secondPhone: (c.businessPhones as string[]).slice(-1),
					children: c.children,
					title: c.title,
				});
				const before = keep(await readContact(id));
				for (const e of edits) {
					const record = { ...((await client.get('contact', folders.contact, id))?.record as Contact) } as Record<string, unknown>;
					const v = e.field === 'email' || e.field === 'otherEmail' ? (e.value ? `${e.value}@edit.example` : undefined) : e.value;
					// A cleared list slot is removed and the later entries move up (Graph has no empty slots);
					// clears of list fields are covered by the slot test above, not here.
					if (LIST_FIELDS.has(e.field) && !v) continue;
					if (v === undefined) delete record[e.field];
					else record[e.field] = v;
					await client.update('contact', folders.contact, id, record as Contact, undefined, { changedFields: [e.field] });
					const now = await client.get('contact', folders.contact, id);
					expect((now?.record as Record<string, unknown>)[e.field]).toEqual(v);
				}
				expect(keep(await readContact(id))).toEqual(before);
			}),
			{ numRuns: 12 },
		);
	});
});

describe('events: only the changed fields are written', () => {
	it('a subject edit leaves the HTML body, categories, importance, sensitivity, showAs and the reminder as they are', async () => {
		const seeded = await raw('POST', `${ROOT}/calendars/${folders.event}/events`, {
			subject: 'Review',
			body: { contentType: 'html', content: HTML_BODY },
			start: { dateTime: '2026-12-10T09:00:00', timeZone: 'W. Europe Standard Time' },
			end: { dateTime: '2026-12-10T10:00:00', timeZone: 'W. Europe Standard Time' },
			location: { displayName: 'Room 1' },
			categories: ['Blue category'],
			importance: 'high',
			sensitivity: 'confidential',
			showAs: 'tentative',
			isReminderOn: true,
			reminderMinutesBeforeStart: 30,
		});
		const id = seeded.id as string;
		const path = `${ROOT}/calendars/${folders.event}/events/${id}`;
		const before = await raw('GET', path);
		const record = (await client.get('event', folders.event, id))?.record as CalendarEvent;
		await client.update('event', folders.event, id, { ...record, subject: 'Review (moved)' }, undefined, { changedFields: ['subject'] });
		const after = await raw('GET', path);
		expect(after.subject).toBe('Review (moved)');
		expectOnlyChanged(before, after, ['subject']);

		await client.update('event', folders.event, id, { ...record, body: 'Plain agenda' }, undefined, { changedFields: ['body'] });
		const afterBody = await raw('GET', path);
		// Exchange keeps event bodies as HTML; the text written is what comes back as text (S9).
		expect(String((afterBody.body as { content: string }).content)).toContain('<body>Plain agenda</body>');
		expect((await client.get('event', folders.event, id))?.record.body).toBe('Plain agenda');
		expectOnlyChanged(after, afterBody, ['body', 'bodyPreview']);
	});
});

describe('series: recurrence and exceptions only when the recurrence changed', () => {
	it('a subject edit of a series leaves its recurrence, its moved occurrence and its cancelled occurrence as they are', async () => {
		const series: CalendarEvent = {
			subject: 'Weekly',
			start: { dateTime: '2026-12-07T08:00:00.000Z', timeZone: 'Europe/Berlin' },
			end: { dateTime: '2026-12-07T09:00:00.000Z', timeZone: 'Europe/Berlin' },
			recurrence: {
				pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] },
				range: { type: 'numbered', startDate: '2026-12-07', numberOfOccurrences: 4, recurrenceTimeZone: 'Europe/Berlin' },
				exceptions: [
					{
						originalStart: '2026-12-14T08:00:00.000Z',
						start: { dateTime: '2026-12-14T10:00:00.000Z', timeZone: 'Europe/Berlin' },
						end: { dateTime: '2026-12-14T11:00:00.000Z', timeZone: 'Europe/Berlin' },
					},
					{ originalStart: '2026-12-21T08:00:00.000Z', deleted: true },
				],
			},
		};
		const created = await client.create('event', folders.event, series, 'crm-series');
		const path = `${ROOT}/calendars/${folders.event}/events/${created.id}`;
		const instancesPath = `${path}/instances?startDateTime=2026-12-01T00:00:00Z&endDateTime=2027-01-31T00:00:00Z`;
		const before = await raw('GET', path);
		const instancesBefore = await raw('GET', instancesPath);
		const recorder = sb.recordGraph();
		// The record as the CRM might send it: the exceptions it knows differ (it lost the moved one).
		const edited: CalendarEvent = {
			...series,
			subject: 'Weekly (renamed)',
			recurrence: { ...(series.recurrence as NonNullable<CalendarEvent['recurrence']>), exceptions: [] },
		};
		await client.update('event', folders.event, created.id, edited, 'crm-series', { changedFields: ['subject'] });
		recorder.stop();
		const after = await raw('GET', path);
		expect(after.subject).toBe('Weekly (renamed)');
		expectOnlyChanged(before, after, ['subject']);
		const subjects = (v: Json): Json[] => (v.value as Json[]).map((i) => ({ ...stable(i), subject: undefined }));
		expect(subjects(await raw('GET', instancesPath))).toEqual(subjects(instancesBefore));
		expect(recorder.exchanges.filter((x) => x.method !== 'GET').map((x) => `${x.method} ${x.path.endsWith(created.id) ? 'master' : x.path}`)).toEqual([
			'PATCH master',
		]);
	});
});

describe('To Do tasks: only the changed fields are written', () => {
	it('a due-date edit leaves the HTML body, categories, importance and reminder as they are', async () => {
		const seeded = await raw('POST', `${ROOT}/todo/lists/${folders.task}/tasks`, {
			title: 'Send quote',
			body: { contentType: 'html', content: HTML_BODY },
			importance: 'high',
			status: 'inProgress',
			categories: ['Yellow category'],
			isReminderOn: true,
			reminderDateTime: { dateTime: '2026-12-09T08:00:00.0000000', timeZone: 'UTC' },
			dueDateTime: { dateTime: '2026-12-10T00:00:00.0000000', timeZone: 'UTC' },
		});
		const id = seeded.id as string;
		const path = `${ROOT}/todo/lists/${folders.task}/tasks/${id}`;
		const before = await raw('GET', path);
		const record = (await client.get('task', folders.task, id))?.record as Task;
		await client.update('task', folders.task, id, { ...record, dueDate: '2026-12-12' }, undefined, { changedFields: ['dueDate'] });
		const after = await raw('GET', path);
		expect((after.dueDateTime as { dateTime: string }).dateTime.slice(0, 10)).toBe('2026-12-12');
		expectOnlyChanged(before, after, ['dueDateTime']);
	});
});
