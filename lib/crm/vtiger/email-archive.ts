/** vtiger's e-mail archive role (CrmEmailArchive): e-mails in the Emails module, attachments as related Documents. */
import type { CrmEmailArchive, CrmEmailInput, CrmEmailRecord, CrmPersonModule } from '../types';
import { CrmError } from '../types';
import { VtigerApiError } from './client';
import type { VtigerContext } from './context';
import { mapError } from './errors';
import { lit, MESSAGE_ID_FIELD, toVtAssignee, vtToIso, type VtValues } from './values';

/** How a Document made from an inline part remembers its Content-ID (in notecontent). */
const CONTENT_ID_MARK = 'Content-ID: ';
/** vtiger id prefixes of the person modules an e-mail can hang under (stock 8.3). */
const PERSON_PREFIXES: Record<string, CrmPersonModule> = { '10': 'leads', '11': 'accounts', '12': 'contacts' };

export class VtigerEmailArchive implements CrmEmailArchive {
	constructor(private readonly ctx: VtigerContext) {}

	async findEmailByMessageId(messageId: string): Promise<CrmEmailRecord | undefined> {
		const key = messageId.trim().replace(/^<(.*)>$/, '$1');
		const rows = await this.ctx.queryAll(`SELECT * FROM Emails WHERE ${MESSAGE_ID_FIELD} = ${lit(key)}`);
		if (!rows[0]) return undefined;
		const email = toEmail(rows[0]);
		return { ...email, attachments: await this.emailDocuments(email.id) };
	}

	/**
	 * E7/E2: stored in vtiger's Emails module, as activitytype "Emails" (vtiger's VTQL and every "Emails"
	 * related list only see e-mails of that type; the webservice stores none by itself). vtiger relates an
	 * e-mail to a record when the e-mail is saved with that record in parent_id (vtiger_seactivityrel), and
	 * keeps the relations of earlier saves: so every further record is written into parent_id by a revise,
	 * ending with the first one. (add_related would put the relation where no "Emails" list looks.) Each
	 * attachment becomes a Document (uploaded as vtiger's own forms do) in the e-mail's "Documents" list.
	 * Not atomic in vtiger: when a step fails, what was written is deleted again, so the next run imports
	 * the e-mail afresh (E6).
	 */
	async createEmail(input: CrmEmailInput): Promise<CrmEmailRecord> {
		if (await this.findEmailByMessageId(input.messageId)) {
			throw new CrmError('duplicate', `The e-mail ${input.messageId} has already been imported`, 'Nothing to do: each e-mail is imported once.');
		}
		const owner = input.assignedTo ? toVtAssignee(input.assignedTo) : await this.ctx.client.userId();
		const sent = input.sentAt ? new Date(input.sentAt) : new Date();
		const element: Record<string, string> = {
			subject: input.subject ?? '(no subject)',
			from_email: input.from ?? '',
			saved_toid: input.to.join(','),
			ccmail: input.cc.join(','),
			bccmail: input.bcc.join(','),
			date_start: sent.toISOString().slice(0, 10),
			description: input.bodyText ?? '',
			email_flag: 'SAVED',
			activitytype: 'Emails',
			[MESSAGE_ID_FIELD]: input.messageId.trim().replace(/^<(.*)>$/, '$1'),
			assigned_user_id: owner,
		};
		const [first, ...others] = input.links;
		// The first record is saved last, so parent_id ends up naming it.
		const parents = first ? [...others, first].map((link) => link.id) : [];
		if (parents[0]) element.parent_id = parents[0];
		const written: string[] = [];
		try {
			const values = (await this.ctx.client.post('create', { elementType: 'Emails', element: JSON.stringify(element) })) as VtValues;
			const email = toEmail(values);
			written.push(email.id);
			assertLinked(values, parents[0]);
			for (const parent of parents.slice(1)) {
				assertLinked((await this.ctx.client.post('revise', { element: JSON.stringify({ id: email.id, parent_id: parent }) })) as VtValues, parent);
			}
			const attachments: CrmEmailRecord['attachments'] = [];
			for (const file of input.attachments) {
				const document = (await this.ctx.client.postFile(
					'create',
					{
						elementType: 'Documents',
						element: JSON.stringify({
							notes_title: file.fileName,
							filename: file.fileName,
							filelocationtype: 'I',
							filestatus: '1',
							notecontent: file.contentId ? `${CONTENT_ID_MARK}${file.contentId}` : '',
							assigned_user_id: owner,
						}),
					},
					{ fileName: file.fileName, contentType: file.contentType, content: file.content },
				)) as VtValues;
				written.push(String(document.id));
				await this.ctx.client.post('add_related', { sourceRecordId: email.id, relatedRecordId: String(document.id), relationIdLabel: 'Documents' });
				attachments.push({ ...toAttachment(document), inline: file.inline, contentType: file.contentType, size: file.content.length });
			}
			return { ...email, links: input.links, headers: input.headers, attachments };
		} catch (error) {
			for (const id of written.reverse()) await this.ctx.client.post('delete', { id }).catch(() => undefined);
			throw mapError(error, 'emails');
		}
	}

	/** The Documents in an e-mail's "Documents" list: its attachments. */
	private async emailDocuments(emailId: string): Promise<CrmEmailRecord['attachments']> {
		try {
			const rows = (await this.ctx.client.get('retrieve_related', { id: emailId, relatedType: 'Documents', relatedLabel: 'Documents' })) as VtValues[];
			return rows.map((d) => toAttachment(d));
		} catch (error) {
			// vtiger before 7.1 has no retrieve_related (HTTP 500): the e-mail itself is what E6 needs.
			if (error instanceof VtigerApiError && error.httpStatus === 500) return [];
			throw mapError(error, 'emails', emailId);
		}
	}
}

function toAttachment(d: VtValues): CrmEmailRecord['attachments'][number] {
	const note = String(d.notecontent ?? '');
	const contentId = note.startsWith(CONTENT_ID_MARK) ? note.slice(CONTENT_ID_MARK.length) : undefined;
	return {
		id: String(d.id),
		fileName: String(d.filename || d.notes_title || ''),
		contentType: String(d.filetype || 'application/octet-stream'),
		...(contentId ? { contentId } : {}),
		inline: contentId !== undefined,
		size: Number(d.filesize ?? 0),
	};
}

function toEmail(v: VtValues): CrmEmailRecord {
	return {
		id: String(v.id),
		createdAt: vtToIso(v.createdtime),
		messageId: String(v[MESSAGE_ID_FIELD] ?? ''),
		...(v.subject ? { subject: v.subject } : {}),
		...(v.from_email ? { from: v.from_email } : {}),
		to: addressList(v.saved_toid),
		cc: addressList(v.ccmail),
		bcc: addressList(v.bccmail),
		...(v.description ? { bodyText: v.description } : {}),
		headers: {},
		links: v.parent_id ? [{ module: PERSON_PREFIXES[v.parent_id.split('x')[0]] ?? 'partners', id: v.parent_id }] : [],
		attachments: [],
	};
}

/**
 * An e-mail's To, Cc or Bcc as stored: vtiger 8 saves the comma list it is given as a JSON array of the
 * parts (`["a@x.example","b@x.example"]`, `[""]` when empty); older data is a plain comma list.
 */
function addressList(value: string | null | undefined): string[] {
	const text = (value ?? '').trim();
	let parts: unknown[] = text.split(',');
	if (text.startsWith('[')) {
		try {
			const parsed = JSON.parse(text) as unknown;
			if (Array.isArray(parsed)) parts = parsed;
		} catch {
			// not JSON after all: a comma list
		}
	}
	return parts.map((x) => String(x).trim()).filter((x) => x !== '');
}

/**
 * vtiger takes any number as an e-mail's parent_id without an error: one that names no live record comes
 * back as a user id ("19x<n>") and relates nothing. So the answer must name the record asked for.
 */
function assertLinked(answer: VtValues, parent: string | undefined): void {
	if (parent === undefined || answer.parent_id === parent) return;
	throw new CrmError(
		'notFound',
		`vtiger did not link the e-mail to ${parent} (the record is gone?)`,
		'Run the import again: the e-mail is not stored, and the addresses are matched afresh.',
	);
}
