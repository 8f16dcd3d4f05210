import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { accountStatus, hasSyncRunLog, type CrmBackend } from '../../../../lib/crm';
import { statusJson } from './statusItem';

export const properties: INodeProperties[] = [
	{
		displayName: 'Mailbox',
		name: 'mailbox',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'anna@contoso.com',
		description: 'The mailbox as the sync status shows it',
	},
	{
		displayName: 'Components',
		name: 'components',
		type: 'multiOptions',
		options: [
			{ name: 'Contacts', value: 'contact' },
			{ name: 'Appointments', value: 'event' },
			{ name: 'Tasks', value: 'task' },
		],
		default: [],
		description: 'Which syncs of the mailbox; none chosen means all of them',
	},
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		default: '',
		placeholder: 'e.g. mailbox is being migrated',
		description: 'Shown in the sync status and in every skipped run until the sync is resumed',
		displayOptions: { show: { operation: ['pause'] } },
	},
];

export const description = updateDisplayOptions({ show: { resource: ['syncStatus'], operation: ['pause', 'resume'] } }, properties);

/**
 * A6 pause and resume: a paused sync's runs stop at Sync State (its "Skipped" output says why) without
 * reading or writing anything, until it is resumed. A run already working finishes.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, crm: CrmBackend): Promise<INodeExecutionData[]> {
	const operation = this.getNodeParameter('operation', itemIndex) as 'pause' | 'resume';
	if (!hasSyncRunLog(crm)) {
		throw new NodeOperationError(this.getNode(), `The ${crm.kind} CRM keeps no sync run log`, {
			description: 'Pausing a sync needs the run log the embedded CRM keeps. With this CRM, deactivate the sync workflow in n8n instead.',
			itemIndex,
		});
	}
	const mailbox = String(this.getNodeParameter('mailbox', itemIndex, '')).trim();
	const components = this.getNodeParameter('components', itemIndex, []) as string[];
	const reason = operation === 'pause' ? String(this.getNodeParameter('reason', itemIndex, '')) : '';
	const changed = await crm.setSyncRunsPaused({ mailbox, components }, operation === 'pause' ? { reason } : undefined);
	if (changed.length === 0) {
		throw new NodeOperationError(this.getNode(), `No sync of ${mailbox || '(no mailbox given)'} has run yet`, {
			description: 'Only a sync that has run at least once can be paused or resumed. Check the mailbox against the "Sync Status → Get Many" output.',
			itemIndex,
		});
	}
	const rows = accountStatus(changed, await crm.listConflicts({ resolved: false }), new Date());
	return rows.map((row) => ({ json: statusJson(row), pairedItem: { item: itemIndex } }));
}
