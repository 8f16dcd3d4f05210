import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_MAX_LEADS_PER_EMAIL } from '../../../lib/email';

/** E3–E5, E9 and the mailbox owner: the admin's e-mail import settings (seed 004 §2.1.4–2.1.6). */
export const importOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Assign To CRM User ID',
			name: 'crmUserId',
			type: 'string',
			default: '',
			description: "CRM user the e-mail and new leads are assigned to. Empty: the CRM user whose e-mail address is the mailbox owner's.",
		},
		{
			displayName: 'Blacklist',
			name: 'blacklist',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			placeholder: 'brain, @example.com',
			description:
				'Parts of addresses to ignore, separated by commas or new lines. An address containing any of them is neither matched nor turned into a lead.',
		},
		{
			displayName: 'Company Of New Lead',
			name: 'leadCompany',
			type: 'options',
			default: 'domain',
			options: [
				{ name: 'Domain Without Top-Level Domain', value: 'domainWithoutTld', description: 'Max@mustermann.de → "mustermann"' },
				{ name: 'Whole Domain', value: 'domain', description: 'Max@mustermann.de → "mustermann.de"' },
				{ name: 'Placeholder', value: 'placeholder', description: 'The placeholder below' },
			],
		},
		{
			displayName: 'Last Name Of New Lead',
			name: 'leadLastName',
			type: 'options',
			default: 'localPart',
			options: [
				{ name: 'Local Part Of The Address', value: 'localPart', description: 'Max.mustermann@… → "max.mustermann"' },
				{
					name: 'Transmitted Display Name',
					value: 'displayName',
					description: '"Max Mustermann" &lt;…&gt;; the local part when the mail carries no name',
				},
				{ name: 'Placeholder', value: 'placeholder', description: 'The placeholder below' },
			],
		},
		{
			displayName: 'Lead Source',
			name: 'leadSource',
			type: 'string',
			default: '',
			placeholder: 'E-Mail',
			description: 'Value for the lead source field of new leads',
		},
		{
			displayName: 'Mailbox Owner Addresses',
			name: 'ownerAddresses',
			type: 'string',
			default: '',
			placeholder: 'anna@firm.com, a.schmidt@firm.com',
			description: "The mailbox owner's own addresses (aliases), never matched. The connected mailbox's address is always included.",
		},
		{
			displayName: 'Max New Leads Per E-Mail',
			name: 'maxLeadsPerEmail',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 0 },
			default: DEFAULT_MAX_LEADS_PER_EMAIL,
			description:
				'With "Create Lead": create leads for at most this many unknown addresses per e-mail (in header order: From, To, Cc). The others are listed under skippedLeads in the output. 0 creates none.',
		},
		{
			displayName: 'Move Back After Import',
			name: 'moveBack',
			type: 'boolean',
			default: true,
			description: 'Whether to move the message back to the folder it came from (or Inbox / Sent Items when that is unknown) once it is processed',
		},
		{
			displayName: 'Placeholder',
			name: 'placeholder',
			type: 'string',
			default: '???',
			description: "Value used for a lead's last name or company when the placeholder is chosen",
		},
		{
			displayName: 'Search Modules',
			name: 'searchModules',
			type: 'multiOptions',
			default: [],
			options: [
				{ name: 'Leads', value: 'leads' },
				{ name: 'Contacts', value: 'contacts' },
				{ name: 'Accounts', value: 'accounts' },
				{ name: 'Partners', value: 'partners' },
			],
			description:
				'Modules to look addresses up in, in this order. Empty: the module of the CRM-Sync subfolder, or Leads → Contacts → Accounts → Partners for the CRM-Sync folder itself.',
		},
		{
			displayName: 'When No Record Matches',
			name: 'noMatch',
			type: 'options',
			default: 'nothing',
			options: [
				{ name: 'Do Nothing', value: 'nothing', description: 'Store the e-mail without a link for that address' },
				{ name: 'Create Lead', value: 'createLead', description: 'Create a lead for the address and link the e-mail to it' },
			],
		},
	],
};
