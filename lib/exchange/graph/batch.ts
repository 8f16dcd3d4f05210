/** JSON $batch: chunks of at most 20 requests, transient sub-responses sent again. */
import type { GraphContext } from './context';
import { backoffDelay, parseRetryAfter, withinRetryBudget } from './http';

export interface BatchStep {
	id: string;
	method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
	/** Relative to the version root, e.g. /users/a@b.c/contacts */
	url: string;
	body?: unknown;
	headers?: Record<string, string>;
	dependsOn?: string[];
}

export interface BatchResult {
	id: string;
	status: number;
	headers: Record<string, string>;
	body: unknown;
}

interface BatchResponse {
	responses: Array<{ id: string; status: number; headers?: Record<string, string>; body?: unknown }>;
}

const MAX_BATCH = 20;

/**
 * JSON $batch, at most 20 per call. `groups` keep requests linked by dependsOn in one
 * call. Sub-responses 429/503/504 (and 424 of their dependents) are sent again after the
 * longest Retry-After, within the retry bound.
 */
export async function sendBatch(ctx: GraphContext, groups: BatchStep[][]): Promise<Map<string, BatchResult>> {
	const results = new Map<string, BatchResult>();
	const chunks: BatchStep[][] = [];
	let current: BatchStep[] = [];
	for (const group of groups) {
		if (group.length > MAX_BATCH) throw new Error('a dependsOn group exceeds 20 requests');
		if (current.length + group.length > MAX_BATCH) {
			chunks.push(current);
			current = [];
		}
		current.push(...group);
	}
	if (current.length) chunks.push(current);
	await Promise.all(chunks.map((chunk) => sendBatchChunk(ctx, chunk, results)));
	return results;
}

async function sendBatchChunk(ctx: GraphContext, chunk: BatchStep[], results: Map<string, BatchResult>): Promise<void> {
	let pending = chunk;
	const policy = ctx.resilience.retry;
	const startedAt = ctx.now();
	for (let attempt = 0; pending.length > 0; attempt++) {
		const body = {
			requests: pending.map((s) => ({
				id: s.id,
				method: s.method,
				url: s.url,
				headers: {
					Prefer: ctx.preferHeader(),
					...(s.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
					...s.headers,
				},
				...(s.body !== undefined ? { body: s.body } : {}),
				...(s.dependsOn?.length ? { dependsOn: s.dependsOn.filter((d) => pending.some((p) => p.id === d)) } : {}),
			})),
		};
		const res = await ctx.request<BatchResponse>('POST', '/$batch', 'Batch request', { body });
		const retry = new Set<string>();
		const last = new Map<string, BatchResult>();
		let wait = 0;
		for (const r of res.responses) {
			const headers: Record<string, string> = {};
			for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v;
			last.set(r.id, { id: r.id, status: r.status, headers, body: r.body });
			const transient = r.status === 429 || r.status === 503 || r.status === 504;
			if (transient && attempt + 1 < policy.maxAttempts) {
				retry.add(r.id);
				if (r.status === 429) ctx.stats.throttled++;
				wait = Math.max(wait, backoffDelay(attempt, policy, ctx.resilience.random, parseRetryAfter(headers['retry-after'])));
				continue;
			}
			results.set(r.id, { id: r.id, status: r.status, headers, body: r.body });
		}
		// 424: a step this one depends on failed; retry it when that step is retried.
		for (const s of pending) {
			const r = results.get(s.id);
			if (r?.status === 424 && s.dependsOn?.some((d) => retry.has(d)) && attempt + 1 < policy.maxAttempts) {
				results.delete(s.id);
				retry.add(s.id);
			}
		}
		pending = pending.filter((s) => retry.has(s.id));
		if (pending.length && !withinRetryBudget(startedAt, ctx.now(), wait, policy)) {
			// Out of the retry budget: the transient answers become the results (429 → throttled, 503 → unavailable).
			for (const s of pending) results.set(s.id, last.get(s.id) ?? { id: s.id, status: 503, headers: {}, body: undefined });
			return;
		}
		if (pending.length) {
			ctx.stats.retries += pending.length;
			await ctx.resilience.sleep(wait);
		}
	}
}
