/** A VTQL subset: SELECT cols|*|count(*) FROM M [WHERE a op v [AND|OR ...]] [ORDER BY f [ASC|DESC]] [LIMIT [o,] n]; */
import { GROUPS_PREFIX, isListedEmail, nullEmptyDates, USERS_PREFIX, type VtRecord } from './modules';
import type { VtigerQueryUser, VtigerStoreLike } from './vtqlTypes';

export class VtqlError extends Error {
	constructor(
		readonly code: string,
		message: string,
	) {
		super(message);
	}
}

const MAX_ROWS = 100;
const TOKEN = /\s*(?:('(?:[^'\\]|\\.|'')*')|(-?\d+(?:\.\d+)?)|(<=|>=|!=|<>|=|<|>|,|\(|\)|\*|;)|([A-Za-z_][A-Za-z0-9_.]*))/y;

function tokenize(query: string): string[] {
	const tokens: string[] = [];
	TOKEN.lastIndex = 0;
	let last = 0;
	while (TOKEN.lastIndex < query.length) {
		const m = TOKEN.exec(query);
		if (!m) {
			if (query.slice(last).trim() === '') break;
			throw new VtqlError('QUERY_SYNTAX_ERROR', `Syntax Error on line 1: token '${query.slice(last).trim()[0]}' Unexpected Unknown`);
		}
		tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
		last = TOKEN.lastIndex;
	}
	return tokens;
}

interface Condition {
	field: string;
	op: string;
	values: string[];
}

function unquote(token: string): string {
	return token.startsWith("'") ? token.slice(1, -1).replace(/''/g, "'").replace(/\\(.)/g, '$1') : token;
}

function matches(record: VtRecord, c: Condition): boolean {
	const v = record[c.field] ?? '';
	const target = c.values[0];
	switch (c.op) {
		// MySQL's default collation: comparisons ignore case (umlauts included).
		case '=':
			return v.toLowerCase() === target.toLowerCase();
		case '!=':
		case '<>':
			return v.toLowerCase() !== target.toLowerCase();
		case '<':
			return compare(v, target) < 0;
		case '>':
			return compare(v, target) > 0;
		case '<=':
			return compare(v, target) <= 0;
		case '>=':
			return compare(v, target) >= 0;
		case 'LIKE': {
			// "s": MySQL's % and _ match line breaks too (multi-line comments, descriptions).
			const re = new RegExp(
				`^${target
					.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
					.replace(/%/g, '.*')
					.replace(/_/g, '.')}$`,
				'is',
			);
			return re.test(v);
		}
		case 'IN':
			return c.values.includes(v);
	}
	return false;
}

function compare(a: string, b: string): number {
	const na = Number(a);
	const nb = Number(b);
	if (a !== '' && b !== '' && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
	return a < b ? -1 : a > b ? 1 : 0;
}

export function runQuery(query: string, store: VtigerStoreLike, user: VtigerQueryUser): VtRecord[] {
	const tokens = tokenize(query);
	let i = 0;
	const peek = () => tokens[i]?.toUpperCase();
	const expect = (word: string) => {
		if (peek() !== word) {
			const got = tokens[i];
			if (got === undefined) {
				throw new VtqlError(
					'QUERY_SYNTAX_ERROR',
					`Syntax Error on line 1: token '${tokens[tokens.length - 1] ?? ''}' Unexpected End of Input(0), expected one of: ${word}`,
				);
			}
			throw new VtqlError('QUERY_SYNTAX_ERROR', `Syntax Error on line 1: token '${got}' Unexpected Unknown(${got}), expected one of: ${word}`);
		}
		i++;
	};
	expect('SELECT');
	let columns: string[] | '*' | 'count' = [];
	if (tokens[i] === '*') {
		columns = '*';
		i++;
	} else if (peek() === 'COUNT') {
		columns = 'count';
		i += 4; // count ( * )
	} else {
		const list: string[] = [];
		for (;;) {
			list.push(tokens[i++]);
			if (tokens[i] !== ',') break;
			i++;
		}
		columns = list;
	}
	expect('FROM');
	const moduleName = tokens[i++];
	const conditions: Array<{ join: 'AND' | 'OR'; c: Condition }> = [];
	if (peek() === 'WHERE') {
		i++;
		let join: 'AND' | 'OR' = 'AND';
		for (;;) {
			const field = tokens[i++];
			let op = tokens[i++].toUpperCase();
			const values: string[] = [];
			if (op === 'IN') {
				expect('(');
				while (tokens[i] !== ')') {
					if (tokens[i] !== ',') values.push(unquote(tokens[i]));
					i++;
				}
				i++;
			} else {
				if (op === 'NOT' && peek() === 'LIKE') {
					i++;
					op = 'NOT LIKE';
				}
				values.push(unquote(tokens[i++]));
			}
			conditions.push({ join, c: { field, op, values } });
			if (peek() === 'AND' || peek() === 'OR') join = tokens[i++].toUpperCase() as 'AND' | 'OR';
			else break;
		}
	}
	let order: { field: string; desc: boolean } | undefined;
	if (peek() === 'ORDER') {
		i++;
		expect('BY');
		order = { field: tokens[i++], desc: false };
		if (peek() === 'DESC' || peek() === 'ASC') order.desc = tokens[i++].toUpperCase() === 'DESC';
	}
	let offset = 0;
	let limit = MAX_ROWS;
	if (peek() === 'LIMIT') {
		i++;
		const first = Number(tokens[i++]);
		if (tokens[i] === ',') {
			i++;
			offset = first;
			limit = Number(tokens[i++]);
		} else limit = first;
	}
	expect(';');

	let rows: VtRecord[];
	let fieldNames: string[];
	if (moduleName === 'Users') {
		rows = store.users.map((u) => ({
			id: `${USERS_PREFIX}x${u.id}`,
			user_name: u.userName,
			first_name: u.firstName ?? '',
			last_name: u.lastName ?? '',
			email1: u.email ?? '',
			status: 'Active',
			is_admin: u.isAdmin ? 'on' : 'off',
		}));
		fieldNames = ['id', 'user_name', 'first_name', 'last_name', 'email1', 'status', 'is_admin'];
	} else if (moduleName === 'Groups') {
		rows = store.groups.map((g) => ({ id: `${GROUPS_PREFIX}x${g.id}`, groupname: g.name, description: '' }));
		fieldNames = ['id', 'groupname', 'description'];
	} else {
		const mod = store.module(moduleName);
		if (!mod) throw new VtqlError('ACCESS_DENIED', 'Permission to perform the operation is denied');
		fieldNames = ['id', ...mod.fields.map((f) => f.name)];
		rows = store
			.live(moduleName)
			.filter((r) => isListedEmail(moduleName, r))
			.filter((r) => user.isAdmin || r.assigned_user_id === `${USERS_PREFIX}x${user.id}` || String(r.assigned_user_id).startsWith(`${GROUPS_PREFIX}x`))
			.map((r) => nullEmptyDates(mod, r));
	}
	const referenced = [...(Array.isArray(columns) ? columns : []), ...conditions.map((c) => c.c.field), ...(order ? [order.field] : [])];
	for (const name of referenced) {
		if (!fieldNames.includes(name)) throw new VtqlError('ACCESS_DENIED', `Permission to access '.${name}.' attribute denied.`);
	}
	if (columns === 'count') return [];

	rows = rows.filter((r) => {
		let result = true;
		conditions.forEach(({ join, c }, index) => {
			const m = c.op === 'NOT LIKE' ? !matches(r, { ...c, op: 'LIKE' }) : matches(r, c);
			result = index === 0 ? m : join === 'AND' ? result && m : result || m;
		});
		return result;
	});
	if (order) {
		const { field, desc } = order;
		rows.sort((a, b) => compare(String(a[field] ?? ''), String(b[field] ?? '')) * (desc ? -1 : 1));
	}
	rows = rows.slice(offset, offset + Math.min(limit, MAX_ROWS));
	if (Array.isArray(columns)) {
		const cols = columns;
		rows = rows.map((r) => Object.fromEntries(cols.map((c) => [c, r[c] ?? null])));
	}
	return rows;
}
