import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

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

/** Reads one mapping setting: `name` may be a dotted path into a collection (`fieldPairs.pair`). */
type MappingSetting = <T>(name: string, fallback: T) => T;

/** The mapping config (preset + the builder's changes) from the mapping settings. */
function mappingConfigFrom(component: Component, setting: MappingSetting): MappingConfig {
	const pairs = setting<PairParameter[]>('fieldPairs.pair', []).map(toPair);
	const entries = setting<Array<{ picklist?: string; crm?: string; canonical?: string }>>('picklistEntries.entry', []);
	const picklists: NonNullable<MappingOverrides['picklists']> = {};
	for (const entry of entries) {
		const name = (entry.picklist ?? '').trim();
		if (!name) continue;
		picklists[name] ??= { entries: [] };
		picklists[name].entries.push({ crm: (entry.crm ?? '').trim(), canonical: (entry.canonical ?? '').trim() });
	}
	const overrides: MappingOverrides = {
		pairs,
		drop: commaList(setting<string>('dropFields', '')),
		picklists,
	};
	if (component === 'event') {
		const o = setting<EventOptionsParameter>('eventOptions', {});
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

/** The value at a dotted path of another node's parameters, its expressions evaluated for this item. */
function settingOf(ctx: IExecuteFunctions, itemIndex: number, parameters: IDataObject): MappingSetting {
	const evaluate = (value: unknown): unknown => {
		if (typeof value === 'string' && value.startsWith('=')) return ctx.evaluateExpression(value, itemIndex);
		if (Array.isArray(value)) return value.map(evaluate);
		if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v)]));
		return value;
	};
	return <T>(name: string, fallback: T): T => {
		let value: unknown = parameters;
		for (const key of name.split('.')) value = value && typeof value === 'object' ? (value as IDataObject)[key] : undefined;
		return value === undefined ? fallback : (evaluate(value) as T);
	};
}

/**
 * The other Field Mapping node's parameters (Canonical → CRM with "Mapping: Same as the CRM → Canonical
 * Node"); they must be a CRM → Canonical mapping of the same component.
 */
function mappingNodeParameters(ctx: IExecuteFunctions, itemIndex: number, component: Component): IDataObject {
	const source = ctx.getNodeParameter('mappingSource', itemIndex, undefined) as unknown;
	const fix = "Set “Mapping Node” to {{ $('Name of the CRM → Canonical node').params }}, or choose “Mapping: Set Here”.";
	if (!source || typeof source !== 'object' || Array.isArray(source)) {
		throw new NodeOperationError(ctx.getNode(), 'The node this mapping should come from was not found', { itemIndex, description: fix });
	}
	const parameters = source as IDataObject;
	if ((parameters.operation ?? 'toCanonical') !== 'toCanonical') {
		throw new NodeOperationError(ctx.getNode(), '“Mapping Node” is not a CRM → Canonical Field Mapping node', { itemIndex, description: fix });
	}
	if (parameters.component !== component) {
		throw new NodeOperationError(ctx.getNode(), `“Mapping Node” maps ${String(parameters.component)} records, this node ${component} records`, {
			itemIndex,
			description: 'Point “Mapping Node” at the CRM → Canonical node of the same pipeline.',
		});
	}
	return parameters;
}

/**
 * The mapping config for one item: this node's own settings, or (Canonical → CRM, "Mapping: Same as the
 * CRM → Canonical Node") those of the pipeline's other Field Mapping node, so one mapping drives both
 * directions.
 */
export function readMappingConfig(this: IExecuteFunctions, itemIndex: number): MappingConfig {
	const component = this.getNodeParameter('component', itemIndex) as Component;
	const fromNode = this.getNodeParameter('operation', itemIndex) === 'toCrm' && this.getNodeParameter('mappingFrom', itemIndex, 'own') === 'node';
	const setting: MappingSetting = fromNode
		? settingOf(this, itemIndex, mappingNodeParameters(this, itemIndex, component))
		: <T>(name: string, fallback: T) => this.getNodeParameter(name, itemIndex, fallback) as T;
	return mappingConfigFrom(component, setting);
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
