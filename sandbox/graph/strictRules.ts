/**
 * What Graph v1.0 refuses and a lenient stand-in would accept (issue 13 §2): query options a
 * resource's reference does not document, paths the reference does not list, properties v1.0
 * does not have, recurrences without what the reference requires. Where a page is ambiguous
 * the strict reading is taken. Each rule names the page it comes from. Every rule is always
 * enforced: the Graph client relies on none of these shapes (test/integration/graph-schema.test.ts).
 */
import { GraphError } from './errors';

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
const PATH_RULES: ReadonlyArray<{ id: string; routes: RegExp; segment: string; doc: string }> = [
	{
		// The contact delta reference lists only GET /me/contactFolders/{id}/contacts/delta.
		id: 'contactsDeltaWithoutFolder',
		doc: 'https://learn.microsoft.com/en-us/graph/api/contact-delta?view=graph-rest-1.0#http-request',
		routes: /^\/contacts\/delta$/i,
		segment: 'delta',
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

const invalidUrlQuery = (message: string): GraphError => new GraphError(400, 'ErrorInvalidUrlQuery', message);

interface Violation {
	id: string;
	error: GraphError;
}

function requestViolations(label: string, query: URLSearchParams): Violation[] {
	const out: Violation[] = [];
	for (const rule of PATH_RULES) {
		if (rule.routes.test(label)) out.push({ id: rule.id, error: new GraphError(400, 'BadRequest', `Resource not found for the segment '${rule.segment}'.`) });
	}
	for (const rule of QUERY_RULES) {
		if (!rule.routes.test(label)) continue;
		const refused = [...query.keys()].filter((k) => k.startsWith('$') && !rule.allowed.includes(k.toLowerCase()));
		const add = (message: string): void => void out.push({ id: rule.id, error: invalidUrlQuery(message) });
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
			if (named)
				out.push({
					id: `notInV1.${rule.type}.${named}`,
					error: new GraphError(400, 'RequestBroker--ParseUri', `Could not find a property named '${named}' on type 'microsoft.graph.${rule.type}'.`),
				});
		}
	}
	return out;
}

/** Refuses what Graph refuses for this route and query; `label` is the route label after the user segment. */
export function checkRequestRules(label: string, query: URLSearchParams): void {
	const [violation] = requestViolations(label, query);
	if (violation) throw violation.error;
}

/**
 * recurrencePattern: "firstDayOfWeek … Required if type is weekly." (strict reading: a weekly
 * pattern without it is refused, although the same page names sunday as the default).
 * https://learn.microsoft.com/en-us/graph/api/resources/recurrencepattern?view=graph-rest-1.0#properties
 */
function recurrenceViolation(recurrence: unknown): Violation | undefined {
	if (!recurrence || typeof recurrence !== 'object') return undefined;
	const pattern = (recurrence as { pattern?: { type?: unknown; firstDayOfWeek?: unknown } }).pattern;
	if (pattern?.type !== 'weekly' || (typeof pattern.firstDayOfWeek === 'string' && pattern.firstDayOfWeek)) return undefined;
	return {
		id: 'weeklyFirstDayOfWeek',
		error: new GraphError(400, 'ErrorInvalidRecurrence', "The recurrence pattern is invalid: 'firstDayOfWeek' is required when the pattern type is 'weekly'."),
	};
}

export function checkRecurrenceRules(recurrence: unknown): void {
	const violation = recurrenceViolation(recurrence);
	if (violation) throw violation.error;
}

/**
 * Every rule a request would break (the Graph schema test checks the client breaks none). `route` is the
 * route label, `body` the parsed JSON body of an event write.
 */
export function strictRuleViolations(route: string, query: URLSearchParams, eventBody?: unknown): Array<{ id: string; message: string }> {
	const recurrence = eventBody && typeof eventBody === 'object' ? recurrenceViolation((eventBody as { recurrence?: unknown }).recurrence) : undefined;
	return [...requestViolations(route, query), ...(recurrence ? [recurrence] : [])].map((v) => ({ id: v.id, message: v.error.message }));
}
