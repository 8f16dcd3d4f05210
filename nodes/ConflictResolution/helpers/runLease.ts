/**
 * One run at a time per mailbox and component (issue 14): Read State takes the lease in the CRM's sync run
 * log, Commit gives it back with the run's result. Only when the node has a CRM credential whose backend
 * keeps a run log; without one the sync runs as before (creates are idempotent, docs/decisions.md §12).
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { hasSyncRunLog, type CrmSyncRunLog, type SyncRunKey } from '../../../lib/crm';
import { getCrmBackend } from '../../Crm/transport/backend';

export const CRM_CREDENTIAL = 'crmApi';

/** The lease and status row of one sync state: its table key tells every user's "me" and every folder apart. */
export function runKey(mailbox: string, component: string, table: string): SyncRunKey {
	return { mailbox, component, scope: table };
}

/** The execution that holds a lease: the same id in Read State and in Commit of one execution. */
export function runHolder(ctx: IExecuteFunctions): string {
	return String(ctx.getExecutionId());
}

/** The CRM's run log, when the node has a CRM credential and the CRM keeps one. */
export async function runLog(ctx: IExecuteFunctions): Promise<CrmSyncRunLog | undefined> {
	if (!ctx.getNode().credentials?.[CRM_CREDENTIAL]) return undefined;
	const backend = await getCrmBackend(ctx, CRM_CREDENTIAL);
	return hasSyncRunLog(backend) ? backend : undefined;
}
