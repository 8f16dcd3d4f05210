/**
 * Recorded EWS answers (Microsoft's samples, exchangelib and ews-javascript-api recordings,
 * Gromox traffic) through the EWS client: same transport handling, ews-javascript-api
 * parsing and mappers as live answers.
 */
import { EwsExchangeClient } from '../../lib/exchange/ews/client';
import { parseSoapFault } from '../../lib/exchange/ews/errors';
import { ExchangeError } from '../../lib/exchange/types';
import { ReplayXhrApi, type RecordedReply } from '../../sandbox/ews/replay';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { EWS_FIXTURES } from '../../sandbox/ews/replay';

const GROMOX_RECORDED = path.resolve(__dirname, '../../sandbox/ews/recorded/gromox');

function clientWith(replies: RecordedReply[], sleeps: number[] = []) {
	const xhr = new ReplayXhrApi(replies);
	const client = new EwsExchangeClient({
		url: 'https://exchange.example/EWS/Exchange.asmx',
		auth: { type: 'basic', username: 'anna@contoso.example', password: 'Passw0rd!' },
		mailbox: 'anna@contoso.example',
		xhr,
		retry: { sleep: async (ms) => void sleeps.push(ms) },
	});
	return { client, xhr };
}

describe('EWS client on recorded responses', () => {
	test('GetItem contact (Microsoft sample) → canonical contact', async () => {
		const { client, xhr } = clientWith([{ file: 'docs-samples/getitem-contact__02_response.xml' }]);
		const item = await client.get('contact', 'contacts', 'AAAtAEA=');
		expect(xhr.operations).toEqual(['GetItem']);
		expect(item?.id).toBe('AAAtAEA=');
		expect(item?.etag).toBe('EQAAABYq');
		expect(item?.folderId).toBe('AQAtAEFk==');
		expect(item?.record).toEqual({
			firstName: 'Tanja',
			lastName: 'Plate',
			jobTitle: 'Project Manager',
			accountName: 'Northwind Traders',
			email: 'tplate@example.com',
			otherEmail: 'tplate@example.com',
			phone: '5625550199',
			// the sample says <t:Country>, which the schema does not know (CountryOrRegion): dropped
			billingAddress: { street: '12345 67th Ave', city: 'Whittier', state: 'CA' },
		});
	});

	test('GetItem calendar item (Microsoft sample) → timed UTC event with reminder', async () => {
		const { client } = clientWith([{ file: 'docs-samples/getitem-calendar-item__04_response.xml' }]);
		const item = await client.get('event', 'calendar', 'ASUAdT');
		expect(item?.record).toEqual({
			start: { dateTime: '2006-06-16T00:30:00.000Z' },
			end: { dateTime: '2006-06-16T01:00:00.000Z' },
			reminderMinutes: 15,
		});
	});

	test('GetItem recurring master (Microsoft sample) → weekly numbered recurrence', async () => {
		const { client } = clientWith([{ file: 'docs-samples/create-a-recurring-series__04_response.xml' }]);
		const item = await client.get('event', 'calendar', 'AAMkAD');
		expect(item?.record.subject).toBe('Weekly Update Meeting');
		expect(item?.record.recurrence).toEqual({
			pattern: { type: 'weekly', interval: 1, daysOfWeek: ['saturday'] },
			range: { type: 'numbered', startDate: '2014-03-08', numberOfOccurrences: 10 },
		});
	});

	test('GetItem task (Microsoft sample) → canonical task', async () => {
		const { client } = clientWith([{ file: 'docs-samples/getitem-task__02_response.xml' }]);
		const item = await client.get('task', 'tasks', 'AAAtAEA=');
		expect(item?.record).toEqual({ subject: 'Buy new shoes', status: 'notStarted', priority: 'normal' });
	});

	test('SyncFolderItems (Microsoft sample) → changed ids loaded with GetItem, deletions listed, cursor = SyncState', async () => {
		const { client, xhr } = clientWith([{ file: 'docs-samples/syncfolderitems__02_response.xml' }, { file: 'docs-samples/getitem-contact__02_response.xml' }]);
		const page = await client.listChanges('contact', 'contacts', undefined);
		expect(xhr.operations).toEqual(['SyncFolderItems', 'GetItem']);
		expect(xhr.requests[0]).toContain('<m:MaxChangesReturned>512</m:MaxChangesReturned>');
		expect(page.fullResync).toBe(true);
		expect(page.cursor).toBe('H4sIAAAAA=');
		expect(page.items.map((i) => i.record.lastName)).toEqual(['Plate']);
		expect(page.hasMore).toBe(false);
	});

	test('ErrorServerBusy (real server fault, exchangelib) → waits BackOffMilliseconds, then succeeds', async () => {
		const sleeps: number[] = [];
		const { client, xhr } = clientWith(
			[
				{ file: 'exchangelib-test-fixtures/test_services__test_error_server_busy__fault.xml', status: 500 },
				{ file: 'docs-samples/getitem-task__02_response.xml' },
			],
			sleeps,
		);
		const item = await client.get('task', 'tasks', 'AAAtAEA=');
		expect(sleeps).toEqual([297749]);
		expect(xhr.operations).toEqual(['GetItem', 'GetItem']);
		expect(item?.record.subject).toBe('Buy new shoes');
		expect(client.stats.waitedMs).toBe(297749);
	});

	test('ErrorServerBusy longer than the allowed back-off → ExchangeError throttled, no wait', async () => {
		const sleeps: number[] = [];
		const xhr = new ReplayXhrApi([{ file: 'exchangelib-test-fixtures/test_services__test_error_server_busy__fault.xml', status: 500 }]);
		const client = new EwsExchangeClient({
			url: 'https://exchange.example/EWS/Exchange.asmx',
			auth: { type: 'basic', username: 'a', password: 'b' },
			mailbox: 'a@example.com',
			xhr,
			retry: { sleep: async (ms) => void sleeps.push(ms), maxBackOffMs: 60_000 },
		});
		await expect(client.get('task', 'tasks', 'x')).rejects.toMatchObject({ code: 'throttled' });
		expect(sleeps).toEqual([]);
	});

	test('fault parser reads code and back-off whatever the prefix and whitespace', () => {
		const body = readFileSync(path.join(EWS_FIXTURES, 'exchangelib-test-fixtures/test_services__test_error_server_busy__fault.xml'), 'utf8');
		expect(parseSoapFault(body)).toEqual({
			code: 'ErrorServerBusy',
			message: 'The server cannot service this request right now. Try again later.',
			backOffMs: 297749,
		});
		const gromox = readFileSync(path.join(EWS_FIXTURES, 'gromox-recorded/response-unsupported-op.xml'), 'utf8');
		expect(parseSoapFault(gromox)?.code).toBe('Server');
	});

	test('an error response for another reason than a missing item (ErrorUnsupportedMimeConversion) → an error, never "no such item"', async () => {
		// get() answering undefined means "deleted" to the sync's Confirm Items (an item not found, or a malformed id, is).
		const { client } = clientWith([{ file: 'docs-samples/getitem-contact__04_error-response.xml' }]);
		await expect(client.get('contact', 'contacts', 'bogus')).rejects.toThrow(/Mime conversion is not supported/);
	});

	describe('Gromox (real open-source EWS server) quirks', () => {
		test('upper-case SOAP: prefix, text/xml without charset: GetFolder inbox parses', async () => {
			const { client } = clientWith([{ file: 'gromox-recorded/response-getfolder-inbox.xml', contentType: 'text/xml' }]);
			const inbox = await client.getWellKnownFolder('inbox');
			expect(inbox).toMatchObject({
				id: 'AAAAAFn0heiDxd5PgkxZ99ACbAABAAEAAAClGHtvvNzqHtA8VlcAAAAAAA0AAAI=',
				displayName: 'Inbox',
				kind: 'mail',
				wellKnownName: 'inbox',
			});
		});

		test('FindItem answer with the empty t:Groups the schema does not allow parses', async () => {
			const { client } = clientWith([{ file: 'gromox-recorded/response-finditem-contacts.xml', contentType: 'text/xml' }]);
			const ids = await client.findItemIds('contacts');
			expect(ids).toEqual(['AAAAAFn0heiDxd5PgkxZ99ACbAAHAAEAAAClGHtvvNzqHtA8VlcAAAAAABMAAAEAAAClGHtvvNzqHtA8VlcAAAAIAAAAAAM=']);
		});

		test('bad id: HTTP 200 with ErrorInvalidId → notFound', async () => {
			const { client } = clientWith([{ file: 'gromox-recorded/response-getfolder-badid.xml', contentType: 'text/xml' }]);
			await expect(client.getFolder('AAAAbogus')).rejects.toMatchObject({ code: 'notFound' });
		});

		test('wrong password: 401 with a plain-text body → auth error with advice', async () => {
			const { client } = clientWith([{ file: 'gromox-recorded/response-wrongpw.body', status: 401, contentType: 'text/plain; charset=utf-8' }]);
			const error = await client.getWellKnownFolder('inbox').catch((e: unknown) => e);
			expect(error).toBeInstanceOf(ExchangeError);
			expect(error).toMatchObject({ code: 'auth', status: 401 });
			expect((error as ExchangeError).hint).toMatch(/password/);
		});

		test('no pull notifications (HTTP 500 fault for an unknown operation) → mail feed falls back to SyncFolderItems', async () => {
			const { client, xhr } = clientWith([
				{ file: 'gromox-recorded/response-unsupported-op.xml', status: 500, contentType: 'text/xml' },
				{ file: 'docs-samples/syncfolderitems__02_response.xml' },
			]);
			const page = await client.listMessageChanges('inbox', undefined);
			expect(xhr.operations).toEqual(['Subscribe', 'SyncFolderItems']);
			expect(page.messages.length).toBeGreaterThan(0);
			expect(page.messages.every((m) => m.previousFolderId === undefined)).toBe(true);
		});
	});

	/** Recorded 2026-12-05 from Gromox 3.10 (sandbox/ews/recorded/gromox/README.md). */
	describe('Gromox 3.10 answers recorded by the EWS engineer', () => {
		const gromox = (name: string): RecordedReply => ({
			body: readFileSync(path.join(GROMOX_RECORDED, `${name}.response.xml`), 'utf8'),
			contentType: 'text/xml',
		});
		const success = (operation: string): RecordedReply => ({
			contentType: 'text/xml',
			body: `<?xml version="1.0" encoding="UTF-8"?><SOAP:Envelope xmlns:SOAP="http://schemas.xmlsoap.org/soap/envelope/"><SOAP:Body><m:${operation}Response xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><m:ResponseMessages><m:${operation}ResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode></m:${operation}ResponseMessage></m:ResponseMessages></m:${operation}Response></SOAP:Body></SOAP:Envelope>`,
		});

		test('FindFolder without RootFolder (folder with no subfolders) → no folders, not a TypeError', async () => {
			const { client, xhr } = clientWith([gromox('findfolder-calendar')]);
			expect(await client.listFolders('event', 'calendar')).toEqual([]);
			expect(xhr.operations).toEqual(['FindFolder']);
		});

		test('FindItem without RootFolder (schema: minOccurs="0") → no items', async () => {
			const body = (gromox('findfolder-calendar').body as string).replace(/FindFolder/g, 'FindItem');
			const { client } = clientWith([{ body, contentType: 'text/xml' }]);
			expect(await client.findItemIds('tasks')).toEqual([]);
		});

		test('time zone given by Id only and sent twice → the appointment keeps Europe/Berlin', async () => {
			const { client } = clientWith([gromox('getitem-event-timezone')]);
			const item = await client.get('event', 'calendar', 'x');
			expect(item?.record).toMatchObject({
				subject: 'tz',
				start: { dateTime: '2030-01-07T09:00:00.000Z', timeZone: 'Europe/Berlin' },
				end: { dateTime: '2030-01-07T10:00:00.000Z', timeZone: 'Europe/Berlin' },
			});
		});

		test('stale ChangeKey: the client refuses before UpdateItem (Gromox would overwrite: updateitem-stale-changekey)', async () => {
			const recorded = readFileSync(path.join(GROMOX_RECORDED, 'updateitem-stale-changekey.response.xml'), 'utf8');
			expect(recorded).toContain('ResponseClass="Success"');
			const { client, xhr } = clientWith([{ file: 'docs-samples/getitem-contact__02_response.xml' }]);
			await expect(client.update('contact', 'contacts', 'AAAtAEA=', { firstName: 'X' }, undefined, { etag: 'stale' })).rejects.toMatchObject({
				code: 'conflict',
			});
			expect(xhr.operations).toEqual(['GetItem']);
		});

		test('DeleteFolder of a non-empty folder refused (ErrorCannotDeleteObject) → EmptyFolder, then DeleteFolder again', async () => {
			const { client, xhr } = clientWith([
				gromox('findfolder-msgfolderroot'),
				gromox('deletefolder-nonempty'),
				{ file: 'gromox-recorded/response-getfolder-inbox.xml', contentType: 'text/xml' },
				success('EmptyFolder'),
				success('DeleteFolder'),
			]);
			await client.removeSyncFolders(['mail'], 'Outbox');
			expect(xhr.operations).toEqual(['FindFolder', 'DeleteFolder', 'GetFolder', 'EmptyFolder', 'DeleteFolder']);
			expect(xhr.requests[3]).toMatch(/<m:EmptyFolder DeleteType="HardDelete" DeleteSubFolders="true"/);
		});
	});
});
