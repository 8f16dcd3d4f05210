import { failedOutcome, type WriteFailureCode } from '../engine/outcome';
import type { ActionOutcome } from '../engine/types';
import { ExchangeError, type ExchangeErrorCode } from './types';

/** How an Exchange refusal counts for the sync (every code is listed, so a new one needs a decision here). */
const FAILURE_CODE: Record<ExchangeErrorCode, WriteFailureCode> = {
	notFound: 'notFound',
	conflict: 'conflict',
	forbidden: 'permission',
	invalid: 'invalid',
	auth: 'transient',
	throttled: 'transient',
	unavailable: 'transient',
	syncStateInvalid: 'transient',
	tls: 'transient',
	badUrl: 'transient',
};

/** The outcome of an Exchange write that threw (Sync Apply of the Exchange node). */
export function exchangeWriteFailure(seq: number, error: unknown): ActionOutcome {
	return failedOutcome(seq, error, error instanceof ExchangeError ? FAILURE_CODE[error.code] : undefined);
}
