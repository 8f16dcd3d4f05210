import type { IExecuteFunctions, INodeExecutionData, IDataObject } from 'n8n-workflow';

import type { CrmBackend, CrmEmailRecord } from '../../../../lib/crm';
import { CrmError } from '../../../../lib/crm';

/** The stored e-mail with this record id. */
export async function loadEmail(crm: CrmBackend, id: string): Promise<CrmEmailRecord> {
	const record = await crm.get('emails', id);
	const email = record ? await crm.findEmailByMessageId(String(record.fields.messageId)) : undefined;
	if (!email) {
		throw new CrmError('notFound', `There is no e-mail with the ID "${id}" in the CRM`, 'Check the ID; it may have been deleted.');
	}
	return email;
}

/** One output item for an e-mail, with its attachments as binary data when asked for. */
export async function emailItem(
	ctx: IExecuteFunctions,
	crm: CrmBackend,
	email: CrmEmailRecord,
	itemIndex: number,
	withAttachments: boolean,
): Promise<INodeExecutionData> {
	const item: INodeExecutionData = { json: email as unknown as IDataObject, pairedItem: { item: itemIndex } };
	if (!withAttachments || !crm.getEmailAttachmentContent || email.attachments.length === 0) return item;
	item.binary = {};
	for (const [i, attachment] of email.attachments.entries()) {
		const content = await crm.getEmailAttachmentContent(email.id, attachment.id);
		if (!content) continue;
		item.binary[`attachment_${i}`] = await ctx.helpers.prepareBinaryData(content, attachment.fileName, attachment.contentType);
	}
	return item;
}
