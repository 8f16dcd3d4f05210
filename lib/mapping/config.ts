import { shortHash, stableStringify } from '../model/hash';
import type { Component } from '../model/types';
import { MappingError } from './errors';
import { DEFAULT_EVENT_OPTIONS, PRESET_PAIRS, PRESET_PICKLISTS } from './presets';
import { topLevel } from './paths';
import type { FieldKind, FieldPair, MappingConfig, MappingOverrides, PicklistTable } from './types';

const KINDS: readonly FieldKind[] = ['text', 'email', 'date', 'plainText', 'number', 'boolean', 'picklist', 'dateTime', 'json'];

function validatePair(pair: FieldPair, picklists: Record<string, PicklistTable>): void {
	if (!pair.canonical?.trim() || !pair.crm?.trim()) {
		throw new MappingError('Every field pair needs both a canonical field and a CRM field');
	}
	if (!KINDS.includes(pair.kind)) throw new MappingError(`Field pair "${pair.canonical}" has an unknown kind "${String(pair.kind)}"`, pair.canonical);
	if (pair.kind === 'picklist' && (!pair.picklist || !picklists[pair.picklist])) {
		throw new MappingError(`Field pair "${pair.canonical}" uses picklist "${pair.picklist ?? ''}", which does not exist`, pair.canonical);
	}
}

/** The preset for a component with a builder's changes applied. */
export function buildMappingConfig(component: Component, overrides: MappingOverrides = {}): MappingConfig {
	const picklists: Record<string, PicklistTable> = {};
	for (const [name, preset] of Object.entries(PRESET_PICKLISTS[component])) {
		picklists[name] = { ...preset, entries: [...preset.entries] };
	}
	for (const [name, change] of Object.entries(overrides.picklists ?? {})) {
		const base = picklists[name] ?? { entries: [] };
		picklists[name] = {
			entries: change.replace ? [...change.entries] : [...change.entries, ...base.entries],
			fallbackCanonical: change.fallbackCanonical ?? base.fallbackCanonical,
			fallbackCrm: change.fallbackCrm ?? base.fallbackCrm,
		};
	}

	const drop = new Set((overrides.drop ?? []).map((d) => d.trim()).filter((d) => d !== ''));
	let pairs = PRESET_PAIRS[component].filter((p) => !drop.has(p.canonical) && !drop.has(p.crm)).map((p) => ({ ...p }));
	for (const added of overrides.pairs ?? []) {
		pairs = pairs.filter((p) => p.canonical !== added.canonical && p.crm !== added.crm);
		pairs.push({ ...added });
	}
	for (const pair of pairs) validatePair(pair, picklists);

	const eventOverrides = overrides.event ?? {};
	const event = {
		...DEFAULT_EVENT_OPTIONS,
		...eventOverrides,
		enrichment: { ...DEFAULT_EVENT_OPTIONS.enrichment, ...(eventOverrides.enrichment ?? {}) },
	};
	event.syncedEventTypes = [...(eventOverrides.syncedEventTypes ?? DEFAULT_EVENT_OPTIONS.syncedEventTypes)];
	return { component, pairs, picklists, event };
}

/**
 * Top-level canonical fields this mapping keeps in sync; the engine hashes only these.
 * Fields written only on creation (S19 reminder) are not kept in sync, and CRM-only fields (event
 * type) have no Exchange value to compare with, so both are left out.
 */
export function syncedFields(component: Component, config: MappingConfig = buildMappingConfig(component)): string[] {
	const fields = new Set<string>();
	for (const pair of config.pairs) {
		if (!pair.onCreateOnly && !pair.crmOnly) fields.add(topLevel(pair.canonical));
	}
	if (component === 'event' && config.event.enrichment.enabled && config.event.enrichment.setCategory) fields.add('categories');
	return [...fields].sort();
}

/**
 * A short code per synced field (see `syncedFields`) of how the CRM side maps it: the field pairs that
 * write it (CRM field, kind, direction, options) with their picklist tables. The state keeps the codes
 * its merge bases were written with, so a field the builder remaps (jobTitle from `title` to
 * `cf_position`) is not taken for one the CRM cleared (lib/engine/mapping-change.ts).
 */
export function mappingCodes(component: Component, config: MappingConfig = buildMappingConfig(component)): Record<string, string> {
	const codes: Record<string, string> = {};
	for (const field of syncedFields(component, config)) {
		const pairs = config.pairs
			.filter((pair) => topLevel(pair.canonical) === field)
			.map((pair) => stableStringify({ ...pair, ...(pair.picklist ? { table: config.picklists[pair.picklist] } : {}) }))
			.sort();
		const enrichment = field === 'categories' && component === 'event' ? config.event.enrichment.setCategory : undefined;
		codes[field] = shortHash(stableStringify({ pairs, enrichment })).slice(0, 6);
	}
	return codes;
}
