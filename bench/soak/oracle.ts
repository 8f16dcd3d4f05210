/**
 * The soak's independent oracle: what each contact must be on each side after the sync settled, derived
 * only from the edits the soak made and the product's rules (SPEC S6: an Outlook deletion never deletes
 * the CRM contact, a CRM deletion deletes the Outlook copy, a change beats a deletion), never from the
 * engine's own state.
 */

/** The synced fields the soak edits, with their names on each side. */
export const SOAK_FIELDS = {
	jobTitle: { crm: 'title', graph: 'jobTitle' },
	department: { crm: 'department', graph: 'department' },
	phone: { crm: 'phone', graph: 'businessPhones.0' },
	mobile: { crm: 'mobile', graph: 'mobilePhone' },
} as const;
export type SoakField = keyof typeof SOAK_FIELDS;
export const SOAK_FIELD_NAMES = Object.keys(SOAK_FIELDS) as SoakField[];

export type SyncedValues = Partial<Record<SoakField, string>>;

export interface ExpectedContact {
	/** Never edited: the surname (Exchange) / lastname (CRM) is `Soak <key>`. */
	key: string;
	fields: SyncedValues;
	onCrm: boolean;
	onExchange: boolean;
	/** Properties only Exchange has (not mapped), exactly as the owner set them. */
	exchangeOnly: Record<string, unknown>;
	/** Fields only the CRM has (not mapped). */
	crmOnly: Record<string, string>;
	/** Excluded from later edits and checks after a defect that cannot be re-baselined (a duplicate). */
	tainted?: boolean;
}

export class SoakOracle {
	readonly contacts = new Map<string, ExpectedContact>();
	private next = 1;

	newKey(): string {
		return `K${this.next++}`;
	}

	add(contact: ExpectedContact): void {
		this.contacts.set(contact.key, contact);
	}

	/** Records an edit on one side; a CRM edit re-creates a deleted Outlook copy, an Outlook edit a deleted CRM record. */
	edited(key: string, side: 'crm' | 'exchange', values: SyncedValues): void {
		const c = this.must(key);
		Object.assign(c.fields, values);
		for (const [f, v] of Object.entries(values)) if (v === undefined) delete c.fields[f as SoakField];
		if (side === 'crm' && !c.onExchange) {
			c.onExchange = true;
			c.exchangeOnly = {};
		}
		if (side === 'exchange' && !c.onCrm) {
			c.onCrm = true;
			c.crmOnly = {};
		}
	}

	/** An Outlook deletion: the CRM contact stays (S6); a CRM deletion takes the Outlook copy with it. */
	deleted(key: string, side: 'crm' | 'exchange'): void {
		const c = this.must(key);
		if (side === 'exchange') {
			c.onExchange = false;
			c.exchangeOnly = {};
		} else {
			c.onCrm = false;
			c.onExchange = false;
			c.crmOnly = {};
			c.exchangeOnly = {};
		}
	}

	/**
	 * Edited on both sides in one interval, `first` before `second`. Field merge keeps both edits (they
	 * touch different fields); last-modified-wins keeps the record of the side changed last, so the first
	 * side's edits are overridden (and reported, which the soak does not judge).
	 */
	editedBoth(key: string, policy: 'lastModifiedWins' | 'merge', first: SyncedValues, second: SyncedValues): void {
		const c = this.must(key);
		if (policy === 'merge') Object.assign(c.fields, first);
		Object.assign(c.fields, second);
	}

	/** Deleted on one side and edited on the other in the same interval: the change wins, the deleted side gets a new copy. */
	changeBeatsDeletion(key: string, deletedSide: 'crm' | 'exchange', values: SyncedValues): void {
		const c = this.must(key);
		Object.assign(c.fields, values);
		if (deletedSide === 'crm') {
			c.onCrm = true;
			c.crmOnly = {};
		} else {
			c.onExchange = true;
			c.exchangeOnly = {};
		}
	}

	live(): ExpectedContact[] {
		return [...this.contacts.values()].filter((c) => !c.tainted && (c.onCrm || c.onExchange));
	}

	private must(key: string): ExpectedContact {
		const c = this.contacts.get(key);
		if (!c) throw new Error(`the oracle has no contact ${key}`);
		return c;
	}
}
