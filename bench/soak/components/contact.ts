/**
 * Contacts in the soak: synced job title, department, business phone and mobile; the surname carries
 * the key. Exchange-only: nickname, spouse, IM addresses, home address, a second business phone (none
 * of them mapped). S6: an Outlook deletion never deletes the CRM contact.
 */
import {
	KEY_PREFIX,
	blank,
	keyOf,
	pick,
	readPath,
	uniqueText,
	type ForeignValues,
	type OutlookItem,
	type SoakComponent,
	type SyncedValues,
	type ValueSource,
} from '../profile';
import type { OutlookUser } from '../outlook';

const FIELDS = {
	jobTitle: { crm: 'title', graph: 'jobTitle' },
	department: { crm: 'department', graph: 'department' },
	phone: { crm: 'phone', graph: 'businessPhones.0' },
	mobile: { crm: 'mobile', graph: 'mobilePhone' },
} as const;
type ContactField = keyof typeof FIELDS;
const FIELD_NAMES = Object.keys(FIELDS) as ContactField[];

const EXCHANGE_ONLY_PROPERTIES = ['nickName', 'spouseName', 'imAddresses', 'homeAddress', 'businessPhones.1'] as const;

function entries(values: SyncedValues): Array<[ContactField, string | undefined]> {
	return Object.entries(values).filter(([f]) => f in FIELDS) as Array<[ContactField, string | undefined]>;
}

/** The Graph body of an edit of synced fields; the phone keeps the owner's second business phone. */
function graphPatch(values: SyncedValues, current: OutlookItem): Record<string, unknown> {
	const patch: Record<string, unknown> = {};
	for (const [field, value] of entries(values)) {
		if (field === 'phone') {
			const phones = [...((current.businessPhones as string[] | undefined) ?? [])];
			phones[0] = value ?? '';
			patch.businessPhones = phones.filter((p, i) => i > 0 || p !== '');
		} else patch[FIELDS[field].graph] = value ?? null;
	}
	return patch;
}

export const contactComponent: SoakComponent = {
	name: 'contact',
	crmModule: 'contacts',
	template: { folderParameter: 'contactFolder' },
	fields: FIELD_NAMES,
	clearable: ['jobTitle', 'department'],
	exchangeDeletionReachesCrm: false,
	crmOnlyFields: ['leadsource', 'assistant', 'cf_soak_rating'],

	value(field: string, source: ValueSource): string {
		const n = Math.floor(source.random() * 9_000_000) + 1_000_000;
		return field === 'phone' || field === 'mobile' ? `+49 30 ${n}` : uniqueText(field, source);
	},

	crmKey: (fields) => keyOf(fields.lastname),
	crmValues(fields) {
		const values: SyncedValues = {};
		for (const f of FIELD_NAMES) if (!blank(fields[FIELDS[f].crm])) values[f] = String(fields[FIELDS[f].crm]);
		return values;
	},
	crmPatch(values) {
		const patch: Record<string, string> = {};
		for (const [field, value] of entries(values)) patch[FIELDS[field].crm] = value ?? '';
		return patch;
	},
	crmCreate(key, values, crmOnly) {
		return { firstname: 'Sam', lastname: `${KEY_PREFIX}${key}`, ...this.crmPatch(values), ...crmOnly };
	},
	crmOnlyValues: (key, source) => ({ leadsource: 'Soak', assistant: `A-${key}`, cf_soak_rating: String(Math.floor(source.random() * 5) + 1) }),

	folderId: (outlook: OutlookUser) => outlook.folderId('/me/contactFolders'),
	list: (outlook, folderId) => outlook.listAll<OutlookItem>(`/me/contactFolders/${folderId}/contacts?$top=100`),
	get: (outlook, _folderId, id) => outlook.call<OutlookItem>('GET', `/me/contacts/${id}`),
	exchangeKey: (item) => keyOf(item.surname),
	exchangeValues(item) {
		const values: SyncedValues = {};
		for (const f of FIELD_NAMES) {
			const v = readPath(item, FIELDS[f].graph);
			if (!blank(v)) values[f] = String(v);
		}
		return values;
	},
	exchangeOnly(item) {
		const out: ForeignValues = {};
		for (const property of EXCHANGE_ONLY_PROPERTIES) {
			let value = readPath(item, property);
			// Address members the owner did not set are left out.
			if (property === 'homeAddress' && value && typeof value === 'object') {
				value = Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([, v]) => !blank(v)));
				if (Object.keys(value as object).length === 0) value = undefined;
			}
			if (!blank(value)) out[property] = value;
		}
		return out;
	},
	newExchangeOnly: (key, source) => ({
		nickName: `Nick ${key}`,
		spouseName: `Pat ${key}`,
		imAddresses: [`${key.toLowerCase()}@im.example`],
		homeAddress: { street: `Gartenweg ${source.round}`, city: 'Potsdam' },
		'businessPhones.1': `+49 331 ${Math.floor(source.random() * 900_000) + 100_000}`,
	}),
	async createExchange(outlook, folderId, key, values, only) {
		await outlook.call('POST', `/me/contactFolders/${folderId}/contacts`, {
			givenName: 'Sam',
			surname: `${KEY_PREFIX}${key}`,
			jobTitle: values.jobTitle,
			department: values.department,
			mobilePhone: values.mobile,
			businessPhones: [values.phone, only['businessPhones.1']],
			nickName: only.nickName,
			spouseName: only.spouseName,
			imAddresses: only.imAddresses,
			homeAddress: only.homeAddress,
		});
	},
	async updateExchange(outlook, _folderId, current, values) {
		await outlook.call('PATCH', `/me/contacts/${current.id}`, graphPatch(values, current));
	},
	async editExchangeOnly(outlook, _folderId, current, expected, source) {
		const nickName = `Nick ${pick(source, ['A', 'B', 'C'])} ${source.round}`;
		await outlook.call('PATCH', `/me/contacts/${current.id}`, { nickName });
		return { ...expected, nickName };
	},
	async deleteExchange(outlook, _folderId, id) {
		await outlook.call('DELETE', `/me/contacts/${id}`);
	},
	replaces: () => [],
};
