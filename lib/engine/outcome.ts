import type { ActionOutcome } from './types';

export type WriteFailureCode = NonNullable<ActionOutcome['code']>;

/**
 * The outcome of a sync write that threw. The code decides what Commit does with it (lib/engine/retry.ts):
 * 'transient' is retried with backoff, 'invalid' and 'permission' become open conflicts, 'conflict' and
 * 'notFound' are planned again from the other side's current state. Each side says how its own errors
 * count (lib/crm/write-failure.ts, lib/exchange/write-failure.ts); anything else is transient.
 */
export function failedOutcome(seq: number, error: unknown, code: WriteFailureCode | undefined): ActionOutcome {
	return { seq, ok: false, code: code ?? 'transient', error: error instanceof Error ? error.message : String(error) };
}
