/**
 * Issue 12 §1/§2: a field the user cleared on one side is cleared on the other, also when the other side's
 * item was not read in that run (it did not change): the pair's last synced content (its per-field base)
 * tells which fields changed. Before, only the fields the source record still had were sent, so a city
 * cleared in the CRM stayed in Outlook for good (seen against vtiger). Exchange-only data stays. The nodes of workflows/contacts-sync.json, run in-process in the
 * template's order, against the sandbox over HTTPS and an embedded CRM in a real SQLite file.
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

it('a field cleared in the CRM is cleared in Outlook after idle runs; Outlook-only data and other fields stay', async () => {
	const crm = EmbeddedCrmBackend.open(dbPath);
	const max = await crm.create('contacts', { fields: { firstname: 'Max', lastname: 'Muster', mailingcity: 'München', title: 'GF', phone: '+49 89 1' } });
	const first = await syncRun();
	expect(first).toMatchObject({ created: 1, errors: 0 });
	const folderId = first.folderId as string;
	const mailbox = sb.sandbox.store.mailbox(ANNA);
	const [item] = mailbox.listItems(folderId, 'contact');
	// Outlook-only data: a third e-mail address, IM address and a second business phone.
	mailbox.updateItem<'contact'>(item.id, (d) => {
		d.imAddresses = ['max@im.example'];
		d.businessPhones = ['+49 89 1', '+49 89 2'];
	});
	expect(await syncRun()).toMatchObject({ created: 0, updated: 0, errors: 0 });
	expect(await syncRun()).toMatchObject({ created: 0, updated: 0, errors: 0 });

	await crm.update('contacts', max.id, { fields: { title: 'Einkauf', mailingcity: '' } });
	expect(await syncRun()).toMatchObject({ updated: 1, errors: 0, conflicts: 0 });
	const data = mailbox.listItems(folderId, 'contact')[0].data as unknown as Record<string, unknown>;
	expect(data.jobTitle).toBe('Einkauf');
	expect((data.businessAddress as { city?: string | null } | undefined)?.city ?? undefined).toBeUndefined();
	expect(data.imAddresses).toEqual(['max@im.example']);
	expect(data.businessPhones).toEqual(['+49 89 1', '+49 89 2']);
	expect(data.surname).toBe('Muster');
	const fields = (await crm.get('contacts', max.id))?.fields;
	expect(fields).toMatchObject({ firstname: 'Max', lastname: 'Muster', title: 'Einkauf', phone: '+49 89 1' });
	await crm.close();
	expect(await syncRun()).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0, conflicts: 0 });
});

it('a field cleared in Outlook is cleared in the CRM after idle runs; CRM-only fields stay', async () => {
	const crm = EmbeddedCrmBackend.open(dbPath);
	const max = await crm.create('contacts', { fields: { firstname: 'Max', lastname: 'Muster', title: 'GF', department: 'Einkauf', leadsource: 'Partner' } });
	const first = await syncRun();
	expect(first).toMatchObject({ created: 1, errors: 0 });
	expect(await syncRun()).toMatchObject({ created: 0, updated: 0, errors: 0 });
	const mailbox = sb.sandbox.store.mailbox(ANNA);
	const [item] = mailbox.listItems(first.folderId as string, 'contact');
	mailbox.updateItem<'contact'>(item.id, (d) => void delete d.jobTitle);
	expect(await syncRun()).toMatchObject({ updated: 1, errors: 0, conflicts: 0 });
	const fields = (await crm.get('contacts', max.id))?.fields ?? {};
	expect(fields.title ?? '').toBe('');
	expect(fields).toMatchObject({ firstname: 'Max', lastname: 'Muster', department: 'Einkauf', leadsource: 'Partner' });
	await crm.close();
	expect(await syncRun()).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0, conflicts: 0 });
});

it("both sides changed: the value last-modified-wins overwrote is in the Plan's notification output with both values and the winner", async () => {
	const crm = EmbeddedCrmBackend.open(dbPath);
	const max = await crm.create('contacts', { fields: { firstname: 'Max', lastname: 'Muster', title: 'GF' } });
	const first = await syncRun();
	expect(await syncRun()).toMatchObject({ updated: 0, errors: 0 });
	const mailbox = sb.sandbox.store.mailbox(ANNA);
	const [item] = mailbox.listItems(first.folderId as string, 'contact');
	await crm.update('contacts', max.id, { fields: { title: 'Einkauf' } });
	await new Promise((resolve) => setTimeout(resolve, 1100));
	mailbox.updateItem<'contact'>(item.id, (d) => void (d.jobTitle = 'Vertrieb'));
	const run = await syncRun();
	expect(run).toMatchObject({ updated: 1, errors: 0 });
	expect(run.notifications).toEqual([
		expect.objectContaining({
			kind: 'overridden',
			side: 'exchange',
			overridden: [{ field: 'jobTitle', crm: 'Einkauf', exchange: 'Vertrieb', winner: 'exchange' }],
		}),
	]);
	expect((await crm.get('contacts', max.id))?.fields.title).toBe('Vertrieb');
	await crm.close();
});
