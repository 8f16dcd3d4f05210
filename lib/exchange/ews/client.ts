/**
 * ExchangeClient over EWS (on-premises Exchange 2016/2019/SE), on ews-javascript-api.
 * Same canonical results as the Graph client for the same item (lib/exchange/types.ts).
 */
import './compat';

import {
	AffectedTaskOccurrence,
	Appointment,
	AppointmentOccurrenceId,
	AppointmentSchema,
	BasePropertySet,
	CalendarFolder,
	CalendarView,
	ConflictResolutionMode,
	Contact as EwsContact,
	ContactsFolder,
	DateTime as EwsDateTime,
	DeleteMode,
	EmailMessage,
	EventType,
	ExchangeService,
	ExtendedPropertyDefinition,
	Folder,
	FolderId,
	FolderTraversal,
	FolderView,
	Guid,
	Item,
	ItemId,
	ItemView,
	ItemSchema,
	EmailMessageSchema,
	MapiPropertyType,
	PropertySet,
	SearchFilter,
	SendCancellationsMode,
	SendInvitationsMode,
	SendInvitationsOrCancellationsMode,
	ServiceError,
	ServiceResult,
	SyncFolderItemsScope,
	Task as EwsTask,
	TasksFolder,
	WellKnownFolderName,
	type PropertyDefinitionBase,
} from 'ews-javascript-api';

import { hashRecord } from '../../model/hash';
import type { CalendarEvent, Component, ComponentRecordMap } from '../../model/types';
import { expandRecurrence } from '../recurrence';
import { CRM_SYNC_PROPERTY_NAME, CRM_SYNC_PROPERTY_SET_ID, DEFAULT_SYNC_FOLDER_NAME, MAIL_SUBFOLDERS } from '../ident';
import {
	ExchangeError,
	type EnsureSyncFoldersOptions,
	type ExchangeChangePage,
	type ExchangeClient,
	type ExchangeFolder,
	type ExchangeItem,
	type MailChangePage,
	type MailMessageSummary,
	type SyncFolderKind,
	type SyncFolders,
	type SyncWindow,
	type WriteOptions,
} from '../types';
import { defaultRetryPolicy, ewsError, runCall, type CallStats, type RetryPolicy } from './errors';
import { applyContactToEws, contactFromEws } from './mappers/contact';
import { applyEventToEws, applyExceptionToEws, eventFromEws } from './mappers/event';
import { applyTaskToEws, taskFromEws } from './mappers/task';
import { instant, read, text } from './mappers/values';
import { createExchangeService, type EwsConnection } from './service';

export const IDENT_PROPERTY = new ExtendedPropertyDefinition(new Guid(CRM_SYNC_PROPERTY_SET_ID), CRM_SYNC_PROPERTY_NAME, MapiPropertyType.String);

/** EWS allows at most 512 changes per SyncFolderItems call. */
export const MAX_SYNC_CHANGES = 512;
/** Items per GetItem call; divides a full SyncFolderItems page (512) into 4 calls. */
export const GET_ITEM_BATCH = 128;

const WELL_KNOWN: Record<string, WellKnownFolderName> = {
	inbox: WellKnownFolderName.Inbox,
	sentitems: WellKnownFolderName.SentItems,
	deleteditems: WellKnownFolderName.DeletedItems,
	drafts: WellKnownFolderName.Drafts,
	contacts: WellKnownFolderName.Contacts,
	calendar: WellKnownFolderName.Calendar,
	tasks: WellKnownFolderName.Tasks,
	msgfolderroot: WellKnownFolderName.MsgFolderRoot,
};

const DEFAULT_FOLDER: Record<SyncFolderKind, string> = { contact: 'contacts', event: 'calendar', task: 'tasks', mail: 'inbox' };
/** Where the connector's CRM-Sync folder lives, per component (mail: top of the mailbox, as Graph's /mailFolders). */
const SYNC_FOLDER_PARENT: Record<SyncFolderKind, string> = { contact: 'contacts', event: 'calendar', task: 'tasks', mail: 'msgfolderroot' };

/** ExchangeService members that ews-javascript-api implements but leaves out of its typings. */
interface DeleteFolderApi {
	DeleteFolder(folderId: FolderId, deleteMode: DeleteMode): Promise<unknown>;
}
interface GetEventsResult {
	ItemEvents: Array<{ EventType: EventType; ItemId?: ItemId; OldParentFolderId?: FolderId }>;
	MoreEventsAvailable?: boolean;
	NewWatermark?: string;
}

interface MailCursor {
	v: 1;
	/** SyncFolderItems SyncState */
	s?: string;
	/** pull subscription id and watermark; absent when the server has none (Gromox) */
	sub?: string;
	wm?: string;
	/** item id → folder it was moved from, from MovedEvents not yet matched to a message */
	moved?: Record<string, string>;
}

export interface EwsClientOptions extends EwsConnection {
	/** SMTP address of the mailbox (the user's own, or the impersonated one). */
	mailbox: string;
	retry?: Partial<RetryPolicy>;
	/** Minutes a pull subscription lives without GetEvents (1–1440; default 1440). */
	pullTimeoutMinutes?: number;
	/** S19: reminder set on created appointments that carry none (the Graph client's option of the same name). */
	defaultReminderMinutes?: number;
}

/** Answers to reading an item that mean there is no such item (a malformed id names none either). */
const ITEM_GONE = new Set(['ErrorItemNotFound', 'ErrorInvalidIdMalformed']);

/** Answers to cancelling an occurrence that mean it is already gone. */
const OCCURRENCE_GONE = new Set(['ErrorCalendarOccurrenceIsDeletedFromRecurrence', 'ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange', 'ErrorItemNotFound']);

function folderIdOf(id: string): FolderId {
	const wk = WELL_KNOWN[id.toLowerCase()];
	return wk !== undefined ? new FolderId(wk) : new FolderId(id);
}

function kindOfClass(folderClass: string | undefined): SyncFolderKind {
	if (!folderClass) return 'mail';
	if (folderClass.startsWith('IPF.Contact')) return 'contact';
	if (folderClass.startsWith('IPF.Appointment')) return 'event';
	if (folderClass.startsWith('IPF.Task')) return 'task';
	return 'mail';
}

function chunks<T>(list: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}

function encode(cursor: MailCursor): string {
	return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decode(cursor: string | undefined): MailCursor {
	if (!cursor) return { v: 1 };
	try {
		const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as MailCursor;
		return parsed.v === 1 ? parsed : { v: 1 };
	} catch {
		return { v: 1 };
	}
}

export class EwsExchangeClient implements ExchangeClient {
	readonly protocol = 'ews' as const;
	readonly mailbox: string;
	readonly service: ExchangeService;
	/** Requests sent and back-off waited, for the benchmarks and O2. */
	readonly stats: CallStats = { calls: 0, waitedMs: 0 };
	private readonly retry: RetryPolicy;
	private readonly pullTimeout: number;
	private pullSupported: boolean | undefined;
	private readonly defaultReminderMinutes: number | undefined;

	constructor(options: EwsClientOptions) {
		this.mailbox = options.mailbox;
		this.service = createExchangeService(options);
		this.retry = { ...defaultRetryPolicy, ...options.retry };
		this.pullTimeout = Math.min(1440, Math.max(1, options.pullTimeoutMinutes ?? 1440));
		this.defaultReminderMinutes = options.defaultReminderMinutes;
	}

	/** One EWS operation with back-off and error classification. */
	call<T>(fn: () => Promise<T>): Promise<T> {
		return runCall(fn, this.retry, this.stats);
	}

	// ---------------------------------------------------------------- folders (F1, F2, F5–F8)

	async getWellKnownFolder(name: string): Promise<ExchangeFolder> {
		const wk = WELL_KNOWN[name.toLowerCase()];
		if (wk === undefined) throw ewsError('invalid', `"${name}" is not a well-known folder name.`);
		const folder = await this.call(() => Folder.Bind(this.service, new FolderId(wk)));
		return { ...this.toFolder(folder), wellKnownName: name.toLowerCase() };
	}

	async getFolder(id: string): Promise<ExchangeFolder> {
		const folder = await this.call(() => Folder.Bind(this.service, folderIdOf(id)));
		return this.toFolder(folder);
	}

	async listFolders(kind: SyncFolderKind, parentId?: string): Promise<ExchangeFolder[]> {
		const view = new FolderView(1000);
		const out: ExchangeFolder[] = [];
		if (!parentId) {
			view.Traversal = FolderTraversal.Deep;
			out.push(await this.getWellKnownFolder(DEFAULT_FOLDER[kind]));
		}
		const parent = parentId ?? (kind === 'mail' ? 'msgfolderroot' : DEFAULT_FOLDER[kind]);
		const result = await this.call(() => this.service.FindFolders(folderIdOf(parent), view));
		for (const f of result.Folders) {
			const folder = this.toFolder(f);
			if (folder.kind === kind && !out.some((o) => o.id === folder.id)) out.push(folder);
		}
		return out;
	}

	private toFolder(f: Folder): ExchangeFolder {
		return {
			id: f.Id.UniqueId,
			displayName: read(() => f.DisplayName) ?? '',
			kind: kindOfClass(read(() => f.FolderClass)),
			parentId: read(() => f.ParentFolderId?.UniqueId),
			childFolderCount: read(() => f.ChildFolderCount),
		};
	}

	private async findChild(parent: string, name: string): Promise<ExchangeFolder | undefined> {
		const result = await this.call(() => this.service.FindFolders(folderIdOf(parent), new FolderView(1000)));
		const match = result.Folders.find((f) => (read(() => f.DisplayName) ?? '').toLowerCase() === name.toLowerCase());
		return match ? this.toFolder(match) : undefined;
	}

	private async ensureChild(parent: string, name: string, kind: SyncFolderKind): Promise<string> {
		const existing = await this.findChild(parent, name);
		if (existing) return existing.id;
		const folder =
			kind === 'contact'
				? new ContactsFolder(this.service)
				: kind === 'event'
					? new CalendarFolder(this.service)
					: kind === 'task'
						? new TasksFolder(this.service)
						: new Folder(this.service);
		folder.DisplayName = name;
		if (kind === 'mail') folder.FolderClass = 'IPF.Note';
		await this.call(() => folder.Save(folderIdOf(parent)));
		return folder.Id.UniqueId;
	}

	async ensureSyncFolders(options: EnsureSyncFoldersOptions): Promise<SyncFolders> {
		const name = options.folderName ?? DEFAULT_SYNC_FOLDER_NAME;
		const out: SyncFolders = {};
		for (const kind of options.components) {
			const useDefault = options.useDefaultFolder?.[kind] === true;
			if (kind === 'mail') {
				const root = useDefault
					? (await this.getWellKnownFolder('inbox')).id
					: await this.ensureChild(SYNC_FOLDER_PARENT.mail, name, 'mail');
				out.mail = {
					root,
					accounts: await this.ensureChild(root, MAIL_SUBFOLDERS.accounts, 'mail'),
					contacts: await this.ensureChild(root, MAIL_SUBFOLDERS.contacts, 'mail'),
					leads: await this.ensureChild(root, MAIL_SUBFOLDERS.leads, 'mail'),
					partner: await this.ensureChild(root, MAIL_SUBFOLDERS.partner, 'mail'),
				};
			} else {
				out[kind] = useDefault
					? (await this.getWellKnownFolder(DEFAULT_FOLDER[kind])).id
					: await this.ensureChild(SYNC_FOLDER_PARENT[kind], name, kind);
			}
		}
		return out;
	}

	async removeSyncFolders(kinds: SyncFolderKind[], folderName?: string): Promise<void> {
		const name = folderName ?? DEFAULT_SYNC_FOLDER_NAME;
		for (const kind of kinds) {
			const folder = await this.findChild(SYNC_FOLDER_PARENT[kind], name);
			if (folder) await this.deleteFolder(folder.id);
		}
	}

	/**
	 * DeleteFolder (HardDelete) with its contents. Gromox refuses to delete a folder that still
	 * holds items or subfolders (ErrorCannotDeleteObject, sandbox/ews/recorded/gromox/deletefolder-nonempty.*);
	 * then empty it (EmptyFolder, HardDelete, with subfolders) and delete it again.
	 * https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/emptyfolder
	 */
	private async deleteFolder(id: string): Promise<void> {
		const remove = () => this.call(() => (this.service as unknown as DeleteFolderApi).DeleteFolder(new FolderId(id), DeleteMode.HardDelete));
		try {
			await remove();
		} catch (e) {
			if (!(e instanceof ExchangeError) || !/\bErrorCannotDeleteObject\b/.test(e.message)) throw e;
			const folder = await this.call(() => Folder.Bind(this.service, new FolderId(id), PropertySet.IdOnly));
			await this.call(() => folder.Empty(DeleteMode.HardDelete, true));
			await remove();
		}
	}

	// ---------------------------------------------------------------- items (C2–C4)

	private propertySet(component: Component): PropertySet {
		const extra: PropertyDefinitionBase[] = [IDENT_PROPERTY, ItemSchema.ParentFolderId, ItemSchema.LastModifiedTime, ItemSchema.DateTimeCreated];
		if (component === 'event') {
			extra.push(
				AppointmentSchema.StartTimeZone,
				AppointmentSchema.Recurrence,
				AppointmentSchema.ModifiedOccurrences,
				AppointmentSchema.DeletedOccurrences,
			);
		}
		return new PropertySet(BasePropertySet.FirstClassProperties, extra);
	}

	private identOf(item: Item): string | undefined {
		const props = read(() => item.ExtendedProperties.GetEnumerator()) ?? [];
		for (const p of props) {
			const def = p.PropertyDefinition;
			if (def.Name === CRM_SYNC_PROPERTY_NAME && def.PropertySetId?.ToString().toLowerCase() === CRM_SYNC_PROPERTY_SET_ID.toLowerCase()) {
				return text(String(p.Value));
			}
		}
		return undefined;
	}

	private toItem<C extends Component>(component: C, item: Item, exceptionItems: Appointment[] = []): ExchangeItem<C> {
		const record =
			component === 'contact'
				? contactFromEws(item as EwsContact)
				: component === 'event'
					? eventFromEws(item as Appointment, exceptionItems)
					: taskFromEws(item as EwsTask);
		return {
			id: item.Id.UniqueId,
			etag: item.Id.ChangeKey,
			ident: this.identOf(item),
			modifiedAt: instant(read(() => item.LastModifiedTime)),
			createdAt: instant(read(() => item.DateTimeCreated)),
			folderId: read(() => item.ParentFolderId?.UniqueId),
			record: record as ComponentRecordMap[C],
			raw: undefined,
		};
	}

	/** GetItem in batches; ids that vanished meanwhile are left out. */
	private async loadItems<C extends Component>(component: C, ids: string[], options: { failOnError?: boolean } = {}): Promise<Array<ExchangeItem<C>>> {
		const loaded: Item[] = [];
		for (const batch of chunks(ids, GET_ITEM_BATCH)) {
			const responses = await this.call(() =>
				this.service.BindToItems(
					batch.map((id) => new ItemId(id)),
					this.propertySet(component),
				),
			);
			for (const r of responses.Responses) {
				if (r.Result === ServiceResult.Success && r.Item) loaded.push(r.Item);
				else if (options.failOnError && !ITEM_GONE.has(ServiceError[r.ErrorCode])) throw ewsError('unavailable', `Reading an item failed: ${r.ErrorMessage ?? ServiceError[r.ErrorCode]}`);
			}
		}
		// Series masters list their modified occurrences by id only; load those for subject/location/body.
		const exceptionIds: string[] = [];
		if (component === 'event') {
			for (const item of loaded) {
				for (const m of read(() => (item as Appointment).ModifiedOccurrences?.GetEnumerator()) ?? []) exceptionIds.push(m.ItemId.UniqueId);
			}
		}
		const exceptions: Appointment[] = [];
		for (const batch of chunks(exceptionIds, GET_ITEM_BATCH)) {
			const responses = await this.call(() =>
				this.service.BindToItems(
					batch.map((id) => new ItemId(id)),
					new PropertySet(BasePropertySet.FirstClassProperties),
				),
			);
			for (const r of responses.Responses) if (r.Result === ServiceResult.Success && r.Item) exceptions.push(r.Item as Appointment);
		}
		return loaded.map((item) => this.toItem(component, item, exceptions));
	}

	private inWindow(item: ExchangeItem<'event'> | ExchangeItem<'task'>, component: Component, window: SyncWindow | undefined): boolean {
		if (!window) return true;
		if (component === 'event') {
			const e = (item as ExchangeItem<'event'>).record;
			const lastDay = e.recurrence
				? e.recurrence.range.type === 'endDate'
					? e.recurrence.range.endDate
					: e.recurrence.range.type === 'noEnd'
						? undefined
						: undefined
				: e.end?.dateTime;
			const firstDay = e.recurrence ? e.recurrence.range.startDate : e.start?.dateTime;
			if (lastDay && lastDay.slice(0, 10) < window.from.slice(0, 10)) return false;
			if (firstDay && firstDay.slice(0, 10) > window.to.slice(0, 10)) return false;
			return true;
		}
		const t = (item as ExchangeItem<'task'>).record;
		// A2: past tasks count by due date; open tasks always sync.
		if (t.status !== 'completed') return true;
		const last = t.dueDate ?? t.completedAt?.slice(0, 10);
		return !last || last >= window.from.slice(0, 10);
	}

	async listChanges<C extends Component>(
		component: C,
		folderId: string,
		cursor: string | undefined,
		options: { window?: SyncWindow; pageSize?: number } = {},
	): Promise<ExchangeChangePage<C>> {
		const max = Math.min(MAX_SYNC_CHANGES, Math.max(1, options.pageSize ?? MAX_SYNC_CHANGES));
		let fullResync = cursor === undefined;
		const sync = (state: string | undefined) =>
			this.call(() =>
				this.service.SyncFolderItems(folderIdOf(folderId), PropertySet.IdOnly, null as unknown as ItemId[], max, SyncFolderItemsScope.NormalItems, state ?? null as unknown as string),
			);
		let changes;
		try {
			changes = await sync(cursor);
		} catch (e) {
			if (!(e instanceof ExchangeError) || e.code !== 'syncStateInvalid' || cursor === undefined) throw e;
			fullResync = true;
			changes = await sync(undefined);
		}
		const changed: string[] = [];
		const deletedIds: string[] = [];
		for (const change of changes.GetEnumerator()) {
			const id = change.ItemId?.UniqueId;
			if (!id) continue;
			const type = change.ChangeType;
			// ChangeType: Create 0, Update 1, Delete 2, ReadFlagChange 3
			if (type === 2) deletedIds.push(id);
			else if (type === 0 || type === 1) changed.push(id);
		}
		let items = await this.loadItems(component, [...new Set(changed)]);
		if (component !== 'contact') {
			items = items.filter((i) => this.inWindow(i as ExchangeItem<'event'>, component, options.window));
		}
		return { items, deletedIds, cursor: changes.SyncState, fullResync, hasMore: changes.MoreChangesAvailable };
	}

	/** Ids of every item in a folder (FindItem, paged); for full listings and clean-up. */
	async findItemIds(folderId: string, pageSize = 1000): Promise<string[]> {
		const ids: string[] = [];
		for (let offset = 0; ; ) {
			const view = new ItemView(pageSize, offset);
			view.PropertySet = PropertySet.IdOnly;
			const page = await this.call(() => this.service.FindItems(folderIdOf(folderId), view));
			for (const item of page.Items) ids.push(item.Id.UniqueId);
			if (!page.MoreAvailable || page.Items.length === 0) return ids;
			offset = page.NextPageOffset ?? offset + page.Items.length;
		}
	}

	/** CalendarView (FindItem) over a window: single items, occurrences and exceptions. */
	async listOccurrences(folderId: string, window: SyncWindow): Promise<Array<ExchangeItem<'event'>>> {
		const view = new CalendarView(new EwsDateTime(Date.parse(window.from)), new EwsDateTime(Date.parse(window.to)), 1000);
		const found = await this.call(() => this.service.FindAppointments(folderIdOf(folderId), view));
		return found.Items.map((a) => this.toItem('event', a));
	}

	/** undefined only when the server says there is no such item; any other refusal is an error, not a deletion. */
	async get<C extends Component>(component: C, _folderId: string, id: string): Promise<ExchangeItem<C> | undefined> {
		const [item] = await this.loadItems(component, [id], { failOnError: true });
		return item;
	}

	private newItem(component: Component): Item {
		if (component === 'contact') return new EwsContact(this.service);
		if (component === 'event') return new Appointment(this.service);
		return new EwsTask(this.service);
	}

	private apply(component: Component, item: Item, record: ComponentRecordMap[Component], isNew: boolean, options?: WriteOptions): void {
		// Updates with changedFields touch only those fields' properties (WriteOptions.changedFields).
		const changed = !isNew && options?.changedFields ? new Set(options.changedFields) : undefined;
		if (component === 'contact') applyContactToEws(item as EwsContact, record as ComponentRecordMap['contact'], isNew, changed);
		else if (component === 'event') applyEventToEws(item as Appointment, record as ComponentRecordMap['event'], isNew, options?.attendeesInBody, this.defaultReminderMinutes, changed);
		else applyTaskToEws(item as EwsTask, record as ComponentRecordMap['task'], isNew, changed);
	}

	async create<C extends Component>(
		component: C,
		folderId: string,
		record: ComponentRecordMap[C],
		ident?: string,
		options?: WriteOptions,
	): Promise<ExchangeItem<C>> {
		const item = this.newItem(component);
		this.apply(component, item, record, true, options);
		if (ident) item.SetExtendedProperty(IDENT_PROPERTY, ident);
		await this.call(() =>
			component === 'event'
				? (item as Appointment).Save(folderIdOf(folderId), SendInvitationsMode.SendToNone)
				: item.Save(folderIdOf(folderId)),
		);
		if (component === 'event') await this.applyExceptions(item.Id.UniqueId, record as CalendarEvent);
		const created = await this.get(component, folderId, item.Id.UniqueId);
		if (!created) throw ewsError('notFound', 'The item Exchange just created could not be read back.');
		return created;
	}

	async update<C extends Component>(
		component: C,
		folderId: string,
		id: string,
		record: ComponentRecordMap[C],
		ident?: string,
		options?: WriteOptions,
	): Promise<ExchangeItem<C>> {
		const itemId = new ItemId(id);
		// Loaded properties let ews-javascript-api turn a cleared field into DeleteItemField.
		const props = this.propertySet(component);
		const item =
			component === 'contact'
				? await this.call(() => EwsContact.Bind(this.service, itemId, props))
				: component === 'event'
					? await this.call(() => Appointment.Bind(this.service, itemId, props))
					: await this.call(() => EwsTask.Bind(this.service, itemId, props));
		// With the engine's ChangeKey, a change made meanwhile fails the update instead of being overwritten.
		// Checked here too: Gromox ignores ChangeKey and ConflictResolution on UpdateItem (it overwrote
		// with a stale key, sandbox/ews/recorded/gromox/updateitem-stale-changekey.*); Exchange refuses
		// with ErrorIrresolvableConflict, which NeverOverwrite below still relies on for the race window.
		if (options?.etag && item.Id.ChangeKey !== options.etag) {
			throw ewsError('conflict', 'The item was changed in Exchange since the last sync; not updated.');
		}
		if (options?.etag) item.Id.ChangeKey = options.etag;
		this.apply(component, item, record, false, options);
		if (ident) item.SetExtendedProperty(IDENT_PROPERTY, ident);
		const mode = options?.etag ? ConflictResolutionMode.NeverOverwrite : ConflictResolutionMode.AlwaysOverwrite;
		await this.call(async () => {
			if (component === 'event') await (item as Appointment).Update(mode, SendInvitationsOrCancellationsMode.SendToNone);
			else await item.Update(mode);
		});
		if (component === 'event') await this.applyExceptions(id, record as CalendarEvent);
		const updated = await this.get(component, folderId, id);
		if (!updated) throw ewsError('notFound', 'The item was deleted in Exchange while it was being updated.');
		return updated;
	}

	/**
	 * S20: moved and cancelled occurrences of a series, written on the occurrences themselves,
	 * addressed by their position in the pattern (OccurrenceItemId InstanceIndex; cancelled and
	 * moved occurrences keep theirs). Occurrences already cancelled are left as they are.
	 */
	private async applyExceptions(masterId: string, event: CalendarEvent): Promise<void> {
		const recurrence = event.recurrence;
		const exceptions = recurrence?.exceptions ?? [];
		if (!recurrence || !exceptions.length) return;
		const allDay = event.isAllDay === true;
		const keyOf = (start: string) => (allDay ? start.slice(0, 10) : String(Date.parse(start)));
		const last = Math.max(...exceptions.map((e) => Date.parse(e.originalStart)));
		const starts = expandRecurrence(recurrence, event.start, allDay, '0001-01-01T00:00:00.000Z', new Date(last + 86_400_000).toISOString());
		const indexOf = new Map(starts.map((start, i) => [keyOf(start), i + 1]));
		const zone = recurrence.range.recurrenceTimeZone ?? event.start.timeZone;
		const cancelled: ItemId[] = [];
		for (const ex of exceptions) {
			const index = indexOf.get(keyOf(ex.originalStart));
			if (index === undefined) continue;
			if (ex.deleted) {
				cancelled.push(new AppointmentOccurrenceId(masterId, index));
				continue;
			}
			try {
				const occurrence = await this.call(() => Appointment.BindToOccurrence(this.service, new ItemId(masterId), index, PropertySet.FirstClassProperties));
				applyExceptionToEws(occurrence, ex, allDay, zone);
				await this.call(() => occurrence.Update(ConflictResolutionMode.AlwaysOverwrite, SendInvitationsOrCancellationsMode.SendToNone));
			} catch (e) {
				if (!(e instanceof ExchangeError) || e.code !== 'notFound') throw e;
			}
		}
		if (!cancelled.length) return;
		const responses = await this.call(() =>
			this.service.DeleteItems(cancelled, DeleteMode.MoveToDeletedItems, SendCancellationsMode.SendToNone, null as unknown as AffectedTaskOccurrence),
		);
		for (const r of responses.Responses) {
			if (r.Result !== ServiceResult.Error || OCCURRENCE_GONE.has(ServiceError[r.ErrorCode])) continue;
			throw ewsError('invalid', `Cancelling an occurrence of a series failed: ${r.ErrorMessage ?? ServiceError[r.ErrorCode]}`);
		}
	}

	async delete(component: Component, _folderId: string, id: string, options?: WriteOptions): Promise<void> {
		if (options?.etag) {
			const current = await this.call(() => Item.Bind(this.service, new ItemId(id), PropertySet.IdOnly)).catch((e: unknown) => {
				if (e instanceof ExchangeError && e.code === 'notFound') return undefined;
				throw e;
			});
			if (!current) return;
			if (current.Id.ChangeKey !== options.etag) throw ewsError('conflict', 'The item was changed in Exchange since the last sync; not deleted.');
		}
		try {
			await this.call(() =>
				this.service.DeleteItems(
					[new ItemId(id)],
					DeleteMode.MoveToDeletedItems,
					component === 'event' ? SendCancellationsMode.SendToNone : (null as unknown as SendCancellationsMode),
					component === 'task' ? AffectedTaskOccurrence.AllOccurrences : (null as unknown as AffectedTaskOccurrence),
				),
			);
		} catch (e) {
			if (e instanceof ExchangeError && e.code === 'notFound') return;
			throw e;
		}
	}

	// ---------------------------------------------------------------- mail (C1, E9)

	private summaryProps(): PropertySet {
		return new PropertySet(BasePropertySet.IdOnly, [
			ItemSchema.ParentFolderId,
			ItemSchema.Subject,
			ItemSchema.DateTimeReceived,
			EmailMessageSchema.InternetMessageId,
			EmailMessageSchema.From,
		]);
	}

	private toSummary(m: Item): MailMessageSummary {
		const msg = m as EmailMessage;
		return {
			id: m.Id.UniqueId,
			folderId: read(() => m.ParentFolderId?.UniqueId) ?? '',
			internetMessageId: text(read(() => msg.InternetMessageId)),
			subject: text(read(() => m.Subject)),
			from: text(read(() => msg.From?.Address))?.toLowerCase(),
			receivedAt: instant(read(() => m.DateTimeReceived)),
		};
	}

	/** Pull notifications: MovedEvents tell where a message came from (E9). Absent on some servers. */
	private async pullMoves(folderId: string, cursor: MailCursor): Promise<void> {
		if (this.pullSupported === false) return;
		const service = this.service as unknown as {
			GetEvents(id: string, watermark: string): Promise<GetEventsResult>;
		};
		if (cursor.sub && cursor.wm) {
			try {
				for (let i = 0; i < 50; i++) {
					const events = await this.call(() => service.GetEvents(cursor.sub as string, cursor.wm as string));
					for (const ev of events.ItemEvents) {
						if (ev.EventType === EventType.Moved && ev.ItemId && ev.OldParentFolderId) {
							cursor.moved = { ...cursor.moved, [ev.ItemId.UniqueId]: ev.OldParentFolderId.UniqueId };
						}
					}
					cursor.wm = events.NewWatermark ?? cursor.wm;
					if (!events.MoreEventsAvailable) break;
				}
				return;
			} catch (e) {
				if (!(e instanceof ExchangeError) || (e.code !== 'syncStateInvalid' && e.code !== 'notFound')) throw e;
				delete cursor.sub;
				delete cursor.wm;
			}
		}
		try {
			const sub = await this.call(() =>
				this.service.SubscribeToPullNotifications([folderIdOf(folderId)], this.pullTimeout, null as unknown as string, EventType.Moved),
			);
			cursor.sub = sub.Id;
			cursor.wm = sub.Watermark;
			this.pullSupported = true;
		} catch (e) {
			// Servers without notifications (e.g. Gromox) answer with a SOAP fault: fall back to SyncFolderItems only.
			if (e instanceof ExchangeError && (e.code === 'invalid' || e.code === 'badUrl')) {
				this.pullSupported = false;
				return;
			}
			throw e;
		}
	}

	async listMessageChanges(folderId: string, cursorText: string | undefined, options: { pageSize?: number } = {}): Promise<MailChangePage> {
		const cursor = decode(cursorText);
		const max = Math.min(MAX_SYNC_CHANGES, Math.max(1, options.pageSize ?? MAX_SYNC_CHANGES));
		await this.pullMoves(folderId, cursor);
		let fullResync = cursor.s === undefined;
		const sync = (state: string | undefined) =>
			this.call(() =>
				this.service.SyncFolderItems(folderIdOf(folderId), this.summaryProps(), null as unknown as ItemId[], max, SyncFolderItemsScope.NormalItems, state ?? (null as unknown as string)),
			);
		let changes;
		try {
			changes = await sync(cursor.s);
		} catch (e) {
			if (!(e instanceof ExchangeError) || e.code !== 'syncStateInvalid' || cursor.s === undefined) throw e;
			fullResync = true;
			changes = await sync(undefined);
		}
		const messages: MailMessageSummary[] = [];
		const deletedIds: string[] = [];
		for (const change of changes.GetEnumerator()) {
			const id = change.ItemId?.UniqueId;
			if (!id) continue;
			if (change.ChangeType === 2) deletedIds.push(id);
			else if (change.ChangeType === 0 && change.Item) {
				const summary = this.toSummary(change.Item);
				summary.folderId ||= folderId;
				const from = cursor.moved?.[id];
				if (from) {
					summary.previousFolderId = from;
					delete cursor.moved?.[id];
				}
				messages.push(summary);
			}
		}
		cursor.s = changes.SyncState;
		return { messages, deletedIds, cursor: encode(cursor), fullResync, hasMore: changes.MoreChangesAvailable };
	}

	/** One message's summary (GetItem), as the Graph client's; undefined when it does not exist. */
	async getMessage(id: string): Promise<MailMessageSummary | undefined> {
		try {
			return this.toSummary(await this.call(() => Item.Bind(this.service, new ItemId(id), this.summaryProps())));
		} catch (e) {
			if (e instanceof ExchangeError && e.code === 'notFound') return undefined;
			throw e;
		}
	}

	async getMessageMime(id: string): Promise<Buffer> {
		const item = await this.call(() => Item.Bind(this.service, new ItemId(id), new PropertySet(BasePropertySet.IdOnly, [ItemSchema.MimeContent])));
		const content = read(() => item.MimeContent.Content);
		if (!content) throw ewsError('notFound', 'Exchange returned no MIME content for this message.');
		return Buffer.from(content, 'base64');
	}

	/**
	 * A move gives the message a new id. MoveItem returns it only "if the copy or move operation was within
	 * a single mailbox" (MoveItem operation, EWS reference), and Gromox answers a request with
	 * <ReturnNewItemIds>true</ReturnNewItemIds> with an empty <Items/>: so the message's summary is read
	 * first, and without a returned id the moved copy is found in the destination by its Internet Message-ID.
	 */
	async moveMessage(id: string, destinationFolderId: string): Promise<MailMessageSummary> {
		const before = this.toSummary(await this.call(() => Item.Bind(this.service, new ItemId(id), this.summaryProps())));
		const responses = await this.call(() => this.service.MoveItems([new ItemId(id)], folderIdOf(destinationFolderId), true));
		const newId = responses.Responses[0]?.Item?.Id?.UniqueId;
		if (newId) return this.toSummary(await this.call(() => Item.Bind(this.service, new ItemId(newId), this.summaryProps())));
		const found = before.internetMessageId ? await this.findByMessageId(destinationFolderId, before.internetMessageId) : undefined;
		if (found) return found;
		throw new ExchangeError(
			'notFound',
			`The e-mail "${before.subject ?? id}" was moved, but the server did not say where to`,
			'Exchange returned no new ID for the moved e-mail and it was not found in the destination folder by its Message-ID. Look for it there; nothing was lost.',
		);
	}

	/** The newest message with this Internet Message-ID in a folder. */
	private async findByMessageId(folderId: string, internetMessageId: string): Promise<MailMessageSummary | undefined> {
		const view = new ItemView(10);
		view.PropertySet = this.summaryProps();
		const page = await this.call(() => this.service.FindItems(folderIdOf(folderId), new SearchFilter.IsEqualTo(EmailMessageSchema.InternetMessageId, internetMessageId), view));
		const matches = page.Items.map((item) => this.toSummary(item)).filter((m) => m.internetMessageId === internetMessageId);
		return matches.sort((a, b) => (b.receivedAt ?? '').localeCompare(a.receivedAt ?? ''))[0];
	}

	/** Content hash of a canonical record (the engine's change detection; exposed for parity tests). */
	static hash(record: object): string {
		return hashRecord(record);
	}
}

