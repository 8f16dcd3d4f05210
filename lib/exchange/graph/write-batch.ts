/**
 * applyMany: a scheduled run's creates, updates and deletes in $batches of 20 (issue 15, request economy).
 * Each write is its own sub-request (or one dependsOn group), so one refused write (412 changed meanwhile,
 * 404, 400) is that write's error and never the others'; 429/503/504 sub-responses are sent again by
 * sendBatch. Written alone, as create/update do it: a series with exceptions (its instances are read and
 * written after the series itself). Contacts whose partial update merges e-mail/phone slots read those
 * collections first, in a read batch of their own.
 */
import { ExchangeError, type ExchangeWrite, type ExchangeWriteResult } from '../types';
import type { Component } from '../../model/types';
import type { BatchedUpdate, ComponentAdapter, ComponentAdapters } from './adapter';
import type { BatchResult, BatchStep } from './batch';
import { type GraphContext, q } from './context';
import { toExchangeError } from './errors';
import type { GraphItemBase } from './graph-types';

type AnyUpdate = BatchedUpdate<Component>;

/** The write's adapter, typed for the write's record (the adapters table cannot correlate the two). */
function adapterOf(adapters: ComponentAdapters, w: ExchangeWrite): ComponentAdapter<Component> {
	return adapters[w.component];
}

const WHAT: Record<ExchangeWrite['kind'], string> = { create: 'Creating', update: 'Updating', delete: 'Deleting' };

export async function applyMany(ctx: GraphContext, adapters: ComponentAdapters, writes: ExchangeWrite[]): Promise<ExchangeWriteResult[]> {
	const results: ExchangeWriteResult[] = new Array(writes.length);
	const alone: number[] = [];
	const groups: BatchStep[][] = [];
	const finish: Array<(res: Map<string, BatchResult>) => Promise<ExchangeWriteResult>> = [];
	const finishAt: number[] = [];
	const updates = new Map<number, AnyUpdate>();

	writes.forEach((w, i) => {
		const adapter = adapterOf(adapters, w);
		const options = w.options ?? {};
		if (w.kind === 'update') {
			const update = adapter.batchedUpdate(w.folderId, w.id, w.record, w.ident, options);
			if (update) updates.set(i, update);
			else alone.push(i);
		} else if (w.kind === 'create' && adapter.createsAlone(w.record)) alone.push(i);
	});

	// Reads an update needs before its PATCH, all in read batches.
	const prereads = [...updates].filter(([, u]) => u.preread);
	const read = await ctx.batch(prereads.map(([i, u]) => [{ id: `r${i}`, method: 'GET' as const, url: u.preread as string }]));

	writes.forEach((w, i) => {
		const key = `w${i}`;
		const adapter = adapterOf(adapters, w);
		const what = `${WHAT[w.kind]} a ${w.component}`;
		if (w.kind === 'delete') {
			const headers = w.options?.etag ? { 'If-Match': w.options.etag } : undefined;
			groups.push([{ id: key, method: 'DELETE', url: `${adapter.itemsPath(w.folderId)}/${q(w.id)}`, ...(headers ? { headers } : {}) }]);
			finishAt.push(i);
			finish.push(async (res) => {
				const r = res.get(key);
				// Already gone: the goal of a delete is reached (as ExchangeClient.delete).
				if (r && (r.status < 300 || r.status === 404)) return undefined;
				return ctx.batchError(r, what);
			});
		} else if (w.kind === 'create' && !alone.includes(i)) {
			const body = adapter.createBody(w.record, w.ident, w.options ?? {});
			groups.push([{ id: key, method: 'POST', url: adapter.itemsPath(w.folderId), body }]);
			finishAt.push(i);
			finish.push(async (res) => {
				const r = res.get(key);
				if (!r || r.status >= 300) return ctx.batchError(r, what);
				return adapter.createdItem(r.body as GraphItemBase, w.folderId, w.ident);
			});
		} else if (w.kind === 'update' && updates.has(i)) {
			const update = updates.get(i) as AnyUpdate;
			if (update.preread) {
				const r = read.get(`r${i}`);
				if (!r || r.status >= 300) {
					results[i] = ctx.batchError(r, what);
					return;
				}
				groups.push(update.steps(key, r.body));
			} else groups.push(update.steps(key, undefined));
			finishAt.push(i);
			finish.push((res) => update.result(key, res));
		}
	});

	const res = await ctx.batch(groups);
	for (let n = 0; n < finish.length; n++) {
		const i = finishAt[n];
		try {
			results[i] = await finish[n](res);
		} catch (e) {
			results[i] = toExchangeError(e, `${WHAT[writes[i].kind]} a ${writes[i].component}`, ctx.mailbox);
		}
	}
	for (const i of alone) results[i] = await writeAlone(adapters, writes[i], ctx.mailbox);
	return results;
}

async function writeAlone(adapters: ComponentAdapters, w: ExchangeWrite, mailbox: string): Promise<ExchangeWriteResult> {
	const adapter = adapterOf(adapters, w);
	try {
		if (w.kind === 'create') return await adapter.create(w.folderId, w.record, w.ident, w.options ?? {});
		if (w.kind === 'update') return await adapter.update(w.folderId, w.id, w.record, w.ident, w.options ?? {});
		throw new ExchangeError('invalid', 'A delete is always batched.');
	} catch (e) {
		return toExchangeError(e, `${WHAT[w.kind]} a ${w.component}`, mailbox);
	}
}
