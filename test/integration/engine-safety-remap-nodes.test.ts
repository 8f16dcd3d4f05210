/**
 * Rule 1 when the builder changes the mapping of a field that is already in sync: the job title moves from
 * the CRM's `title` to a new custom field `cf_position`, which is empty in every record. That is not a CRM
 * user clearing the job title: the next CRM edit of the record must not clear it in Outlook, and the next
 * Outlook edit fills the new CRM field (lib/engine/mapping-change.ts). Before, the empty field read against
 * the pair's per-field base looked like a clear, and Outlook lost the job title. The nodes of
 * workflows/contacts-sync.json, run in-process, against the sandbox over HTTPS and an embedded CRM in a
 * real SQLite file.
 */
import { EmbeddedCrmBackend } from '../../lib/crm';
import { ANNA, startContactsTemplate, type ContactsTemplate } from '../helpers/contacts-template-nodes';

jest.setTimeout(120_000);

const REMAP = { 'fieldPairs.pair': [{ canonical: 'jobTitle', crm: 'cf_position', kind: 'text' }] };

let t: ContactsTemplate;

beforeEach(async () => {
	t = await startContactsTemplate();
});

afterEach(async () => {
	await t.close();
});

it.each(['lastModifiedWins', 'merge'])(
	'%s: after jobTitle is remapped to an empty CRM field, a CRM edit keeps the job title in Outlook and an Outlook edit fills the new field',
	async (policy) => {
		const crm = EmbeddedCrmBackend.open(t.dbPath);
		const max = await crm.create('contacts', {
			fields: { firstname: 'Max', lastname: 'Muster', title: 'Geschäftsführer', phone: '+49 89 1', leadsource: 'Partner', mailingcity: 'München' },
		});
		const first = await t.syncRun({ policy });
		expect(first).toMatchObject({ created: 1, errors: 0 });
		expect(await t.syncRun({ policy })).toMatchObject({ created: 0, updated: 0, errors: 0 });
		const mailbox = t.sb.sandbox.store.mailbox(ANNA);
		const folderId = first.folderId as string;
		const [item] = mailbox.listItems(folderId, 'contact');
		mailbox.updateItem<'contact'>(item.id, (d) => void (d.imAddresses = ['max@im.example']));
		expect(await t.syncRun({ policy })).toMatchObject({ updated: 0, errors: 0 });
		const outlook = () => mailbox.listItems(folderId, 'contact')[0].data as unknown as Record<string, unknown>;
		const crmFields = async () => (await crm.get('contacts', max.id))?.fields ?? {};

		// The builder's change, then a CRM user edits the phone.
		expect(await t.syncRun({ policy, mapping: REMAP })).toMatchObject({ created: 0, updated: 0, errors: 0 });
		await crm.update('contacts', max.id, { fields: { phone: '+49 89 2' } });
		expect(await t.syncRun({ policy, mapping: REMAP })).toMatchObject({ updated: 1, errors: 0, conflicts: 0 });
		expect(outlook()).toMatchObject({ jobTitle: 'Geschäftsführer', businessPhones: ['+49 89 2'], surname: 'Muster', imAddresses: ['max@im.example'] });
		expect((outlook().businessAddress as { city?: string }).city).toBe('München');
		expect((await crmFields()).cf_position ?? '').toBe('');

		// An Outlook edit of another field: the job title reaches the new CRM field; the old one is no longer the sync's.
		mailbox.updateItem<'contact'>(item.id, (d) => void (d.department = 'Einkauf'));
		expect(await t.syncRun({ policy, mapping: REMAP })).toMatchObject({ updated: 1, errors: 0, conflicts: 0 });
		expect(await crmFields()).toMatchObject({
			cf_position: 'Geschäftsführer',
			department: 'Einkauf',
			title: 'Geschäftsführer',
			phone: '+49 89 2',
			leadsource: 'Partner',
			mailingcity: 'München',
		});
		expect(outlook()).toMatchObject({ jobTitle: 'Geschäftsführer', department: 'Einkauf', imAddresses: ['max@im.example'] });
		expect(await t.syncRun({ policy, mapping: REMAP })).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0, conflicts: 0 });
		await crm.close();
	},
);
