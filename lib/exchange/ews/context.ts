/**
 * What every EWS module shares: the mailbox's ExchangeService (impersonation and transport are
 * set up in service.ts), one bounded call with back-off and error classification, and folder ids.
 */
import { ExchangeService, FolderId, WellKnownFolderName } from 'ews-javascript-api';

import { defaultRetryPolicy, runCall, type CallStats, type RetryPolicy } from './errors';
import { createExchangeService, type EwsConnection } from './service';

export interface EwsClientOptions extends EwsConnection {
	/** SMTP address of the mailbox (the user's own, or the impersonated one). */
	mailbox: string;
	retry?: Partial<RetryPolicy>;
	/** Minutes a pull subscription lives without GetEvents (1–1440; default 1440). */
	pullTimeoutMinutes?: number;
	/** S19: reminder set on created appointments that carry none (the Graph client's option of the same name). */
	defaultReminderMinutes?: number;
}

export const WELL_KNOWN: Record<string, WellKnownFolderName> = {
	inbox: WellKnownFolderName.Inbox,
	sentitems: WellKnownFolderName.SentItems,
	deleteditems: WellKnownFolderName.DeletedItems,
	drafts: WellKnownFolderName.Drafts,
	contacts: WellKnownFolderName.Contacts,
	calendar: WellKnownFolderName.Calendar,
	tasks: WellKnownFolderName.Tasks,
	msgfolderroot: WellKnownFolderName.MsgFolderRoot,
};

/** A folder id, or a well-known folder name (any case) such as 'calendar'. */
export function folderIdOf(id: string): FolderId {
	const wk = WELL_KNOWN[id.toLowerCase()];
	return wk !== undefined ? new FolderId(wk) : new FolderId(id);
}

export class EwsContext {
	readonly mailbox: string;
	readonly service: ExchangeService;
	/** Requests sent and back-off waited, for the benchmarks and O2. */
	readonly stats: CallStats = { calls: 0, waitedMs: 0 };
	/** Minutes a pull subscription lives without GetEvents. */
	readonly pullTimeout: number;
	readonly defaultReminderMinutes: number | undefined;
	private readonly retry: RetryPolicy;

	constructor(options: EwsClientOptions) {
		this.mailbox = options.mailbox;
		this.service = createExchangeService(options);
		this.retry = { ...defaultRetryPolicy, ...options.retry };
		this.pullTimeout = Math.min(1440, Math.max(1, options.pullTimeoutMinutes ?? 1440));
		this.defaultReminderMinutes = options.defaultReminderMinutes;
	}

	/** One EWS operation with back-off and error classification. */
	call<T>(fn: () => Promise<T>): Promise<T> {
		return runCall(fn, this.retry, this.stats);
	}
}
