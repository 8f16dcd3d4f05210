/**
 * Issue 12 §2 "the empty-side guard fires for every component, contacts included": an emptied contacts
 * folder stops the run with a clear error and keeps every pair and CRM record; "Allow Emptying a Side"
 * lets an intended wipe through for one run (contacts: the CRM records stay, S6). The nodes of
 * workflows/contacts-sync.json in-process, against the sandbox over HTTPS and an embedded CRM SQLite file.
 */
import { EmbeddedCrmBackend } from '../../lib/crm';
import { ANNA, startContactsTemplate, type ContactsTemplate } from '../helpers/contacts-template-nodes';

jest.setTimeout(120_000);

let t: ContactsTemplate;
let sb: ContactsTemplate['sb'];
let dbPath: string;
const syncRun = (options?: Parameters<ContactsTemplate['syncRun']>[0]) => t.syncRun(options);

beforeEach(async () => {
	t = await startContactsTemplate();
	({ sb, dbPath } = t);
});

afterEach(async () => {
	await t.close();
});

it('an emptied contacts folder stops the run and keeps pairs and CRM records; the option lets the wipe through once', async () => {
	const crm = EmbeddedCrmBackend.open(dbPath);
	await crm.create('contacts', { fields: { firstname: 'A', lastname: 'One', description: 'CRM text' } });
	await crm.create('contacts', { fields: { firstname: 'B', lastname: 'Two' } });
	const first = await syncRun();
	expect(first).toMatchObject({ created: 2, pairs: 2 });
	const folderId = first.folderId as string;
	const mailbox = sb.sandbox.store.mailbox(ANNA);
	for (const item of mailbox.listItems(folderId, 'contact')) mailbox.deleteItem(item.id);

	for (let run = 0; run < 2; run++) {
		const stopped = await syncRun().catch((error: unknown) => error);
		expect(stopped).toBeInstanceOf(Error);
		expect((stopped as Error).message).toMatch(/reported no items although 2 were synced/);
	}
	expect((await crm.list('contacts')).map((r) => r.fields.lastname).sort()).toEqual(['One', 'Two']);

	const wiped = await syncRun({ planOptions: { allowEmptySide: true } });
	expect(wiped).toMatchObject({ errors: 0, deleted: 0 });
	const left = await crm.list('contacts');
	expect(left.map((r) => r.fields.lastname).sort()).toEqual(['One', 'Two']);
	expect(left.find((r) => r.fields.lastname === 'One')?.fields.description).toBe('CRM text');
	expect(mailbox.listItems(folderId, 'contact')).toHaveLength(0);
	// The wipe is remembered: the next ordinary run neither stops nor brings the contacts back.
	expect(await syncRun()).toMatchObject({ created: 0, deleted: 0, errors: 0 });
	expect(mailbox.listItems(folderId, 'contact')).toHaveLength(0);
	await crm.close();
});

it('"Allow Emptying a Side" lets through no more than "Allow Emptying Up To": a bigger wipe still stops and keeps everything', async () => {
	const crm = EmbeddedCrmBackend.open(dbPath);
	for (const last of ['One', 'Two', 'Three']) await crm.create('contacts', { fields: { firstname: 'X', lastname: last } });
	const first = await syncRun();
	expect(first).toMatchObject({ created: 3, pairs: 3 });
	const mailbox = sb.sandbox.store.mailbox(ANNA);
	for (const item of mailbox.listItems(first.folderId as string, 'contact')) mailbox.deleteItem(item.id);

	const stopped = await syncRun({ planOptions: { allowEmptySide: true, allowEmptyUpTo: 2 } }).catch((error: unknown) => error);
	expect((stopped as Error).message).toMatch(/although 3 were synced before; emptying is allowed for up to 2 records only/);
	expect(await crm.list('contacts')).toHaveLength(3);
	expect(await syncRun({ planOptions: { allowEmptySide: true, allowEmptyUpTo: 3 } })).toMatchObject({ errors: 0 });
	await crm.close();
});
