import { normalize } from '../model/normalize';
import { stableStringify } from '../model/hash';
import type { CalendarEvent, Component, ComponentRecordMap, Recurrence, ZonedDateTime } from '../model/types';
import { buildEnrichment, stripEnrichment } from './enrichment';
import { MappingError } from './errors';
import { toPlainText } from './html';
import { getPath, setPath, topLevel } from './paths';
import type { CrmFields, FieldPair, MappingConfig, ToCanonicalContext, ToCrmContext } from './types';
import { parseBoolean, readCrmValue, writeCrmValues, type ValueContext } from './values';

/** S17: the only fields a private appointment carries into the CRM (a series keeps its times: S20). */
export const BUSY_BLOCK_FIELDS: readonly string[] = ['start', 'end', 'isAllDay', 'isPrivate', 'eventType', 'reminderMinutes', 'recurrence'];

/** S17 + S20: a private series blocks the same times, but its moved occurrences lose their details. */
function busyRecurrence(recurrence: Recurrence): Recurrence {
	if (!recurrence.exceptions) return recurrence;
	const exceptions = recurrence.exceptions.map(({ originalStart, deleted, start, end }) => ({
		originalStart,
		...(deleted ? { deleted } : {}),
		...(start ? { start } : {}),
		...(end ? { end } : {}),
	}));
	return { ...recurrence, exceptions };
}

const copiesToCanonical = (p: FieldPair) => p.direction !== 'toCrm';
const copiesToCrm = (p: FieldPair) => p.direction !== 'toCanonical';

function crmAllDay(config: MappingConfig, fields: CrmFields): boolean {
	const pair = config.pairs.find((p) => p.canonical === 'isAllDay');
	return pair ? parseBoolean(fields[pair.crm], pair) === true : false;
}

function eventTypeField(config: MappingConfig): string {
	return config.pairs.find((p) => p.canonical === 'eventType')?.crm ?? 'activitytype';
}

/** S8: does this CRM appointment have one of the configured event types? */
export function isSyncedEventType(fields: CrmFields, config: MappingConfig): boolean {
	const value = fields[eventTypeField(config)];
	const type = typeof value === 'string' ? value.trim().toLowerCase() : '';
	return config.event.syncedEventTypes.some((t) => t.trim().toLowerCase() === type);
}

function normalized<C extends Component>(component: C, record: Record<string, unknown>): ComponentRecordMap[C] {
	try {
		return normalize(component, record as unknown as ComponentRecordMap[C]);
	} catch (error) {
		throw new MappingError(error instanceof Error ? error.message : String(error));
	}
}

/** CRM record fields (vtiger names) → canonical record. */
export function crmToCanonical<C extends Component>(
	component: C,
	fields: CrmFields,
	config: MappingConfig,
	context: ToCanonicalContext = {},
): ComponentRecordMap[C] {
	const ctx: ValueContext = { config, allDay: component === 'event' && crmAllDay(config, fields) };
	const record: Record<string, unknown> = {};
	for (const pair of config.pairs.filter(copiesToCanonical)) {
		const value = readCrmValue(pair, fields, ctx);
		if (value !== undefined) setPath(record, pair.canonical, value);
	}
	if (component === 'event') {
		const event = record as Partial<CalendarEvent>;
		if (config.pairs.some((p) => p.canonical === 'reminderMinutes') && event.reminderMinutes === undefined) {
			event.reminderMinutes = config.event.defaultReminderMinutes;
		}
		const enrichment = config.event.enrichment;
		if (enrichment.enabled) {
			const block = buildEnrichment(enrichment, { fields, recordId: context.recordId, related: context.related });
			if (block) event.body = [event.body, block].filter((part) => !!part).join('\n\n');
			const type = event.eventType;
			if (enrichment.setCategory && type) event.categories = [type];
		}
	}
	return normalized(component, record);
}

function sameCanonical(a: unknown, b: unknown): boolean {
	return stableStringify(a ?? null) === stableStringify(b ?? null);
}

/** The CRM's current values of a pair, when they already mean `value` (keeps picklist spellings, '1' vs true, ...). */
function keptValues(pair: FieldPair, value: unknown, config: MappingConfig, existing: CrmFields, component: Component): CrmFields | undefined {
	let current: unknown;
	try {
		current = readCrmValue(pair, existing, { config, allDay: component === 'event' && crmAllDay(config, existing) });
	} catch {
		return undefined;
	}
	if (!sameCanonical(current, value)) return undefined;
	const kept: CrmFields = {};
	for (const field of [pair.crm, pair.crmTime]) {
		if (field !== undefined && existing[field] !== undefined) kept[field] = existing[field];
	}
	return kept;
}

/** Event rules applied to the canonical record before it is written to the CRM (S8, S17, S21). */
function prepareEventForCrm(event: Record<string, unknown>, config: MappingConfig, context: ToCrmContext): Record<string, unknown> {
	const prepared = { ...event };
	if (typeof prepared.body === 'string' && config.event.enrichment.enabled) {
		prepared.body = stripEnrichment(toPlainText(prepared.body), config.event.enrichment.marker) || undefined;
	}
	if (prepared.eventType === undefined) {
		const currentType = context.existing?.[eventTypeField(config)];
		prepared.eventType =
			typeof currentType === 'string' && currentType.trim() !== '' ? currentType : (config.event.defaultEventType ?? config.event.syncedEventTypes[0]);
	}
	if (prepared.isPrivate === true && config.event.privateAsBusyBlock) {
		for (const key of Object.keys(prepared)) {
			if (!BUSY_BLOCK_FIELDS.includes(key)) delete prepared[key];
		}
		prepared.subject = config.event.busySubject;
		if (prepared.recurrence) prepared.recurrence = busyRecurrence(prepared.recurrence as Recurrence);
	}
	return prepared;
}

/**
 * Whether an update writes this pair. With `changedFields` only the pairs of changed canonical fields are
 * written, plus the clears of fields the record lacks: when the plan did not read the target record it
 * cannot tell a field cleared on the source from one never set, and clearing an empty CRM field changes
 * nothing. An appointment that turns private (S17) becomes a busy block as a whole.
 */
function writesPair(pair: FieldPair, value: unknown, changed: ReadonlySet<string> | undefined, becomesBusyBlock: boolean): boolean {
	if (!changed || becomesBusyBlock) return true;
	return changed.has(topLevel(pair.canonical)) || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/**
 * Canonical record → CRM fields (vtiger names). Fields the record lacks are cleared (''), except on
 * creation, where they are left out. With `context.existing`, values that mean the same as the CRM's
 * current ones keep the CRM's spelling, and unchanged fields are left out when the CRM had none.
 * Fields marked onCreateOnly (S19 reminder) are written only when `context.creating` is true.
 * With `context.changedFields` (updates), only the fields of changed canonical fields are written.
 */
export function canonicalToCrm<C extends Component>(component: C, record: ComponentRecordMap[C], config: MappingConfig, context: ToCrmContext = {}): CrmFields {
	let source = normalized(component, { ...(record as object) }) as unknown as Record<string, unknown>;
	if (component === 'event') source = prepareEventForCrm(source, config, context);
	const ctx: ValueContext = { config, allDay: component === 'event' && source.isAllDay === true };
	const busyBlock = component === 'event' && source.isPrivate === true && config.event.privateAsBusyBlock;
	const changed = !context.creating && context.changedFields ? new Set(context.changedFields) : undefined;
	const becomesBusyBlock = busyBlock && changed?.has('isPrivate') === true;

	const out: CrmFields = {};
	for (const pair of config.pairs.filter(copiesToCrm)) {
		if (pair.onCreateOnly && !context.creating) continue;
		let value = getPath(source, pair.canonical);
		if (pair.onCreateOnly && value === undefined && pair.canonical === 'reminderMinutes') value = config.event.defaultReminderMinutes;
		if (busyBlock && !BUSY_BLOCK_FIELDS.includes(topLevel(pair.canonical)) && pair.canonical !== 'subject') value = undefined;
		// normalisation drops false flags (isAllDay, isPrivate): absent means false
		if (value === undefined && pair.kind === 'boolean') value = false;
		if (value === undefined && context.creating) continue;
		if (!writesPair(pair, value, changed, becomesBusyBlock)) continue;
		const kept = context.existing ? keptValues(pair, value, config, context.existing, component) : undefined;
		if (kept) {
			Object.assign(out, kept);
			continue;
		}
		Object.assign(out, writeCrmValues(pair, value, ctx, context.existing, source.start as ZonedDateTime | undefined));
	}
	return out;
}
