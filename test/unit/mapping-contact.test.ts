import { readFileSync } from 'node:fs';
import path from 'node:path';

import { hashRecord } from '../../lib/model';
import { buildMappingConfig, canonicalToCrm, crmToCanonical, joinFirstName, splitFirstName, syncedFields } from '../../lib/mapping';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures');

/** A contact as a real vtiger 8.3.0 returns it from `retrieve` (all values strings, '' for empty). */
function vtigerContact(): Record<string, unknown> {
	const body = JSON.parse(readFileSync(path.join(FIXTURES, 'vtiger/fresh-run/18-retrieve.json'), 'utf8')) as {
		result: Record<string, unknown>;
	};
	return body.result;
}

const fullCrmContact = {
	firstname: 'Anna Maria',
	lastname: 'Schmidt',
	title: 'Einkaufsleiterin',
	department: 'Einkauf',
	description: 'Met at the fair.\nPrefers e-mail.',
	account_name: 'Müller Maschinenbau GmbH & Co. KG',
	email: 'Anna.Schmidt@Mueller.example',
	secondaryemail: 'anna@home.example',
	phone: '+49 221 1234-0',
	otherphone: '+49 221 1234-99',
	mobile: '+49 170 555 0101',
	mailingstreet: 'Hauptstraße 1',
	mailingcity: 'Köln',
	mailingzip: '50667',
	mailingstate: 'NRW',
	mailingcountry: 'Germany',
	otherstreet: 'Lagerweg 7',
	othercity: 'Hürth',
	otherzip: '50354',
	otherstate: 'NRW',
	othercountry: 'Germany',
	birthday: '1980-02-29',
	website: 'https://mueller.example',
};

describe('contact preset (S22, S10, S7)', () => {
	const config = buildMappingConfig('contact');

	it('maps every S22 field from vtiger names to the canonical contact', () => {
		expect(crmToCanonical('contact', fullCrmContact, config)).toEqual({
			firstName: 'Anna Maria',
			lastName: 'Schmidt',
			jobTitle: 'Einkaufsleiterin',
			department: 'Einkauf',
			description: 'Met at the fair.\nPrefers e-mail.',
			accountName: 'Müller Maschinenbau GmbH & Co. KG',
			email: 'anna.schmidt@mueller.example',
			otherEmail: 'anna@home.example',
			phone: '+49 221 1234-0',
			otherPhone: '+49 221 1234-99',
			mobile: '+49 170 555 0101',
			billingAddress: { street: 'Hauptstraße 1', city: 'Köln', postalCode: '50667', state: 'NRW', country: 'Germany' },
			shippingAddress: { street: 'Lagerweg 7', city: 'Hürth', postalCode: '50354', state: 'NRW', country: 'Germany' },
			birthday: '1980-02-29',
			website: 'https://mueller.example',
		});
	});

	it('round-trips CRM → canonical → CRM to the same fields', () => {
		const canonical = crmToCanonical('contact', fullCrmContact, config);
		const back = canonicalToCrm('contact', canonical, config);
		expect(back).toEqual({ ...fullCrmContact, email: 'anna.schmidt@mueller.example' });
		// with the record as it is in the CRM, the CRM's own spelling is kept
		expect(canonicalToCrm('contact', canonical, config, { existing: fullCrmContact })).toEqual(fullCrmContact);
	});

	it('round-trips a real vtiger 8.3.0 record without touching any field', () => {
		const record = vtigerContact();
		const canonical = crmToCanonical('contact', record, config);
		expect(canonical).toEqual({ firstName: 'Erika', lastName: 'Smoke1795400614', email: 'erika@example.invalid' });
		const back = canonicalToCrm('contact', canonical, config, { existing: record });
		for (const [field, value] of Object.entries(back)) expect(record[field]).toEqual(value);
	});

	it('clears CRM fields that were emptied in Exchange, and leaves them out on creation', () => {
		const canonical = crmToCanonical('contact', fullCrmContact, config);
		delete canonical.mobile;
		delete canonical.shippingAddress;
		const update = canonicalToCrm('contact', canonical, config, { existing: fullCrmContact });
		expect(update.mobile).toBe('');
		expect(update.otherstreet).toBe('');
		const create = canonicalToCrm('contact', canonical, config, { creating: true });
		expect('mobile' in create).toBe(false);
		expect('othercity' in create).toBe(false);
	});

	it('S10: splits the CRM first name at the first space for Exchange and joins it back', () => {
		expect(splitFirstName('Anna Maria Luise')).toEqual({ givenName: 'Anna', middleName: 'Maria Luise' });
		expect(splitFirstName('  Anna  ')).toEqual({ givenName: 'Anna' });
		expect(splitFirstName('')).toEqual({});
		expect(joinFirstName('Anna', 'Maria Luise')).toBe('Anna Maria Luise');
		expect(joinFirstName(undefined, 'Maria')).toBe('Maria');
		expect(joinFirstName(' ', undefined)).toBeUndefined();
		const { givenName, middleName } = splitFirstName('Anna Maria Luise');
		expect(joinFirstName(givenName, middleName)).toBe('Anna Maria Luise');
	});

	it('rejects an impossible birthday with a message naming the field', () => {
		expect(() => crmToCanonical('contact', { lastname: 'X', birthday: '2026-02-30' }, config)).toThrow(/birthday/);
	});

	it('syncs the S22 fields and hashes a change to an unmapped field the same', () => {
		expect(syncedFields('contact', config)).toEqual([
			'accountName',
			'billingAddress',
			'birthday',
			'department',
			'description',
			'email',
			'firstName',
			'jobTitle',
			'lastName',
			'mobile',
			'otherEmail',
			'otherPhone',
			'phone',
			'shippingAddress',
			'website',
		]);
		const canonical = crmToCanonical('contact', fullCrmContact, config);
		const fields = syncedFields('contact', config);
		expect(hashRecord({ ...canonical, categories: ['VIP'] }, fields)).toBe(hashRecord(canonical, fields));
	});
});
