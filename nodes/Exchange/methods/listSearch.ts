import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import type { ExchangeFolder, SyncFolderKind } from '../../../lib/exchange';
import { toNodeError } from '../helpers/errors';
import { getExchangeClient } from '../transport';

const DEFAULT_ENTRY: Partial<Record<SyncFolderKind, string>> = { contact: 'contacts', event: 'calendar', task: 'tasks' };

async function search(ctx: ILoadOptionsFunctions, kind: SyncFolderKind, filter?: string): Promise<INodeListSearchResult> {
	const mailbox = String(ctx.getNodeParameter('mailbox', '') ?? '').trim() || undefined;
	const client = await getExchangeClient(ctx, { mailbox });
	try {
		const folders: ExchangeFolder[] = await client.listFolders(kind);
		if (kind === 'mail') {
			// Subfolders of CRM-Sync are what users pick most.
			for (const f of folders.filter((f) => f.displayName.toLowerCase() === 'crm-sync' && f.childFolderCount)) {
				const children = await client.listFolders('mail', f.id);
				folders.push(...children.map((c) => ({ ...c, displayName: `${f.displayName}/${c.displayName}` })));
			}
		}
		const results: INodeListSearchItems[] = folders
			.filter((f) => !filter || f.displayName.toLowerCase().includes(filter.toLowerCase()))
			.sort((a, b) => a.displayName.localeCompare(b.displayName))
			.map((f) => ({ name: f.wellKnownName ? `${f.displayName} (default)` : f.displayName, value: f.id }));
		const def = DEFAULT_ENTRY[kind];
		if (def && kind === 'contact' && (!filter || 'contacts'.includes(filter.toLowerCase()))) {
			results.unshift({ name: 'Contacts (default folder)', value: def });
		}
		return { results };
	} catch (error) {
		throw toNodeError(ctx.getNode(), error);
	} finally {
		client.close();
	}
}

export async function searchContactFolders(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return search(this, 'contact', filter);
}

export async function searchCalendars(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return search(this, 'event', filter);
}

export async function searchTaskLists(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return search(this, 'task', filter);
}

export async function searchMailFolders(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return search(this, 'mail', filter);
}
