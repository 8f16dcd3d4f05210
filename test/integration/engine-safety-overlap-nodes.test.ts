/**
 * Issue 12 §2 "runs that overlap never create duplicates or lose updates": two runs of the contacts
 * template that overlap as two n8n executions do — both load the workflow's static data and read both
 * sides before either writes; each saves its own static data at its end (the later one wins). The nodes
 * of workflows/contacts-sync.json in-process, against the sandbox over HTTPS and an embedded CRM SQLite
 * file; afterwards every record exists once on each side and every edit has arrived.
 */
import { EmbeddedCrmBackend } from '../../lib/crm';
import { ANNA, startContactsTemplate, type ContactsTemplate } from '../helpers/contacts-template-nodes';

jest.setTimeout(120_000);

let t: ContactsTemplate;
const syncRun = () => t.syncRun();

/** Two runs that overlap: B reads before A writes; A saves first, B's static data is the one kept. */
async function overlappingRuns(): Promise<[Record<string, unknown>, Record<string, unknown>]> {
	const a = await t.readAndPlan(t.saved);
	const b = await t.readAndPlan(t.saved);
	const reportA = await t.applyAndCommit(a);
	const reportB = await t.applyAndCommit(b);
	t.saved = b.data;
	return [reportA, reportB];
}

beforeEach(async () => {
	t = await startContactsTemplate();
});

afterEach(async () => {
	await t.close();
});

const names = (list: string[]) => [...list].sort();

it('two overlapping runs, then ordinary runs: every new record once on each side, every edit arrived, unrelated data kept', async () => {
	const crm = EmbeddedCrmBackend.open(t.dbPath);
	const kept = await crm.create('contacts', { fields: { firstname: 'Kim', lastname: 'Kept', title: 'GF', description: 'CRM only text' } });
	const first = await syncRun();
	expect(first).toMatchObject({ created: 1, errors: 0 });
	const folderId = first.folderId as string;
	const mailbox = t.sb.sandbox.store.mailbox(ANNA);
	const keptItem = mailbox.listItems(folderId, 'contact')[0];
	mailbox.updateItem<'contact'>(keptItem.id, (d) => void (d.imAddresses = ['kim@im.example']));
	await syncRun();

	// New on both sides and an edit on each side, all picked up by both overlapping runs.
	await crm.create('contacts', { fields: { firstname: 'Cora', lastname: 'Crm' } });
	await crm.create('contacts', { fields: { firstname: 'Carl', lastname: 'Crm' } });
	mailbox.createItem(folderId, 'contact', { givenName: 'Olga', surname: 'Outlook' });
	mailbox.createItem(folderId, 'contact', { givenName: 'Otto', surname: 'Outlook' });
	await crm.update('contacts', kept.id, { fields: { title: 'Einkauf' } });

	const [a, b] = await overlappingRuns();
	expect(a).toMatchObject({ errors: 0 });
	expect(b).toMatchObject({ errors: 0 });
	for (let i = 0; i < 3; i++) expect(await syncRun()).toMatchObject({ errors: 0 });
	expect(await syncRun()).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0 });

	const crmNames = (await crm.list('contacts')).map((r) => `${String(r.fields.firstname)} ${String(r.fields.lastname)}`);
	const exNames = mailbox.listItems(folderId, 'contact').map((i) => {
		const d = i.data as { givenName?: string; surname?: string };
		return `${d.givenName ?? ''} ${d.surname ?? ''}`;
	});
	const expected = ['Carl Crm', 'Cora Crm', 'Kim Kept', 'Olga Outlook', 'Otto Outlook'];
	expect(names(crmNames)).toEqual(expected);
	expect(names(exNames)).toEqual(expected);
	const keptAfter = mailbox.listItems(folderId, 'contact').find((i) => (i.data as { surname?: string }).surname === 'Kept')?.data as unknown as Record<
		string,
		unknown
	>;
	expect(keptAfter.jobTitle).toBe('Einkauf');
	expect(keptAfter.imAddresses).toEqual(['kim@im.example']);
	expect((await crm.get('contacts', kept.id))?.fields.description).toBe('CRM only text');
	expect(await crm.listConflicts({ resolved: false })).toHaveLength(0);
	await crm.close();
});
