/**
 * `npm run test:ews-live`: the EWS client against a real Exchange server. Needs EWS_URL,
 * EWS_USERNAME, EWS_PASSWORD (optional: EWS_AUTH=basic|ntlm, EWS_MAILBOX, EWS_ALLOW_SELF_SIGNED=1,
 * EWS_CA_FILE). Works in a folder of its own ("CRM-Sync live test <time>") under Contacts,
 * Calendar and Tasks, and deletes those folders at the end, so the mailbox is left as found.
 */
import { readFileSync } from 'node:fs';

import { EwsExchangeClient } from '../../lib/exchange/ews/client';
import { ewsOptionsFromCredential } from '../../lib/exchange/ews/connection';
import type { CalendarEvent, Contact, Task } from '../../lib/model/types';

const { EWS_URL, EWS_USERNAME, EWS_PASSWORD } = process.env;
const configured = Boolean(EWS_URL && EWS_USERNAME && EWS_PASSWORD);
const live = configured ? describe : describe.skip;

if (!configured) {
	// eslint-disable-next-line no-console
	console.log('EWS live test skipped: set EWS_URL, EWS_USERNAME and EWS_PASSWORD to run it against a real Exchange server.');
}

live('EWS live server', () => {
	const folderName = `CRM-Sync live test ${new Date().toISOString().replace(/[:.]/g, '-')}`;
	let client: EwsExchangeClient;
	let folders: { contact?: string; event?: string; task?: string };

	beforeAll(async () => {
		client = new EwsExchangeClient(
			ewsOptionsFromCredential({
				url: EWS_URL as string,
				authentication: (process.env.EWS_AUTH as 'basic' | 'ntlm') ?? 'basic',
				username: EWS_USERNAME,
				password: EWS_PASSWORD,
				mailbox: process.env.EWS_MAILBOX,
				allowSelfSigned: process.env.EWS_ALLOW_SELF_SIGNED === '1',
				ca: process.env.EWS_CA_FILE ? readFileSync(process.env.EWS_CA_FILE, 'utf8') : undefined,
			}),
		);
		folders = await client.ensureSyncFolders({ components: ['contact', 'event', 'task'], folderName });
	});

	afterAll(async () => {
		if (client) {
			await client.removeSyncFolders(['contact', 'event', 'task'], folderName);
			client.service.XHRApi.disconnect();
		}
	});

	test('folders exist and are found again by name under the distinguished folders', async () => {
		const again = await client.ensureSyncFolders({ components: ['contact', 'event', 'task'], folderName });
		expect(again).toEqual(folders);
	});

	test('contact, event and task round trips with ident; stale ChangeKey is a conflict; change feed sees them', async () => {
		const contact: Contact = { firstName: 'Live', lastName: 'Test', email: 'live.test@example.com', accountName: 'Example GmbH' };
		const c = await client.create('contact', folders.contact as string, contact, 'live:contacts:1');
		expect(c.record).toMatchObject(contact);
		expect(c.ident).toBe('live:contacts:1');
		const u = await client.update('contact', folders.contact as string, c.id, { ...contact, jobTitle: 'QA' }, undefined, { etag: c.etag });
		await expect(client.update('contact', folders.contact as string, c.id, contact, undefined, { etag: c.etag })).rejects.toMatchObject({ code: 'conflict' });
		expect(u.record.jobTitle).toBe('QA');

		const event: CalendarEvent = {
			subject: 'CRM-Sync live test',
			start: { dateTime: '2030-01-07T09:00:00.000Z', timeZone: 'Europe/Berlin' },
			end: { dateTime: '2030-01-07T10:00:00.000Z', timeZone: 'Europe/Berlin' },
		};
		const e = await client.create('event', folders.event as string, event);
		expect(e.record.start).toEqual(event.start);

		const task: Task = { subject: 'CRM-Sync live test', dueDate: '2030-01-10', status: 'notStarted' };
		const t = await client.create('task', folders.task as string, task);
		expect(t.record).toMatchObject(task);

		const feed = await client.listChanges('contact', folders.contact as string, undefined);
		expect(feed.items.map((i) => i.id)).toContain(c.id);
	});
});
