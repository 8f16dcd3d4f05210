import type { CrmModule } from '../types';

/** What the embedded CRM knows about each module. Field names follow vtiger CRM's. */
export interface ModuleDefinition {
	/** Shown to users in error messages. */
	label: string;
	/** Fields that must have a value (vtiger's mandatory fields). */
	mandatory: readonly string[];
	/** Fields that hold e-mail addresses, searched by findByEmail. */
	emailFields: readonly string[];
	/** Field whose value is the record's "type" for list filters (event type, account type, ...). */
	typeField?: string;
	/** Field whose lower-cased value is indexed for exact name lookups (accounts, S7). */
	nameField?: string;
}

export const MODULES: Readonly<Record<CrmModule, ModuleDefinition>> = {
	accounts: {
		label: 'Accounts',
		mandatory: ['accountname'],
		emailFields: ['email1', 'email2'],
		typeField: 'accounttype',
		nameField: 'accountname',
	},
	contacts: {
		label: 'Contacts',
		mandatory: ['lastname'],
		emailFields: ['email', 'secondaryemail'],
		typeField: 'contacttype',
	},
	leads: {
		label: 'Leads',
		mandatory: ['lastname', 'company'],
		emailFields: ['email', 'secondaryemail'],
		typeField: 'leadsource',
	},
	partners: {
		label: 'Partners',
		mandatory: ['partnername'],
		emailFields: ['email', 'secondaryemail'],
		typeField: 'partnertype',
	},
	events: {
		label: 'Calendar events',
		mandatory: ['subject', 'date_start'],
		emailFields: [],
		typeField: 'activitytype',
	},
	tasks: {
		label: 'Calendar tasks',
		mandatory: ['subject'],
		emailFields: [],
		typeField: 'taskstatus',
	},
	emails: {
		label: 'E-mails',
		mandatory: ['messageId'],
		emailFields: [],
	},
	conflicts: {
		label: 'Sync conflicts',
		mandatory: ['reason'],
		emailFields: [],
		typeField: 'module',
	},
};

export const ALL_MODULES = Object.keys(MODULES) as CrmModule[];

export function isCrmModule(value: string): value is CrmModule {
	return Object.prototype.hasOwnProperty.call(MODULES, value);
}

/** A value counts as missing when it is absent, null or only whitespace. */
export function isBlank(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}
