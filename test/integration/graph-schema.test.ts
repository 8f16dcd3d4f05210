/**
 * Every JSON body the Graph client sends and every body the sandbox answers, checked against
 * the v1.0 schema of @microsoft/microsoft-graph-types (property names and JSON types), over a
 * flow that runs every operation of lib/exchange/graph/client.ts. The exchanges are recorded
 * by the sandbox itself (GraphFace.recordExchanges), not mocked.
 *
 * The types package is .d.ts only: its interfaces are read with the TypeScript compiler API
 * into a property table (name → JSON type, base interfaces), see `loadSchema`.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as ts from 'typescript';

import { ClientCredentialsTokenProvider, GraphExchangeClient, HttpTransport } from '../../lib/exchange';
import type { CalendarEvent, Contact, Task } from '../../lib/model/types';
import type { GraphExchange } from '../../sandbox/graph/face';
import { strictRuleViolations } from '../../sandbox/graph/strictRules';
import { NO_MEETING_MESSAGES, startTestSandbox, type TestSandbox } from '../helpers/sandbox';

// ---- the v1.0 property table ----------------------------------------------------------------

type Kind = { type: 'string' | 'number' | 'boolean' | 'any' } | { type: 'entity'; name: string } | { type: 'array'; of: Kind };

interface SchemaType {
	bases: string[];
	props: Map<string, Kind>;
}

interface Schema {
	types: Map<string, SchemaType>;
	/** property names of a type with its bases (lower-cased key → name) */
	lookup(type: string, property: string): Kind | undefined;
	has(type: string): boolean;
}

function loadSchema(): Schema {
	const file = require.resolve('@microsoft/microsoft-graph-types/microsoft-graph.d.ts');
	const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
	const interfaces = new Map<string, ts.InterfaceDeclaration>();
	const aliases = new Map<string, ts.TypeNode>();
	for (const statement of source.statements) {
		if (ts.isInterfaceDeclaration(statement)) interfaces.set(statement.name.text, statement);
		else if (ts.isTypeAliasDeclaration(statement)) aliases.set(statement.name.text, statement.type);
	}
	const kindOf = (node: ts.TypeNode, seen = new Set<string>()): Kind => {
		if (node.kind === ts.SyntaxKind.StringKeyword) return { type: 'string' };
		if (node.kind === ts.SyntaxKind.NumberKeyword) return { type: 'number' };
		if (node.kind === ts.SyntaxKind.BooleanKeyword) return { type: 'boolean' };
		if (ts.isArrayTypeNode(node)) return { type: 'array', of: kindOf(node.elementType, seen) };
		if (ts.isLiteralTypeNode(node)) return ts.isStringLiteral(node.literal) ? { type: 'string' } : { type: 'any' };
		if (ts.isParenthesizedTypeNode(node)) return kindOf(node.type, seen);
		if (ts.isUnionTypeNode(node)) {
			const members = node.types.filter((t) => !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword));
			return members.length === 1 ? kindOf(members[0], seen) : members.every((t) => ts.isLiteralTypeNode(t)) ? { type: 'string' } : { type: 'any' };
		}
		if (ts.isTypeReferenceNode(node)) {
			const name = node.typeName.getText(source);
			if (name === 'NullableOption' && node.typeArguments?.[0]) return kindOf(node.typeArguments[0], seen);
			if (interfaces.has(name)) return { type: 'entity', name };
			const alias = aliases.get(name);
			if (alias && !seen.has(name)) return kindOf(alias, new Set([...seen, name]));
		}
		return { type: 'any' };
	};
	const types = new Map<string, SchemaType>();
	for (const [name, decl] of interfaces) {
		const bases = (decl.heritageClauses ?? []).flatMap((h) => h.types.map((t) => t.expression.getText(source)));
		const props = new Map<string, Kind>();
		for (const member of decl.members) {
			if (!ts.isPropertySignature(member) || !member.type) continue;
			const key = ts.isStringLiteral(member.name) ? member.name.text : member.name.getText(source);
			props.set(key, kindOf(member.type));
		}
		types.set(name, { bases, props });
	}
	const lookup = (type: string, property: string): Kind | undefined => {
		const t = types.get(type);
		if (!t) return undefined;
		return t.props.get(property) ?? t.bases.map((b) => lookup(b, property)).find((k) => k !== undefined);
	};
	return { types, lookup, has: (type) => types.has(type) };
}

// ---- validation -------------------------------------------------------------------------------

/** "#microsoft.graph.fileAttachment" → "FileAttachment" */
function typeFromOdata(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	const m = /^#microsoft\.graph\.(\w+)$/.exec(value);
	return m ? m[1][0].toUpperCase() + m[1].slice(1) : undefined;
}

function isAnnotation(key: string): boolean {
	return key.startsWith('@') || key.includes('@odata.');
}

function checkValue(schema: Schema, kind: Kind, value: unknown, where: string, problems: string[]): void {
	if (value === null || kind.type === 'any') return;
	if (kind.type === 'array') {
		if (!Array.isArray(value)) problems.push(`${where}: expected an array, got ${typeof value}`);
		else value.forEach((v, i) => checkValue(schema, kind.of, v, `${where}[${i}]`, problems));
		return;
	}
	if (kind.type === 'entity') {
		if (typeof value !== 'object' || Array.isArray(value))
			problems.push(`${where}: expected an object (${kind.name}), got ${Array.isArray(value) ? 'array' : typeof value}`);
		else checkObject(schema, kind.name, value as Record<string, unknown>, where, problems);
		return;
	}
	if (typeof value !== kind.type) problems.push(`${where}: expected ${kind.type}, got ${typeof value} (${JSON.stringify(value).slice(0, 60)})`);
}

function checkObject(schema: Schema, type: string, value: Record<string, unknown>, where: string, problems: string[]): void {
	const declared = typeFromOdata(value['@odata.type']);
	const actual = declared && schema.has(declared) ? declared : type;
	for (const [key, v] of Object.entries(value)) {
		if (key === '@removed') {
			const reason = (v as { reason?: unknown } | null)?.reason;
			if (reason !== 'changed' && reason !== 'deleted')
				problems.push(`${where}.@removed: reason must be "changed" or "deleted", got ${JSON.stringify(reason)}`);
			continue;
		}
		if (isAnnotation(key)) continue;
		const kind = schema.lookup(actual, key);
		if (!kind) {
			problems.push(`unknown property ${actual}.${key} (${where})`);
			continue;
		}
		checkValue(schema, kind, v, `${where}.${key}`, problems);
	}
}

/** Request parameters of the actions the client calls (actions are not entity types). */
const ACTION_PARAMETERS: Record<string, Record<string, Kind>> = {
	// https://learn.microsoft.com/en-us/graph/api/message-move?view=graph-rest-1.0#request-body
	move: { destinationId: { type: 'string' } },
	// https://learn.microsoft.com/en-us/graph/api/event-cancel?view=graph-rest-1.0#request-body
	cancel: { comment: { type: 'string' } },
	// https://learn.microsoft.com/en-us/graph/api/event-forward?view=graph-rest-1.0#request-body
	forward: { comment: { type: 'string' }, toRecipients: { type: 'array', of: { type: 'entity', name: 'Recipient' } } },
};

/** The entity type a Graph path is about, or an action name (POST …/move). */
function resourceOf(path: string): { type: string } | { action: string } | undefined {
	const segments = path.split('/').filter(Boolean);
	const rest = segments[0] === 'me' ? segments.slice(1) : segments[0] === 'users' ? segments.slice(2) : segments;
	if (segments[0] === 'subscriptions') return { type: 'Subscription' };
	if (rest.length === 0) return { type: 'User' };
	const last = rest[rest.length - 1];
	if (ACTION_PARAMETERS[last]) return { action: last };
	const names = rest.map((s) => s.toLowerCase());
	const has = (s: string): boolean => names.includes(s);
	if (has('linkedresources')) return { type: 'LinkedResource' };
	if (has('tasks')) return { type: 'TodoTask' };
	if (has('lists')) return { type: 'TodoTaskList' };
	if (has('attachments')) return { type: 'Attachment' };
	if (has('messages')) return { type: 'Message' };
	if (has('mailfolders')) return { type: 'MailFolder' };
	if (has('events') || has('calendarview') || has('instances')) return { type: 'Event' };
	if (has('calendars') || has('calendar')) return { type: 'Calendar' };
	if (has('contacts')) return { type: 'Contact' };
	if (has('contactfolders')) return { type: 'ContactFolder' };
	return undefined;
}

/** What an action answers with (cancel and forward answer 202 without a body). */
const ACTION_RESULTS: Record<string, string> = { move: 'Message' };

function checkBody(schema: Schema, path: string, body: unknown, where: string, problems: string[], side: 'request' | 'response'): void {
	if (body === undefined || body === null || typeof body !== 'object') return;
	const found = resourceOf(path);
	const resource = side === 'response' && found && 'action' in found && ACTION_RESULTS[found.action] ? { type: ACTION_RESULTS[found.action] } : found;
	if (!resource) {
		problems.push(`${where}: no schema type known for ${path}`);
		return;
	}
	if ('action' in resource) {
		const params = ACTION_PARAMETERS[resource.action];
		for (const [key, v] of Object.entries(body as Record<string, unknown>)) {
			const kind = params[key];
			if (!kind) problems.push(`unknown parameter ${resource.action}.${key} (${where})`);
			else checkValue(schema, kind, v, `${where}.${key}`, problems);
		}
		return;
	}
	const record = body as Record<string, unknown>;
	if (Array.isArray(record.value)) {
		for (const key of Object.keys(record)) if (key !== 'value' && !isAnnotation(key)) problems.push(`unknown collection property ${key} (${where})`);
		record.value.forEach((v, i) => checkValue(schema, { type: 'entity', name: resource.type }, v, `${where}.value[${i}]`, problems));
		return;
	}
	checkObject(schema, resource.type, record, where, problems);
}

// ---- the flow ---------------------------------------------------------------------------------

const ANNA = 'anna@contoso.example';
let sb: TestSandbox;
let schema: Schema;

beforeAll(async () => {
	schema = loadSchema();
	sb = await startTestSandbox({ config: { requireHttpsNotificationUrl: true } });
});

afterAll(async () => {
	await sb.stop();
});

function graphClient(): GraphExchangeClient {
	const transport = new HttpTransport({ ca: sb.ca });
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

async function drain(
	client: GraphExchangeClient,
	component: 'contact' | 'event' | 'task',
	folderId: string,
	cursor?: string,
	window?: { from: string; to: string },
): Promise<string> {
	for (;;) {
		const page = await client.listChanges(component, folderId, cursor, { window, pageSize: 2 });
		cursor = page.cursor;
		if (!page.hasMore) return cursor;
	}
}

/** A webhook receiver that answers Graph's validation handshake (trusted through the sandbox CA). */
async function receiver(): Promise<{ url: string; close(): Promise<void> }> {
	const server = https.createServer({ key: sb.sandbox.tls.key, cert: sb.sandbox.tls.cert }, (req, res) => {
		const token = new URL(req.url ?? '/', 'https://localhost').searchParams.get('validationToken');
		req.resume();
		req.on('end', () => (token !== null ? res.writeHead(200, { 'content-type': 'text/plain' }).end(token) : res.writeHead(202).end()));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `https://localhost:${(server.address() as AddressInfo).port}/hook`,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

/** Runs every operation of the Graph client once (or more) against the sandbox. */
async function runClientFlow(): Promise<void> {
	const client = graphClient();
	const window = { from: '2026-10-01T00:00:00.000Z', to: '2027-03-01T00:00:00.000Z' };
	try {
		await client.ping();
		const folders = await client.ensureSyncFolders({ components: ['contact', 'event', 'task', 'mail'] });
		await client.ensureSyncFolders({ components: ['contact', 'event', 'task'], useDefaultFolder: { contact: true, event: true, task: true } });
		for (const kind of ['contact', 'event', 'task', 'mail'] as const) await client.listFolders(kind);
		const contactFolder = folders.contact as string;
		const calendar = folders.event as string;
		const list = folders.task as string;

		// contacts: both the CRM-Sync folder and the default Contacts folder
		for (const folder of [contactFolder, 'contacts']) {
			let cursor = await drain(client, 'contact', folder);
			const contact: Contact = {
				firstName: 'Erika',
				lastName: 'Mustermann',
				email: 'erika@example.com',
				otherEmail: 'e.m@example.org',
				accountName: 'Contoso',
				phone: '+49 30 1234',
				mobile: '+49 170 1234',
				birthday: '1980-05-17',
				website: 'https://contoso.example',
				categories: ['Kunde'],
				billingAddress: { street: 'Hauptstr. 1', city: 'Berlin', postalCode: '10115', country: 'Germany' },
			};
			const created = await client.create('contact', folder, contact, 'crm1:contacts:1');
			await client.get('contact', folder, created.id);
			const updated = await client.update('contact', folder, created.id, { ...contact, jobTitle: 'CEO' }, 'crm1:contacts:1', { etag: created.etag });
			await client.createMany('contact', folder, [
				{ record: { firstName: 'A', lastName: 'One' }, ident: 'crm1:contacts:2' },
				{ record: { firstName: 'B', lastName: 'Two' } },
			]);
			cursor = await drain(client, 'contact', folder, cursor);
			await client.delete('contact', folder, created.id, { etag: updated.etag });
			await drain(client, 'contact', folder, cursor);
		}

		// events: single, all-day, series with a moved and a cancelled occurrence, batch create
		let eventCursor = await drain(client, 'event', calendar, undefined, window);
		const single: CalendarEvent = {
			subject: 'Kick-off',
			start: { dateTime: '2026-11-23T08:30:00.000Z', timeZone: 'Europe/Berlin' },
			end: { dateTime: '2026-11-23T09:30:00.000Z', timeZone: 'Europe/Berlin' },
			location: 'Raum 1',
			body: 'Agenda',
			categories: ['Meeting'],
			isPrivate: true,
			attendees: [{ email: 'kunde@example.com', name: 'Kunde', type: 'required' }],
		};
		const a = await client.create('event', calendar, single, 'crm1:events:1', { attendeesInBody: true });
		await client.create(
			'event',
			calendar,
			{ subject: 'Messe', isAllDay: true, start: { dateTime: '2026-12-01' }, end: { dateTime: '2026-12-03' } },
			'crm1:events:2',
		);
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
		const s = await client.create('event', calendar, series, 'crm1:events:s');
		await client.update('event', calendar, s.id, { ...series, subject: 'Jour fixe neu' }, 'crm1:events:s');
		await client.update('event', calendar, a.id, { ...single, subject: 'Kick-off 2' }, 'crm1:events:1', { etag: a.etag, attendeesInBody: true });
		await client.get('event', calendar, a.id);
		await client.createMany('event', calendar, [
			{
				record: { subject: 'Batch 1', start: { dateTime: '2026-11-25T10:00:00.000Z' }, end: { dateTime: '2026-11-25T11:00:00.000Z' } },
				ident: 'crm1:events:3',
			},
		]);
		eventCursor = await drain(client, 'event', calendar, eventCursor, window);
		await client.delete('event', calendar, a.id);
		await client.delete('event', calendar, s.id);
		await drain(client, 'event', calendar, eventCursor, window);

		// To Do tasks
		let taskCursor = await drain(client, 'task', list);
		const task: Task = {
			subject: 'Angebot schicken',
			body: 'bis Freitag',
			startDate: '2026-11-20',
			dueDate: '2026-11-27',
			status: 'notStarted',
			priority: 'high',
			reminderAt: '2026-11-26T08:00:00.000Z',
			categories: ['CRM'],
		};
		const t = await client.create('task', list, task, 'crm1:tasks:1');
		await client.get('task', list, t.id);
		await client.update('task', list, t.id, { ...task, status: 'completed', completedAt: '2026-11-25T10:00:00.000Z' }, 'crm1:tasks:1', { etag: t.etag });
		await client.createMany('task', list, [{ record: { subject: 'Batch task' }, ident: 'crm1:tasks:2' }]);
		taskCursor = await drain(client, 'task', list, taskCursor);
		await client.delete('task', list, t.id);
		await drain(client, 'task', list, taskCursor);

		// mail: E9 move into CRM-Sync, delta of that folder, summary, MIME
		const [messageId] = (await sb.control.generate({ mailbox: ANNA, messages: 1 })).messages ?? [];
		const mailRoot = folders.mail?.root as string;
		let mailCursor: string | undefined;
		for (;;) {
			const page = await client.listMessageChanges(mailRoot, mailCursor, { pageSize: 5 });
			mailCursor = page.cursor;
			if (!page.hasMore) break;
		}
		const moved = await client.moveMessage(messageId, mailRoot);
		await client.listMessageChanges(mailRoot, mailCursor);
		await client.getMessage(moved.id);
		await client.getMessageMime(moved.id);

		// change notifications
		const hook = await receiver();
		try {
			const subscription = await client.createSubscription({
				resource: client.resourceFor('contact', contactFolder),
				changeType: 'created,updated,deleted',
				clientState: 'flow-secret',
				notificationUrl: hook.url,
				lifecycleNotificationUrl: hook.url,
				expirationDateTime: new Date(Date.now() + 3600_000).toISOString(),
			});
			await client.renewSubscription(subscription.id, new Date(Date.now() + 7200_000).toISOString());
			await client.deleteSubscription(subscription.id);
		} finally {
			await hook.close();
		}

		await client.removeSyncFolders(['contact', 'event', 'task', 'mail']);
	} finally {
		client.close();
	}
}

describe('Graph schema (issue 13 §2): client requests and sandbox responses use only v1.0 properties', () => {
	let exchanges: GraphExchange[] = [];

	beforeAll(async () => {
		await sb.control.reset();
		const recorder = sb.recordGraph();
		exchanges = recorder.exchanges;
		try {
			await runClientFlow();
		} finally {
			recorder.stop();
		}
	});

	it('S18: the whole flow (meetings with attendees in the body, deleted series) sent no meeting message', async () => {
		expect(await sb.control.meetingMessages()).toEqual(NO_MEETING_MESSAGES);
	});

	it('the property table knows the Outlook types', () => {
		expect(schema.lookup('Event', 'seriesMasterId')).toEqual({ type: 'string' });
		expect(schema.lookup('Event', 'id')).toEqual({ type: 'string' }); // inherited from Entity
		expect(schema.lookup('MailFolder', 'wellKnownName')).toBeUndefined();
		expect(schema.lookup('Event', 'occurrenceId')).toBeUndefined();
	});

	it('the checker itself flags unknown properties, wrong JSON types and undocumented @removed reasons', () => {
		const problems: string[] = [];
		checkBody(schema, '/me/mailFolders', { value: [{ id: 'x', displayName: 'Inbox', wellKnownName: 'inbox', sizeInBytes: 1 }] }, 'fake', problems, 'response');
		checkBody(schema, '/me/calendar/events/x', { id: 'x', occurrenceId: null, isAllDay: 'no', start: { dateTime: 1 } }, 'fake', problems, 'response');
		checkBody(schema, '/me/contactFolders/f/contacts/delta', { value: [{ id: 'y', '@removed': { reason: 'gone' } }] }, 'fake', problems, 'response');
		expect(problems).toEqual([
			'unknown property MailFolder.wellKnownName (fake.value[0])',
			'unknown property MailFolder.sizeInBytes (fake.value[0])',
			'unknown property Event.occurrenceId (fake)',
			'fake.isAllDay: expected boolean, got string ("no")',
			'fake.start.dateTime: expected string, got number (1)',
			'fake.value[0].@removed: reason must be "changed" or "deleted", got "gone"',
		]);
	});

	it('the flow ran every client operation (folders, deltas, CRUD, series, $batch, move, subscriptions)', () => {
		const seen = new Set(
			exchanges.map((e) => `${e.method} ${resourceOf(e.path) ? JSON.stringify(resourceOf(e.path)) : e.path}${/\/delta$/.test(e.path) ? ' delta' : ''}`),
		);
		for (const expected of [
			'GET {"type":"Contact"} delta',
			'GET {"type":"Event"} delta',
			'GET {"type":"TodoTask"} delta',
			'GET {"type":"Message"} delta',
			'POST {"type":"Contact"}',
			'PATCH {"type":"Contact"}',
			'DELETE {"type":"Contact"}',
			'POST {"type":"Event"}',
			'PATCH {"type":"Event"}',
			'DELETE {"type":"Event"}',
			'POST {"type":"TodoTask"}',
			'PATCH {"type":"TodoTask"}',
			'DELETE {"type":"TodoTask"}',
			'POST {"action":"move"}',
			'POST {"type":"Subscription"}',
			'PATCH {"type":"Subscription"}',
			'DELETE {"type":"Subscription"}',
			'POST {"type":"ContactFolder"}',
			'POST {"type":"Calendar"}',
			'POST {"type":"TodoTaskList"}',
			'POST {"type":"MailFolder"}',
			'POST /$batch',
		]) {
			expect([...seen]).toContain(expected);
		}
		expect(exchanges.some((e) => e.inBatch)).toBe(true);
		expect(exchanges.some((e) => JSON.stringify(e.responseBody ?? null).includes('"@removed"'))).toBe(true);
	});

	it('the sandbox answers only with v1.0 properties and documented @removed reasons', () => {
		const problems: string[] = [];
		for (const e of exchanges) {
			if (e.status >= 400 || e.path === '/$batch') continue;
			checkBody(schema, e.path, e.responseBody, `response to ${e.method} ${e.path}`, problems, 'response');
		}
		const unique = [...new Set(problems.map((p) => p.replace(/\[\d+\]/g, '[]')))];
		expect(unique).toEqual([]);
	});

	it('the client sends only v1.0 properties', () => {
		const problems: string[] = [];
		for (const e of exchanges) {
			if (e.path === '/$batch' || e.requestBody === undefined) continue;
			checkBody(schema, e.path, e.requestBody, `${e.method} ${e.path}`, problems, 'request');
		}
		const unique = [...new Set(problems.map((p) => p.replace(/\[\d+\]/g, '[]')))];
		expect(unique).toEqual([]);
	});

	it('the client breaks no strict rule (sandbox/graph/strictRules.ts; all enforced, none pending)', () => {
		const hits = new Map<string, string>();
		for (const e of exchanges) {
			if (!e.route) continue;
			const body = /\/events(\/[^/]+)?$/i.test(e.path) && (e.method === 'POST' || e.method === 'PATCH') ? e.requestBody : undefined;
			for (const v of strictRuleViolations(e.route, e.query, body)) hits.set(v.id, `${e.method} ${e.path}?${e.query.toString()}: ${v.message}`);
		}
		expect(Object.fromEntries(hits)).toEqual({});
	});

	it('no request of the flow failed unexpectedly', () => {
		// 404s are expected: reads after deletes, the client's "already gone" checks
		const failures = exchanges
			.filter((e) => e.status >= 400 && e.status !== 404)
			.map((e) => `${e.status} ${e.method} ${e.path}?${e.query.toString()} ${JSON.stringify(e.responseBody).slice(0, 200)}`);
		expect(failures).toEqual([]);
	});
});
