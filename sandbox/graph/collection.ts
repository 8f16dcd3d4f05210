/**
 * Collection responses: $filter, $orderby, $top/$skip (+ Prefer: odata.maxpagesize),
 * $count, then $select and $expand=singleValueExtendedProperties per entity.
 */
import type { SandboxReply } from '../http/types';
import { ok, preferenceApplied, type GraphContext } from './context';
import { badRequest } from './errors';
import { applySelect, matchesFilter, parseExpand, parseFilter, parseSelect, singleValueExtendedProperties } from './odata';
import type { GraphEntity } from './render';

export interface Entry {
	entity: GraphEntity;
	/** all extended properties of the item (canonical id → value) */
	extendedProperties?: Record<string, string>;
}

/** Shapes one entity for output: $select, $expand of extended properties. */
export function shape(ctx: GraphContext, entry: Entry, query: URLSearchParams = ctx.query): GraphEntity {
	const select = parseSelect(query.get('$select'));
	const expand = parseExpand(query.get('$expand'));
	const out = applySelect({ ...entry.entity }, select);
	delete out.singleValueExtendedProperties;
	if (expand && entry.extendedProperties) out.singleValueExtendedProperties = singleValueExtendedProperties(entry.extendedProperties, expand);
	return out;
}

export function filterEntries(entries: Entry[], filterText: string | null): Entry[] {
	if (!filterText) return entries;
	const filter = parseFilter(filterText);
	return entries.filter((e) =>
		matchesFilter(filter, {
			...e.entity,
			singleValueExtendedProperties: Object.entries(e.extendedProperties ?? {}).map(([id, value]) => ({ id, value })),
		}),
	);
}

function orderBy(entries: Entry[], text: string | null): Entry[] {
	if (!text) return entries;
	const [path, direction] = text.trim().split(/\s+/);
	const sign = direction?.toLowerCase() === 'desc' ? -1 : 1;
	const read = (e: Entry): unknown =>
		path.split('/').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), e.entity);
	return [...entries].sort((a, b) => {
		const x = read(a);
		const y = read(b);
		if (x === y) return 0;
		if (x === undefined || x === null) return 1;
		if (y === undefined || y === null) return -1;
		return (String(x) < String(y) ? -1 : 1) * sign;
	});
}

export function pageSize(ctx: GraphContext, fallback = ctx.config.defaultPageSize): number {
	const top = ctx.query.get('$top');
	if (top !== null) {
		const n = Number(top);
		if (!Number.isInteger(n) || n < 0) throw badRequest(`Invalid $top value '${top}'.`, 'BadRequest');
		return Math.min(n, ctx.config.maxPageSize);
	}
	return Math.min(ctx.prefer.maxPageSize ?? fallback, ctx.config.maxPageSize);
}

/** A page of a collection with @odata.nextLink ($skip) when more remain. */
export function listResponse(ctx: GraphContext, entries: Entry[], contextFragment: string, extraHeaders: Record<string, string> = {}): SandboxReply {
	const filtered = orderBy(filterEntries(entries, ctx.query.get('$filter')), ctx.query.get('$orderby'));
	const skip = Number(ctx.query.get('$skip') ?? '0') || 0;
	const size = pageSize(ctx);
	const page = filtered.slice(skip, skip + size);
	const body: Record<string, unknown> = { '@odata.context': `${ctx.base}/$metadata#${contextFragment}` };
	if (ctx.query.get('$count') === 'true') body['@odata.count'] = filtered.length;
	body.value = page.map((e) => shape(ctx, e));
	if (skip + size < filtered.length) {
		const next = new URLSearchParams(ctx.query);
		next.set('$skip', String(skip + size));
		if (ctx.query.get('$top') === null) next.delete('$top');
		body['@odata.nextLink'] = `${ctx.base}/${ctx.userPath}${ctx.resourcePath}?${next.toString()}`;
	}
	return ok(body, { ...preferenceApplied(ctx), ...extraHeaders });
}
