import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { CrmBackend } from '../../../lib/crm';
import { CrmError } from '../../../lib/crm';
import type { EmailMessageInput, MailFolderRole } from '../../../lib/email';
import { EmailImporter } from '../../../lib/email';
import type { ExchangeClient, SyncFolders } from '../../../lib/exchange';
import { splitList } from '../helpers/input';
import { errorItem, resultError, resultItem } from '../helpers/output';
import { getCrmBackend, getMailbox } from '../transport';
import { readImportOptions, readMessageInput } from './message/import.operation';
import { importFromSyncFolders } from './message/readSyncFolders';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const node = this.getNode();

	let crm: CrmBackend;
	try {
		crm = await getCrmBackend(this);
	} catch (error) {
		throw new NodeOperationError(node, `The CRM cannot be opened: ${(error as Error).message}`, {
			description: error instanceof CrmError ? error.hint : 'Check the CRM credential.',
		});
	}
	const mailbox = await getMailbox(this);
	try {
		return await importAll.call(this, crm, mailbox);
	} finally {
		// Release the client's keep-alive connections; an n8n worker lives long.
		(mailbox as (ExchangeClient & { close?: () => void }) | undefined)?.close?.();
	}
}

async function importAll(this: IExecuteFunctions, crm: CrmBackend, mailbox: ExchangeClient | undefined): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const node = this.getNode();
	const options = readImportOptions.call(this);
	const rawOptions = this.getNodeParameter('options', 0, {}) as { ownerAddresses?: string; crmUserId?: string };
	const ownerAddresses = [...(mailbox ? [mailbox.mailbox] : []), ...splitList(rawOptions.ownerAddresses)]
		.map((address) => address.toLowerCase())
		.filter((address) => address.includes('@'));
	const ownerUserId = rawOptions.crmUserId?.trim() || (await crmUserOf(crm, ownerAddresses));

	const importer = new EmailImporter({ crm, exchange: mailbox, ownerAddresses, ownerUserId, options });
	const resolveFolder = folderResolver(this, mailbox);

	const out: INodeExecutionData[] = [];
	// Messages are imported a run of items at a time, so their moves back go together ($batch on Graph,
	// issue 15); without Continue On Fail the run stops at its first failed mail, as one at a time did.
	let pending: Array<{ input: EmailMessageInput; itemIndex: number }> = [];
	const flush = async () => {
		const results = await importer.importMessages(
			pending.map((p) => p.input),
			{ stopAtError: !this.continueOnFail() },
		);
		const indexes = pending.map((p) => p.itemIndex);
		pending = [];
		results.forEach((result, k) => {
			if (result.status !== 'error') {
				out.push(resultItem(result, indexes[k]));
				return;
			}
			const nodeError = resultError(node, result, indexes[k]);
			if (!this.continueOnFail()) throw nodeError;
			out.push(errorItem(nodeError, result, indexes[k]));
		});
	};
	let foldersRead = false;
	for (let i = 0; i < items.length; i++) {
		// An item without a message (Run Now, a schedule): the node reads the CRM-Sync folders itself, once.
		if (this.getNodeParameter('source', i) === 'syncFolders' && !carriesMessage(this, i)) {
			await flush();
			if (!foldersRead) out.push(...(await importFromSyncFolders.call(this, importer, mailbox, i)));
			foldersRead = true;
			continue;
		}
		let input: EmailMessageInput;
		try {
			input = await readMessageInput.call(this, i, resolveFolder);
		} catch (error) {
			await flush();
			const nodeError = error instanceof NodeOperationError ? error : new NodeOperationError(node, (error as Error).message, { itemIndex: i });
			if (!this.continueOnFail()) throw nodeError;
			out.push(errorItem(nodeError, undefined, i));
			continue;
		}
		pending.push({ input, itemIndex: i });
		// A binary MIME is held in memory until imported: import it now, with the ones before it.
		if (input.raw) await flush();
	}
	await flush();
	return [out];
}

/** Whether an input item names a message (an Exchange id) or holds one (a binary MIME). */
function carriesMessage(ctx: IExecuteFunctions, itemIndex: number): boolean {
	const id = ctx.getNodeParameter('messageId', itemIndex, '') as unknown;
	const binaryPropertyName = String(ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data') ?? 'data');
	return (typeof id === 'string' && id.trim() !== '') || ctx.getInputData()[itemIndex].binary?.[binaryPropertyName] !== undefined;
}

/** The CRM user whose e-mail is one of the owner's addresses (active users first). */
async function crmUserOf(crm: CrmBackend, ownerAddresses: string[]): Promise<string | undefined> {
	if (ownerAddresses.length === 0) return undefined;
	const users = await crm.listUsers();
	const match = users.filter((user) => user.email && ownerAddresses.includes(user.email.toLowerCase())).sort((a, b) => Number(b.active) - Number(a.active))[0];
	return match?.id;
}

/** Maps a folder id to its CRM-Sync role, reading the mailbox's CRM-Sync folders once per run. */
function folderResolver(ctx: IExecuteFunctions, mailbox: ExchangeClient | undefined): (folderId: string) => Promise<MailFolderRole> {
	let folders: Promise<SyncFolders['mail']> | undefined;
	return async (folderId) => {
		if (!mailbox) {
			throw new NodeOperationError(ctx.getNode(), 'The CRM-Sync folder of the message cannot be detected without an Exchange connection', {
				description: 'Choose the folder in "Folder", or connect the Exchange credential.',
			});
		}
		folders ??= mailbox.ensureSyncFolders({ components: ['mail'] }).then((result) => result.mail);
		const mail = await folders;
		if (!mail) return 'other';
		const roles: Array<[string, MailFolderRole]> = [
			[mail.root, 'syncRoot'],
			[mail.accounts, 'accounts'],
			[mail.contacts, 'contacts'],
			[mail.leads, 'leads'],
			[mail.partner, 'partner'],
		];
		return roles.find(([id]) => id === folderId)?.[1] ?? 'other';
	};
}
