/**
 * Issue 12 §1 on EWS (found by the soak): an update with `changedFields` writes only the properties of
 * those fields. Before, the EWS client ignored changedFields and wrote every mapped property, so a CRM
 * change of an appointment's place or a task's due date cleared the owner's categories (which the
 * mapping does not sync) and turned a formatted HTML body into plain text.
 */
import { ClientCredentialsTokenProvider, GraphExchangeClient, HttpTransport } from '../../lib/exchange';
import { EwsExchangeClient } from '../../lib/exchange/ews/client';
import type { CalendarEvent, Contact, Task } from '../../lib/model/types';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';

const ANNA = 'anna@contoso.example';
const HTML = '<div><b>Bring</b> the <i>samples</i></div>';
let sb: TestSandbox;
let graph: GraphExchangeClient;
let ews: EwsExchangeClient;
let transport: HttpTransport;

type Json = Record<string, unknown>;

async function raw(method: string, path: string, body?: unknown): Promise<Json> {
	const token = await sb.control.token(ANNA);
	const res = await transport.send({
		method,
		url: `${sb.graphUrl}${path}`,
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', prefer: 'outlook.body-content-type="html"' },
		...(body !== undefined ? { body: JSON.stringify(body) } : {}),
	});
	const text = res.body.toString('utf8');
	if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
	return text ? (JSON.parse(text) as Json) : {};
}

beforeAll(async () => {
	sb = await startTestSandbox();
	transport = new HttpTransport({ ca: sb.ca });
	graph = new GraphExchangeClient({
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
	ews = new EwsExchangeClient({
		url: sb.ewsUrl,
		auth: { type: 'basic', username: ANNA, password: 'Passw0rd!' },
		mailbox: ANNA,
		retry: { sleep: async () => undefined },
	});
});

afterAll(async () => {
	graph?.close();
	ews?.service.XHRApi.disconnect();
	await sb?.stop();
});

async function syncFolder(component: 'contact' | 'event' | 'task'): Promise<string> {
	const folders = await ews.ensureSyncFolders({ components: [component] });
	const id = folders[component];
	if (!id) throw new Error(`no ${component} sync folder`);
	return id;
}

it('EWS update of an appointment with changedFields [location] keeps its categories, show-as and HTML body', async () => {
	const folder = await syncFolder('event');
	const created = await raw('POST', `/users/${ANNA}/calendars/${folder}/events`, {
		subject: 'Review',
		start: { dateTime: '2030-03-04T10:00:00', timeZone: 'UTC' },
		end: { dateTime: '2030-03-04T11:00:00', timeZone: 'UTC' },
		location: { displayName: 'Room 1' },
		body: { contentType: 'html', content: HTML },
		categories: ['Red category'],
		showAs: 'tentative',
	});
	const current = await ews.get('event', folder, String(created.id));
	const record: CalendarEvent = { ...(current?.record as CalendarEvent), location: 'Room 2', categories: undefined, body: 'Bring the samples' };
	await ews.update('event', folder, String(created.id), record, undefined, { changedFields: ['location'] });
	const after = await raw('GET', `/users/${ANNA}/events/${String(created.id)}`);
	expect(after.location).toMatchObject({ displayName: 'Room 2' });
	expect(after.categories).toEqual(['Red category']);
	expect(after.showAs).toBe('tentative');
	expect(after.body).toEqual({ contentType: 'html', content: HTML });
});

it('EWS update of a task with changedFields [dueDate] keeps its categories and HTML body', async () => {
	const folder = await syncFolder('task');
	const created = await raw('POST', `/users/${ANNA}/todo/lists/${folder}/tasks`, {
		title: 'Call back',
		body: { contentType: 'html', content: HTML },
		dueDateTime: { dateTime: '2030-03-04T00:00:00', timeZone: 'UTC' },
		categories: ['Errand'],
	});
	const current = await ews.get('task', folder, String(created.id));
	const record: Task = { ...(current?.record as Task), dueDate: '2030-03-09', categories: undefined, body: 'Bring the samples' };
	await ews.update('task', folder, String(created.id), record, undefined, { changedFields: ['dueDate'] });
	const after = await raw('GET', `/users/${ANNA}/todo/lists/${folder}/tasks/${String(created.id)}`);
	expect((after.dueDateTime as { dateTime: string }).dateTime.slice(0, 10)).toBe('2030-03-09');
	expect(after.categories).toEqual(['Errand']);
	expect(after.body).toEqual({ contentType: 'html', content: HTML });
});

it('EWS update of a contact with changedFields [jobTitle] keeps its categories and the rest', async () => {
	const folder = await syncFolder('contact');
	const created = await raw('POST', `/users/${ANNA}/contactFolders/${folder}/contacts`, {
		givenName: 'Eva',
		surname: 'Lind',
		jobTitle: 'CFO',
		department: 'Finance',
		categories: ['Kunde'],
	});
	const current = await ews.get('contact', folder, String(created.id));
	const record: Contact = { ...(current?.record as Contact), jobTitle: 'CEO', department: undefined, categories: undefined };
	await ews.update('contact', folder, String(created.id), record, undefined, { changedFields: ['jobTitle'] });
	const after = await raw('GET', `/users/${ANNA}/contacts/${String(created.id)}`);
	expect(after.jobTitle).toBe('CEO');
	expect(after.department).toBe('Finance');
	expect(after.categories).toEqual(['Kunde']);
});
