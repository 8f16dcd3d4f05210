/**
 * Issue 12 §2 "A write that failed is tried again, never dropped": the CRM refuses an Outlook contact (its
 * mandatory last name is missing; the Plan's own check is set to another field, as a mapping that does not
 * know the CRM's rules would be). The nodes of workflows/contacts-sync.json, run in-process in the
 * template's order, against the sandbox over HTTPS and an embedded CRM in a real SQLite file.
 */
import { EmbeddedCrmBackend } from '../../lib/crm';
import { ANNA, startContactsTemplate, type ContactsTemplate } from '../helpers/contacts-template-nodes';

jest.setTimeout(120_000);

let t: ContactsTemplate;
let sb: ContactsTemplate['sb'];
let dbPath: string;
const syncRun = () => t.syncRun({ planOptions: { requiredCrmFields: 'firstName' } });

beforeEach(async () => {
	t = await startContactsTemplate();
	({ sb, dbPath } = t);
});

afterEach(async () => {
	await t.close();
});

const surnames = (items: Array<{ data: unknown }>) =>
	items.map((i) => `${(i.data as { givenName?: string }).givenName ?? ''} ${(i.data as { surname?: string }).surname ?? ''}`.trim()).sort();

it('keeps a contact the CRM refused pending: retried with back-off, one open sync conflict, the rest syncs on; written once fixed in Outlook', async () => {
	const crm = EmbeddedCrmBackend.open(dbPath);
	const bystander = await crm.create('contacts', { fields: { firstname: 'Bea', lastname: 'Bestand', description: 'CRM only' } });
	await crm.close();
	const first = await syncRun();
	expect(first).toMatchObject({ created: 1, errors: 0, pendingRetries: 0 });
	const folderId = first.folderId as string;
	const mailbox = sb.sandbox.store.mailbox(ANNA);
	const refused = mailbox.createItem(folderId, 'contact', { givenName: 'Nur' });
	mailbox.createItem(folderId, 'contact', { givenName: 'Gut', surname: 'Mensch' });

	const refusedRun = await syncRun();
	expect(refusedRun).toMatchObject({ created: 1, errors: 1, cursorsCommitted: true, pendingRetries: 1 });
	const retried = await syncRun();
	expect(retried).toMatchObject({ created: 0, errors: 1, pendingRetries: 1 });
	const waiting = await syncRun();
	expect(waiting).toMatchObject({ created: 0, errors: 0, conflicts: 1, pendingRetries: 1 });

	const between = EmbeddedCrmBackend.open(dbPath);
	const open = await between.listConflicts({ resolved: false });
	expect(open).toHaveLength(1);
	expect(open[0].reason).toMatch(/lastname/);
	expect((await between.list('contacts')).map((r) => r.fields.lastname).sort()).toEqual(['Bestand', 'Mensch']);
	await between.close();

	mailbox.updateItem<'contact'>(refused.id, (d) => void (d.surname = 'Noch'));
	const fixed = await syncRun();
	expect(fixed).toMatchObject({ created: 1, errors: 0, pendingRetries: 0 });

	const after = EmbeddedCrmBackend.open(dbPath);
	expect((await after.list('contacts')).map((r) => `${String(r.fields.firstname)} ${String(r.fields.lastname)}`).sort()).toEqual([
		'Bea Bestand',
		'Gut Mensch',
		'Nur Noch',
	]);
	expect((await after.get('contacts', bystander.id))?.fields.description).toBe('CRM only');
	expect(await after.listConflicts({ resolved: false })).toHaveLength(0);
	await after.close();
	expect(surnames(mailbox.listItems(folderId, 'contact'))).toEqual(['Bea Bestand', 'Gut Mensch', 'Nur Noch']);
	expect(await syncRun()).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0, conflicts: 0 });
});
