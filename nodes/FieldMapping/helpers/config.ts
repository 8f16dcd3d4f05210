import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { commaList } from '../../../lib/engine';
import { buildMappingConfig } from '../../../lib/mapping';
import type { FieldKind, FieldPair, MappingConfig, MappingOverrides, PairDirection } from '../../../lib/mapping';
import type { Component } from '../../../lib/model/types';

interface PairParameter {
	canonical?: string;
	crm?: string;
	kind?: FieldKind;
	direction?: PairDirection;
	picklist?: string;
	crmTime?: string;
	onCreateOnly?: boolean;
}

interface EventOptionsParameter {
	busySubject?: string;
	crmTimeZone?: string;
	deepLinkTemplate?: string;
	defaultEventType?: string;
	defaultReminderMinutes?: number;
	enrichment?: boolean;
	privateAsBusyBlock?: boolean;
	remarkField?: string;
	setCategory?: boolean;
	syncedEventTypes?: string;
}

function blankToUndefined(text: string | undefined): string | undefined {
	return text && text.trim() !== '' ? text.trim() : undefined;
}

function toPair(p: PairParameter): FieldPair {
	return {
		canonical: (p.canonical ?? '').trim(),
		crm: (p.crm ?? '').trim(),
		kind: p.kind ?? 'text',
		...(p.direction && p.direction !== 'both' ? { direction: p.direction } : {}),
		...(blankToUndefined(p.picklist) ? { picklist: blankToUndefined(p.picklist) } : {}),
		...(blankToUndefined(p.crmTime) ? { crmTime: blankToUndefined(p.crmTime) } : {}),
		...(p.onCreateOnly ? { onCreateOnly: true } : {}),
	};
}

/** The node's customisation parameters for one item → the mapping config (preset + changes). */
export function readMappingConfig(this: IExecuteFunctions, itemIndex: number): MappingConfig {
	const component = this.getNodeParameter('component', itemIndex) as Component;
	const pairs = (this.getNodeParameter('fieldPairs.pair', itemIndex, []) as PairParameter[]).map(toPair);
	const entries = this.getNodeParameter('picklistEntries.entry', itemIndex, []) as Array<{
		picklist?: string;
		crm?: string;
		canonical?: string;
	}>;
	const picklists: NonNullable<MappingOverrides['picklists']> = {};
	for (const entry of entries) {
		const name = (entry.picklist ?? '').trim();
		if (!name) continue;
		picklists[name] ??= { entries: [] };
		picklists[name].entries.push({ crm: (entry.crm ?? '').trim(), canonical: (entry.canonical ?? '').trim() });
	}
	const overrides: MappingOverrides = {
		pairs,
		drop: commaList(this.getNodeParameter('dropFields', itemIndex, '') as string),
		picklists,
	};
	if (component === 'event') {
		const o = this.getNodeParameter('eventOptions', itemIndex, {}) as EventOptionsParameter;
		const types = commaList(o.syncedEventTypes);
		overrides.event = {
			...(types.length ? { syncedEventTypes: types } : {}),
			...(blankToUndefined(o.defaultEventType) ? { defaultEventType: blankToUndefined(o.defaultEventType) } : {}),
			...(o.privateAsBusyBlock !== undefined ? { privateAsBusyBlock: o.privateAsBusyBlock } : {}),
			...(blankToUndefined(o.busySubject) ? { busySubject: blankToUndefined(o.busySubject) } : {}),
			...(o.defaultReminderMinutes !== undefined ? { defaultReminderMinutes: o.defaultReminderMinutes } : {}),
			...(blankToUndefined(o.crmTimeZone) ? { crmTimeZone: blankToUndefined(o.crmTimeZone) } : {}),
			enrichment: {
				...(o.enrichment !== undefined ? { enabled: o.enrichment } : {}),
				...(blankToUndefined(o.deepLinkTemplate) ? { deepLinkTemplate: blankToUndefined(o.deepLinkTemplate) } : {}),
				...(blankToUndefined(o.remarkField) ? { remarkField: blankToUndefined(o.remarkField) } : {}),
				...(o.setCategory !== undefined ? { setCategory: o.setCategory } : {}),
			},
		};
	}
	return buildMappingConfig(component, overrides);
}

/** "Set Fields" values for one item (already evaluated by n8n, so expressions work). */
export function readSetFields(this: IExecuteFunctions, itemIndex: number): Array<{ name: string; value: unknown }> {
	const fields = this.getNodeParameter('setFields.field', itemIndex, []) as Array<{ name?: string; value?: unknown }>;
	return fields.filter((f) => (f.name ?? '').trim() !== '').map((f) => ({ name: (f.name ?? '').trim(), value: f.value }));
}

/** A plain object at `field` of the item (the whole item when `field` is empty). */
export function objectAt(json: IDataObject, field: string): IDataObject | undefined {
	if (field.trim() === '') return json;
	const value = json[field.trim()];
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : undefined;
}
