import type { IDataObject } from 'n8n-workflow';

import type { SyncAccountStatus } from '../../../../lib/crm';

/** One status row as an item; key order is the column order of n8n's table view: the answer first. */
export function statusJson(row: SyncAccountStatus): IDataObject {
	const { mailbox, component, state, message, openConflicts, lastSuccessAt, lastFinishedAt, lastStartedAt, ...rest } = row;
	return {
		mailbox,
		component,
		state,
		message,
		openConflicts,
		lastSuccessAt: lastSuccessAt ?? null,
		lastFinishedAt: lastFinishedAt ?? null,
		lastStartedAt: lastStartedAt ?? null,
		...rest,
	};
}
