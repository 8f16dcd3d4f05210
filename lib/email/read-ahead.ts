/**
 * The e-mail import's read-ahead (issue 15, request economy): within a window of 20 mails, the small
 * ones of known size get their E6 duplicate check first, and the MIME of those not yet in the CRM is
 * read in one $batch instead of one request each.
 */
import type { CrmBackend, CrmEmailRecord } from '../crm/types';
import type { MailboxAccess } from './importer';
import type { EmailMessageInput } from './types';

/**
 * MIME reads that share a $batch: each mail at most 1 MiB, at most 8 MiB per window of 20 mails (the
 * whole answer, base64 in JSON, is held in memory). Larger mails, and mails of unknown size, are read alone.
 */
export const READ_AHEAD_WINDOW = 20;
const MAX_BATCHED_MIME_BYTES = 1024 * 1024;
const MAX_WINDOW_MIME_BYTES = 8 * 1024 * 1024;

/** What a window's read-ahead already knows of a message: its E6 check, its MIME. */
export interface ReadAhead {
	existing?: { record: CrmEmailRecord | undefined } | { error: unknown };
	mime?: Buffer | Error;
}

export interface ReadAheadDeps {
	crm: Pick<CrmBackend, 'findEmailByMessageId'>;
	exchange?: MailboxAccess;
}

/**
 * The window's small mails of known size: their E6 checks, then the MIME of the ones not yet in the
 * CRM in one $batch (when the mailbox can, and for two or more). Everything else is read as it comes.
 */
export async function readAhead(deps: ReadAheadDeps, window: EmailMessageInput[]): Promise<Array<ReadAhead | undefined>> {
	const ahead: Array<ReadAhead | undefined> = window.map(() => undefined);
	const exchange = deps.exchange;
	if (!exchange?.getMessageMimes) return ahead;
	let budget = MAX_WINDOW_MIME_BYTES;
	const eligible: number[] = [];
	window.forEach((input, k) => {
		if (input.raw || !input.exchangeId || input.size === undefined || input.size > MAX_BATCHED_MIME_BYTES || input.size > budget) return;
		budget -= input.size;
		eligible.push(k);
	});
	if (eligible.length < 2) return ahead;
	const fetch: number[] = [];
	for (const k of eligible) {
		const messageId = window[k].internetMessageId;
		const entry: ReadAhead = {};
		ahead[k] = entry;
		if (messageId) {
			try {
				entry.existing = { record: await deps.crm.findEmailByMessageId(messageId) };
			} catch (error) {
				entry.existing = { error };
			}
		}
		if (!entry.existing || ('record' in entry.existing && !entry.existing.record)) fetch.push(k);
	}
	if (fetch.length < 2) return ahead;
	const mimes = await exchange.getMessageMimes(fetch.map((k) => window[k].exchangeId as string));
	fetch.forEach((k, i) => ((ahead[k] as ReadAhead).mime = mimes[i]));
	return ahead;
}
