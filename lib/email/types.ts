/**
 * E-mail import (C1, E1–E11): the shapes the importer takes and returns.
 * The core never imports n8n; the "E-mail to Lead" node turns results into items.
 */
import type { CrmPersonModule } from '../crm/types';

/**
 * Which folder a message was found in, resolved by the caller from the folder id:
 * a CRM-Sync mail folder (E1), or a default folder in "Inbox" mode (F4).
 */
export type MailFolderRole = 'syncRoot' | 'accounts' | 'contacts' | 'leads' | 'partner' | 'inbox' | 'sentItems' | 'other';

/** E3 */
export type NoMatchBehaviour = 'nothing' | 'createLead';
/** E4: "Nachname ist" */
export type LeadLastNameSource = 'localPart' | 'displayName' | 'placeholder';
/** E4: "Firmenname ist" */
export type LeadCompanySource = 'domainWithoutTld' | 'domain' | 'placeholder';

export interface EmailImportOptions {
	/** E5: an address containing any of these substrings (case-insensitive) is ignored. */
	blacklist: string[];
	noMatch: NoMatchBehaviour;
	leadLastName: LeadLastNameSource;
	leadCompany: LeadCompanySource;
	/** E4 placeholder, "???" by default. */
	placeholder: string;
	/** Value for the new lead's lead source field (vtiger `leadsource`), if any. */
	leadSource?: string;
	/** E9: move the message back to the folder it came from after processing. */
	moveBack: boolean;
	/** Overrides the E1 module choice (the folder's module, or the root order). */
	searchModules?: CrmPersonModule[];
	/**
	 * With noMatch "createLead": at most this many leads per e-mail (a mailing to 500 unknown
	 * recipients must not create 500 leads). The other addresses are reported in skippedLeads.
	 * 0 creates none. Default DEFAULT_MAX_LEADS_PER_EMAIL.
	 */
	maxLeadsPerEmail?: number;
}

export const DEFAULT_MAX_LEADS_PER_EMAIL = 10;

export const DEFAULT_EMAIL_IMPORT_OPTIONS: Readonly<EmailImportOptions> = {
	blacklist: [],
	noMatch: 'nothing',
	leadLastName: 'localPart',
	leadCompany: 'domain',
	placeholder: '???',
	moveBack: true,
	maxLeadsPerEmail: DEFAULT_MAX_LEADS_PER_EMAIL,
};

/** One message to import. Either `raw` or `exchangeId` (to fetch the MIME) must be given. */
export interface EmailMessageInput {
	/** Exchange message id (Graph id / EWS ItemId): fetches the MIME and moves the message back. */
	exchangeId?: string;
	/** Folder the message is in now (a CRM-Sync folder, or Inbox/Sent Items in F4 mode). */
	folderId?: string;
	folderRole: MailFolderRole;
	/** Folder the message was moved out of, when the protocol or a folder index knows it (E9). */
	previousFolderId?: string;
	/** Raw RFC 5322 message. */
	raw?: Buffer;
	/**
	 * Message-ID as the trigger reported it (Graph internetMessageId). Lets a duplicate (E6) be
	 * recognised without downloading the message.
	 */
	internetMessageId?: string;
	/** Sender address as the trigger reported it; decides Sent Items when the MIME is not read. */
	from?: string;
	/** The message's size in bytes as the trigger reported it: small ones are read together ($batch). */
	size?: number;
}

export type EmailImportStatus = 'imported' | 'duplicate' | 'refused-encrypted' | 'conflict' | 'error';

export type EmailImportErrorCode = 'malformed' | 'noContent' | 'fetchFailed' | 'crm' | 'exchange';

export interface EmailLink {
	module: CrmPersonModule;
	id: string;
	/** The address that matched. */
	address: string;
}

export interface CreatedLead {
	id: string;
	address: string;
	lastName: string;
	company: string;
}

export type MoveReason = 'previousFolder' | 'sentItems' | 'inbox';

export interface MoveOutcome {
	/** Folder id the message was (to be) moved to. */
	folderId: string;
	reason: MoveReason;
	moved: boolean;
	/** Why the move failed; the import itself stands. */
	error?: string;
	/** The message id after the move (Graph ids change when a message moves). */
	newExchangeId?: string;
}

/** An unknown address that got no lead although noMatch is "createLead". */
export interface SkippedLead {
	address: string;
	reason: 'leadLimit';
	/** In words, with the option to change. */
	message: string;
}

export interface EmailImportResult {
	status: EmailImportStatus;
	/** For everything but "imported": what happened, in words a user understands. */
	reason?: string;
	/** For status "error": a machine-readable cause and what to do. */
	error?: { code: EmailImportErrorCode; message: string; hint: string };
	exchangeId?: string;
	/** Internet Message-ID (angle brackets included), the E6 identity. */
	messageId?: string;
	subject?: string;
	from?: string;
	/** The CRM e-mail record (new, or the existing one for a duplicate). */
	crmEmailId?: string;
	links: EmailLink[];
	createdLeads: CreatedLead[];
	/** Addresses that matched no record (and got no lead). */
	unmatched: string[];
	/** Unknown addresses that got no lead because of maxLeadsPerEmail (also listed in unmatched). */
	skippedLeads: SkippedLead[];
	/** E5 and the owner's own address. */
	ignored: string[];
	/** Sync-conflict entries written for this message (E11). */
	conflictIds: string[];
	attachmentCount: number;
	/** The message was signed (S/MIME or PGP): 'opaque' smime.p7m or 'detached' multipart/signed. Not verified. */
	signature?: 'opaque' | 'detached';
	move?: MoveOutcome;
}
