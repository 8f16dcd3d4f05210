import type { CrmRecords } from '../crm/types';
import type { CrmFields } from './types';

export interface AccountLinkFields {
	/** CRM field holding the account link; vtiger: account_id. */
	idField: string;
	/** Field the contact mapping reads and writes the account's name in. */
	nameField: string;
}

export const DEFAULT_ACCOUNT_LINK: Readonly<AccountLinkFields> = { idField: 'account_id', nameField: 'account_name' };

function nonBlank(value: unknown): string | undefined {
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const text = String(value).trim();
	return text === '' ? undefined : text;
}

/**
 * S7 towards Exchange: the name of the linked account, put into `account_name` so the mapping can
 * fill the company field. Returns a copy; a missing or deleted account leaves the name unset.
 */
export async function withAccountName(crm: Pick<CrmRecords, 'get'>, fields: CrmFields, link: AccountLinkFields = DEFAULT_ACCOUNT_LINK): Promise<CrmFields> {
	const id = nonBlank(fields[link.idField]);
	if (!id || nonBlank(fields[link.nameField])) return { ...fields };
	const account = await crm.get('accounts', id);
	const name = nonBlank(account?.fields.accountname);
	return name ? { ...fields, [link.nameField]: name } : { ...fields };
}

/**
 * S7 towards the CRM: the account named in `account_name` is found by exact, case-insensitive name
 * (suffixes like "GmbH & Co. KG" included) or created, and linked through `account_id`.
 * A blank name unlinks. Returns a copy without the name field.
 */
export async function linkAccount(
	crm: Pick<CrmRecords, 'findAccountByName' | 'create'>,
	fields: CrmFields,
	options: { link?: AccountLinkFields; createMissing?: boolean; actingUserId?: string } = {},
): Promise<CrmFields> {
	const link = options.link ?? DEFAULT_ACCOUNT_LINK;
	if (!(link.nameField in fields)) return { ...fields };
	const out = { ...fields };
	const name = nonBlank(out[link.nameField]);
	delete out[link.nameField];
	if (!name) {
		out[link.idField] = '';
		return out;
	}
	let account = await crm.findAccountByName(name);
	if (!account && options.createMissing !== false) {
		account = await crm.create('accounts', { fields: { accountname: name } }, { actingUserId: options.actingUserId });
	}
	if (account) out[link.idField] = account.id;
	return out;
}
