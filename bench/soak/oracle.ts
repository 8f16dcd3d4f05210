/**
 * The soak's independent oracle: what each record must be on each side after the sync settled, derived
 * only from the edits the soak made and the product's rules, never from the engine's own state. SPEC S6:
 * an Outlook deletion never deletes a CRM contact but does delete a CRM appointment or task; a CRM
 * deletion deletes the Outlook copy; a change beats a deletion (the deleted side gets a new copy).
 */
import type { ForeignValues, Side, SyncedValues } from './profile';

export interface ExpectedRecord {
	/** Never edited: the surname / subject / title on both sides is `Soak <key>`. */
	key: string;
	fields: SyncedValues;
	onCrm: boolean;
	onExchange: boolean;
	/** Properties only Exchange has (not mapped), exactly as the owner set them. */
	exchangeOnly: ForeignValues;
	/** Fields only the CRM has (not mapped). */
	crmOnly: Record<string, string>;
	/** Excluded from later edits and checks after a defect that cannot be re-baselined (a duplicate). */
	tainted?: boolean;
}

export interface OracleRules {
	/** S6 for this component. */
	exchangeDeletionReachesCrm: boolean;
	/** Exchange-only properties a write of this synced field to Exchange replaces. */
	replaces(field: string): readonly string[];
}

export class SoakOracle {
	readonly records = new Map<string, ExpectedRecord>();
	private next = 1;

	constructor(private readonly rules: OracleRules) {}

	newKey(): string {
		return `K${this.next++}`;
	}

	add(record: ExpectedRecord): void {
		this.records.set(record.key, record);
	}

	/** Records an edit on one side; a CRM edit re-creates a deleted Outlook copy, an Outlook edit a deleted CRM record. */
	edited(key: string, side: Side, values: SyncedValues): void {
		const c = this.must(key);
		this.assign(c, values);
		this.exchangeWritten(c, values);
		if (side === 'crm' && !c.onExchange) {
			c.onExchange = true;
			c.exchangeOnly = {};
		}
		if (side === 'exchange' && !c.onCrm) {
			c.onCrm = true;
			c.crmOnly = {};
		}
	}

	deleted(key: string, side: Side): void {
		const c = this.must(key);
		if (side === 'crm' || this.rules.exchangeDeletionReachesCrm) {
			c.onCrm = false;
			c.crmOnly = {};
		}
		c.onExchange = false;
		c.exchangeOnly = {};
	}

	/**
	 * Edited on both sides in one interval, `first` before `second`. Field merge keeps both edits (they
	 * touch different fields); last-modified-wins keeps the record of the side changed last, so the first
	 * side's edits are overridden (and reported, which the soak does not judge).
	 */
	editedBoth(
		key: string,
		policy: 'lastModifiedWins' | 'merge',
		first: { side: Side; values: SyncedValues },
		second: { side: Side; values: SyncedValues },
	): void {
		const c = this.must(key);
		if (policy === 'merge') this.assign(c, first.values);
		// The owner's own write replaced them; so does the sync's write of a CRM edit that survives.
		if (policy === 'merge' || first.side === 'exchange') this.exchangeWritten(c, first.values);
		this.assign(c, second.values);
		this.exchangeWritten(c, second.values);
	}

	/** Deleted on one side and edited on the other in the same interval: the change wins, the deleted side gets a new copy. */
	changeBeatsDeletion(key: string, deletedSide: Side, values: SyncedValues): void {
		const c = this.must(key);
		this.assign(c, values);
		if (deletedSide === 'crm') {
			this.exchangeWritten(c, values);
			c.onCrm = true;
			c.crmOnly = {};
		} else {
			c.onExchange = true;
			c.exchangeOnly = {};
		}
	}

	live(): ExpectedRecord[] {
		return [...this.records.values()].filter((c) => !c.tainted && (c.onCrm || c.onExchange));
	}

	private assign(c: ExpectedRecord, values: SyncedValues): void {
		for (const [f, v] of Object.entries(values)) {
			if (v === undefined) delete c.fields[f];
			else c.fields[f] = v;
		}
	}

	/** The synced fields in `values` end up written on the Exchange item (by the owner or by the sync). */
	private exchangeWritten(c: ExpectedRecord, values: SyncedValues): void {
		for (const field of Object.keys(values)) for (const property of this.rules.replaces(field)) delete c.exchangeOnly[property];
	}

	private must(key: string): ExpectedRecord {
		const c = this.records.get(key);
		if (!c) throw new Error(`the oracle has no record ${key}`);
		return c;
	}
}
