/**
 * The rules of *Write to CRM* (the sync's CRM Apply): how one planned action becomes a CRM write, and
 * when a refused write becomes an open sync conflict (S12/E11).
 */
import { linkAccount } from '../mapping/account';
import type { ActionItem, ActionOutcome } from '../engine';
import type { CrmBackend } from './types';
import { COMPONENT_MODULE, CrmError } from './types';
import { crmWriteFailure } from './write-failure';

async function write(crm: CrmBackend, action: ActionItem, userId: string | undefined): Promise<ActionOutcome> {
	const module = COMPONENT_MODULE[action.component];
	const acting = userId ? { actingUserId: userId } : {};
	if (action.kind === 'delete') {
		await crm.delete(module, action.targetId as string, acting);
		return { seq: action.seq, ok: true, id: action.targetId };
	}
	let fields = action.fields;
	if (!fields) throw new CrmError('invalid', 'The action has no CRM fields.', 'Put a Field Mapping node (Canonical → CRM) before this node.');
	// S7: the account named on the contact is found by name or created, then linked.
	if (action.component === 'contact') fields = await linkAccount(crm, fields, { actingUserId: userId });
	// A create from Exchange is idempotent: a run that overlapped this one may have made the record already.
	const made = action.kind === 'create' && action.writeIdent ? (await crm.findByExchangeIdent(module, action.writeIdent))[0] : undefined;
	if (made) {
		const record = await crm.update(module, made.id, { fields }, acting);
		return { seq: action.seq, ok: true, id: record.id, etag: record.etag };
	}
	const record =
		action.kind === 'create'
			? await crm.create(module, { fields, exchangeIdent: action.writeIdent, ...(userId ? { assignedTo: { type: 'user' as const, id: userId } } : {}) }, acting)
			: await crm.update(module, action.targetId as string, { fields }, { ifEtag: action.targetEtag, ...acting });
	return { seq: action.seq, ok: true, id: record.id, etag: record.etag };
}

/** Writes one action to the CRM; a failure becomes its outcome (never an exception), so the run goes on and Commit can retry it. */
export async function applyCrmAction(crm: CrmBackend, action: ActionItem, userId: string | undefined): Promise<ActionOutcome> {
	try {
		return await write(crm, action, userId);
	} catch (error) {
		return crmWriteFailure(action.seq, error);
	}
}

/**
 * S12/E11 after a write: a refused write is an open sync conflict until a retry succeeds (one entry per
 * change, filed on its first failure; Commit keeps its id); a retry that succeeds resolves it. Returns
 * the open entry's id.
 */
export async function settleWriteConflict(crm: CrmBackend, action: ActionItem, outcome: ActionOutcome, recordConflicts: boolean): Promise<string | undefined> {
	if (!outcome.ok && outcome.code !== 'notFound' && recordConflicts) {
		return action.retry?.conflictId ?? (await fileSyncConflict(crm, action, outcome.error ?? 'The CRM refused the write.')).id;
	}
	if (outcome.ok && action.retry?.conflictId) await crm.resolveConflict(action.retry.conflictId).catch(() => undefined);
	return undefined;
}

/** Files a sync conflict with both sides' records, as far as the action knows them. */
export async function fileSyncConflict(crm: CrmBackend, action: ActionItem, reason: string): Promise<{ id: string }> {
	const fromExchange = action.conflict?.exchangeRecord ?? (action.target === 'crm' ? action.record : undefined);
	const fromCrm = action.conflict?.crmRecord ?? (action.target === 'exchange' ? action.record : undefined);
	return crm.recordConflict({
		module: COMPONENT_MODULE[action.component],
		recordId: action.crmId,
		side: action.conflict?.side ?? (action.target === 'crm' ? 'exchange' : 'crm'),
		reason,
		payload: { ident: action.ident, crm: fromCrm ?? null, exchange: fromExchange ?? null },
	});
}
