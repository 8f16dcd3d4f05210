import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { startSyncRunWaiting } from '../../../lib/crm';
import type { CrmSyncRunLog, SyncRunKey, SyncRunStatus } from '../../../lib/crm';
import { adoptCommittedState, echoIdsToConfirm, needsNewerState, type StatusTable } from '../../../lib/engine';
import { runHolder, runKey, runLog } from '../helpers/runLease';
import { loadTable, saveTable, stateSizeBytes, tableRef } from '../helpers/state';

export const description: INodeProperties[] = [
	{
		displayName: 'Lease Length (Minutes)',
		name: 'leaseMinutes',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 15,
		displayOptions: { show: { operation: ['readState'] } },
		description:
			'With a CRM credential on this node, one run at a time works on this sync: a start while another run is working goes to the "Skipped" output, and its changes are picked up by the next run. A run that stops before Commit keeps the lease this long. Longer than your longest run (a first sync of a big mailbox can take a while).',
	},
	{
		displayName: 'Wait for a Running Sync (Seconds)',
		name: 'waitSeconds',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		displayOptions: { show: { operation: ['readState'] } },
		description:
			'How long a start waits for another run of this sync to finish before it leaves through "Skipped". Useful with change notifications: a change that arrived while a run was working is then synced right after it. 0 skips at once.',
	},
];

/**
 * One item with the committed cursors, for the Get Changes operations' "Cursor" fields — on the second
 * output instead when another run holds this sync's lease, so nothing after this node runs.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const ref = tableRef(this);
	const log = await runLog(this);
	const key = runKey(ref.mailbox, ref.component, ref.key);
	let lease: IDataObject | undefined;
	let table = loadTable(this, ref.key);
	let stateFrom: IDataObject | undefined;
	if (log) {
		const minutes = this.getNodeParameter('leaseMinutes', 0, 15) as number;
		const waitSeconds = this.getNodeParameter('waitSeconds', 0, 0) as number;
		const start = await startSyncRunWaiting(log, key, runHolder(this), Math.max(1, minutes) * 60_000, { waitMs: Math.max(0, waitSeconds) * 1000 });
		if (!start.acquired) {
			const skipped: IDataObject = {
				skipped: true,
				paused: start.paused === true,
				reason: start.reason,
				mailbox: ref.mailbox,
				component: ref.component,
				heldBy: start.status.holder ?? null,
				leaseUntil: start.status.leaseUntil ?? null,
			};
			return [[], [{ json: skipped, pairedItem: { item: 0 } }]];
		}
		lease = { holder: start.status.holder ?? null, until: start.status.leaseUntil ?? null };
		const adopted = await newerCommittedState(log, key, table, start.status);
		if (adopted) {
			table = adopted;
			// Written into this execution's static data, so Plan and Commit work on it and n8n saves it.
			saveTable(this, ref.key, table);
			stateFrom = { generation: table.generation, committedAt: start.status.stateSavedAt ?? null };
		}
	}
	return [
		[
			{
				json: {
					table: ref.key,
					mailbox: ref.mailbox,
					component: ref.component,
					crmCursor: table.cursors.crm ?? '',
					exchangeCursor: table.cursors.ex ?? '',
					firstRun: table.cursors.crm === undefined || table.cursors.ex === undefined,
					pairs: table.size,
					// For Get Changes' "Confirm Items": the appointments the last run created (lib/engine/echo.ts).
					confirmIds: echoIdsToConfirm(table, ref.component),
					stateBytes: stateSizeBytes(this),
					...(lease ? { lease } : {}),
					// Set when this run works from the state the last run committed, not from its own older static data.
					...(stateFrom ? { stateFromRunLog: stateFrom } : {}),
				},
				pairedItem: { item: 0 },
			},
		],
		[],
	];
}

/** The run log's newer committed state of this sync, when the run's own static data is older (docs/decisions.md §17). */
async function newerCommittedState(log: CrmSyncRunLog, key: SyncRunKey, own: StatusTable, status: SyncRunStatus): Promise<StatusTable | undefined> {
	if (!needsNewerState(own, status.stateGeneration)) return undefined;
	return adoptCommittedState(own, await log.loadSyncState(key));
}
