import type { CrmRecord } from '../types';
import type { EmbeddedCrmBackend } from './EmbeddedCrmBackend';

export interface DemoSeed {
	users: { anna: string; ben: string };
	groups: { sales: string; support: string };
	accounts: Record<'mueller' | 'acme' | 'oesterreich', CrmRecord>;
	contacts: Record<'maxMueller' | 'janeDoe', CrmRecord>;
	leads: Record<'lisaLead', CrmRecord>;
	partners: Record<'agency', CrmRecord>;
}

/**
 * Users anna (sales) and ben (support; read-only on Accounts, no access to Leads), two
 * groups and a few accounts, contacts, a lead and a partner. For the demo and the tests;
 * call it on an empty database.
 */
export async function seedDemoCrm(crm: EmbeddedCrmBackend): Promise<DemoSeed> {
	crm.saveGroup({ id: 'sales', name: 'Sales' });
	crm.saveGroup({ id: 'support', name: 'Support' });
	crm.saveUser({
		id: 'anna',
		userName: 'anna',
		email: 'anna@contoso.example',
		firstName: 'Anna',
		lastName: 'Schmidt',
		active: true,
		groupIds: ['sales'],
	});
	crm.saveUser({
		id: 'ben',
		userName: 'ben',
		email: 'ben@contoso.example',
		firstName: 'Ben',
		lastName: 'Weber',
		active: true,
		groupIds: ['support'],
	});
	crm.setPermission('ben', 'accounts', 'read');
	crm.setPermission('ben', 'leads', 'none');

	const anna = { type: 'user' as const, id: 'anna' };
	const mueller = await crm.create('accounts', {
		assignedTo: anna,
		tags: ['customer'],
		fields: {
			accountname: 'Müller GmbH & Co. KG',
			accounttype: 'Customer',
			website: 'https://mueller.example',
			email1: 'info@mueller.example',
			bill_city: 'München',
		},
	});
	const acme = await crm.create('accounts', {
		assignedTo: { type: 'group', id: 'sales' },
		tags: ['prospect'],
		fields: { accountname: 'ACME Corp.', accounttype: 'Prospect', email1: 'hello@acme.example' },
	});
	const oesterreich = await crm.create('accounts', {
		assignedTo: anna,
		tags: [],
		fields: { accountname: 'Österreichische Bäckerei AG', accounttype: 'Customer' },
	});
	const maxMueller = await crm.create('contacts', {
		assignedTo: anna,
		tags: ['customer', 'vip'],
		fields: {
			firstname: 'Max',
			lastname: 'Müller',
			title: 'Geschäftsführer',
			account_id: mueller.id,
			email: 'max.mueller@mueller.example',
			phone: '+49 89 1234567',
			mailingcity: 'München',
			mailingcountry: 'Germany',
		},
	});
	const janeDoe = await crm.create('contacts', {
		assignedTo: { type: 'user', id: 'ben' },
		tags: ['prospect'],
		fields: { firstname: 'Jane', lastname: 'Doe', account_id: acme.id, email: 'jane.doe@acme.example' },
	});
	const lisaLead = await crm.create('leads', {
		assignedTo: anna,
		tags: [],
		fields: { firstname: 'Lisa', lastname: 'Lead', company: 'Startup UG', email: 'lisa@startup.example' },
	});
	const agency = await crm.create('partners', {
		assignedTo: anna,
		tags: ['partner'],
		fields: { partnername: 'Werbeagentur Sonne', email: 'kontakt@sonne.example' },
	});
	return {
		users: { anna: 'anna', ben: 'ben' },
		groups: { sales: 'sales', support: 'support' },
		accounts: { mueller, acme, oesterreich },
		contacts: { maxMueller, janeDoe },
		leads: { lisaLead },
		partners: { agency },
	};
}
