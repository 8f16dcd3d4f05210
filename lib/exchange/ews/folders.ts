/** Folders (F1, F2, F5–F8): well-known folders, listings, and the connector's CRM-Sync folders. */
import {
	CalendarFolder,
	ContactsFolder,
	DeleteMode,
	ExchangeService,
	Folder,
	FolderId,
	FolderTraversal,
	FolderView,
	PropertySet,
	TasksFolder,
} from 'ews-javascript-api';

import { DEFAULT_SYNC_FOLDER_NAME } from '../ident';
import { DEFAULT_FOLDER, ensureSyncFolderSet } from '../sync-folders';
import { ExchangeError, type EnsureSyncFoldersOptions, type ExchangeFolder, type SyncFolderKind, type SyncFolders } from '../types';
import { folderIdOf, WELL_KNOWN, type EwsContext } from './context';
import { ewsError } from './errors';
import { read } from './mappers/values';

/**
 * Where a kind's folders live: the connector's CRM-Sync folder is created there, and a listing
 * below no parent starts there (mail: top of the mailbox, as Graph's /mailFolders).
 */
const SYNC_FOLDER_PARENT: Record<SyncFolderKind, string> = { contact: 'contacts', event: 'calendar', task: 'tasks', mail: 'msgfolderroot' };

/** The folder class a new folder of each kind is created as. */
const NEW_FOLDER: Record<SyncFolderKind, { create(service: ExchangeService): Folder; folderClass?: string }> = {
	contact: { create: (service) => new ContactsFolder(service) },
	event: { create: (service) => new CalendarFolder(service) },
	task: { create: (service) => new TasksFolder(service) },
	mail: { create: (service) => new Folder(service), folderClass: 'IPF.Note' },
};

/** ExchangeService members that ews-javascript-api implements but leaves out of its typings. */
interface DeleteFolderApi {
	DeleteFolder(folderId: FolderId, deleteMode: DeleteMode): Promise<unknown>;
}

function kindOfClass(folderClass: string | undefined): SyncFolderKind {
	if (!folderClass) return 'mail';
	if (folderClass.startsWith('IPF.Contact')) return 'contact';
	if (folderClass.startsWith('IPF.Appointment')) return 'event';
	if (folderClass.startsWith('IPF.Task')) return 'task';
	return 'mail';
}

function toFolder(f: Folder): ExchangeFolder {
	return {
		id: f.Id.UniqueId,
		displayName: read(() => f.DisplayName) ?? '',
		kind: kindOfClass(read(() => f.FolderClass)),
		parentId: read(() => f.ParentFolderId?.UniqueId),
		childFolderCount: read(() => f.ChildFolderCount),
	};
}

export class EwsFolders {
	constructor(private readonly ctx: EwsContext) {}

	async getWellKnownFolder(name: string): Promise<ExchangeFolder> {
		const wk = WELL_KNOWN[name.toLowerCase()];
		if (wk === undefined) throw ewsError('invalid', `"${name}" is not a well-known folder name.`);
		const folder = await this.ctx.call(() => Folder.Bind(this.ctx.service, new FolderId(wk)));
		return { ...toFolder(folder), wellKnownName: name.toLowerCase() };
	}

	async getFolder(id: string): Promise<ExchangeFolder> {
		const folder = await this.ctx.call(() => Folder.Bind(this.ctx.service, folderIdOf(id)));
		return toFolder(folder);
	}

	async listFolders(kind: SyncFolderKind, parentId?: string): Promise<ExchangeFolder[]> {
		const view = new FolderView(1000);
		const out: ExchangeFolder[] = [];
		if (!parentId) {
			view.Traversal = FolderTraversal.Deep;
			out.push(await this.getWellKnownFolder(DEFAULT_FOLDER[kind]));
		}
		const parent = parentId ?? SYNC_FOLDER_PARENT[kind];
		const result = await this.ctx.call(() => this.ctx.service.FindFolders(folderIdOf(parent), view));
		for (const f of result.Folders) {
			const folder = toFolder(f);
			if (folder.kind === kind && !out.some((o) => o.id === folder.id)) out.push(folder);
		}
		return out;
	}

	ensureSyncFolders(options: EnsureSyncFoldersOptions): Promise<SyncFolders> {
		return ensureSyncFolderSet(
			{
				wellKnownFolderId: async (name) => (await this.getWellKnownFolder(name)).id,
				findOrCreate: (kind, name, parentId) => this.ensureChild(parentId ?? SYNC_FOLDER_PARENT[kind], name, kind),
			},
			options,
		);
	}

	async removeSyncFolders(kinds: SyncFolderKind[], folderName?: string): Promise<void> {
		const name = folderName ?? DEFAULT_SYNC_FOLDER_NAME;
		for (const kind of kinds) {
			const folder = await this.findChild(SYNC_FOLDER_PARENT[kind], name);
			if (folder) await this.deleteFolder(folder.id);
		}
	}

	private async findChild(parent: string, name: string): Promise<ExchangeFolder | undefined> {
		const result = await this.ctx.call(() => this.ctx.service.FindFolders(folderIdOf(parent), new FolderView(1000)));
		const match = result.Folders.find((f) => (read(() => f.DisplayName) ?? '').toLowerCase() === name.toLowerCase());
		return match ? toFolder(match) : undefined;
	}

	private async ensureChild(parent: string, name: string, kind: SyncFolderKind): Promise<string> {
		const existing = await this.findChild(parent, name);
		if (existing) return existing.id;
		const { create, folderClass } = NEW_FOLDER[kind];
		const folder = create(this.ctx.service);
		folder.DisplayName = name;
		if (folderClass) folder.FolderClass = folderClass;
		await this.ctx.call(() => folder.Save(folderIdOf(parent)));
		return folder.Id.UniqueId;
	}

	/**
	 * DeleteFolder (HardDelete) with its contents. Gromox refuses to delete a folder that still
	 * holds items or subfolders (ErrorCannotDeleteObject, sandbox/ews/recorded/gromox/deletefolder-nonempty.*);
	 * then empty it (EmptyFolder, HardDelete, with subfolders) and delete it again.
	 * https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/emptyfolder
	 */
	private async deleteFolder(id: string): Promise<void> {
		const remove = () => this.ctx.call(() => (this.ctx.service as unknown as DeleteFolderApi).DeleteFolder(new FolderId(id), DeleteMode.HardDelete));
		try {
			await remove();
		} catch (e) {
			if (!(e instanceof ExchangeError) || !/\bErrorCannotDeleteObject\b/.test(e.message)) throw e;
			const folder = await this.ctx.call(() => Folder.Bind(this.ctx.service, new FolderId(id), PropertySet.IdOnly));
			await this.ctx.call(() => folder.Empty(DeleteMode.HardDelete, true));
			await remove();
		}
	}
}
