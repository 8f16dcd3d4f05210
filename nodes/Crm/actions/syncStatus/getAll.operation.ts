import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { accountStatus, hasSyncRunLog, type CrmBackend } from '../../../../lib/crm';
import { statusJson } from './statusItem';

export const properties: INodeProperties[] = [
	{
		displayName: 'Only With Problems',
		name: 'onlyProblems',
		type: 'boolean',
		default: false,
		description: 'Whether to leave out the mailboxes whose last run went well and that have no open conflicts (for a daily summary)',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['syncStatus'], operation: ['getAll'] } }, properties);

/** A6: the account status, read from the CRM's sync run log that Read State and Commit keep (issue 14). */
export async function execute(this: IExecuteFunctions, itemIndex: number, crm: CrmBackend): Promise<INodeExecutionData[]> {
	if (!hasSyncRunLog(crm)) {
		throw new NodeOperationError(this.getNode(), `The ${crm.kind} CRM keeps no sync run log`, {
			description: "The sync status is kept by the embedded CRM. With this CRM, read each sync workflow's executions in n8n instead.",
			itemIndex,
		});
	}
	const onlyProblems = this.getNodeParameter('onlyProblems', itemIndex, false) as boolean;
	const rows = accountStatus(await crm.listSyncRuns(), await crm.listConflicts({ resolved: false }), new Date());
	return rows
		.filter((row) => !onlyProblems || row.state !== 'ok' || row.openConflicts > 0)
		.map((row) => ({ json: statusJson(row), pairedItem: { item: itemIndex } }));
}
