/** Mail: a folder's message changes, one message (summary or MIME) and moving it, one or many ($batch). */
import { ResponseType } from '@microsoft/microsoft-graph-client';

import { ExchangeError, type MailChangePage, type MailMessageSummary, type MessageMove } from '../types';
import { type GraphContext, q } from './context';
import { deltaPage, nextCursor } from './delta';
import { toExchangeError } from './errors';
import type { GraphMessage } from './graph-types';
import { messageSummaryFromGraph } from './mappers';

const MESSAGE_SELECT = 'id,subject,from,receivedDateTime,internetMessageId,parentFolderId';
/**
 * PidTagMessageSize (MAPI 0x0E08, bytes) as an extended property in the delta, so the import knows which
 * MIME reads are small enough to share a $batch. Message delta supports $expand
 * (https://learn.microsoft.com/en-us/graph/api/message-delta); extended properties:
 * https://learn.microsoft.com/en-us/graph/api/singlevaluelegacyextendedproperty-get.
 */
const MESSAGE_SIZE_PROPERTY = 'Integer 0x0E08';
const MESSAGE_SIZE_EXPAND = `singleValueExtendedProperties($filter=id eq '${MESSAGE_SIZE_PROPERTY}')`;

export async function listMessageChanges(
	ctx: GraphContext,
	folderId: string,
	cursor: string | undefined,
	options: { pageSize?: number } = {},
): Promise<MailChangePage> {
	const first = `${ctx.root}/mailFolders/${q(folderId)}/messages/delta?$select=${MESSAGE_SELECT}&$expand=${MESSAGE_SIZE_EXPAND}`;
	const { page, full } = await deltaPage<GraphMessage>(ctx, first, cursor, options.pageSize ?? ctx.pageSize, 'Reading mail changes');
	const messages = page.value.filter((m) => !m['@removed']).map((m) => withSize(messageSummaryFromGraph(m, folderId), m));
	const deletedIds = page.value.filter((m) => m['@removed']).map((m) => m.id);
	const next = nextCursor(ctx, page, full);
	return { messages, deletedIds, cursor: next.cursor, hasMore: next.hasMore, fullResync: full };
}

function withSize(summary: MailMessageSummary, m: GraphMessage): MailMessageSummary {
	const value = m.singleValueExtendedProperties?.find((p) => p.id.toLowerCase() === MESSAGE_SIZE_PROPERTY.toLowerCase())?.value;
	const size = value === undefined ? NaN : Number(value);
	return Number.isFinite(size) && size >= 0 ? { ...summary, size } : summary;
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
			moves.map((m, i) => [
				{ id: `m${i}`, method: 'POST' as const, url: `${ctx.root}/messages/${q(m.id)}/move`, body: { destinationId: m.destinationFolderId } },
			]),
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

/**
 * Many MIME reads in $batches of 20. Graph returns a sub-response body that is not JSON base64-encoded
 * (https://learn.microsoft.com/en-us/graph/json-batching), so each is decoded; a refused read is that
 * message's ExchangeError only. The caller bounds the total size (the whole answer is held in memory).
 */
export async function getMessageMimes(ctx: GraphContext, ids: string[]): Promise<Array<Buffer | ExchangeError>> {
	const what = 'Downloading a message';
	let res: Awaited<ReturnType<GraphContext['batch']>>;
	try {
		res = await ctx.batch(ids.map((id, i) => [{ id: `v${i}`, method: 'GET' as const, url: `${ctx.root}/messages/${q(id)}/$value` }]));
	} catch (e) {
		const error = e instanceof ExchangeError ? e : toExchangeError(e, what, ctx.mailbox);
		return ids.map(() => error);
	}
	return ids.map((_, i) => {
		const r = res.get(`v${i}`);
		if (!r || r.status >= 300) return ctx.batchError(r, what);
		if (typeof r.body !== 'string') return new ExchangeError('unavailable', `${what} failed: the batch answer carried no MIME content`);
		return Buffer.from(r.body, 'base64');
	});
}
