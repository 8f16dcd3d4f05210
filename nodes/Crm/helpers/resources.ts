import type { CrmModule, CrmPersonModule } from '../../../lib/crm';

/** Node resources that are plain CRM records. */
export const RECORD_RESOURCES = ['account', 'contact', 'lead', 'partner', 'event', 'task'] as const;
export type RecordResource = (typeof RECORD_RESOURCES)[number];

/** Record resources a person's e-mail address can be found in. */
export const PERSON_RESOURCES = ['account', 'contact', 'lead', 'partner'] as const;
export const CALENDAR_RESOURCES = ['event', 'task'] as const;

export const RESOURCE_MODULE: Readonly<Record<RecordResource, CrmModule>> = {
	account: 'accounts',
	contact: 'contacts',
	lead: 'leads',
	partner: 'partners',
	event: 'events',
	task: 'tasks',
};

export const PERSON_MODULE_OPTIONS: Array<{ name: string; value: CrmPersonModule }> = [
	{ name: 'Lead', value: 'leads' },
	{ name: 'Contact', value: 'contacts' },
	{ name: 'Account', value: 'accounts' },
	{ name: 'Partner', value: 'partners' },
];

export function isRecordResource(resource: string): resource is RecordResource {
	return (RECORD_RESOURCES as readonly string[]).includes(resource);
}
