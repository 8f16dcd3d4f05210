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

const VERB: Record<ExchangeWrite['kind'], string> = { create: 'Creating', update: 'Updating', delete: 'Deleting' };
const NOUN: Record<Component, string> = { contact: 'a contact', event: 'an appointment', task: 'a task' };

/** What a write is called in its error, e.g. 'Updating an appointment'. */
function what(w: ExchangeWrite): string {
	return `${VERB[w.kind]} ${NOUN[w.component]}`;
}

/** One write in the batch: its steps (one dependsOn group) and how its result is read from the answers. */
interface Planned {
	index: number;
	steps: BatchStep[];
	finish(res: Map<string, BatchResult>): Promise<ExchangeWriteResult>;
}

export async function applyMany(ctx: GraphContext, adapters: ComponentAdapters, writes: ExchangeWrite[]): Promise<ExchangeWriteResult[]> {
	const results: ExchangeWriteResult[] = new Array(writes.length);
	const alone = new Set<number>();
	const updates = new Map<number, AnyUpdate>();
	writes.forEach((w, i) => {
		const adapter = adapterOf(adapters, w);
		if (w.kind === 'update') {
			const update = adapter.batchedUpdate(w.folderId, w.id, w.record, w.ident, w.options ?? {});
			if (update) updates.set(i, update);
			else alone.add(i);
		} else if (w.kind === 'create' && adapter.createsAlone(w.record)) alone.add(i);
	});

	// Reads an update needs before its PATCH, all in read batches.
	const prereads = [...updates].filter(([, u]) => u.preread);
	const read = await ctx.batch(prereads.map(([i, u]) => [{ id: `r${i}`, method: 'GET' as const, url: u.preread as string }]));

	const planned: Planned[] = [];
	writes.forEach((w, index) => {
		if (alone.has(index)) return;
		const key = `w${index}`;
		const adapter = adapterOf(adapters, w);
		if (w.kind === 'delete') {
			const headers = w.options?.etag ? { 'If-Match': w.options.etag } : undefined;
			planned.push({
				index,
				steps: [{ id: key, method: 'DELETE', url: `${adapter.itemsPath(w.folderId)}/${q(w.id)}`, ...(headers ? { headers } : {}) }],
				finish: async (res) => {
					const r = res.get(key);
					// Already gone: the goal of a delete is reached (as GraphExchangeClient.delete).
					if (r && (r.status < 300 || r.status === 404)) return undefined;
					return ctx.batchError(r, what(w));
				},
			});
		} else if (w.kind === 'create') {
			planned.push({
				index,
				steps: [{ id: key, method: 'POST', url: adapter.itemsPath(w.folderId), body: adapter.createBody(w.record, w.ident, w.options ?? {}) }],
				finish: async (res) => {
					const r = res.get(key);
					if (!r || r.status >= 300) return ctx.batchError(r, what(w));
					return adapter.createdItem(r.body as GraphItemBase, w.folderId, w.ident);
				},
			});
		} else {
			const update = updates.get(index) as AnyUpdate;
			let preread: unknown;
			if (update.preread) {
				const r = read.get(`r${index}`);
				if (!r || r.status >= 300) {
					results[index] = ctx.batchError(r, what(w));
					return;
				}
				preread = r.body;
			}
			planned.push({ index, steps: update.steps(key, preread), finish: (res) => update.result(key, res) });
		}
	});

	const res = await ctx.batch(planned.map((p) => p.steps));
	for (const p of planned) {
		try {
			results[p.index] = await p.finish(res);
		} catch (e) {
			results[p.index] = toExchangeError(e, what(writes[p.index]), ctx.mailbox);
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
		return toExchangeError(e, what(w), mailbox);
	}
}
