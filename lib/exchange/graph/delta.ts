/** Delta paging: the opaque cursor the sync stores, and one page of a delta round. */
import { ExchangeError } from '../types';
import type { GraphContext } from './context';
import { isSyncStateError } from './errors';
import type { GraphCollection, GraphItemBase } from './graph-types';

export interface Cursor {
	v: 1;
	/** relative URL of the next page / delta link */
	u: string;
	/** this round started without a valid cursor: absence means deletion */
	full: boolean;
	/** calendars: ids of the series seen in the window (a deleted series comes back only as removed occurrences) */
	s?: string[];
	/** calendars: the delta was refused, `u` pages a plain calendarView listing (full every round) */
	l?: 1;
}

export interface CursorStep {
	cursor: string;
	hasMore: boolean;
}

/** Series ids kept in a calendar cursor; beyond this, the oldest are dropped (their deletion then shows at the next full resync). */
const MAX_KNOWN_SERIES = 500;

export function encodeCursor(c: Cursor): string {
	return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(s: string | undefined): Cursor | undefined {
	if (!s) return undefined;
	try {
		const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
		return c && c.v === 1 && typeof c.u === 'string' ? c : undefined;
	} catch {
		return undefined;
	}
}

export async function deltaPage<T extends GraphItemBase>(
	ctx: GraphContext,
	firstUrl: string,
	cursor: string | undefined,
	pageSize: number,
	what: string,
): Promise<{ page: GraphCollection<T>; full: boolean }> {
	const decoded = decodeCursor(cursor);
	const prefer = [`odata.maxpagesize=${pageSize}`];
	if (decoded) {
		try {
			return { page: await ctx.request<GraphCollection<T>>('GET', decoded.u, what, { prefer }), full: decoded.full };
		} catch (e) {
			if (!(e instanceof ExchangeError && (e.code === 'syncStateInvalid' || isSyncStateError(e.status, e.message)))) throw e;
		}
	}
	// No cursor, or a stale one: a full listing; absence means deletion (fullResync).
	return { page: await ctx.request<GraphCollection<T>>('GET', firstUrl, what, { prefer }), full: true };
}

export function nextCursor(ctx: GraphContext, page: GraphCollection<unknown>, full: boolean, series?: string[]): CursorStep {
	const next = page['@odata.nextLink'];
	const delta = page['@odata.deltaLink'];
	const url = next ?? delta;
	if (!url) throw new ExchangeError('invalid', 'Graph delta page has neither nextLink nor deltaLink');
	// Once the round reaches its deltaLink, the next call is incremental.
	const known = series?.length ? { s: series.slice(-MAX_KNOWN_SERIES) } : {};
	return { cursor: encodeCursor({ v: 1, u: ctx.relative(url), full: next ? full : false, ...known }), hasMore: !!next };
}

/** Cursor of the calendarView listing fallback: the next page, or (round done) the first page again. */
export function listingCursor(ctx: GraphContext, page: GraphCollection<unknown>, series?: string[]): CursorStep {
	const next = page['@odata.nextLink'];
	const known = series?.length ? { s: series.slice(-MAX_KNOWN_SERIES) } : {};
	return { cursor: encodeCursor({ v: 1, u: next ? ctx.relative(next) : '', full: true, l: 1, ...known }), hasMore: !!next };
}
