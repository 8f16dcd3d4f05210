import type { INodeProperties } from 'n8n-workflow';

import * as getAll from './getAll.operation';
import * as pause from './pause.operation';

// One operation file for both: they differ only in what they set.
export { getAll, pause, pause as resume };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['syncStatus'] } },
		options: [
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'One item per synced mailbox and component: running or not, last run, last success, last problem in plain words, open conflicts',
				action: 'Get the sync status of every mailbox',
			},
			{
				name: 'Pause',
				value: 'pause',
				description: 'Stop the sync of a mailbox until it is resumed: its runs are skipped, nothing is read or written',
				action: 'Pause the sync of a mailbox',
			},
			{
				name: 'Resume',
				value: 'resume',
				description: 'Let a paused sync run again; its next run picks up every change made meanwhile',
				action: 'Resume the sync of a mailbox',
			},
		],
		default: 'getAll',
	},
	...getAll.description,
	...pause.description,
];
