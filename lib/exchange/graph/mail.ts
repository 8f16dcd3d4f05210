/** Mail: a folder's message changes, one message (summary or MIME) and moving it, one or many ($batch). */
import { ResponseType } from '@microsoft/microsoft-graph-client';

import { ExchangeError, type MailChangePage, type MailMessageSummary, type MessageMove } from '../types';
import { type GraphContext, q } from './context';
import { deltaPage, nextCursor } from './delta';
import { toExchangeError } from './errors';
import type { GraphMessage } from './graph-types';
import { messageSummaryFromGraph } from './mappers';

const MESSAGE_SELECT = 'id,subject,from,receivedDateTime,internetMessageId,parentFolderId';

export async function listMessageChanges(
	ctx: GraphContext,
	folderId: string,
	cursor: string | undefined,
	options: { pageSize?: number } = {},
): Promise<MailChangePage> {
	const first = `${ctx.root}/mailFolders/${q(folderId)}/messages/delta?$select=${MESSAGE_SELECT}`;
	const { page, full } = await deltaPage<GraphMessage>(ctx, first, cursor, options.pageSize ?? ctx.pageSize, 'Reading mail changes');
	const messages = page.value.filter((m) => !m['@removed']).map((m) => messageSummaryFromGraph(m, folderId));
	const deletedIds = page.value.filter((m) => m['@removed']).map((m) => m.id);
	const next = nextCursor(ctx, page, full);
	return { messages, deletedIds, cursor: next.cursor, hasMore: next.hasMore, fullResync: full };
}

export async function getMessage(ctx: GraphContext, id: string): Promise<MailMessageSummary | undefined> {
	try {
		const m = await ctx.request<GraphMessage>('GET', `${ctx.root}/messages/${q(id)}?$select=${MESSAGE_SELECT}`, 'Reading a message');
		return messageSummaryFromGraph(m);
	} catch (e) {
		if (e instanceof ExchangeError && e.code === 'notFound' && e.status === 404) return undefined;
		throw e;
	}
}

export async function getMessageMime(ctx: GraphContext, id: string): Promise<Buffer> {
	const data = await ctx.request<ArrayBuffer>('GET', `${ctx.root}/messages/${q(id)}/$value`, 'Downloading a message', {
		responseType: ResponseType.ARRAYBUFFER,
	});
	return Buffer.from(data);
}

export async function moveMessage(ctx: GraphContext, id: string, destinationFolderId: string): Promise<MailMessageSummary> {
	const m = await ctx.request<GraphMessage>('POST', `${ctx.root}/messages/${q(id)}/move`, 'Moving a message', {
		body: { destinationId: destinationFolderId },
	});
	return messageSummaryFromGraph(m, destinationFolderId);
}

/**
 * Many moves in $batches of 20 (issue 15, request economy): each move is its own sub-request, so a refused
 * move is that mail's ExchangeError and never the others'; 429/503/504 sub-responses are sent again by
 * sendBatch. A batch that fails as a whole (401, 400) is every move's error. Results keep the input order.
 */
export async function moveMessages(ctx: GraphContext, moves: MessageMove[]): Promise<Array<MailMessageSummary | ExchangeError>> {
	const what = 'Moving a message';
	let res: Awaited<ReturnType<GraphContext['batch']>>;
	try {
		res = await ctx.batch(
			moves.map((m, i) => [{ id: `m${i}`, method: 'POST' as const, url: `${ctx.root}/messages/${q(m.id)}/move`, body: { destinationId: m.destinationFolderId } }]),
		);
	} catch (e) {
		const error = e instanceof ExchangeError ? e : toExchangeError(e, what, ctx.mailbox);
		return moves.map(() => error);
	}
	return moves.map((m, i) => {
		const r = res.get(`m${i}`);
		if (!r || r.status >= 300) return ctx.batchError(r, what);
		return messageSummaryFromGraph(r.body as GraphMessage, m.destinationFolderId);
	});
}
