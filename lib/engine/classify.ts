/**
 * Classify: which CRM record and which Exchange item belong to which key (pairing by status row and by
 * ident, twins of overlapping runs), and each key's state on each side in this run, with the window rule
 * of complete listings and the empty-side guard. Decides nothing else.
 */
import type { Component } from '../model/types';
import type { KeyState, SideState } from './decide';
import { isForeignIdent, parseCrmIdent, parseExchangeBornIdent } from './ident';
import type { PlanContext, Prepared } from './plan-context';
import { inWindow } from './rules';
import type { StatusRow, StatusTable } from './state';
import { EmptySideError, type PlanOptions, type Side, type SideChanges } from './types';

export interface Classified<C extends Component> {
	/** A second CRM record made from one Exchange item, with the record that keeps the pairing. */
	crmTwins: Array<{ twin: Prepared<C>; pair: Prepared<C> | undefined; row: StatusRow | undefined }>;
	/** The product's own surplus Exchange copies of a pair. */
	exchangeTwins: Array<{ twin: Prepared<C>; crmId: string }>;
	keys: Array<KeyState<C>>;
	/** Exchange items that belong to no CRM record (new, or the user's own copy of a pair). */
	exchangeNew: Array<Prepared<C>>;
}

/**
 * A feed may report one record more than once in a run (Graph's calendar delta lists a series once for
 * every page that holds one of its occurrences); the last report is the newest.
 */
function latestById<T extends { id: string }>(items: readonly T[]): T[] {
	const byId = new Map<string, T>();
	for (const item of items) {
		byId.delete(item.id);
		byId.set(item.id, item);
	}
	return [...byId.values()];
}

/**
 * Two Exchange items carry one ident: an Outlook copy, or two overlapping runs that both created the copy.
 * A twin with the content last synced (or the pair's content) is the product's own surplus copy and holds
 * nothing of the user's; a twin with other content is the user's copy and becomes a new record.
 */
function isSurplusTwin<C extends Component>(twin: Prepared<C>, pair: Prepared<C>, row: StatusRow | undefined, crm: Prepared<C> | undefined): boolean {
	return [pair.hash, row?.exchangeHash, row?.crmHash, crm?.hash].includes(twin.hash);
}

function guardEmptySide(side: Side, changes: SideChanges, known: number, deletedKnown: number, options: PlanOptions): void {
	// Losing the single synced item is ordinary; losing all of two or more at once is what a wrong folder,
	// a revoked permission or a wiped mailbox looks like.
	if (known < 2 || changes.items.length > 0) return;
	const lostAll = changes.complete || deletedKnown >= known;
	if (!lostAll) return;
	// The option empties a small folder on purpose; a big one needs its size said out loud (allowEmptyUpTo).
	const limit = options.allowEmptyUpTo ?? Infinity;
	if (options.allowEmptySide && known <= limit) return;
	throw new EmptySideError(side, known, options.allowEmptySide ? limit : undefined);
}

/** CRM records by id; two made from one Exchange item (two overlapping runs): the paired one keeps it. */
function pairCrm<C extends Component>(ctx: PlanContext<C>, table: StatusTable, crm: SideChanges<C>, twins: Classified<C>['crmTwins']) {
	const crmItems = new Map<string, Prepared<C>>();
	const exchangeBornLinks = new Map<string, string>(); // exchange id → crm id, from CRM records' idents
	const bornClaims = new Map<string, string[]>();
	for (const item of latestById(crm.items)) {
		crmItems.set(item.id, ctx.prepare(item));
		const exId = parseExchangeBornIdent(item.ident);
		if (exId) bornClaims.set(exId, [...(bornClaims.get(exId) ?? []), item.id]);
	}
	for (const [exId, crmIds] of bornClaims) {
		const pair = crmIds.find((id) => table.get(id)?.exchangeId === exId) ?? table.crmIdForExchange(exId) ?? crmIds[0];
		exchangeBornLinks.set(exId, crmIds.includes(pair) ? pair : crmIds[0]);
		for (const twinId of crmIds) {
			if (twinId === exchangeBornLinks.get(exId)) continue;
			const twin = crmItems.get(twinId) as Prepared<C>;
			crmItems.delete(twinId);
			twins.push({ twin, pair: crmItems.get(exchangeBornLinks.get(exId) as string), row: table.get(twinId) });
		}
	}
	return { crmItems, exchangeBornLinks };
}

/** Exchange items by the CRM id they belong to; the rest are new. */
function pairExchange<C extends Component>(
	ctx: PlanContext<C>,
	table: StatusTable,
	exchange: SideChanges<C>,
	crm: { crmItems: Map<string, Prepared<C>>; exchangeBornLinks: Map<string, string> },
	out: Classified<C>,
): Map<string, Prepared<C>> {
	const { crmInstance, crmModule } = ctx.options;
	const exchangeByCrm = new Map<string, Prepared<C>>();
	const claims = new Map<string, Array<{ p: Prepared<C>; known: boolean }>>();
	for (const item of latestById(exchange.items)) {
		if (isForeignIdent(item.ident, crmInstance, crmModule)) continue;
		// A live CRM record created from this item claims it first (its pair may not be committed yet, e.g.
		// after a crash); then the committed pairing; then the item's own ident, which may point at a CRM
		// record that no longer exists.
		const linked = crm.exchangeBornLinks.get(item.id) ?? table.crmIdForExchange(item.id);
		const crmId = linked ?? parseCrmIdent(item.ident, crmInstance, crmModule);
		const p = ctx.prepare(item);
		if (crmId === undefined) out.exchangeNew.push(p);
		else claims.set(crmId, [...(claims.get(crmId) ?? []), { p, known: linked !== undefined }]);
	}
	for (const [crmId, claimants] of claims) {
		const pair = claimants.find((c) => c.known) ?? claimants[0];
		exchangeByCrm.set(crmId, pair.p);
		for (const twin of claimants) {
			if (twin === pair) continue;
			if (isSurplusTwin(twin.p, pair.p, table.get(crmId), crm.crmItems.get(crmId))) out.exchangeTwins.push({ twin: twin.p, crmId });
			else out.exchangeNew.push(twin.p);
		}
	}
	return exchangeByCrm;
}

export function classify<C extends Component>(ctx: PlanContext<C>, table: StatusTable, crm: SideChanges<C>, exchange: SideChanges<C>): Classified<C> {
	const { options } = ctx;
	const { crmInstance, crmModule } = options;
	const out: Classified<C> = { crmTwins: [], exchangeTwins: [], keys: [], exchangeNew: [] };
	const crmSide = pairCrm(ctx, table, crm, out.crmTwins);
	const { crmItems, exchangeBornLinks } = crmSide;
	const crmDeleted = new Set((crm.deletedIds ?? []).filter((id) => !crmItems.has(id)));
	const crmLeftScope = new Set((crm.leftScopeIds ?? []).filter((id) => !crmItems.has(id) && !crmDeleted.has(id)));
	const exchangeByCrm = pairExchange(ctx, table, exchange, crmSide, out);

	// Which key owns each Exchange item in this run; a status row whose item now belongs to another key
	// has lost it (its Exchange side is absent, not unchanged).
	const exchangeOwner = new Map<string, string>();
	for (const [exId, crmId] of exchangeBornLinks) exchangeOwner.set(exId, crmId);
	for (const [crmId, p] of exchangeByCrm) exchangeOwner.set(p.item.id, crmId);
	const ownedElsewhere = (crmId: string, exId: string | undefined) => exId !== undefined && exchangeOwner.has(exId) && exchangeOwner.get(exId) !== crmId;

	const exchangeDeleted = new Set<string>();
	for (const exId of exchange.deletedIds ?? []) {
		const crmId = exchangeBornLinks.get(exId) ?? table.crmIdForExchange(exId);
		if (crmId !== undefined && !exchangeByCrm.has(crmId)) exchangeDeleted.add(crmId);
	}

	// Records leaving the scope all at once (a wrong user id in the filter) empty the mailbox too.
	const knownCrmDeleted = [...crmDeleted, ...crmLeftScope].filter((id) => table.get(id) !== undefined).length;
	guardEmptySide('crm', crm, table.countWith('crm'), knownCrmDeleted, options);
	guardEmptySide('exchange', exchange, table.countWith('exchange'), exchangeDeleted.size, options);

	const keys = new Set<string>([...crmItems.keys(), ...exchangeByCrm.keys(), ...crmDeleted, ...crmLeftScope, ...exchangeDeleted]);
	if (crm.complete || exchange.complete) for (const [crmId] of table.entries()) keys.add(crmId);

	const windowed = options.component !== 'contact' && options.windowFrom !== undefined;
	for (const crmId of keys) {
		const row = table.get(crmId);
		const c = crmItems.get(crmId);
		const e = exchangeByCrm.get(crmId);
		let cs: SideState<C>;
		if (c) cs = { kind: 'present', p: c, changed: ctx.isChanged(c, 'crm', row) };
		else if (crmDeleted.has(crmId)) cs = { kind: 'deleted' };
		else if (crmLeftScope.has(crmId)) cs = { kind: 'leftScope' };
		else if (crm.complete) cs = row ? { kind: 'deleted' } : { kind: 'absent' };
		else if (row) cs = { kind: 'unchanged' };
		else if (e && parseCrmIdent(e.item.ident, crmInstance, crmModule) === crmId) cs = { kind: 'linked', id: crmId };
		else cs = { kind: 'absent' };

		let es: SideState<C>;
		if (e) es = { kind: 'present', p: e, changed: ctx.isChanged(e, 'exchange', row) };
		else if (ownedElsewhere(crmId, row?.exchangeId)) es = { kind: 'absent' };
		else if (exchangeDeleted.has(crmId)) es = { kind: 'deleted' };
		else if (exchange.complete) es = row?.exchangeId ? { kind: 'deleted' } : { kind: 'absent' };
		else if (row?.exchangeId) es = { kind: 'unchanged' };
		else if (!row && c && parseExchangeBornIdent(c.item.ident)) es = { kind: 'linked', id: parseExchangeBornIdent(c.item.ident) as string };
		else es = { kind: 'absent' };

		// A complete listing of a windowed component omits items that merely left the window: absence
		// there is a deletion only when the other side proves the pair is still inside the window.
		if (windowed && row) {
			const otherInWindow = (p: Prepared<C> | undefined) => p !== undefined && inWindow(options.component, p.record, options.windowFrom);
			if (crm.complete && !c && !crmDeleted.has(crmId) && !crmLeftScope.has(crmId) && !otherInWindow(e)) cs = { kind: 'unchanged' };
			if (exchange.complete && !e && !exchangeDeleted.has(crmId) && row.exchangeId && !otherInWindow(c)) es = { kind: 'unchanged' };
			if (cs.kind === 'unchanged' && es.kind === 'unchanged' && !c && !e && (crm.complete || exchange.complete)) {
				out.keys.push({ crmId, row, crm: cs, exchange: es, leftWindow: true });
				continue;
			}
		}
		out.keys.push({ crmId, row, crm: cs, exchange: es });
	}
	return out;
}
