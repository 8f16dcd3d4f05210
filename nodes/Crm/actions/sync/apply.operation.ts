import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { applyCrmAction, fileSyncConflict, settleWriteConflict, type CrmBackend } from '../../../../lib/crm';
import { isActionItem, isWriteFor } from '../../../../lib/engine';

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
		const conflictId = open ?? (await fileSyncConflict(crm, json, json.reason)).id;
		return [{ json: { ...json, conflictId } as IDataObject, pairedItem }];
	}
	if (!isWriteFor(json, 'crm')) return [{ json, pairedItem }];
	const outcome = await applyCrmAction(crm, json, userId);
	const conflictId = await settleWriteConflict(crm, json, outcome, recordConflicts());
	return [{ json: { ...json, outcome, ...(conflictId ? { conflictId } : {}) } as unknown as IDataObject, pairedItem }];
}
