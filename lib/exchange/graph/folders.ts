/** Folders of every kind: listing, the well-known (default) folders, and the CRM-Sync folders. */
import { DEFAULT_SYNC_FOLDER_NAME } from '../ident';
import { ensureSyncFolderSet } from '../sync-folders';
import { ExchangeError, type EnsureSyncFoldersOptions, type ExchangeFolder, type SyncFolderKind, type SyncFolders } from '../types';
import { defaultContactsFolderId } from './contacts';
import { type GraphContext, q } from './context';
import type { GraphMailFolder } from './graph-types';

/** Mail folders the product must recognise as default folders (never removed, shown as default). */
const WELL_KNOWN_MAIL_FOLDERS = ['inbox', 'sentitems', 'deleteditems', 'drafts', 'junkemail', 'outbox', 'archive'] as const;

export class GraphFolders {
	private wellKnownMail?: Promise<Map<string, string>>;

	constructor(private readonly ctx: GraphContext) {}

	async listFolders(kind: SyncFolderKind, parentId?: string): Promise<ExchangeFolder[]> {
		const root = this.ctx.root;
		switch (kind) {
			case 'contact': {
				const path = parentId ? `${root}/contactFolders/${q(parentId)}/childFolders` : `${root}/contactFolders`;
				const folders = await this.ctx.listAll<{ id: string; displayName: string; parentFolderId?: string }>(path, 'Listing contact folders');
				return folders.map((f) => ({ id: f.id, displayName: f.displayName, kind, parentId: f.parentFolderId }));
			}
			case 'event': {
				const cals = await this.ctx.listAll<{ id: string; name: string; isDefaultCalendar?: boolean }>(`${root}/calendars`, 'Listing calendars');
				return cals.map((c) => ({ id: c.id, displayName: c.name, kind, wellKnownName: c.isDefaultCalendar ? 'calendar' : undefined }));
			}
			case 'task': {
				const lists = await this.ctx.listAll<{ id: string; displayName: string; wellknownListName?: string }>(`${root}/todo/lists`, 'Listing To Do lists');
				return lists.map((l) => ({
					id: l.id,
					displayName: l.displayName,
					kind,
					wellKnownName: l.wellknownListName === 'defaultList' ? 'tasks' : undefined,
				}));
			}
			default: {
				const path = parentId ? `${root}/mailFolders/${q(parentId)}/childFolders?$top=100` : `${root}/mailFolders?$top=100`;
				const folders = await this.ctx.listAll<GraphMailFolder>(path, 'Listing mail folders');
				// Well-known folders are children of the mailbox root; below it no lookup is needed.
				const wellKnown = parentId ? new Map<string, string>() : await this.wellKnownMailFolderNames();
				return folders.map((f) => ({
					id: f.id,
					displayName: f.displayName,
					kind: 'mail',
					parentId: f.parentFolderId,
					childFolderCount: f.childFolderCount,
					...(wellKnown.has(f.id) ? { wellKnownName: wellKnown.get(f.id) } : {}),
				}));
			}
		}
	}

	/**
	 * Id → well-known name of the mailbox's well-known mail folders. v1.0's mailFolder has no
	 * wellKnownName property; the documented way is the well-known name in the path
	 * (https://learn.microsoft.com/en-us/graph/api/resources/mailfolder?view=graph-rest-1.0, "Well-known folder names"),
	 * read once per client in one $batch.
	 */
	private wellKnownMailFolderNames(): Promise<Map<string, string>> {
		this.wellKnownMail ??= (async () => {
			const res = await this.ctx.batch(
				WELL_KNOWN_MAIL_FOLDERS.map((name) => [{ id: name, method: 'GET' as const, url: `${this.ctx.root}/mailFolders/${name}?$select=id` }]),
			);
			const out = new Map<string, string>();
			for (const name of WELL_KNOWN_MAIL_FOLDERS) {
				const r = res.get(name);
				if (r && r.status < 300) out.set((r.body as { id: string }).id, name);
			}
			return out;
		})();
		const pending = this.wellKnownMail;
		pending.catch(() => {
			if (this.wellKnownMail === pending) this.wellKnownMail = undefined;
		});
		return pending;
	}

	async getWellKnownFolder(name: string): Promise<ExchangeFolder> {
		const lower = name.toLowerCase();
		if (lower === 'contacts') return { id: await defaultContactsFolderId(this.ctx), displayName: 'Contacts', kind: 'contact', wellKnownName: 'contacts' };
		if (lower === 'calendar') {
			const cal = await this.ctx.request<{ id: string; name: string }>('GET', `${this.ctx.root}/calendar`, 'Reading the default calendar');
			return { id: cal.id, displayName: cal.name, kind: 'event', wellKnownName: 'calendar' };
		}
		if (lower === 'tasks') {
			const lists = await this.listFolders('task');
			const list = lists.find((l) => l.wellKnownName === 'tasks');
			if (!list) throw new ExchangeError('notFound', 'The default To Do list was not found', 'Open Microsoft To Do once for this mailbox.');
			return list;
		}
		const f = await this.ctx.request<GraphMailFolder>('GET', `${this.ctx.root}/mailFolders/${q(lower)}`, `Reading mail folder ${name}`);
		return { id: f.id, displayName: f.displayName, kind: 'mail', parentId: f.parentFolderId, childFolderCount: f.childFolderCount, wellKnownName: lower };
	}

	/** Where folders of a kind are created (mail: below `parentId` when given). */
	private folderCollection(kind: SyncFolderKind, parentId?: string): string {
		const root = this.ctx.root;
		switch (kind) {
			case 'contact':
				return `${root}/contactFolders`;
			case 'event':
				return `${root}/calendars`;
			case 'task':
				return `${root}/todo/lists`;
			default:
				return parentId ? `${root}/mailFolders/${q(parentId)}/childFolders` : `${root}/mailFolders`;
		}
	}

	private async findOrCreate(kind: SyncFolderKind, name: string, parentId?: string): Promise<string> {
		const existing = (await this.listFolders(kind, parentId)).find((f) => f.displayName.toLowerCase() === name.toLowerCase());
		if (existing) return existing.id;
		const body = kind === 'event' ? { name } : { displayName: name };
		try {
			const created = await this.ctx.request<{ id: string }>('POST', this.folderCollection(kind, parentId), `Creating folder ${name}`, { body });
			return created.id;
		} catch (e) {
			// Another run created it meanwhile (ErrorFolderExists): use that one.
			if (e instanceof ExchangeError && (e.code === 'conflict' || e.status === 409)) {
				const again = (await this.listFolders(kind, parentId)).find((f) => f.displayName.toLowerCase() === name.toLowerCase());
				if (again) return again.id;
				// A folder of another type holds the name at the same level (Exchange names are unique per parent).
				throw new ExchangeError(
					'conflict',
					`Cannot create the ${kind === 'event' ? 'calendar' : kind === 'task' ? 'task list' : `${kind} folder`} "${name}": another folder with this name exists at the same level`,
					'Rename or remove that folder in Outlook, or choose another sync folder name.',
					e.status,
				);
			}
			throw e;
		}
	}

	ensureSyncFolders(options: EnsureSyncFoldersOptions): Promise<SyncFolders> {
		return ensureSyncFolderSet(
			{
				wellKnownFolderId: async (name) => (await this.getWellKnownFolder(name)).id,
				findOrCreate: (kind, name, parentId) => this.findOrCreate(kind, name, parentId),
			},
			options,
		);
	}

	/** F5/F6: deletes the CRM-Sync folders (with content); never a default folder. */
	async removeSyncFolders(kinds: SyncFolderKind[], folderName = DEFAULT_SYNC_FOLDER_NAME): Promise<void> {
		for (const kind of kinds) {
			const folders = (await this.listFolders(kind)).filter((f) => f.displayName.toLowerCase() === folderName.toLowerCase() && !f.wellKnownName);
			for (const f of folders) {
				try {
					await this.ctx.request('DELETE', `${this.folderCollection(kind)}/${q(f.id)}`, `Deleting folder ${folderName}`);
				} catch (e) {
					if (!(e instanceof ExchangeError && e.code === 'notFound')) throw e;
				}
			}
		}
	}
}
