/**
 * Parses a raw message with mailparser into what the importer needs. No MIME parsing here:
 * mailparser does that; this module only picks values and rejects what is not a usable message.
 */
import { createHash } from 'node:crypto';
import { simpleParser, type Attachment, type HeaderLines, type ParsedMail } from 'mailparser';
import type { CrmEmailAttachment } from '../crm/types';
import { contentTypeOf, signedContent, type SignatureKind, type SignedContent } from './smime';

export class MalformedEmailError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'MalformedEmailError';
	}
}

export interface ParsedEmail {
	/** Internet Message-ID, or a stable stand-in derived from the content (see messageIdentity). */
	messageId: string;
	/** true: the message carried no Message-ID header. */
	messageIdDerived: boolean;
	subject?: string;
	/** ISO instant of the Date header, when it is present and valid. */
	sentAt?: string;
	/** text/plain body, when the message has one. */
	text?: string;
	/** text/html body, when the message has one (cid: links left as they are). */
	html?: string;
	headerLines: HeaderLines;
	/** Header name (lower case) → unfolded raw value(s). */
	headers: Record<string, string | string[]>;
	attachments: CrmEmailAttachment[];
	/**
	 * Content-Type with parameters, lower-cased, of the entity holding the message: the top
	 * level, or for opaque signed mail the entity inside the signature (which may be encrypted).
	 */
	contentType: { value: string; params: Record<string, string> };
	/** How the message was signed, when it was (S/MIME or PGP); text and attachments are the signed ones. */
	signature?: SignatureKind;
	/** mailparser's result for the entity holding the message, for checks that need the part tree. */
	mail: ParsedMail;
}

// skipHtmlToText: `text` then only holds real text/plain parts; HTML is converted by body.ts.
const PARSE_OPTIONS = { skipHtmlToText: true, keepCidLinks: true, skipTextToHtml: true } as const;

export async function parseEmail(raw: Buffer): Promise<ParsedEmail> {
	if (raw.length === 0) throw new MalformedEmailError('The message is empty.');
	let mail: ParsedMail;
	let content: SignedContent;
	try {
		mail = await simpleParser(raw, PARSE_OPTIONS);
		content = await signedContent(mail, (entity) => simpleParser(entity, PARSE_OPTIONS));
	} catch (error) {
		throw new MalformedEmailError(`The message could not be parsed as MIME: ${(error as Error).message}`);
	}
	const headerLines = (mail.headerLines ?? []).filter((header) => header.key !== '');
	if (headerLines.length === 0) {
		throw new MalformedEmailError('The message has no header section, so it is not an e-mail message.');
	}
	// RFC 2045 §2.7/2.8: text never contains NUL; a text part that decodes to NUL bytes is corrupt
	// (and would be cut off or rejected by the CRM's text fields).
	const body = content.mail;
	if (body.text?.includes('\u0000')) {
		throw new MalformedEmailError('A text part of the message decodes to binary data (NUL bytes), which is not valid MIME text.');
	}
	const headers = collectHeaders(headerLines);
	const attachments = body.attachments.map(toCrmAttachment);
	const text = body.text === undefined ? undefined : normalizeNewlines(body.text);
	const html = typeof body.html === 'string' ? body.html : undefined;
	const declaredId = mail.messageId?.trim();
	return {
		messageId: declaredId || derivedMessageId(headers, text ?? html ?? '', attachments),
		messageIdDerived: !declaredId,
		subject: mail.subject?.trim() || undefined,
		sentAt: validDate(headers.date, mail.date),
		text,
		html,
		headerLines,
		headers,
		attachments,
		contentType: contentTypeOf(body),
		signature: content.signature,
		mail: body,
	};
}

/** Unfolded header values by lower-case name, decoded like mailparser decodes 8-bit header bytes. */
export function collectHeaders(lines: HeaderLines): Record<string, string | string[]> {
	const headers: Record<string, string | string[]> = {};
	for (const { key, line } of lines) {
		const value = headerValue(line);
		const existing = headers[key];
		if (existing === undefined) headers[key] = value;
		else if (Array.isArray(existing)) existing.push(value);
		else headers[key] = [existing, value];
	}
	return headers;
}

/** The value part of a raw header line ("Name: value"), unfolded, 8-bit bytes read as UTF-8. */
export function headerValue(line: string): string {
	const colon = line.indexOf(':');
	const value = colon < 0 ? '' : line.slice(colon + 1);
	return Buffer.from(value.replace(/\r?\n(?=[ \t])/g, ''), 'binary')
		.toString('utf8')
		.trim();
}

function toCrmAttachment(attachment: Attachment, index: number): CrmEmailAttachment {
	const inline = attachment.related === true || attachment.contentDisposition === 'inline';
	return {
		fileName: attachment.filename?.trim() || fallbackFileName(attachment.contentType, index),
		contentType: attachment.contentType,
		contentId: attachment.cid || undefined,
		inline,
		content: attachment.content,
	};
}

const EXTENSIONS: Record<string, string> = {
	'message/rfc822': 'eml',
	'message/delivery-status': 'txt',
	'text/plain': 'txt',
	'text/html': 'html',
	'text/calendar': 'ics',
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/gif': 'gif',
	'application/pdf': 'pdf',
};

function fallbackFileName(contentType: string, index: number): string {
	const extension = EXTENSIONS[contentType.toLowerCase()] ?? 'bin';
	return `attachment-${index + 1}.${extension}`;
}

function normalizeNewlines(text: string): string {
	return text.replace(/\r\n?/g, '\n');
}

function validDate(rawHeader: string | string[] | undefined, parsed: Date | undefined): string | undefined {
	// mailparser substitutes "now" for an unreadable Date header; only trust it when the header parses.
	const raw = Array.isArray(rawHeader) ? rawHeader[0] : rawHeader;
	if (!raw || !parsed || Number.isNaN(Date.parse(raw)) || Number.isNaN(parsed.getTime())) return undefined;
	return parsed.toISOString();
}

/**
 * E6 needs an identity for messages that carry no Message-ID. Derived from what every copy
 * of the message shares (not Received/X- headers, which differ per mailbox), so two users
 * importing copies of the same message get the same id.
 */
function derivedMessageId(headers: Record<string, string | string[]>, body: string, attachments: CrmEmailAttachment[]): string {
	const hash = createHash('sha256');
	for (const name of ['date', 'from', 'to', 'cc', 'subject']) {
		hash.update(`${name}:${([] as string[]).concat(headers[name] ?? []).join('\n')}\n`);
	}
	hash.update(body);
	for (const attachment of attachments) hash.update(attachment.content);
	return `<${hash.digest('hex').slice(0, 40)}@derived.crm-sync.invalid>`;
}
