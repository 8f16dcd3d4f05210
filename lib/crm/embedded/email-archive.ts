/** The embedded CRM's e-mail archive role (CrmEmailArchive): archived e-mails, their links and attachments. */
import type { CrmEmailArchive, CrmEmailInput, CrmEmailRecord, CrmPersonModule } from '../types';
import { CrmError } from '../types';
import { isBlank } from './modules';
import { dropUndefined, messageIdKey, notFound, RECORD_COLUMNS, toRecord, type RecordRow } from './rows';
import type { EmbeddedStore } from './store';

interface AttachmentRow {
	id: number;
	file_name: string;
	content_type: string;
	content_id: string | null;
	inline: number;
	size: number;
}

export class EmbeddedEmailArchive implements CrmEmailArchive {
	constructor(private readonly store: EmbeddedStore) {}

	async findEmailByMessageId(messageId: string): Promise<CrmEmailRecord | undefined> {
		const row = this.store.stmt(`SELECT ${RECORD_COLUMNS} FROM records WHERE message_id = ?`).get(messageIdKey(messageId)) as unknown as RecordRow | undefined;
		return row ? this.toEmailRecord(row) : undefined;
	}

	async getEmail(id: string): Promise<CrmEmailRecord | undefined> {
		const row = this.store.getRow('emails', id);
		return row ? this.toEmailRecord(row) : undefined;
	}

	async getEmailAttachmentContent(emailId: string, attachmentId: string): Promise<Buffer | undefined> {
		const row = this.store.stmt('SELECT content FROM email_attachments WHERE email_id = ? AND id = ?').get(Number(emailId), Number(attachmentId)) as
			| { content: Uint8Array }
			| undefined;
		return row ? Buffer.from(row.content) : undefined;
	}

	/** E6/E7: the e-mail, its attachments and its links are written all-or-nothing. */
	async createEmail(input: CrmEmailInput): Promise<CrmEmailRecord> {
		if (isBlank(input.messageId)) {
			throw new CrmError('mandatoryField', 'E-mails: the field "messageId" is mandatory', 'Every imported e-mail needs its Message-ID header.', 'messageId');
		}
		const id = this.store.transaction(() => {
			if (this.store.stmt('SELECT 1 FROM records WHERE message_id = ?').get(messageIdKey(input.messageId))) {
				throw new CrmError('duplicate', `The e-mail ${input.messageId} has already been imported`, 'Nothing to do: each e-mail is imported once.');
			}
			const { attachments, links, assignedTo, ...rest } = input;
			const row = this.store.insertRecord('emails', { assignedTo, fields: dropUndefined({ ...rest }) });
			for (const link of links) {
				if (!this.store.getRow(link.module, link.id)) throw notFound(link.module, link.id);
				this.store.stmt('INSERT OR IGNORE INTO email_links (email_id, module, record_id) VALUES (?, ?, ?)').run(row.id, link.module, link.id);
			}
			for (const a of attachments) {
				if (!(a.content instanceof Uint8Array)) {
					throw new CrmError('invalid', `The attachment "${a.fileName}" has no content`, 'Pass the attachment as a Buffer.');
				}
				this.store
					.stmt(
						`INSERT INTO email_attachments (email_id, file_name, content_type, content_id, inline, size, content)
					 VALUES (?, ?, ?, ?, ?, ?, ?)`,
					)
					.run(row.id, a.fileName, a.contentType, a.contentId ?? null, a.inline ? 1 : 0, a.content.byteLength, a.content);
			}
			return row.id;
		});
		return (await this.getEmail(String(id))) as CrmEmailRecord;
	}

	private toEmailRecord(row: RecordRow): CrmEmailRecord {
		const record = toRecord(row);
		const f = record.fields;
		const attachments = this.store
			.stmt('SELECT id, file_name, content_type, content_id, inline, size FROM email_attachments WHERE email_id = ? ORDER BY id')
			.all(row.id) as unknown as AttachmentRow[];
		const links = this.store.stmt('SELECT module, record_id FROM email_links WHERE email_id = ? ORDER BY module, record_id').all(row.id) as unknown as Array<{
			module: CrmPersonModule;
			record_id: string;
		}>;
		return {
			id: record.id,
			createdAt: record.createdAt,
			messageId: String(f.messageId),
			...(f.subject !== undefined ? { subject: String(f.subject) } : {}),
			...(f.from !== undefined ? { from: String(f.from) } : {}),
			to: asStrings(f.to),
			cc: asStrings(f.cc),
			bcc: asStrings(f.bcc),
			...(f.sentAt !== undefined ? { sentAt: String(f.sentAt) } : {}),
			...(f.bodyText !== undefined ? { bodyText: String(f.bodyText) } : {}),
			headers: (f.headers ?? {}) as Record<string, string | string[]>,
			links: links.map((l) => ({ module: l.module, id: l.record_id })),
			...(record.assignedTo ? { assignedTo: record.assignedTo } : {}),
			...(f.importedBy !== undefined ? { importedBy: String(f.importedBy) } : {}),
			attachments: attachments.map((a) => ({
				id: String(a.id),
				fileName: a.file_name,
				contentType: a.content_type,
				...(a.content_id ? { contentId: a.content_id } : {}),
				inline: a.inline === 1,
				size: a.size,
			})),
		};
	}
}

function asStrings(value: unknown): string[] {
	return Array.isArray(value) ? value.map(String) : [];
}
