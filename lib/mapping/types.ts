import type { Component } from '../model/types';

/** Which way a field pair copies values. */
export type PairDirection = 'both' | 'toCrm' | 'toCanonical';

/**
 * How a value is converted between the CRM field and the canonical field.
 * - text: trimmed string; blank means absent
 * - email: text, lower-cased
 * - date: YYYY-MM-DD
 * - plainText: text, HTML turned into safe plain text (S9)
 * - number: finite number (CRM side may be a numeric string)
 * - boolean: canonical true/false ⇄ CRM `trueValue` / `falseValue`
 * - picklist: value translated through a picklist table (S11)
 * - dateTime: canonical ZonedDateTime ⇄ CRM date field + time field in UTC (S23)
 * - json: a structured canonical value (a recurrence) kept as is; the CRM field holds the object or its JSON text
 */
export type FieldKind = 'text' | 'email' | 'date' | 'plainText' | 'number' | 'boolean' | 'picklist' | 'dateTime' | 'json';

export interface FieldPair {
	/** Canonical field, dotted for nested values (`billingAddress.street`). */
	canonical: string;
	/** CRM field name (vtiger naming). */
	crm: string;
	kind: FieldKind;
	direction?: PairDirection;
	/** S19: written only when the record is created on the target side, never kept in sync. */
	onCreateOnly?: boolean;
	/**
	 * The canonical field has no Exchange counterpart (the CRM event type): it is carried along but
	 * left out of syncedFields, so records equal on both sides also hash equal.
	 */
	crmOnly?: boolean;
	/** kind picklist: name of the table in `MappingConfig.picklists`. */
	picklist?: string;
	/** kind boolean: CRM values; defaults '1' / '0'. */
	trueValue?: string;
	falseValue?: string;
	/** kind dateTime: the CRM field holding the UTC time of day (HH:mm:ss). */
	crmTime?: string;
	/** kind dateTime: this is the end of a range (all-day end: canonical exclusive, CRM inclusive). */
	rangeEnd?: boolean;
}

export interface PicklistEntry {
	crm: string;
	canonical: string;
}

/**
 * A picklist table. Several CRM values may map to one canonical value (Planned and Not Started
 * → notStarted); towards the CRM the first entry wins unless the record already holds a value that
 * maps to the same canonical value (then that value is kept).
 */
export interface PicklistTable {
	entries: PicklistEntry[];
	/** Canonical value for a CRM value not in the table (absent: leave the canonical field unset). */
	fallbackCanonical?: string;
	/** CRM value for a canonical value not in the table (absent: leave the CRM field unset). */
	fallbackCrm?: string;
}

/** S21: what is written into the Exchange body of an appointment, below the description. */
export interface EnrichmentOptions {
	enabled: boolean;
	/** First line of the enrichment block; towards the CRM the body is cut at this line. */
	marker: string;
	/** Deep link to the CRM record; `{id}` (or `{ID}`) is replaced by the record id. Absent: no link line. */
	deepLinkTemplate?: string;
	/** CRM event field holding the remark line. */
	remarkField: string;
	/** Also set the Exchange category to the event type. */
	setCategory: boolean;
}

export interface EventOptions {
	/** S8: only these CRM event types sync. */
	syncedEventTypes: string[];
	/** Event type given to appointments created from Exchange; default the first synced type. */
	defaultEventType?: string;
	/** S17: a private Exchange appointment reaches the CRM as a busy block. */
	privateAsBusyBlock: boolean;
	/** S17: subject of the busy block. */
	busySubject: string;
	/** S19: reminder minutes set on creation when the source has none. */
	defaultReminderMinutes: number;
	/** IANA zone shown for appointments that come from the CRM (vtiger stores UTC only). */
	crmTimeZone?: string;
	enrichment: EnrichmentOptions;
}

export interface MappingConfig {
	component: Component;
	pairs: FieldPair[];
	picklists: Record<string, PicklistTable>;
	event: EventOptions;
}

/** What a builder may change on top of a preset. */
export interface MappingOverrides {
	/** Added; a pair with the same canonical field or the same CRM field replaces the preset's. */
	pairs?: FieldPair[];
	/** Canonical field paths or CRM field names whose pairs are dropped. */
	drop?: string[];
	/** Per table: entries put before the preset's (so they win); `replace` drops the preset's. */
	picklists?: Record<string, { entries: PicklistEntry[]; replace?: boolean; fallbackCanonical?: string; fallbackCrm?: string }>;
	event?: Partial<Omit<EventOptions, 'enrichment'>> & { enrichment?: Partial<EnrichmentOptions> };
}

export type CrmFields = Record<string, unknown>;

/** Records related to a CRM appointment, used for S21 enrichment (vtiger field names). */
export interface RelatedRecords {
	account?: CrmFields;
	contact?: CrmFields;
}

export interface ToCanonicalContext {
	/** CRM record id, for the deep link. */
	recordId?: string;
	related?: RelatedRecords;
	/** The canonical record is about to be created on the Exchange side (S19). */
	creating?: boolean;
}

export interface ToCrmContext {
	/** The CRM record as it is now (update); its values are kept where they mean the same. */
	existing?: CrmFields;
	/** The CRM record is about to be created (S19). */
	creating?: boolean;
	/**
	 * Updates: the canonical fields (top level) whose values changed, from the plan. Only their CRM fields
	 * are written, so CRM values the mapping cannot represent stay as they are (Issue 12 §1). Absent: all.
	 */
	changedFields?: readonly string[];
}
