/**
 * The users' hands in the soak: random edits in Outlook (plain Graph, through the component's profile)
 * and in the CRM (the embedded backend), each told to the oracle as it is made.
 */
import type { EmbeddedCrmBackend } from '../../lib/crm';
import type { ExpectedRecord, SoakOracle } from './oracle';
import type { OutlookUser } from './outlook';
import type { Side, SoakComponent, SyncedValues, ValueSource } from './profile';
import type { SidesSnapshot } from './sides';
import type { SoakPolicy } from './template-run';

export type EditKind =
	| 'createCrm'
	| 'createExchange'
	| 'editCrm'
	| 'editExchange'
	| 'editBoth'
	| 'clearCrm'
	| 'foreignCrm'
	| 'foreignExchange'
	| 'deleteCrm'
	| 'deleteExchange'
	| 'deleteExchangeEditCrm'
	| 'deleteCrmEditExchange';

const EDIT_WEIGHTS: Array<[EditKind, number]> = [
	['createCrm', 3],
	['createExchange', 3],
	['editCrm', 5],
	['editExchange', 5],
	['editBoth', 3],
	['clearCrm', 1],
	['foreignCrm', 1],
	['foreignExchange', 1],
	['deleteCrm', 1],
	['deleteExchange', 1],
	['deleteExchangeEditCrm', 1],
	['deleteCrmEditExchange', 1],
];

export interface EditContext {
	component: SoakComponent;
	oracle: SoakOracle;
	outlook: OutlookUser;
	crm: EmbeddedCrmBackend;
	policy: SoakPolicy;
	maxRecords: number;
	source: ValueSource;
	folderId(): string;
}

export class SoakEdits {
	private snapshot: SidesSnapshot = { crm: new Map(), exchange: new Map(), strangers: 0 };
	private touched = new Set<string>();
	/**
	 * Sides of records edited since the last clean run (complete, nothing failed, no retry pending). The
	 * soak edits a side only while the other side has no edit that has not crossed yet, and deletes only a
	 * clean record: otherwise it would make a conflict (S3) or "a change beats a deletion" by accident, which
	 * editBoth and the delete-and-edit edits make on purpose, where the oracle knows the outcome.
	 */
	private readonly dirty = new Map<string, Set<Side>>();

	constructor(private readonly ctx: EditContext) {}

	/** A new round: what both sides hold now, nothing touched yet. */
	startRound(snapshot: SidesSnapshot): void {
		this.snapshot = snapshot;
		this.touched = new Set();
	}

	/** A run completed cleanly: every edit so far has crossed. */
	crossed(): void {
		this.dirty.clear();
	}

	/** Keys touched so far this round (for the trace). */
	touchedKeys(): string[] {
		return [...this.touched];
	}

	pick(): EditKind {
		const total = EDIT_WEIGHTS.reduce((s, [, w]) => s + w, 0);
		let r = this.ctx.source.random() * total;
		for (const [kind, w] of EDIT_WEIGHTS) {
			r -= w;
			if (r < 0) return kind;
		}
		return 'editCrm';
	}

	private choose<T>(list: readonly T[]): T {
		return list[Math.floor(this.ctx.source.random() * list.length)];
	}

	/**
	 * New values for `fields`, each different from the record's current one: an "edit" to the value a field
	 * already has (likely for a picklist or a date) changes nothing, so it neither beats a deletion nor wins
	 * a conflict, and the oracle would expect what the product rightly does not do.
	 */
	private values(fields: readonly string[], current: SyncedValues = {}): SyncedValues {
		const fresh = (f: string): string => {
			for (let i = 0; ; i++) {
				const value = this.ctx.component.value(f, this.ctx.source);
				if (value !== current[f] || i >= 50) return value;
			}
		};
		return Object.fromEntries(fields.map((f) => [f, fresh(f)])) as SyncedValues;
	}

	private someFields(): string[] {
		const all = this.ctx.component.fields;
		const fields = all.filter(() => this.ctx.source.random() < 0.4);
		return fields.length ? fields : [this.choose(all)];
	}

	/** A record not touched yet this round, present on the wanted sides (as the oracle expects after the last sync). */
	private candidate(where: { crm?: boolean; exchange?: boolean; edits: Side[]; clean?: boolean }): ExpectedRecord | undefined {
		const mayEdit = (key: string) => [...(this.dirty.get(key) ?? [])].every((side) => !where.clean && where.edits.includes(side));
		const fit = this.ctx.oracle
			.live()
			.filter((c) => !this.touched.has(c.key) && mayEdit(c.key))
			.filter((c) => (where.crm === undefined || c.onCrm === where.crm) && (where.exchange === undefined || c.onExchange === where.exchange))
			.filter((c) => (!where.crm || this.snapshot.crm.get(c.key)?.length === 1) && (!where.exchange || this.snapshot.exchange.get(c.key)?.length === 1));
		const c = fit.length ? this.choose(fit) : undefined;
		if (c) this.mark(c.key, where.edits);
		return c;
	}

	private mark(key: string, sides: Side[]): void {
		this.touched.add(key);
		const dirty = this.dirty.get(key) ?? new Set();
		for (const side of sides) dirty.add(side);
		this.dirty.set(key, dirty);
	}

	private crmId(c: ExpectedRecord): string {
		return (this.snapshot.crm.get(c.key) ?? [])[0].id;
	}

	private exchangeId(c: ExpectedRecord): string {
		return (this.snapshot.exchange.get(c.key) ?? [])[0].id;
	}

	private async editCrmRecord(c: ExpectedRecord, values: SyncedValues): Promise<void> {
		await this.ctx.crm.update(this.ctx.component.crmModule, this.crmId(c), { fields: this.ctx.component.crmPatch(values) });
	}

	private async editExchangeItem(c: ExpectedRecord, values: SyncedValues): Promise<void> {
		const { component, outlook } = this.ctx;
		const current = await component.get(outlook, this.ctx.folderId(), this.exchangeId(c));
		await component.updateExchange(outlook, this.ctx.folderId(), current, values);
	}

	async apply(kind: EditKind): Promise<void> {
		const { component, oracle: o, crm, outlook, source } = this.ctx;
		const folderId = this.ctx.folderId();
		switch (kind) {
			case 'createCrm': {
				if (o.live().length >= this.ctx.maxRecords) return;
				const key = o.newKey();
				const fields = this.values(component.fields);
				const crmOnly = component.crmOnlyValues(key, source);
				await crm.create(component.crmModule, { fields: component.crmCreate(key, fields, crmOnly) });
				o.add({ key, fields, onCrm: true, onExchange: true, exchangeOnly: {}, crmOnly });
				this.mark(key, ['crm', 'exchange']);
				return;
			}
			case 'createExchange': {
				if (o.live().length >= this.ctx.maxRecords) return;
				const key = o.newKey();
				const fields = this.values(component.fields);
				const exchangeOnly = component.newExchangeOnly(key, source);
				await component.createExchange(outlook, folderId, key, fields, exchangeOnly);
				o.add({ key, fields, onCrm: true, onExchange: true, exchangeOnly, crmOnly: {} });
				this.mark(key, ['crm', 'exchange']);
				return;
			}
			case 'editCrm':
			case 'clearCrm': {
				const c = this.candidate({ crm: true, edits: ['crm'] });
				if (!c) return;
				const values = kind === 'editCrm' ? this.values(this.someFields(), c.fields) : { [this.choose(component.clearable)]: undefined };
				await this.editCrmRecord(c, values);
				o.edited(c.key, 'crm', values);
				return;
			}
			case 'editExchange': {
				const c = this.candidate({ exchange: true, edits: ['exchange'] });
				if (!c) return;
				const values = this.values(this.someFields(), c.fields);
				await this.editExchangeItem(c, values);
				o.edited(c.key, 'exchange', values);
				return;
			}
			case 'editBoth': {
				const c = this.candidate({ crm: true, exchange: true, edits: ['crm', 'exchange'], clean: true });
				if (!c) return;
				const shuffled = [...component.fields].sort(() => source.random() - 0.5);
				const half = Math.ceil(shuffled.length / 2);
				const crmEdit = { side: 'crm' as const, values: this.values(shuffled.slice(0, half), c.fields) };
				const exchangeEdit = { side: 'exchange' as const, values: this.values(shuffled.slice(half), c.fields) };
				const [first, second] = source.random() < 0.5 ? [crmEdit, exchangeEdit] : [exchangeEdit, crmEdit];
				for (const edit of [first, second]) {
					if (edit.side === 'crm') await this.editCrmRecord(c, edit.values);
					else await this.editExchangeItem(c, edit.values);
					// A few milliseconds apart, so "last modified" is well defined on both clocks.
					if (edit === first) await new Promise((resolve) => setTimeout(resolve, 5));
				}
				o.editedBoth(c.key, this.ctx.policy, first, second);
				return;
			}
			case 'foreignCrm': {
				const c = this.candidate({ crm: true, edits: ['crm'] });
				if (!c) return;
				const field = this.choose(component.crmOnlyFields);
				const value = `${field}-${source.round}`;
				await crm.update(component.crmModule, this.crmId(c), { fields: { [field]: value } });
				c.crmOnly[field] = value;
				return;
			}
			case 'foreignExchange': {
				const c = this.candidate({ exchange: true, edits: ['exchange'] });
				if (!c) return;
				const current = await component.get(outlook, folderId, this.exchangeId(c));
				c.exchangeOnly = await component.editExchangeOnly(outlook, folderId, current, c.exchangeOnly, source);
				return;
			}
			case 'deleteCrm': {
				const c = this.candidate({ crm: true, edits: ['crm', 'exchange'], clean: true });
				if (!c) return;
				await crm.delete(component.crmModule, this.crmId(c));
				o.deleted(c.key, 'crm');
				return;
			}
			case 'deleteExchange': {
				const c = this.candidate({ exchange: true, edits: ['crm', 'exchange'], clean: true });
				if (!c) return;
				await component.deleteExchange(outlook, folderId, this.exchangeId(c));
				o.deleted(c.key, 'exchange');
				return;
			}
			case 'deleteExchangeEditCrm': {
				const c = this.candidate({ crm: true, exchange: true, edits: ['crm', 'exchange'], clean: true });
				if (!c) return;
				const values = this.values(this.someFields(), c.fields);
				await component.deleteExchange(outlook, folderId, this.exchangeId(c));
				await this.editCrmRecord(c, values);
				o.changeBeatsDeletion(c.key, 'exchange', values);
				return;
			}
			case 'deleteCrmEditExchange': {
				const c = this.candidate({ crm: true, exchange: true, edits: ['crm', 'exchange'], clean: true });
				if (!c) return;
				const values = this.values(this.someFields(), c.fields);
				await this.editExchangeItem(c, values);
				await crm.delete(component.crmModule, this.crmId(c));
				o.changeBeatsDeletion(c.key, 'crm', values);
				return;
			}
		}
	}
}
