/**
 * What Plan's "Conflicts" output tells the user: each conflict with both values, each change a policy
 * overrode (the losing values are reported, never silently dropped), and each record that could not be read.
 */
import type { PlannedAction } from './types';

export interface SyncNotification {
	mailbox: string;
	kind: string;
	ident?: string;
	side?: string;
	reason?: string;
	crmId?: string;
	exchangeId?: string;
	crmRecord?: unknown;
	exchangeRecord?: unknown;
	overridden?: unknown[];
	id?: string;
}

function conflictNotification(action: PlannedAction, mailbox: string): SyncNotification {
	return {
		mailbox,
		ident: action.ident,
		kind: action.conflict?.kind ?? 'conflict',
		side: action.conflict?.side,
		reason: action.reason,
		crmId: action.crmId,
		exchangeId: action.exchange?.id,
		crmRecord: action.conflict?.crmRecord,
		exchangeRecord: action.conflict?.exchangeRecord,
	};
}

/** One notification per conflict, per overridden update (once per ident) and per invalid input record. */
export function syncNotifications(
	actions: readonly PlannedAction[],
	invalidInputs: ReadonlyArray<{ id?: string; reason: string; side: string }>,
	mailbox: string,
): SyncNotification[] {
	const out = actions.filter((a) => a.kind === 'conflict').map((a) => conflictNotification(a, mailbox));
	const reported = new Set<string>();
	for (const a of actions) {
		if (a.kind !== 'update' || !a.overridden?.length || reported.has(a.ident)) continue;
		reported.add(a.ident);
		out.push({ ...conflictNotification(a, mailbox), kind: 'overridden', side: a.overridden[0].winner, overridden: [...a.overridden] });
	}
	for (const bad of invalidInputs) out.push({ mailbox, kind: 'invalid', ...bad });
	return out;
}
