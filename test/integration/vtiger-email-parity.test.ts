/**
 * How a real vtiger CRM 8.3.0 stores and relates e-mails (probed on loopback, 2026-12-07, with
 * ../shared/real-servers/vtiger-up, while running the e-mail import template against it), asserted on the
 * vtiger sandbox and — when VTIGER_URL, VTIGER_USERNAME and VTIGER_ACCESS_KEY are set — on the real
 * server with the very same requests. Then the vtiger backend's createEmail / findEmailByMessageId on both.
 * Before the fixes of this file's commit the sandbox listed e-mails of any activitytype, kept To/Cc/Bcc as
 * sent and showed add_related e-mails in a record's "Emails" list; the backend stored e-mails VTQL never
 * finds (so E6 never saw an imported e-mail), related them where vtiger's "Emails" lists do not look, and
 * read To/Cc/Bcc back as JSON text. Every record written is deleted again.
 */
import { CrmError, VtigerClient, VtigerCrmBackend, type CrmRecord } from '../../lib/crm';
import type { VtigerCrmConfig } from '../../lib/crm/config';
import { startVtigerSandbox } from '../../sandbox/vtiger/server';

type Values = Record<string, string | null>;

interface Target {
	name: string;
	open(): Promise<{ config: VtigerCrmConfig; close(): Promise<void> }>;
}

const live = process.env.VTIGER_URL && process.env.VTIGER_USERNAME && process.env.VTIGER_ACCESS_KEY;
const targets: Target[] = [
	{
		name: 'sandbox',
		async open() {
			const sandbox = await startVtigerSandbox({ users: [{ userName: 'admin', accessKey: 'k3y', isAdmin: true }] });
			return { config: { kind: 'vtiger', url: sandbox.url, userName: 'admin', accessKey: 'k3y', partnerModule: 'Vendors' }, close: () => sandbox.close() };
		},
	},
	...(live
		? [
				{
					name: `real vtiger (${process.env.VTIGER_URL})`,
					async open() {
						const config: VtigerCrmConfig = {
							kind: 'vtiger',
							url: process.env.VTIGER_URL as string,
							userName: process.env.VTIGER_USERNAME as string,
							accessKey: process.env.VTIGER_ACCESS_KEY as string,
							partnerModule: 'Vendors',
						};
						return { config, close: async () => undefined };
					},
				},
			]
		: []),
];

if (!live) {
	test('real vtiger part skipped: set VTIGER_URL, VTIGER_USERNAME and VTIGER_ACCESS_KEY (eval "$(../shared/real-servers/vtiger-up)")', () => {
		expect(live).toBeFalsy();
	});
}

const run = `em${Date.now().toString(36)}`;

describe.each(targets)('vtiger 8.3.0 e-mails: $name', (target) => {
	let client: VtigerClient;
	let crm: VtigerCrmBackend;
	let close: () => Promise<void>;
	let owner: string;
	const written: string[] = [];

	beforeAll(async () => {
		const opened = await target.open();
		close = opened.close;
		client = new VtigerClient(opened.config);
		crm = new VtigerCrmBackend(opened.config, { warn: () => undefined });
		owner = await client.userId();
	});
	afterAll(async () => {
		for (const id of written.reverse()) await client.post('delete', { id }).catch(() => undefined);
		await close();
	});

	async function create(elementType: string, element: Values): Promise<Values> {
		const values = (await client.post('create', { elementType, element: JSON.stringify({ assigned_user_id: owner, ...element }) })) as Values;
		written.push(String(values.id));
		return values;
	}
	const emailElement = (messageId: string, extra: Values = {}): Values => ({
		subject: `Mail ${run}`,
		from_email: `from.${run}@example.org`,
		saved_toid: `a.${run}@example.org`,
		ccmail: '',
		bccmail: '',
		date_start: '2026-11-23',
		email_flag: 'SAVED',
		cf_message_id: messageId,
		...extra,
	});
	const byMessageId = async (messageId: string) => client.query(`SELECT id FROM Emails WHERE cf_message_id = '${messageId}';`);
	const emailsOf = async (id: string) =>
		((await client.get('retrieve_related', { id, relatedType: 'Emails', relatedLabel: 'Emails' })) as Values[]).map((v) => v.id);

	test('VTQL on Emails sees only e-mails of activitytype "Emails"; the webservice sets none by itself', async () => {
		const untyped = await create('Emails', emailElement(`untyped-${run}`));
		expect(untyped.activitytype).toBe('');
		expect(await byMessageId(`untyped-${run}`)).toEqual([]);
		// retrieve still works: the record is there, only lists do not show it.
		expect(((await client.get('retrieve', { id: String(untyped.id) })) as Values).cf_message_id).toBe(`untyped-${run}`);
		const typed = await create('Emails', emailElement(`typed-${run}`, { activitytype: 'Emails' }));
		expect((await byMessageId(`typed-${run}`)).map((v) => v.id)).toEqual([typed.id]);
	});

	test('To, Cc and Bcc given as comma lists are stored as JSON arrays of the untrimmed parts', async () => {
		const stored = await create(
			'Emails',
			emailElement(`lists-${run}`, { activitytype: 'Emails', saved_toid: 'a@x.example,b@x.example', ccmail: 'c@x.example, d@x.example', bccmail: '' }),
		);
		expect([stored.saved_toid, stored.ccmail, stored.bccmail]).toEqual(['["a@x.example","b@x.example"]', '["c@x.example"," d@x.example"]', '[""]']);
		// A revise that does not name them leaves them as they are.
		const revised = (await client.post('revise', { element: JSON.stringify({ id: stored.id, subject: `Renamed ${run}` }) })) as Values;
		expect([revised.saved_toid, revised.ccmail]).toEqual([stored.saved_toid, stored.ccmail]);
	});

	test('an e-mail is in a record\'s "Emails" list when it was saved with the record in parent_id; add_related does not put it there', async () => {
		const contact = await create('Contacts', { lastname: `Contact ${run}` });
		const lead = await create('Leads', { lastname: `Lead ${run}`, company: 'Lead Co' });
		const email = await create('Emails', emailElement(`rel-${run}`, { activitytype: 'Emails', parent_id: String(contact.id) }));
		expect(email.parent_id).toBe(contact.id);
		expect(await emailsOf(String(contact.id))).toEqual([email.id]);

		expect(await client.post('add_related', { sourceRecordId: String(lead.id), relatedRecordId: String(email.id), relationIdLabel: 'Emails' })).toEqual({
			message: 'successfull',
		});
		expect(await emailsOf(String(lead.id))).toEqual([]);

		// Saved again with the lead: now in both lists, parent_id names the lead.
		const revised = (await client.post('revise', { element: JSON.stringify({ id: email.id, parent_id: lead.id }) })) as Values;
		expect(revised.parent_id).toBe(lead.id);
		expect(await emailsOf(String(lead.id))).toEqual([email.id]);
		expect(await emailsOf(String(contact.id))).toEqual([email.id]);
	});

	test('an account\'s "Emails" list also holds the e-mails of its contacts', async () => {
		const account = await create('Accounts', { accountname: `Roll-up ${run}` });
		const contact = await create('Contacts', { lastname: `Roll-up ${run}`, account_id: String(account.id) });
		const other = await create('Contacts', { lastname: `Other ${run}` });
		const toAccount = await create('Emails', emailElement(`acc-${run}`, { activitytype: 'Emails', parent_id: String(account.id) }));
		const toContact = await create('Emails', emailElement(`con-${run}`, { activitytype: 'Emails', parent_id: String(contact.id) }));
		await create('Emails', emailElement(`oth-${run}`, { activitytype: 'Emails', parent_id: String(other.id) }));
		expect((await emailsOf(String(account.id))).sort()).toEqual([toAccount.id, toContact.id].sort());
		expect(await emailsOf(String(contact.id))).toEqual([toContact.id]);
	});

	test("a reference to a record that is gone is taken without an error: dropped, or (an e-mail's parent_id) read as a user id", async () => {
		const gone = await create('Accounts', { accountname: `Gone ${run}` });
		await client.post('delete', { id: String(gone.id) });
		const contact = await create('Contacts', { lastname: `Ref ${run}`, account_id: String(gone.id) });
		expect(contact.account_id).toBeNull();
		const number = String(gone.id).split('x')[1];
		const orphan = await create('Emails', emailElement(`orphan-${run}`, { activitytype: 'Emails', parent_id: String(gone.id) }));
		expect(orphan.parent_id).toBe(`19x${number}`);
		// Only the number counts: a live record's number under another module's prefix names that record.
		const contactNumber = String(contact.id).split('x')[1];
		const misprefixed = await create('Emails', emailElement(`prefix-${run}`, { activitytype: 'Emails', parent_id: `11x${contactNumber}` }));
		expect(misprefixed.parent_id).toBe(contact.id);
		expect(await emailsOf(String(contact.id))).toEqual([misprefixed.id]);
	});

	test('the backend stores an e-mail the E6 lookup finds, in the "Emails" list of every linked record, with its Documents', async () => {
		const track = (r: CrmRecord) => {
			written.push(r.id);
			return r;
		};
		const contact = track(await crm.create('contacts', { fields: { lastname: `Max ${run}`, email: `max.${run}@example.org` } }));
		const lead = track(await crm.create('leads', { fields: { lastname: `neu.${run}`, company: 'beispiel', email: `neu.${run}@example.org` } }));
		const account = track(await crm.create('accounts', { fields: { accountname: `Acc ${run}`, email1: `info.${run}@example.org` } }));
		const messageId = `<backend-${run}@e2e.example>`;
		const input = {
			messageId,
			subject: `Angebot ${run}`,
			from: `max.${run}@example.org`,
			to: ['anna@contoso.example'],
			cc: [`neu.${run}@example.org`, `info.${run}@example.org`],
			bcc: [],
			sentAt: '2026-11-23T09:00:00.000Z',
			bodyText: 'Guten Tag,\nanbei unser Angebot.',
			headers: {},
			attachments: [{ fileName: 'notes.txt', contentType: 'text/plain', inline: false, content: Buffer.from('hello notes') }],
			links: [
				{ module: 'contacts' as const, id: contact.id },
				{ module: 'leads' as const, id: lead.id },
				{ module: 'accounts' as const, id: account.id },
			],
		};
		const email = await crm.createEmail(input);
		written.push(email.id, ...email.attachments.map((a) => a.id));

		const found = await crm.findEmailByMessageId(messageId);
		expect(found).toMatchObject({
			id: email.id,
			subject: input.subject,
			from: input.from,
			to: input.to,
			cc: input.cc,
			bcc: [],
			links: [{ module: 'contacts', id: contact.id }],
		});
		expect(found?.bodyText).toContain('anbei unser Angebot');
		expect(found?.attachments).toEqual([expect.objectContaining({ fileName: 'notes.txt', size: 11, inline: false })]);
		for (const record of [contact, lead, account]) expect({ id: record.id, emails: await emailsOf(record.id) }).toEqual({ id: record.id, emails: [email.id] });
		await expect(crm.createEmail(input)).rejects.toMatchObject({ code: 'duplicate' });
	});

	test('a failed relation leaves no e-mail behind', async () => {
		const contact = await crm.create('contacts', { fields: { lastname: `Fail ${run}` } });
		written.push(contact.id);
		const messageId = `<fail-${run}@e2e.example>`;
		const error = await crm
			.createEmail({
				messageId,
				subject: 'x',
				from: 'a@x.example',
				to: ['b@x.example'],
				cc: [],
				bcc: [],
				headers: {},
				attachments: [],
				links: [
					{ module: 'contacts', id: contact.id },
					{ module: 'contacts', id: '12x999999' },
				],
			})
			.then(
				() => undefined,
				(e: unknown) => e,
			);
		expect(error).toBeInstanceOf(CrmError);
		expect(error).toMatchObject({ code: 'notFound' });
		expect(await crm.findEmailByMessageId(messageId)).toBeUndefined();
		expect(await emailsOf(contact.id)).toEqual([]);
	});
});
