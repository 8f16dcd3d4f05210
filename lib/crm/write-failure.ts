import { failedOutcome, type WriteFailureCode } from '../engine/outcome';
import type { ActionOutcome } from '../engine/types';
import { CrmError, type CrmErrorCode } from './types';

/** How a CRM refusal counts for the sync (every code is listed, so a new one needs a decision here). */
const FAILURE_CODE: Record<CrmErrorCode, WriteFailureCode> = {
	notFound: 'notFound',
	mandatoryField: 'invalid',
	invalid: 'invalid',
	permission: 'permission',
	conflict: 'conflict',
	// A duplicate the CRM refuses is usually an overlapping run's create: the next run pairs it.
	duplicate: 'transient',
	auth: 'transient',
	unavailable: 'transient',
};

/** The outcome of a CRM write that threw (Sync Apply of the CRM node). */
export function crmWriteFailure(seq: number, error: unknown): ActionOutcome {
	return failedOutcome(seq, error, error instanceof CrmError ? FAILURE_CODE[error.code] : undefined);
}
