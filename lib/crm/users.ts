/**
 * The users a per-user sync serves (the all-users templates): CRM users with a mailbox address, so the
 * list is the one an admin already maintains in the CRM instead of a list in a workflow.
 */
import type { CrmUser } from './types';

export interface ConnectedUser {
	crmUserId: string;
	/** The user's e-mail address in the CRM, taken as the Exchange mailbox (UPN / primary SMTP). */
	mailbox: string;
	userName: string;
	name: string;
	active: boolean;
}

export interface ConnectedUserFilter {
	/** Also users the CRM marks inactive (default: only active ones). */
	includeInactive?: boolean;
	/** Only addresses in these domains, e.g. ["contoso.com"] (default: every domain). */
	emailDomains?: readonly string[];
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

export function connectedUsers(users: readonly CrmUser[], filter: ConnectedUserFilter = {}): ConnectedUser[] {
	const domains = (filter.emailDomains ?? []).map((d) => d.trim().replace(/^@/, '').toLowerCase()).filter((d) => d !== '');
	return users
		.filter((user) => (filter.includeInactive || user.active) && typeof user.email === 'string' && user.email.includes('@'))
		.filter((user) => domains.length === 0 || domains.includes(domainOf(user.email as string)))
		.map((user) => ({
			crmUserId: user.id,
			mailbox: (user.email as string).trim().toLowerCase(),
			userName: user.userName,
			name: [user.firstName, user.lastName].filter(Boolean).join(' ') || user.userName,
			active: user.active,
		}));
}
