import { isSyncFolder, modulesToSearch, moveBackTarget } from '../../lib/email/folders';
import { leadNames } from '../../lib/email/lead';

describe('E4 lead names', () => {
	const address = 'max.mustermann@mail.example.de';
	it.each([
		['localPart', 'domainWithoutTld', 'Max Mustermann', { lastName: 'max.mustermann', company: 'mail.example' }],
		['displayName', 'domain', 'Max Mustermann', { lastName: 'Max Mustermann', company: 'mail.example.de' }],
		['displayName', 'domain', undefined, { lastName: 'max.mustermann', company: 'mail.example.de' }],
		['placeholder', 'placeholder', 'Max', { lastName: '???', company: '???' }],
	] as const)('%s / %s (name %s)', (leadLastName, leadCompany, name, expected) => {
		expect(leadNames(address, name, { leadLastName, leadCompany, placeholder: '???' })).toEqual(expected);
	});

	it('never leaves a mandatory field empty', () => {
		expect(leadNames('a@localhost', undefined, { leadLastName: 'localPart', leadCompany: 'domainWithoutTld', placeholder: ' ' })).toEqual({
			lastName: 'a',
			company: 'localhost',
		});
	});
});

describe('E1 modules to search', () => {
	it('searches the subfolder module only, the root in E1 order, and honours an override', () => {
		expect(modulesToSearch('partner')).toEqual(['partners']);
		expect(modulesToSearch('accounts')).toEqual(['accounts']);
		expect(modulesToSearch('syncRoot')).toEqual(['leads', 'contacts', 'accounts', 'partners']);
		expect(modulesToSearch('inbox')).toEqual(['leads', 'contacts', 'accounts', 'partners']);
		expect(modulesToSearch('syncRoot', ['contacts'])).toEqual(['contacts']);
	});
});

describe('E9 move-back target', () => {
	it('uses the exact origin when known, else Sent Items for own mail, else Inbox', () => {
		expect(moveBackTarget('AAMkPrev', true)).toEqual({ folderId: 'AAMkPrev', reason: 'previousFolder' });
		expect(moveBackTarget(undefined, true)).toEqual({ wellKnownName: 'sentitems', reason: 'sentItems' });
		expect(moveBackTarget(undefined, false)).toEqual({ wellKnownName: 'inbox', reason: 'inbox' });
	});

	it('moves back only from CRM-Sync folders (F4 inbox mail stays where it is)', () => {
		expect(['syncRoot', 'accounts', 'contacts', 'leads', 'partner'].every((role) => isSyncFolder(role as never))).toBe(true);
		expect(isSyncFolder('inbox')).toBe(false);
		expect(isSyncFolder('sentItems')).toBe(false);
		expect(isSyncFolder('other')).toBe(false);
	});
});
