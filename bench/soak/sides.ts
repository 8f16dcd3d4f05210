/**
 * Both sides as the soak sees them: the Outlook items of the CRM-Sync folder (through plain Graph) and
 * the embedded CRM's records (through its backend), found by their `Soak <key>` name.
 */
import { stableStringify } from '../../lib/model/hash';
import type { EmbeddedCrmBackend } from '../../lib/crm';
import { blank, type ForeignValues, type SoakComponent, type SyncedValues } from './profile';
import type { OutlookUser } from './outlook';

export interface SideRecord {
	id: string;
	values: SyncedValues;
	only: ForeignValues;
}

export interface SidesSnapshot {
	crm: Map<string, SideRecord[]>;
	exchange: Map<string, SideRecord[]>;
	/** Records on either side without a soak key (must never appear). */
	strangers: number;
}

function push(map: Map<string, SideRecord[]>, key: string, record: SideRecord): void {
	const list = map.get(key) ?? [];
	list.push(record);
	map.set(key, list);
}

export async function readSides(component: SoakComponent, outlook: OutlookUser, folderId: string, crm: EmbeddedCrmBackend): Promise<SidesSnapshot> {
	const snapshot: SidesSnapshot = { crm: new Map(), exchange: new Map(), strangers: 0 };
	for (const item of await component.list(outlook, folderId)) {
		const key = component.exchangeKey(item);
		if (!key) {
			snapshot.strangers++;
			continue;
		}
		push(snapshot.exchange, key, { id: item.id, values: component.exchangeValues(item), only: component.exchangeOnly(item) });
	}
	for (const record of await crm.list(component.crmModule)) {
		const key = component.crmKey(record.fields);
		if (!key) {
			snapshot.strangers++;
			continue;
		}
		const only: Record<string, string> = {};
		for (const f of component.crmOnlyFields) if (!blank(record.fields[f])) only[f] = String(record.fields[f]);
		push(snapshot.crm, key, { id: record.id, values: component.crmValues(record.fields), only });
	}
	return snapshot;
}

export function sameJson(a: unknown, b: unknown): boolean {
	return stableStringify(a) === stableStringify(b);
}
