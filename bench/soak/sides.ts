/**
 * Both sides as the soak sees them: the Outlook contacts of the CRM-Sync folder (through plain Graph) and
 * the embedded CRM's contacts (through its backend), found by their `Soak <key>` surname.
 */
import { stableStringify } from '../../lib/model/hash';
import type { EmbeddedCrmBackend } from '../../lib/crm';
import { SOAK_FIELD_NAMES, SOAK_FIELDS, type SoakField, type SyncedValues } from './oracle';
import type { OutlookContact, OutlookUser } from './outlook';

export const KEY_PREFIX = 'Soak ';

/** The Exchange-only properties the soak puts on Outlook contacts (none of them is mapped). */
export const EXCHANGE_ONLY_PROPERTIES = ['nickName', 'spouseName', 'imAddresses', 'homeAddress', 'businessPhones.1'] as const;
/** CRM-only fields (not in the mapping). */
export const CRM_ONLY_FIELDS = ['leadsource', 'assistant', 'cf_soak_rating'] as const;

export interface SideRecord {
	id: string;
	values: SyncedValues;
	only: Record<string, unknown>;
}

export interface SidesSnapshot {
	crm: Map<string, SideRecord[]>;
	exchange: Map<string, SideRecord[]>;
	/** Records on either side without a soak key (must never appear). */
	strangers: number;
}

function blank(value: unknown): boolean {
	return value === undefined || value === null || value === '';
}

/** `a.b.0` paths into a Graph object. */
export function readPath(record: Record<string, unknown>, path: string): unknown {
	let value: unknown = record;
	for (const part of path.split('.')) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[part];
	}
	return value;
}

/** Exchange-only values as comparable JSON (address members the owner did not set are left out). */
function exchangeOnlyOf(contact: OutlookContact): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const property of EXCHANGE_ONLY_PROPERTIES) {
		let value = readPath(contact, property);
		if (property === 'homeAddress' && value && typeof value === 'object') {
			const address = value as Record<string, unknown>;
			value = Object.fromEntries(Object.entries(address).filter(([, v]) => !blank(v)));
			if (Object.keys(value as object).length === 0) value = undefined;
		}
		if (Array.isArray(value) && value.length === 0) value = undefined;
		if (!blank(value)) out[property] = value;
	}
	return out;
}

function keyOf(surname: unknown): string | undefined {
	return typeof surname === 'string' && surname.startsWith(KEY_PREFIX) ? surname.slice(KEY_PREFIX.length) : undefined;
}

function push(map: Map<string, SideRecord[]>, key: string, record: SideRecord): void {
	const list = map.get(key) ?? [];
	list.push(record);
	map.set(key, list);
}

export async function readSides(outlook: OutlookUser, folderId: string, crm: EmbeddedCrmBackend): Promise<SidesSnapshot> {
	const snapshot: SidesSnapshot = { crm: new Map(), exchange: new Map(), strangers: 0 };
	for (const contact of await outlook.listContacts(folderId)) {
		const key = keyOf(contact.surname);
		if (!key) {
			snapshot.strangers++;
			continue;
		}
		const values: SyncedValues = {};
		for (const f of SOAK_FIELD_NAMES) {
			const v = readPath(contact, SOAK_FIELDS[f].graph);
			if (!blank(v)) values[f] = String(v);
		}
		push(snapshot.exchange, key, { id: contact.id, values, only: exchangeOnlyOf(contact) });
	}
	for (const record of await crm.list('contacts')) {
		const key = keyOf(record.fields.lastname);
		if (!key) {
			snapshot.strangers++;
			continue;
		}
		const values: SyncedValues = {};
		for (const f of SOAK_FIELD_NAMES) {
			const v = record.fields[SOAK_FIELDS[f].crm];
			if (!blank(v)) values[f] = String(v);
		}
		const only: Record<string, unknown> = {};
		for (const f of CRM_ONLY_FIELDS) if (!blank(record.fields[f])) only[f] = record.fields[f];
		push(snapshot.crm, key, { id: record.id, values, only });
	}
	return snapshot;
}

export function sameJson(a: unknown, b: unknown): boolean {
	return stableStringify(a) === stableStringify(b);
}

/** The Graph body of an edit of synced fields; the phone keeps the owner's second business phone. */
export function graphPatch(values: SyncedValues, current: OutlookContact | undefined): Record<string, unknown> {
	const patch: Record<string, unknown> = {};
	for (const [field, value] of Object.entries(values) as Array<[SoakField, string | undefined]>) {
		if (field === 'phone') {
			const phones = [...(((current?.businessPhones as string[] | undefined) ?? []))];
			phones[0] = value ?? '';
			patch.businessPhones = phones.filter((p, i) => i > 0 || p !== '');
		} else patch[SOAK_FIELDS[field].graph] = value ?? null;
	}
	return patch;
}

/** The CRM fields of an edit of synced fields ('' clears). */
export function crmPatch(values: SyncedValues): Record<string, string> {
	const patch: Record<string, string> = {};
	for (const [field, value] of Object.entries(values) as Array<[SoakField, string | undefined]>) patch[SOAK_FIELDS[field].crm] = value ?? '';
	return patch;
}
