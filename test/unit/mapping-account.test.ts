import type { CrmBackend, CrmRecord, CrmRecordInput } from '../../lib/crm/types';
import { linkAccount, withAccountName } from '../../lib/mapping';

/** Just the three account operations, over an in-memory list (pure-logic unit test). */
function accountStore(names: string[]): Pick<CrmBackend, 'get' | 'findAccountByName' | 'create'> & { accounts: CrmRecord[] } {
	const accounts: CrmRecord[] = names.map((name, i) => record(String(i + 1), name));
	function record(id: string, name: string): CrmRecord {
		return { id, module: 'accounts', createdAt: '', modifiedAt: '', etag: '1', tags: [], fields: { accountname: name } };
	}
	return {
		accounts,
		get: async (_module, id) => accounts.find((a) => a.id === id),
		findAccountByName: async (name) => accounts.find((a) => String(a.fields.accountname).toLowerCase() === name.toLowerCase()),
		create: async (_module, input: CrmRecordInput) => {
			const created = record(String(accounts.length + 1), String(input.fields.accountname));
			accounts.push(created);
			return created;
		},
	};
}

describe('S7 account link', () => {
	it('finds the account by exact, case-insensitive name, suffix included', async () => {
		const crm = accountStore(['Müller GmbH', 'Müller GmbH & Co. KG']);
		expect(await linkAccount(crm, { lastname: 'X', account_name: 'müller gmbh & co. kg' })).toEqual({ lastname: 'X', account_id: '2' });
		expect(crm.accounts).toHaveLength(2);
	});

	it('creates a missing account (unless told not to) and unlinks on a blank name', async () => {
		const crm = accountStore([]);
		expect(await linkAccount(crm, { account_name: 'Neu AG' })).toEqual({ account_id: '1' });
		expect(crm.accounts[0].fields.accountname).toBe('Neu AG');
		expect(await linkAccount(crm, { account_name: 'Other AG' }, { createMissing: false })).toEqual({});
		expect(await linkAccount(crm, { account_name: '' })).toEqual({ account_id: '' });
		expect(await linkAccount(crm, { lastname: 'Y' })).toEqual({ lastname: 'Y' });
	});

	it('reads the linked account name for the Exchange company field', async () => {
		const crm = accountStore(['Müller GmbH']);
		expect(await withAccountName(crm, { account_id: '1' })).toEqual({ account_id: '1', account_name: 'Müller GmbH' });
		expect(await withAccountName(crm, { account_id: '9' })).toEqual({ account_id: '9' });
		expect(await withAccountName(crm, { account_id: null })).toEqual({ account_id: null });
	});
});
