import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { COMPONENT_MODULE, CrmError, crmWriteFailure, type CrmBackend } from '../../../../lib/crm';
import { isActionItem, isWriteFor, type ActionItem, type ActionOutcome } from '../../../../lib/engine';
import { linkAccount } from '../../../../lib/mapping';

export const properties: INodeProperties[] = [
	{
		displayName: 'CRM User Name or ID',
		name: 'crmUserId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getUsers' },
		default: '',
		description:
			'The mailbox owner’s CRM user: new records are assigned to them (S16) and writes are checked against their permissions (O5). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Record Conflicts in the CRM',
		name: 'recordConflicts',
		type: 'boolean',
		default: true,
		description: 'Whether sync conflicts (invalid records, both sides changed) are filed in the CRM’s sync conflicts (S12)',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['syncAction'], operation: ['apply'] } }, properties);

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
			? await crm.create(
					module,
					{ fields, exchangeIdent: action.writeIdent, ...(userId ? { assignedTo: { type: 'user' as const, id: userId } } : {}) },
					acting,
				)
			: await crm.update(module, action.targetId as string, { fields }, { ifEtag: action.targetEtag, ...acting });
	return { seq: action.seq, ok: true, id: record.id, etag: record.etag };
}

/**
 * Applies the sync actions that target the CRM; every other item passes through unchanged. A failed write
 * becomes the action's outcome (never an exception), so the rest of the run goes on and Commit knows what
 * to retry.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, crm: CrmBackend): Promise<INodeExecutionData[]> {
	const json = this.getInputData()[itemIndex].json;
	const pairedItem = { item: itemIndex };
	const userId = String(this.getNodeParameter('crmUserId', itemIndex, '') ?? '').trim() || undefined;
	const recordConflicts = () => this.getNodeParameter('recordConflicts', itemIndex, true) as boolean;
	if (isActionItem(json) && json.kind === 'conflict' && !json.dryRun && recordConflicts()) {
		// A change that keeps failing has one open entry, filed on its first failure (Commit keeps its id).
		const open = json.retry?.conflictId;
		const conflictId = open ?? (await fileConflict(crm, json, json.reason)).id;
		return [{ json: { ...json, conflictId } as IDataObject, pairedItem }];
	}
	if (!isWriteFor(json, 'crm')) return [{ json, pairedItem }];
	let outcome: ActionOutcome;
	try {
		outcome = await write(crm, json, userId);
	} catch (error) {
		outcome = crmWriteFailure(json.seq, error);
	}
	let conflictId: string | undefined;
	if (!outcome.ok && outcome.code !== 'notFound' && recordConflicts()) {
		// S12/E11: a refused write is an open sync conflict until a retry succeeds.
		conflictId = json.retry?.conflictId ?? (await fileConflict(crm, json, outcome.error ?? 'The CRM refused the write.')).id;
	} else if (outcome.ok && json.retry?.conflictId) {
		await crm.resolveConflict(json.retry.conflictId).catch(() => undefined);
	}
	return [{ json: { ...json, outcome, ...(conflictId ? { conflictId } : {}) } as unknown as IDataObject, pairedItem }];
}

async function fileConflict(crm: CrmBackend, action: ActionItem, reason: string): Promise<{ id: string }> {
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
