import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ExchangeClient, MailMessageSummary } from '../../../../lib/exchange';
import { mailFolderLocator } from '../../descriptions/common';
import { mailFolderParam } from './shared';

export const properties: INodeProperties[] = [
	mailFolderLocator('mailFolder', 'Mail Folder', 'The folder whose messages are read'),
	{
		displayName: 'Cursor',
		name: 'cursor',
		type: 'string',
		default: '',
		description: 'Cursor from the previous run. Empty: list every message and return a cursor for next time.',
		displayOptions: { show: { '/operation': ['getChanges'] } },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { '/operation': ['getAll'] } },
	},
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['getChanges', 'getAll'] } }, properties);

/** getChanges: one item with messages, deletions and the next cursor. getAll: one item per message. */
export async function execute(this: IExecuteFunctions, i: number, client: ExchangeClient): Promise<INodeExecutionData[]> {
	const operation = this.getNodeParameter('operation', i) as string;
	const folderId = await mailFolderParam(this, 'mailFolder', i, client);
	const limit = operation === 'getAll' ? (this.getNodeParameter('limit', i, 50) as number) : Number.POSITIVE_INFINITY;
	let cursor = operation === 'getChanges' ? String(this.getNodeParameter('cursor', i, '')).trim() || undefined : undefined;
	const messages: MailMessageSummary[] = [];
	const deletedIds: string[] = [];
	let fullResync = false;
	let hasMore: boolean;
	do {
		const page = await client.listMessageChanges(folderId, cursor, { pageSize: Math.min(100, limit) });
		messages.push(...page.messages);
		deletedIds.push(...page.deletedIds);
		fullResync ||= page.fullResync;
		cursor = page.cursor;
		hasMore = page.hasMore;
	} while (hasMore && messages.length < limit);
	if (operation === 'getAll') {
		return messages.slice(0, limit).map((m) => ({ json: m as unknown as IDataObject, pairedItem: { item: i } }));
	}
	return [{ json: { messages: messages as unknown as IDataObject[], deletedIds, cursor: cursor ?? '', fullResync }, pairedItem: { item: i } }];
}
