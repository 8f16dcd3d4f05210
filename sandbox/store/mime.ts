/**
 * Derives a Graph message's properties from its RFC 5322 source, as Exchange does when a
 * message arrives: recipients, body (HTML preferred), headers, attachments (inline ones
 * keep their Content-ID so `cid:` links in the body resolve).
 */
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject } from 'mailparser';
import type { InternetMessageHeader, MessageData, Recipient, StoredAttachment } from './types';

function recipients(value: AddressObject | AddressObject[] | undefined): Recipient[] {
	const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
	const result: Recipient[] = [];
	const visit = (entries: AddressObject['value']): void => {
		for (const entry of entries) {
			if (entry.group) visit(entry.group);
			else if (entry.address) result.push({ emailAddress: { name: entry.name || entry.address, address: entry.address } });
		}
	};
	for (const object of objects) visit(object.value);
	return result;
}

function headers(lines: ReadonlyArray<{ key: string; line: string }>): InternetMessageHeader[] {
	return lines.map(({ line }) => {
		const colon = line.indexOf(':');
		return {
			name: line.slice(0, colon).trim(),
			value: line
				.slice(colon + 1)
				.replace(/\r?\n[ \t]+/g, ' ')
				.trim(),
		};
	});
}

function importance(header: unknown): MessageData['importance'] {
	const text = String(header ?? '').toLowerCase();
	if (text === 'high' || text.startsWith('1') || text.startsWith('2')) return 'high';
	if (text === 'low' || text.startsWith('4') || text.startsWith('5')) return 'low';
	return 'normal';
}

export interface ParseMimeOptions {
	receivedAt: string;
	isRead?: boolean;
	isDraft?: boolean;
	/** id factory for attachments */
	newAttachmentId: () => string;
}

export async function messageFromMime(mime: Buffer, options: ParseMimeOptions): Promise<MessageData> {
	const parsed = await simpleParser(mime, { keepCidLinks: true, skipTextToHtml: true });
	const html = parsed.html === false ? undefined : parsed.html;
	const text = parsed.text ?? '';
	const attachments: StoredAttachment[] = parsed.attachments.map((attachment) => ({
		id: options.newAttachmentId(),
		name: attachment.filename ?? (attachment.contentType === 'application/pkcs7-mime' ? 'smime.p7m' : 'attachment'),
		contentType: attachment.contentType,
		size: attachment.size,
		isInline: attachment.contentDisposition === 'inline' && Boolean(attachment.cid),
		contentId: attachment.cid,
		contentBytes: attachment.content.toString('base64'),
		lastModifiedDateTime: options.receivedAt,
	}));
	const from = recipients(parsed.from)[0];
	const sender = recipients(parsed.headers.get('sender') as AddressObject | undefined)[0] ?? from;
	const conversationSeed = (Array.isArray(parsed.references) ? parsed.references[0] : parsed.references) ?? parsed.messageId ?? parsed.subject ?? '';
	return {
		subject: parsed.subject,
		from,
		sender,
		toRecipients: recipients(parsed.to),
		ccRecipients: recipients(parsed.cc),
		bccRecipients: recipients(parsed.bcc),
		replyTo: recipients(parsed.replyTo),
		body: html !== undefined ? { contentType: 'html', content: html } : { contentType: 'text', content: text },
		bodyPreview: text.replace(/\s+/g, ' ').trim().slice(0, 255),
		internetMessageId: parsed.messageId,
		internetMessageHeaders: headers(parsed.headerLines),
		sentDateTime: parsed.date?.toISOString(),
		receivedDateTime: options.receivedAt,
		conversationId: 'AAQkA' + createHash('sha1').update(conversationSeed).digest('base64url'),
		importance: importance(parsed.headers.get('importance') ?? parsed.headers.get('x-priority')),
		isRead: options.isRead ?? false,
		isDraft: options.isDraft ?? false,
		attachments,
		mime: mime.toString('base64'),
	};
}
