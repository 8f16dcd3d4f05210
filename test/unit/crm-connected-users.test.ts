/** connectedUsers (lib/crm/users.ts): who the all-users templates sync, from the CRM's user list. */
import { connectedUsers, type CrmUser } from '../../lib/crm';

const user = (id: string, email: string | undefined, active = true): CrmUser => ({
	id,
	userName: id,
	email,
	firstName: id.toUpperCase(),
	lastName: 'X',
	active,
	groupIds: [],
});

describe('connectedUsers', () => {
	const users = [
		user('anna', 'Anna@Contoso.com'),
		user('ben', 'ben@contoso.de'),
		user('carl', 'carl@contoso.com', false),
		user('admin', undefined),
		user('bot', 'not-an-address'),
	];

	it('lists active users with a mailbox address, the address lower-cased as the mailbox', () => {
		expect(connectedUsers(users)).toEqual([
			{ crmUserId: 'anna', mailbox: 'anna@contoso.com', userName: 'anna', name: 'ANNA X', active: true },
			{ crmUserId: 'ben', mailbox: 'ben@contoso.de', userName: 'ben', name: 'BEN X', active: true },
		]);
	});

	it('filters by mailbox domain and can include inactive users', () => {
		expect(connectedUsers(users, { emailDomains: ['@CONTOSO.com'] }).map((u) => u.crmUserId)).toEqual(['anna']);
		expect(connectedUsers(users, { includeInactive: true, emailDomains: ['contoso.com', ' '] }).map((u) => u.crmUserId)).toEqual(['anna', 'carl']);
	});
});
