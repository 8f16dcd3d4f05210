import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { toNodeError } from '../helpers/errors';
import { getExchangeClient } from '../transport';

/** Top-level mail folders plus the CRM-Sync subfolders, for option lists. */
export async function getMailFolders(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const client = await getExchangeClient(this);
	try {
		const folders = await client.listFolders('mail');
		const out: INodePropertyOptions[] = folders.map((f) => ({ name: f.displayName, value: f.id }));
		for (const f of folders.filter((f) => f.displayName.toLowerCase() === 'crm-sync')) {
			for (const c of await client.listFolders('mail', f.id)) out.push({ name: `${f.displayName}/${c.displayName}`, value: c.id });
		}
		return out.sort((a, b) => a.name.localeCompare(b.name));
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	} finally {
		client.close();
	}
}

/** To Do lists, for option lists. */
export async function getTaskLists(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const client = await getExchangeClient(this);
	try {
		return (await client.listFolders('task')).map((f) => ({ name: f.displayName, value: f.id }));
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	} finally {
		client.close();
	}
}
