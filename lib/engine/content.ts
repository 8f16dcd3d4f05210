import { hashRecord, stableStringify } from '../model/hash';
import { normalize } from '../model/normalize';
import { COMPONENT_FIELDS, type Component, type ComponentRecordMap } from '../model/types';
import { ABSENT, decodeBase, differsFromBase } from './base-vector';

export function fieldsOf(component: Component, syncedFields?: readonly string[]): readonly string[] {
	return syncedFields ?? COMPONENT_FIELDS[component];
}

/** Normalized copy of a record restricted to the synced fields. */
export function prepareRecord<C extends Component>(component: C, record: ComponentRecordMap[C], fields: readonly string[]): ComponentRecordMap[C] {
	const normalized = normalize(component, record) as unknown as Record<string, unknown>;
	const out: Record<string, unknown> = {};
	for (const f of fields) if (normalized[f] !== undefined) out[f] = normalized[f];
	return out as unknown as ComponentRecordMap[C];
}

/**
 * The CRM's enrichment lines (S21: company, contact person, deep link...) are written below a marker line
 * into the Exchange text; they say nothing about the appointment itself, so they do not count for the hash.
 */
function withoutEnrichment(body: string, marker: string): string | undefined {
	const lines = body.split('\n');
	const at = lines.findIndex((line) => line.trim() === marker.trim());
	const kept = (at === -1 ? lines : lines.slice(0, at)).join('\n').trim();
	return kept === '' ? undefined : kept;
}

function instantOnly(value: unknown): unknown {
	return value && typeof value === 'object' && 'dateTime' in value ? (value as { dateTime: unknown }).dateTime : value;
}

/**
 * What the hash sees of a record. Appointment times count as instants: the zone an appointment was
 * entered in is kept for Exchange's display, but a CRM stores no zone, so the same meeting read from
 * both sides must hash alike.
 */
/** What a private appointment shows the other side (S17): when it is busy, nothing else. */
export const PRIVATE_EVENT_FIELDS: readonly string[] = ['start', 'end', 'isAllDay', 'isPrivate', 'recurrence'];

function hashView(component: Component, record: object, enrichmentMarker?: string): object {
	if (component !== 'event') return record;
	let event = record as Record<string, unknown>;
	// The CRM holds a private appointment as a busy block without details (S17), Exchange with them; the
	// pair is equal when the busy times are.
	if (event.isPrivate === true) event = Object.fromEntries(PRIVATE_EVENT_FIELDS.map((f) => [f, event[f]]));
	const view: Record<string, unknown> = { ...event, start: instantOnly(event.start), end: instantOnly(event.end) };
	if (enrichmentMarker && typeof event.body === 'string') view.body = withoutEnrichment(event.body, enrichmentMarker);
	const recurrence = event.recurrence as { range?: Record<string, unknown>; exceptions?: Array<Record<string, unknown>> } | undefined;
	if (recurrence) {
		view.recurrence = {
			...recurrence,
			range: recurrence.range ? { ...recurrence.range, recurrenceTimeZone: undefined } : undefined,
			exceptions: recurrence.exceptions?.map((ex) => ({ ...ex, start: instantOnly(ex.start), end: instantOnly(ex.end) })),
		};
	}
	return view;
}

/**
 * A prepared record as changed-field detection, merge and merge bases see it, like the hash: an
 * appointment's times as instants and its body without the CRM's enrichment block. Otherwise the CRM's
 * record (no zone, body with the block) and the Exchange one (zone, the owner's body) differ in every
 * run: any CRM change also rewrote the unchanged description, turning the owner's HTML body into text,
 * and merge took a zone-only difference for a CRM change of the time, so a time moved in Outlook lost
 * against an edit of another field in the CRM (both found by the soak).
 */
export function comparableRecord(component: Component, record: object, enrichmentMarker?: string): object {
	if (component !== 'event') return record;
	const event = record as Record<string, unknown>;
	const view: Record<string, unknown> = { ...event };
	if (event.start !== undefined) view.start = instantOnly(event.start);
	if (event.end !== undefined) view.end = instantOnly(event.end);
	if (enrichmentMarker && typeof event.body === 'string') {
		view.body = withoutEnrichment(event.body, enrichmentMarker);
		if (view.body === undefined) delete view.body;
	}
	return view;
}

/** Content hash of a prepared record. */
export function contentHash(component: Component, record: object, fields: readonly string[], enrichmentMarker?: string): string {
	return hashRecord(hashView(component, record, enrichmentMarker), fields);
}

/** The merge base of a pair (which value each field had when in sync), in the format of lib/engine/base-vector.ts. */
export { encodeBase as fieldVector, fieldCode } from './base-vector';

/**
 * Fields of a prepared record that differ from the pair's last synced content (its base vector), for an
 * update whose target was not read in this run. Without a usable base (state of older versions) only the
 * fields the record has count, so a field cleared on the source side is not cleared on the target.
 * The update was planned because the record's content hash differs from the stored one, so a base that
 * shows no changed field has a colliding code (or is stale): then the same fallback applies, and the
 * change is never dropped.
 */
export function changedSinceBase(record: object, base: string | undefined, fields: readonly string[]): string[] {
	const entries = decodeBase(base, fields);
	if (entries === undefined) return changedFields(undefined, record, fields);
	const values = record as Record<string, unknown>;
	const changed = fields.filter((f, i) => differsFromBase(values[f], entries[i]));
	return changed.length ? changed : changedFields(undefined, record, fields);
}

/**
 * Of the fields an update would change, those it may: never a field the source has no value for and had
 * none for at the base either, since the source did not clear it. Writing it would clear a value only the
 * target holds: one a field the mapping newly pairs or remapped brought in (mapping-change.ts), or one
 * the target's user entered that a whole-record winner never had. Without a usable base all stay.
 */
export function withoutUnheldClears(changed: readonly string[], record: object, base: string | undefined, fields: readonly string[]): string[] {
	const entries = decodeBase(base, fields);
	if (entries === undefined) return [...changed];
	const values = record as Record<string, unknown>;
	return changed.filter((field) => {
		const entry = entries[fields.indexOf(field)];
		return entry !== ABSENT || differsFromBase(values[field], entry);
	});
}

/** Canonical fields whose values differ between two prepared records. */
export function changedFields(from: object | undefined, to: object, fields: readonly string[]): string[] {
	const a = (from ?? {}) as Record<string, unknown>;
	const b = to as Record<string, unknown>;
	return fields.filter((f) => stableStringify(a[f]) !== stableStringify(b[f]));
}
