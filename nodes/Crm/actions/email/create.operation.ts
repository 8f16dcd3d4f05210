import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CrmBackend, CrmEmailAttachment, CrmPersonModule } from '../../../../lib/crm';
import { assigneeOption } from '../../descriptions/common';
import { optionString, parseAssignee, splitList } from '../../helpers/input';
import { PERSON_MODULE_OPTIONS } from '../../helpers/resources';

export const properties: INodeProperties[] = [
	{
		displayName: 'Message-ID',
		name: 'messageId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '<1234@mail.example.com>',
		description: 'The Message-ID header; each e-mail is stored once',
	},
	{ displayName: 'Subject', name: 'subject', type: 'string', default: '' },
	{ displayName: 'From', name: 'from', type: 'string', default: '', placeholder: 'name@email.com' },
	{ displayName: 'To', name: 'to', type: 'string', default: '', description: 'Comma-separated addresses' },
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			assigneeOption,
			{
				displayName: 'Attachment Binary Properties',
				name: 'binaryProperties',
				type: 'string',
				default: '',
				placeholder: 'attachment_0, attachment_1',
				description: 'Comma-separated names of the input binary properties to store as attachments',
			},
			{ displayName: 'BCC', name: 'bcc', type: 'string', default: '', description: 'Comma-separated addresses' },
			{ displayName: 'Body Text', name: 'bodyText', type: 'string', typeOptions: { rows: 4 }, default: '' },
			{ displayName: 'CC', name: 'cc', type: 'string', default: '', description: 'Comma-separated addresses' },
			{
				displayName: 'Imported By',
				name: 'importedBy',
				type: 'string',
				default: '',
				description: 'Mailbox the e-mail was imported from',
			},
			{
				displayName: 'Links',
				name: 'links',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				description: 'Records the e-mail belongs to',
				options: [
					{
						name: 'link',
						displayName: 'Link',
						values: [
							{ displayName: 'Module', name: 'module', type: 'options', options: PERSON_MODULE_OPTIONS, default: 'contacts' },
							{ displayName: 'Record ID', name: 'id', type: 'string', default: '' },
						],
					},
				],
			},
			{ displayName: 'Sent At', name: 'sentAt', type: 'dateTime', default: '' },
			{
				displayName: 'Skip If Already Stored',
				name: 'skipExisting',
				type: 'boolean',
				default: true,
				description: 'Whether to return the stored e-mail (marked alreadyStored) instead of failing when its Message-ID is known',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['email'], operation: ['create'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, crm: CrmBackend): Promise<INodeExecutionData[]> {
	const messageId = String(this.getNodeParameter('messageId', itemIndex)).trim();
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	if (options.skipExisting !== false) {
		const existing = await crm.findEmailByMessageId(messageId);
		if (existing) {
			return [{ json: { ...existing, alreadyStored: true } as unknown as IDataObject, pairedItem: { item: itemIndex } }];
		}
	}
	const attachments: CrmEmailAttachment[] = [];
	for (const property of splitList(options.binaryProperties)) {
		const binary = this.helpers.assertBinaryData(itemIndex, property);
		attachments.push({
			fileName: binary.fileName ?? property,
			contentType: binary.mimeType,
			inline: false,
			content: await this.helpers.getBinaryDataBuffer(itemIndex, property),
		});
	}
	const linkEntries = ((options.links as IDataObject | undefined)?.link ?? []) as Array<{ module: CrmPersonModule; id: string }>;
	const assignedTo = parseAssignee(options.assignedTo);
	const subject = String(this.getNodeParameter('subject', itemIndex, '')).trim();
	const from = String(this.getNodeParameter('from', itemIndex, '')).trim();
	const stored = await crm.createEmail({
		messageId,
		...(subject ? { subject } : {}),
		...(from ? { from } : {}),
		to: splitList(this.getNodeParameter('to', itemIndex, '')),
		cc: splitList(options.cc),
		bcc: splitList(options.bcc),
		...(optionString(options, 'sentAt') ? { sentAt: new Date(String(options.sentAt)).toISOString() } : {}),
		...(optionString(options, 'bodyText') ? { bodyText: String(options.bodyText) } : {}),
		...(optionString(options, 'importedBy') ? { importedBy: optionString(options, 'importedBy') } : {}),
		...(assignedTo ? { assignedTo } : {}),
		headers: {},
		attachments,
		links: linkEntries.filter((l) => l.id && String(l.id).trim() !== '').map((l) => ({ module: l.module, id: String(l.id).trim() })),
	});
	return [{ json: stored as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
