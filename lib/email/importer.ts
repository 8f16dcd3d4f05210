/**
 * Imports messages into the CRM (C1, E1–E11, S9), one by one; small mails' MIME is read ahead per
 * window and the moves back (E9) of a run go last, together ($batch on Graph, issue 15). Per-message
 * problems never throw: they come back as a result with status "error", so a batch goes on with the next mail.
 */
import { CrmError, type CrmBackend, type CrmEmailInput, type CrmPersonModule, type CrmRecord } from '../crm/types';
import { ExchangeError, type ExchangeClient, type MailMessageSummary, type MessageMove } from '../exchange/types';
import { collectParticipants, filterParticipants, type Participant } from './addresses';
import { READ_AHEAD_WINDOW, readAhead, type ReadAhead } from './read-ahead';
import { plainTextBody } from './body';
import { encryptionReason } from './encryption';
import { isSyncFolder, modulesToSearch, moveBackTarget } from './folders';
import { leadNames } from './lead';
import { MalformedEmailError, parseEmail, type ParsedEmail } from './mime';
import {
	DEFAULT_MAX_LEADS_PER_EMAIL,
	type EmailImportErrorCode,
	type EmailImportOptions,
	type EmailImportResult,
	type EmailLink,
	type EmailMessageInput,
	type MoveOutcome,
} from './types';

/** What the importer needs from a mailbox (an ExchangeClient, Graph or EWS). */
export type MailboxAccess = Pick<ExchangeClient, 'mailbox' | 'getMessageMime' | 'moveMessage' | 'getWellKnownFolder'> &
	Partial<Pick<ExchangeClient, 'moveMessages' | 'getMessageMimes'>>;

/** A result whose message is still to be moved back (E9), once the run's imports are done. */
interface Imported {
	result: EmailImportResult;
	moveBack?: { input: EmailMessageInput; ownerIsSender: boolean };
}

export interface ImportMessagesOptions {
	/** Stop importing after the first result with status "error" (its successors get no result). */
	stopAtError?: boolean;
}

export interface EmailImporterDeps {
	crm: CrmBackend;
	/** Needed to fetch MIME by id and to move messages back (E9). */
	exchange?: MailboxAccess;
	/** The mailbox owner's addresses: never matched (E5), and "owner is the sender" → Sent Items (E9). */
	ownerAddresses: string[];
	/** CRM user the e-mail and new leads are assigned to (the mailbox owner). */
	ownerUserId?: string;
	options: EmailImportOptions;
}

export class EmailImporter {
	private readonly wellKnownFolderIds = new Map<string, string>();

	constructor(private readonly deps: EmailImporterDeps) {}

	async importMessage(input: EmailMessageInput): Promise<EmailImportResult> {
		return (await this.importMessages([input]))[0];
	}

	/**
	 * Imports the messages in order (windows of 20, small MIMEs read ahead together), then moves back the
	 * ones that go back, in as few requests as the mailbox allows. A failed move is that message's outcome only (result.move.moved false, the import
	 * stands), as with one message at a time.
	 */
	async importMessages(inputs: EmailMessageInput[], options: ImportMessagesOptions = {}): Promise<EmailImportResult[]> {
		const imported: Imported[] = [];
		run: for (let start = 0; start < inputs.length; start += READ_AHEAD_WINDOW) {
			const window = inputs.slice(start, start + READ_AHEAD_WINDOW);
			const ahead = await readAhead(this.deps, window);
			for (const [k, input] of window.entries()) {
				const one = await this.importUnmoved(input, ahead[k]);
				ahead[k] = undefined;
				imported.push(one);
				if (options.stopAtError && one.result.status === 'error') break run;
			}
		}
		await this.moveAllBack(imported);
		return imported.map((one) => one.result);
	}

	private async importUnmoved(input: EmailMessageInput, ahead?: ReadAhead): Promise<Imported> {
		const result: EmailImportResult = {
			status: 'error',
			exchangeId: input.exchangeId,
			links: [],
			createdLeads: [],
			unmatched: [],
			skippedLeads: [],
			ignored: [],
			conflictIds: [],
			attachmentCount: 0,
		};

		const owners = new Set(this.deps.ownerAddresses.map((address) => address.toLowerCase()));

		// E6 before the download: a known Message-ID costs no MIME request.
		if (!input.raw && input.internetMessageId) {
			try {
				const known = ahead?.existing;
				if (known && 'error' in known) throw known.error;
				const existing = known ? known.record : await this.deps.crm.findEmailByMessageId(input.internetMessageId);
				if (existing) {
					markDuplicate(result, input.internetMessageId, existing.id);
					result.from = input.from?.toLowerCase();
					return { result, moveBack: { input, ownerIsSender: result.from !== undefined && owners.has(result.from) } };
				}
			} catch (error) {
				return { result: fail(result, 'crm', error) };
			}
		}

		if (!input.raw && !(input.exchangeId && this.deps.exchange)) {
			return {
				result: fail(result, 'noContent', new Error('The item has neither the raw message (binary data) nor a message id to fetch it with.')),
			};
		}
		let raw: Buffer;
		try {
			if (ahead?.mime instanceof Error) throw ahead.mime;
			raw = input.raw ?? ahead?.mime ?? (await this.deps.exchange!.getMessageMime(input.exchangeId!));
		} catch (error) {
			return { result: fail(result, 'fetchFailed', error) };
		}

		let email: ParsedEmail;
		try {
			email = await parseEmail(raw);
		} catch (error) {
			return { result: fail(result, 'malformed', error) };
		}
		const participants = collectParticipants(email.headerLines);
		const sender = participants.find((participant) => participant.roles.includes('from'));
		result.messageId = email.messageId;
		result.subject = email.subject;
		result.from = sender?.address;
		result.attachmentCount = email.attachments.length;
		result.signature = email.signature;

		try {
			await this.decide(email, participants, input, result);
		} catch (error) {
			return { result: fail(result, error instanceof ExchangeError ? 'exchange' : 'crm', error) };
		}

		return { result, moveBack: { input, ownerIsSender: sender !== undefined && owners.has(sender.address) } };
	}

	private async decide(email: ParsedEmail, participants: Participant[], input: EmailMessageInput, result: EmailImportResult): Promise<void> {
		const { crm, options } = this.deps;

		// E6: once across all users.
		const existing = await crm.findEmailByMessageId(email.messageId);
		if (existing) {
			markDuplicate(result, email.messageId, existing.id);
			return;
		}

		// E8
		const encrypted = encryptionReason(email);
		if (encrypted) {
			result.status = 'refused-encrypted';
			result.reason = encrypted;
			return;
		}

		// E2, E5
		const { kept, ignored } = filterParticipants(participants, options.blacklist, this.deps.ownerAddresses);
		result.ignored = ignored.map((participant) => participant.address);

		// E1, E10, E3, E4
		const modules = modulesToSearch(input.folderRole, options.searchModules);
		const maxLeads = leadLimit(options.maxLeadsPerEmail);
		let leadsTried = 0;
		for (const participant of kept) {
			const match = await this.findRecord(participant.address, modules);
			if (match) {
				result.links.push({ module: match.module as CrmPersonModule, id: match.id, address: participant.address });
			} else if (options.noMatch === 'createLead' && leadsTried >= maxLeads) {
				result.unmatched.push(participant.address);
				result.skippedLeads.push({ address: participant.address, reason: 'leadLimit', message: leadLimitMessage(maxLeads) });
			} else if (options.noMatch === 'createLead') {
				leadsTried++;
				await this.createLead(participant, email, result);
			} else {
				result.unmatched.push(participant.address);
			}
		}

		// E7, S9, E11
		const emailInput = this.emailRecord(email, participants, result.links);
		try {
			const created = await crm.createEmail(emailInput);
			result.status = 'imported';
			result.crmEmailId = created.id;
		} catch (error) {
			if (error instanceof CrmError && error.code === 'duplicate') {
				// Another mailbox imported the same message a moment ago (E6).
				const winner = await crm.findEmailByMessageId(email.messageId);
				markDuplicate(result, email.messageId, winner?.id);
				return;
			}
			if (error instanceof CrmError && error.code === 'mandatoryField') {
				const conflict = await crm.recordConflict({
					module: 'emails',
					side: 'exchange',
					reason: `The e-mail could not be stored: ${error.message}`,
					payload: { messageId: email.messageId, subject: email.subject, field: error.field, links: result.links },
					mailbox: this.deps.exchange?.mailbox,
				});
				result.status = 'conflict';
				result.reason = `The CRM refused the e-mail (${error.message}); a sync conflict entry was written.`;
				result.conflictIds.push(conflict.id);
				return;
			}
			throw error;
		}
	}

	/** E1 order (module rank), then E10 (earliest created), among the records with this address. */
	private async findRecord(address: string, modules: CrmPersonModule[]): Promise<CrmRecord | undefined> {
		const records = await this.deps.crm.findByEmail(address, modules);
		let best: CrmRecord | undefined;
		for (const record of records) {
			const rank = modules.indexOf(record.module as CrmPersonModule);
			if (rank < 0) continue;
			if (
				!best ||
				rank < modules.indexOf(best.module as CrmPersonModule) ||
				(rank === modules.indexOf(best.module as CrmPersonModule) && record.createdAt < best.createdAt)
			) {
				best = record;
			}
		}
		return best;
	}

	private async createLead(participant: Participant, email: ParsedEmail, result: EmailImportResult): Promise<void> {
		const { crm, options, ownerUserId } = this.deps;
		const names = leadNames(participant.address, participant.name, options);
		const fields: Record<string, unknown> = { lastname: names.lastName, company: names.company, email: participant.address };
		if (options.leadSource) fields.leadsource = options.leadSource;
		try {
			const lead = await crm.create('leads', {
				fields,
				assignedTo: ownerUserId ? { type: 'user', id: ownerUserId } : undefined,
			});
			result.createdLeads.push({ id: lead.id, address: participant.address, ...names });
			result.links.push({ module: 'leads', id: lead.id, address: participant.address });
		} catch (error) {
			if (!(error instanceof CrmError && error.code === 'mandatoryField')) throw error;
			// E11: the lead is not created; the e-mail is still imported and linked to the others.
			const conflict = await crm.recordConflict({
				module: 'leads',
				side: 'exchange',
				reason: `A lead for ${participant.address} could not be created: ${error.message}`,
				payload: { address: participant.address, fields, messageId: email.messageId, field: error.field },
				mailbox: this.deps.exchange?.mailbox,
			});
			result.conflictIds.push(conflict.id);
			result.unmatched.push(participant.address);
		}
	}

	private emailRecord(email: ParsedEmail, participants: Participant[], links: EmailLink[]): CrmEmailInput {
		const withRole = (role: Participant['roles'][number]) =>
			participants.filter((participant) => participant.roles.includes(role)).map((participant) => participant.address);
		const linked = new Map<string, { module: CrmPersonModule; id: string }>();
		for (const link of links) linked.set(`${link.module}:${link.id}`, { module: link.module, id: link.id });
		return {
			messageId: email.messageId,
			subject: email.subject,
			from: withRole('from')[0],
			to: withRole('to'),
			cc: withRole('cc'),
			bcc: withRole('bcc'),
			sentAt: email.sentAt,
			bodyText: plainTextBody(email.text, email.html),
			headers: email.headers,
			attachments: email.attachments,
			links: [...linked.values()],
			assignedTo: this.deps.ownerUserId ? { type: 'user', id: this.deps.ownerUserId } : undefined,
			importedBy: this.deps.exchange?.mailbox ?? this.deps.ownerAddresses[0],
		};
	}

	/**
	 * E9. A failed move does not undo the import; it is reported on the result (the message stays in
	 * CRM-Sync). Two or more moves go together when the mailbox can (moveMessages), else one by one.
	 */
	private async moveAllBack(imported: Imported[]): Promise<void> {
		const { exchange, options } = this.deps;
		if (!options.moveBack || !exchange) return;
		const planned: Array<{ result: EmailImportResult; move: MessageMove; outcome: MoveOutcome }> = [];
		for (const { result, moveBack } of imported) {
			const input = moveBack?.input;
			if (!moveBack || !input?.exchangeId || !isSyncFolder(input.folderRole)) continue;
			const target = moveBackTarget(input.previousFolderId, moveBack.ownerIsSender);
			const outcome: MoveOutcome = { folderId: target.folderId ?? '', reason: target.reason, moved: false };
			result.move = outcome;
			try {
				if (target.wellKnownName) outcome.folderId = await this.wellKnownFolderId(target.wellKnownName);
			} catch (error) {
				outcome.error = describe(error).message;
				continue;
			}
			planned.push({ result, move: { id: input.exchangeId, destinationFolderId: outcome.folderId }, outcome });
		}
		if (planned.length === 0) return;
		const moved = await this.moveMany(
			exchange,
			planned.map((p) => p.move),
		);
		planned.forEach(({ outcome }, i) => {
			const m = moved[i];
			if (m instanceof Error) outcome.error = describe(m).message;
			else Object.assign(outcome, { moved: true, newExchangeId: m.id });
		});
	}

	private async moveMany(exchange: MailboxAccess, moves: MessageMove[]): Promise<Array<MailMessageSummary | Error>> {
		if (moves.length > 1 && exchange.moveMessages) return exchange.moveMessages(moves);
		const out: Array<MailMessageSummary | Error> = [];
		for (const move of moves) {
			try {
				out.push(await exchange.moveMessage(move.id, move.destinationFolderId));
			} catch (error) {
				out.push(error instanceof Error ? error : new Error(String(error)));
			}
		}
		return out;
	}

	private async wellKnownFolderId(name: string): Promise<string> {
		let id = this.wellKnownFolderIds.get(name);
		if (!id) {
			id = (await this.deps.exchange!.getWellKnownFolder(name)).id;
			this.wellKnownFolderIds.set(name, id);
		}
		return id;
	}
}

function leadLimit(configured: number | undefined): number {
	return configured !== undefined && Number.isFinite(configured) && configured >= 0 ? Math.floor(configured) : DEFAULT_MAX_LEADS_PER_EMAIL;
}

function leadLimitMessage(maxLeads: number): string {
	return `No lead was created: this e-mail has more addresses without a CRM record than the ${maxLeads} new leads allowed per e-mail. Raise "Max New Leads Per E-Mail" in the E-mail to Lead node's options to create more.`;
}

const HINTS: Record<EmailImportErrorCode, string> = {
	malformed:
		'The message is not valid MIME and cannot be imported. It was left in the CRM-Sync folder; open it in Outlook and forward or re-save it if it should be imported.',
	noContent: 'Pass the message as binary data, or connect the Exchange credential so the node can fetch it by id.',
	fetchFailed: 'Check the Exchange connection and that the message still exists (it may have been moved or deleted meanwhile).',
	crm: 'Check the CRM connection and permissions, then run the workflow again; the message was left in the CRM-Sync folder.',
	exchange: 'Check the Exchange connection, then run the workflow again.',
};

function describe(error: unknown): { message: string; hint?: string } {
	if (error instanceof CrmError || error instanceof ExchangeError) return { message: error.message, hint: error.hint };
	return { message: error instanceof Error ? error.message : String(error) };
}

function markDuplicate(result: EmailImportResult, messageId: string, crmEmailId: string | undefined): void {
	result.status = 'duplicate';
	result.messageId = messageId;
	result.crmEmailId = crmEmailId;
	result.reason = `This e-mail (Message-ID ${messageId}) is already in the CRM.`;
}

function fail(result: EmailImportResult, code: EmailImportErrorCode, error: unknown): EmailImportResult {
	const detail = describe(error);
	const prefix = error instanceof MalformedEmailError ? 'The e-mail could not be read: ' : code === 'crm' ? 'The CRM reported: ' : '';
	result.status = 'error';
	result.reason = prefix + detail.message;
	result.error = { code, message: result.reason, hint: detail.hint ?? HINTS[code] };
	return result;
}
