/**
 * What Graph v1.0 refuses and a lenient stand-in would accept (issue 13 §2): query options a
 * resource's reference does not document, paths the reference does not list, properties v1.0
 * does not have, recurrences without what the reference requires. Where a page is ambiguous
 * the strict reading is taken. Each rule names the page it comes from.
 *
 * A rule marked `pending` is one the Graph client still relies on; it is enforced only when
 * config.pendingGraphRules is "enforce" (its tests turn it on), until the client has moved to
 * the documented shape — then the mark is removed.
 */
import type { SandboxConfig } from '../http/services';
import { GraphError } from './errors';

export type PendingRuleMode = 'off' | 'enforce';

interface QueryRule {
	id: string;
	/** route labels (after the user segment) the rule applies to */
	routes: RegExp;
	/** the Graph resource name used in the message */
	resource: string;
	/** system query options ($…) allowed; every other $ option is refused */
	allowed: readonly string[];
	/** extra value checks on allowed options: a message when the value is refused */
	values?: Partial<Record<string, (value: string) => string | undefined>>;
	doc: string;
	pending?: string;
}

const TOKENS = ['$deltatoken', '$skiptoken'] as const;

const QUERY_RULES: readonly QueryRule[] = [
	{
		// "OData query parameters: … delta for events does not support $expand, $filter, $orderby, $search, $select";
		// page size only through Prefer: odata.maxpagesize (strict: $top/$skip/$count refused too).
		id: 'calendarViewDeltaOptions',
		doc: 'https://learn.microsoft.com/en-us/graph/api/event-delta?view=graph-rest-1.0#query-parameters',
		routes: /^\/(calendar\/|calendars\/\{id\}\/)?calendarView\/delta$/i,
		resource: 'CalendarView',
		allowed: TOKENS,
	},
	{
		// "OData query parameters: you can use a $select query parameter … The id property is always returned." Nothing else.
		id: 'contactDeltaOptions',
		doc: 'https://learn.microsoft.com/en-us/graph/api/contact-delta?view=graph-rest-1.0#odata-query-parameters',
		routes: /^\/contactFolders\/\{id\}\/contacts\/delta$/i,
		resource: 'Contacts',
		allowed: [...TOKENS, '$select'],
		pending: 'lib/exchange/graph/client.ts firstDeltaUrl: contacts delta with $expand=singleValueExtendedProperties',
	},
	{
		// "$select, $top, $expand are supported; $filter only as receivedDateTime ge|gt {value}; $orderby only
		// receivedDateTime desc; $search is not supported."
		id: 'messageDeltaOptions',
		doc: 'https://learn.microsoft.com/en-us/graph/api/message-delta?view=graph-rest-1.0#odata-query-parameters',
		routes: /^\/mailFolders\/\{id\}\/messages\/delta$/i,
		resource: 'Messages',
		allowed: [...TOKENS, '$select', '$top', '$expand', '$filter', '$orderby'],
		values: {
			$filter: (v) => (/^\s*receivedDateTime\s+(ge|gt)\s+\S+\s*$/i.test(v) ? undefined : "only '$filter=receivedDateTime ge|gt {value}' is supported"),
			$orderby: (v) => (/^\s*receivedDateTime\s+desc\s*$/i.test(v) ? undefined : "only '$orderby=receivedDateTime desc' is supported"),
		},
	},
	{
		// "OData query parameters: as in any GET request, you can use the $select query parameter." Nothing else.
		id: 'todoTaskDeltaOptions',
		doc: 'https://learn.microsoft.com/en-us/graph/api/todotask-delta?view=graph-rest-1.0#odata-query-parameters',
		routes: /^\/todo\/lists\/\{id\}\/tasks\/delta$/i,
		resource: 'TodoTasks',
		allowed: [...TOKENS, '$select'],
	},
];

/** Paths the v1.0 reference does not list (strict reading: refused like an unknown segment). */
const PATH_RULES: ReadonlyArray<{ id: string; routes: RegExp; segment: string; doc: string; pending?: string }> = [
	{
		// The contact delta reference lists only GET /me/contactFolders/{id}/contacts/delta.
		id: 'contactsDeltaWithoutFolder',
		doc: 'https://learn.microsoft.com/en-us/graph/api/contact-delta?view=graph-rest-1.0#http-request',
		routes: /^\/contacts\/delta$/i,
		segment: 'delta',
		pending: 'lib/exchange/graph/client.ts contactsPath: /contacts/delta for the default Contacts folder',
	},
];

/** Properties named in the sandbox's history that v1.0 does not have (beta only); $select/$filter/$orderby on them fail. */
const NOT_IN_V1: ReadonlyArray<{ routes: RegExp; type: string; properties: readonly string[]; doc: string }> = [
	{
		// mailFolder v1.0 properties: childFolderCount, displayName, id, isHidden, parentFolderId, totalItemCount, unreadItemCount.
		doc: 'https://learn.microsoft.com/en-us/graph/api/resources/mailfolder?view=graph-rest-1.0#properties',
		routes: /^\/mailFolders(\/\{id\}(\/childFolders(\/\{id\})?)?)?$/i,
		type: 'mailFolder',
		properties: ['wellKnownName', 'sizeInBytes'],
	},
	{
		doc: 'https://learn.microsoft.com/en-us/graph/api/resources/event?view=graph-rest-1.0#properties',
		routes: /\/(events|calendarView|instances)(\/\{id\}(\/instances)?)?$/i,
		type: 'event',
		properties: ['occurrenceId'],
	},
];

function enforced(rule: { pending?: string }, config: SandboxConfig): boolean {
	return !rule.pending || config.pendingGraphRules === 'enforce';
}

const invalidUrlQuery = (message: string): GraphError => new GraphError(400, 'ErrorInvalidUrlQuery', message);

interface Violation {
	id: string;
	pending: boolean;
	error: GraphError;
}

function requestViolations(label: string, query: URLSearchParams): Violation[] {
	const out: Violation[] = [];
	for (const rule of PATH_RULES) {
		if (rule.routes.test(label)) out.push({ id: rule.id, pending: Boolean(rule.pending), error: new GraphError(400, 'BadRequest', `Resource not found for the segment '${rule.segment}'.`) });
	}
	for (const rule of QUERY_RULES) {
		if (!rule.routes.test(label)) continue;
		const refused = [...query.keys()].filter((k) => k.startsWith('$') && !rule.allowed.includes(k.toLowerCase()));
		const add = (message: string): void => void out.push({ id: rule.id, pending: Boolean(rule.pending), error: invalidUrlQuery(message) });
		if (refused.length) add(`The following parameters are not supported with change tracking over the '${rule.resource}' resource: '${refused.join(', ')}'.`);
		for (const [option, check] of Object.entries(rule.values ?? {})) {
			const value = query.get(option);
			const problem = value === null || !check ? undefined : check(value);
			if (problem) add(`The query option '${option}=${value}' is not supported with change tracking over the '${rule.resource}' resource: ${problem}.`);
		}
	}
	for (const rule of NOT_IN_V1) {
		if (!rule.routes.test(label)) continue;
		for (const option of ['$select', '$filter', '$orderby']) {
			const value = query.get(option);
			const named = value === null ? undefined : rule.properties.find((p) => new RegExp(`(^|[^\\w/])${p}\\b`, 'i').test(value));
			if (named) out.push({ id: `notInV1.${rule.type}.${named}`, pending: false, error: new GraphError(400, 'RequestBroker--ParseUri', `Could not find a property named '${named}' on type 'microsoft.graph.${rule.type}'.`) });
		}
	}
	return out;
}

/** Refuses what Graph refuses for this route and query; `label` is the route label after the user segment. */
export function checkRequestRules(label: string, query: URLSearchParams, config: SandboxConfig): void {
	const violation = requestViolations(label, query).find((v) => !v.pending || config.pendingGraphRules === 'enforce');
	if (violation) throw violation.error;
}

/**
 * recurrencePattern: "firstDayOfWeek … Required if type is weekly." (strict reading: a weekly
 * pattern without it is refused, although the same page names sunday as the default).
 */
const WEEKLY_FIRST_DAY = {
	doc: 'https://learn.microsoft.com/en-us/graph/api/resources/recurrencepattern?view=graph-rest-1.0#properties',
	pending: 'lib/exchange/graph/mappers.ts recurrence pattern: firstDayOfWeek left out when it is sunday',
};

function recurrenceViolation(recurrence: unknown): Violation | undefined {
	if (!recurrence || typeof recurrence !== 'object') return undefined;
	const pattern = (recurrence as { pattern?: { type?: unknown; firstDayOfWeek?: unknown } }).pattern;
	if (pattern?.type !== 'weekly' || (typeof pattern.firstDayOfWeek === 'string' && pattern.firstDayOfWeek)) return undefined;
	return { id: 'weeklyFirstDayOfWeek', pending: true, error: new GraphError(400, 'ErrorInvalidRecurrence', "The recurrence pattern is invalid: 'firstDayOfWeek' is required when the pattern type is 'weekly'.") };
}

export function checkRecurrenceRules(recurrence: unknown, config: SandboxConfig): void {
	const violation = recurrenceViolation(recurrence);
	if (violation && enforced(WEEKLY_FIRST_DAY, config)) throw violation.error;
}

/**
 * Every rule a request would break, pending ones included (the Graph schema test lists what the
 * client still relies on). `route` is the route label, `body` the parsed JSON body of an event write.
 */
export function strictRuleViolations(route: string, query: URLSearchParams, eventBody?: unknown): Array<{ id: string; pending: boolean; message: string }> {
	const recurrence = eventBody && typeof eventBody === 'object' ? recurrenceViolation((eventBody as { recurrence?: unknown }).recurrence) : undefined;
	return [...requestViolations(route, query), ...(recurrence ? [recurrence] : [])].map((v) => ({ id: v.id, pending: v.pending, message: v.error.message }));
}

/** The rules the Graph client still needs relaxed (for reports and tests). */
export function pendingRules(): Array<{ id: string; doc: string; waitsFor: string }> {
	return [
		...PATH_RULES.filter((r) => r.pending).map((r) => ({ id: r.id, doc: r.doc, waitsFor: r.pending as string })),
		...QUERY_RULES.filter((r) => r.pending).map((r) => ({ id: r.id, doc: r.doc, waitsFor: r.pending as string })),
		{ id: 'weeklyFirstDayOfWeek', doc: WEEKLY_FIRST_DAY.doc, waitsFor: WEEKLY_FIRST_DAY.pending },
	];
}
