/**
 * The OData query options the sandbox supports, as Graph applies them to Outlook resources:
 * $select, $top, $skip, $orderby (one property), $count, $expand of singleValueExtendedProperties,
 * $filter (eq/ne/gt/ge/lt/le, and/or/not, any(), startswith, contains), and the Prefer header.
 */
import { canonicalExtendedPropertyId } from '../store';
import { badRequest } from './errors';

export interface Prefer {
	timeZone?: string;
	bodyContentType?: 'text' | 'html';
	maxPageSize?: number;
	immutableId: boolean;
	return?: 'minimal' | 'representation';
	/** what was honoured, for Preference-Applied */
	applied: string[];
}

export function parsePrefer(header: string | string[] | undefined): Prefer {
	const text = Array.isArray(header) ? header.join(',') : (header ?? '');
	const prefer: Prefer = { immutableId: false, applied: [] };
	for (const raw of text.split(',')) {
		const part = raw.trim();
		let m: RegExpExecArray | null;
		if ((m = /^outlook\.timezone\s*=\s*"?([^"]+)"?$/i.exec(part))) {
			prefer.timeZone = m[1];
			prefer.applied.push(`outlook.timezone="${m[1]}"`);
		} else if ((m = /^outlook\.body-content-type\s*=\s*"?(text|html)"?$/i.exec(part))) {
			prefer.bodyContentType = m[1].toLowerCase() as 'text' | 'html';
			prefer.applied.push(`outlook.body-content-type="${prefer.bodyContentType}"`);
		} else if ((m = /^odata\.maxpagesize\s*=\s*(\d+)$/i.exec(part))) {
			prefer.maxPageSize = parseInt(m[1], 10);
			prefer.applied.push(`odata.maxpagesize=${m[1]}`);
		} else if (/^IdType\s*=\s*"?ImmutableId"?$/i.test(part)) {
			prefer.immutableId = true;
			prefer.applied.push('IdType="ImmutableId"');
		} else if ((m = /^return\s*=\s*(minimal|representation)$/i.exec(part))) {
			prefer.return = m[1].toLowerCase() as 'minimal' | 'representation';
		}
	}
	return prefer;
}

// ---- $filter ------------------------------------------------------------------------------

export type FilterNode =
	| { op: 'and' | 'or'; left: FilterNode; right: FilterNode }
	| { op: 'not'; operand: FilterNode }
	| { op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; path: string; value: Literal }
	| { op: 'any'; path: string; variable: string; predicate: FilterNode }
	| { op: 'startswith' | 'contains'; path: string; value: string };

type Literal = string | number | boolean | null;

const TOKEN = /\s*(\(|\)|,|'(?:[^']|'')*'|[A-Za-z_@][\w./@-]*(?::)?|-?\d+(?:\.\d+)?(?:[-T:Z.+\d]*)?)/y;

function tokenize(text: string): string[] {
	const tokens: string[] = [];
	TOKEN.lastIndex = 0;
	while (TOKEN.lastIndex < text.length) {
		const start = TOKEN.lastIndex;
		if (/^\s*$/.test(text.slice(start))) break;
		const m = TOKEN.exec(text);
		if (!m) throw badRequest(`Invalid filter clause: syntax error at position ${start} in '${text}'.`, 'BadRequest');
		tokens.push(m[1]);
	}
	return tokens;
}

export function parseFilter(text: string): FilterNode {
	const tokens = tokenize(text);
	let i = 0;
	const peek = (): string | undefined => tokens[i];
	const next = (): string => {
		const t = tokens[i++];
		if (t === undefined) throw badRequest(`Invalid filter clause: unexpected end of '${text}'.`, 'BadRequest');
		return t;
	};
	const expect = (t: string): void => {
		const got = next();
		if (got.toLowerCase() !== t) throw badRequest(`Invalid filter clause: expected '${t}' but found '${got}'.`, 'BadRequest');
	};
	const literal = (t: string): Literal => {
		if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
		if (t === 'true' || t === 'false') return t === 'true';
		if (t === 'null') return null;
		if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
		return t; // DateTimeOffset literal
	};
	const primary = (): FilterNode => {
		const t = next();
		if (t === '(') {
			const inner = orExpr();
			expect(')');
			return inner;
		}
		if (t.toLowerCase() === 'not') return { op: 'not', operand: primary() };
		const fn = t.toLowerCase();
		if ((fn === 'startswith' || fn === 'contains') && peek() === '(') {
			next();
			const path = next();
			expect(',');
			const value = String(literal(next()));
			expect(')');
			return { op: fn, path, value };
		}
		const anyMatch = /^(.*)\/any$/i.exec(t);
		if (anyMatch && peek() === '(') {
			next();
			const variable = next().replace(/:$/, '');
			const predicate = orExpr();
			expect(')');
			return { op: 'any', path: anyMatch[1], variable, predicate };
		}
		const op = next().toLowerCase();
		if (!['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op)) throw badRequest(`Invalid filter clause: unsupported operator '${op}'.`, 'BadRequest');
		return { op: op as 'eq', path: t, value: literal(next()) };
	};
	const andExpr = (): FilterNode => {
		let left = primary();
		while (peek()?.toLowerCase() === 'and') {
			next();
			left = { op: 'and', left, right: primary() };
		}
		return left;
	};
	const orExpr = (): FilterNode => {
		let left = andExpr();
		while (peek()?.toLowerCase() === 'or') {
			next();
			left = { op: 'or', left, right: andExpr() };
		}
		return left;
	};
	const tree = orExpr();
	if (i !== tokens.length) throw badRequest(`Invalid filter clause: unexpected '${tokens[i]}'.`, 'BadRequest');
	return tree;
}

function resolve(value: unknown, path: string, variables: Record<string, unknown>): unknown {
	const parts = path.split('/');
	let current: unknown = parts[0] in variables ? variables[parts.shift() as string] : value;
	for (const part of parts) {
		if (current === null || typeof current !== 'object') return undefined;
		const record = current as Record<string, unknown>;
		const key = Object.keys(record).find((k) => k.toLowerCase() === part.toLowerCase());
		current = key === undefined ? undefined : record[key];
	}
	return current;
}

function compare(a: unknown, b: Literal): number | undefined {
	if (a === undefined || a === null || b === null) return undefined;
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	const as = String(a);
	const bs = String(b);
	const ad = Date.parse(as);
	const bd = Date.parse(bs);
	if (/^\d{4}-\d\d-\d\d/.test(as) && /^\d{4}-\d\d-\d\d/.test(bs) && !Number.isNaN(ad) && !Number.isNaN(bd)) return ad - bd;
	return as.toLowerCase() < bs.toLowerCase() ? -1 : as.toLowerCase() > bs.toLowerCase() ? 1 : 0;
}

function equals(a: unknown, b: Literal, path: string): boolean {
	if (b === null) return a === null || a === undefined;
	if (typeof b === 'string' && typeof a === 'string') {
		// extended property ids compare in canonical form
		if (/(^|\/)id$/i.test(path)) {
			const ca = canonicalExtendedPropertyId(a);
			const cb = canonicalExtendedPropertyId(b);
			if (ca && cb) return ca === cb;
		}
		return a.toLowerCase() === b.toLowerCase();
	}
	return a === b;
}

export function matchesFilter(node: FilterNode, value: unknown, variables: Record<string, unknown> = {}): boolean {
	switch (node.op) {
		case 'and':
			return matchesFilter(node.left, value, variables) && matchesFilter(node.right, value, variables);
		case 'or':
			return matchesFilter(node.left, value, variables) || matchesFilter(node.right, value, variables);
		case 'not':
			return !matchesFilter(node.operand, value, variables);
		case 'any': {
			const collection = resolve(value, node.path, variables);
			return Array.isArray(collection) && collection.some((element) => matchesFilter(node.predicate, value, { ...variables, [node.variable]: element }));
		}
		case 'startswith':
		case 'contains': {
			const text = resolve(value, node.path, variables);
			if (typeof text !== 'string') return false;
			return node.op === 'startswith' ? text.toLowerCase().startsWith(node.value.toLowerCase()) : text.toLowerCase().includes(node.value.toLowerCase());
		}
		default: {
			const actual = resolve(value, node.path, variables);
			if (node.op === 'eq') return equals(actual, node.value, node.path);
			if (node.op === 'ne') return !equals(actual, node.value, node.path);
			const c = compare(actual, node.value);
			if (c === undefined) return false;
			return node.op === 'gt' ? c > 0 : node.op === 'ge' ? c >= 0 : node.op === 'lt' ? c < 0 : c <= 0;
		}
	}
}

/** Extended property ids a $filter asks about (… ep/id eq '…'), so they can be matched before $select. */
export function filterPaths(node: FilterNode): string[] {
	switch (node.op) {
		case 'and':
		case 'or':
			return [...filterPaths(node.left), ...filterPaths(node.right)];
		case 'not':
			return filterPaths(node.operand);
		case 'any':
			return [node.path];
		default:
			return [node.path];
	}
}

// ---- $select / $expand ----------------------------------------------------------------------

export function parseSelect(text: string | null): Set<string> | undefined {
	if (!text) return undefined;
	return new Set(
		text
			.split(',')
			.map((s) => s.trim().toLowerCase())
			.filter(Boolean),
	);
}

/** Keeps id, @odata.* and the selected properties (case-insensitive names). */
export function applySelect(entity: Record<string, unknown>, select: Set<string> | undefined): Record<string, unknown> {
	if (!select) return entity;
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(entity)) {
		if (key.startsWith('@') || key === 'id' || select.has(key.toLowerCase()) || key === 'singleValueExtendedProperties') out[key] = value;
	}
	return out;
}

export interface ExtendedPropertyExpansion {
	/** canonical ids wanted; empty = all */
	ids: string[] | 'all';
}

/**
 * $expand=singleValueExtendedProperties($filter=id eq '…' [or id eq '…']). Graph requires the
 * filter; without one the sandbox expands all.
 */
export function parseExpand(text: string | null): ExtendedPropertyExpansion | undefined {
	if (!text) return undefined;
	const m = /singleValueExtendedProperties(?:\s*\(\s*\$filter\s*=\s*(.+)\))?/i.exec(text);
	if (!m) return undefined;
	if (!m[1]) return { ids: 'all' };
	const ids: string[] = [];
	const collect = (node: FilterNode): void => {
		if (node.op === 'or' || node.op === 'and') {
			collect(node.left);
			collect(node.right);
		} else if (node.op === 'eq' && /^id$/i.test(node.path) && typeof node.value === 'string') {
			const id = canonicalExtendedPropertyId(node.value);
			if (!id) throw badRequest(`Invalid extended property id '${node.value}'.`, 'ErrorInvalidProperty');
			ids.push(id);
		}
	};
	collect(parseFilter(m[1]));
	return { ids };
}

export function singleValueExtendedProperties(properties: Record<string, string>, expansion: ExtendedPropertyExpansion): Array<{ id: string; value: string }> {
	return Object.entries(properties)
		.filter(([id]) => expansion.ids === 'all' || expansion.ids.includes(id))
		.map(([id, value]) => ({ id, value }));
}
