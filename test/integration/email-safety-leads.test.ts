/**
 * Issue 12 §4: one e-mail to 500 unknown recipients creates at most N leads ("Max New Leads Per
 * E-Mail", default 10); the other addresses are reported with the reason. Through the E-mail to
 * Lead node (n8n execute interface) and the importer, on a real SQLite CRM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import { EmbeddedCrmBackend } from '../../lib/crm';
import { DEFAULT_EMAIL_IMPORT_OPTIONS, EmailImporter } from '../../lib/email';
import { closeSharedCrmBackends } from '../../nodes/Crm/transport/backend';
import { EmailToLead } from '../../nodes/EmailToLead/EmailToLead.node';

const OWNER = 'owner@firm.example';
const KNOWN = 'known@kunde.example';
const recipients = (count: number) => Array.from({ length: count }, (_, i) => `empfaenger${i + 1}@mailing.example`);

/** A newsletter-style message: an unknown sender, 500 unknown To, one known contact in Cc. */
function mailing(count = 500): Buffer {
	return Buffer.from(
		[
			'From: "Versand" <versand@mailing.example>',
			`To: ${recipients(count).join(',\r\n ')}`,
			`Cc: ${KNOWN}, ${OWNER}`,
			'Subject: Rundschreiben',
			'Message-ID: <rundschreiben-500@mailing.example>',
			'Date: Mon, 02 Mar 2026 09:00:00 +0100',
			'MIME-Version: 1.0',
			'Content-Type: text/plain; charset=utf-8',
			'',
			'Liebe alle,',
			'',
		].join('\r\n'),
	);
}

const NODE: INode = {
	id: 'email-safety-leads',
	name: 'E-mail to Lead',
	type: 'n8n-nodes-exchange-crm-sync.emailToLead',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

function executeContext(credentials: ICredentialDataDecryptedObject, params: Record<string, unknown>, items: INodeExecutionData[]): IExecuteFunctions {
	const context = {
		getInputData: () => items,
		getNode: () => NODE,
		continueOnFail: () => false,
		getCredentials: async () => credentials,
		getNodeParameter(name: string, _itemIndex: number, fallback?: unknown) {
			if (name in params) return params[name];
			if (fallback !== undefined) return fallback;
			throw new Error(`test did not set parameter "${name}"`);
		},
		helpers: {
			async getBinaryDataBuffer(itemIndex: number, property: string) {
				return Buffer.from(items[itemIndex].binary?.[property]?.data ?? '', 'base64');
			},
		},
	};
	return context as unknown as IExecuteFunctions;
}

describe('lead limit per e-mail', () => {
	let dir: string;
	let databasePath: string;

	beforeEach(async () => {
		dir = mkdtempSync(path.join(tmpdir(), 'email-safety-leads-'));
		databasePath = path.join(dir, 'crm.sqlite');
		const crm = EmbeddedCrmBackend.open(databasePath);
		crm.saveUser({ id: 'u1', userName: 'owner', email: OWNER, active: true });
		await crm.create('contacts', { fields: { lastname: 'Bekannt', email: KNOWN } });
		await crm.create('leads', { fields: { lastname: 'Alt', company: 'Alt GmbH', email: 'alt@alt.example' } });
		await crm.close();
	});
	afterEach(async () => {
		await closeSharedCrmBackends();
		rmSync(dir, { recursive: true, force: true });
	});

	it('node default: 10 leads (sender first, then To in order), the other 491 reported with the reason, the e-mail keeps all recipients', async () => {
		const raw = mailing();
		const copy = Buffer.from(raw);
		const item: INodeExecutionData = {
			json: {},
			binary: { data: { data: raw.toString('base64'), mimeType: 'message/rfc822', fileName: 'mailing.eml' } },
		};
		const params = {
			exchangeConnection: 'none',
			operation: 'import',
			source: 'syncFolders',
			folder: 'syncRoot',
			messageId: '',
			internetMessageId: '',
			senderAddress: '',
			previousFolderId: '',
			binaryPropertyName: 'data',
			options: { noMatch: 'createLead', ownerAddresses: OWNER },
		};
		const [out] = (await new EmailToLead().execute.call(executeContext({ backend: 'embedded', databasePath }, params, [item])))[0];
		await closeSharedCrmBackends();

		const json = out.json as IDataObject & {
			createdLeads: Array<{ address: string }>;
			skippedLeads: Array<{ address: string; reason: string; message: string }>;
			unmatched: string[];
		};
		expect(json.status).toBe('imported');
		const expectedLeads = ['versand@mailing.example', ...recipients(9)];
		expect(json.createdLeads.map((lead) => lead.address)).toEqual(expectedLeads);
		expect(json.skippedLeads).toHaveLength(491);
		expect(json.skippedLeads.map((skipped) => skipped.address)).toEqual(recipients(500).slice(9));
		expect(json.skippedLeads[0]).toEqual({
			address: 'empfaenger10@mailing.example',
			reason: 'leadLimit',
			message: expect.stringMatching(/10 new leads allowed per e-mail.*Max New Leads Per E-Mail/),
		});
		expect(json.unmatched).toEqual(recipients(500).slice(9));

		// CRM side: exactly the 10 new leads besides the old one; the e-mail links them and the contact.
		const crm = EmbeddedCrmBackend.open(databasePath);
		try {
			const leads = await crm.list('leads');
			expect(leads).toHaveLength(11);
			expect(leads.map((lead) => lead.fields.email).sort()).toEqual([...expectedLeads, 'alt@alt.example'].sort());
			expect(leads.find((lead) => lead.fields.email === 'alt@alt.example')!.fields.lastname).toBe('Alt');
			const stored = (await crm.getEmail(json.crmEmailId as string))!;
			expect(stored.to).toHaveLength(500);
			expect(stored.cc).toEqual([KNOWN, OWNER]);
			expect(stored.links).toHaveLength(11);
			expect(stored.links.filter((link) => link.module === 'contacts')).toHaveLength(1);
		} finally {
			await crm.close();
		}
		expect(raw.equals(copy)).toBe(true);
	});

	it('importer: the limit is configurable, 0 creates none, and a second copy of the mail creates nothing more', async () => {
		const crm = EmbeddedCrmBackend.open(databasePath);
		try {
			const importer = (maxLeadsPerEmail: number) =>
				new EmailImporter({
					crm,
					ownerAddresses: [OWNER],
					ownerUserId: 'u1',
					options: { ...DEFAULT_EMAIL_IMPORT_OPTIONS, noMatch: 'createLead', maxLeadsPerEmail },
				});
			const three = await importer(3).importMessage({ raw: mailing(20), folderRole: 'syncRoot' });
			expect(three.createdLeads.map((lead) => lead.address)).toEqual(['versand@mailing.example', ...recipients(2)]);
			expect(three.skippedLeads.map((skipped) => skipped.address)).toEqual(recipients(20).slice(2));
			const again = await importer(3).importMessage({ raw: mailing(20), folderRole: 'syncRoot' });
			expect(again.status).toBe('duplicate');
			expect(await crm.list('leads')).toHaveLength(4);

			const none = await importer(0).importMessage({
				raw: Buffer.from(mailing(5).toString('latin1').replace('rundschreiben-500', 'rundschreiben-zero'), 'latin1'),
				folderRole: 'syncRoot',
			});
			expect(none.status).toBe('imported');
			// The sender and recipients 1–2 have leads from the first mail now; 3–5 are skipped.
			expect(none.createdLeads).toEqual([]);
			expect(none.skippedLeads.map((skipped) => skipped.address)).toEqual(recipients(5).slice(2));
			expect(none.links.filter((link) => link.module === 'leads')).toHaveLength(3);
			expect(await crm.list('leads')).toHaveLength(4);
		} finally {
			await crm.close();
		}
	});
});
