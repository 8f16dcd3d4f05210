/**
 * The sandbox's EWS face: SOAP 1.1 at /EWS/Exchange.asmx over the shared mailbox store, so
 * an item written here is visible through Graph with the same change tracking. Behaviour
 * follows Microsoft's EWS reference (see ../../../shared/fixtures/ews); every response is
 * schema-valid (test/integration/ews-sandbox.test.ts checks each with xmllint).
 */
import { randomBytes, randomUUID } from 'node:crypto';

import {
	expandOccurrences,
	occurrenceId,
	parseOccurrenceId,
	StoreError,
	toIana,
	type EventData,
	type FolderKind,
	type ItemKind,
	type JournalEntry,
	type Mailbox,
	type SandboxStore,
	type StoredFolder,
	type StoredItem,
	type TaskData,
} from '../store';
import {
	applyContact,
	applyEvent,
	applyTask,
	deleteField,
	extendedIdOf,
	extendedPropertiesFrom,
	fieldName,
	ITEM_ELEMENT,
	renderFolder,
	renderItem,
	type RenderOptions,
} from './convert';
import type { BearerTokenChecker, EwsReply, EwsRequest, StatusFault } from './types';
import { all, attr, child, childNames, el, envelope, NS, parseXml, soapFault, tel, text, type XNode } from './xml';

export const EWS_PATH = '/ews/exchange.asmx';

class EwsError extends Error {
	constructor(
		readonly code: string,
		message: string,
	) {
		super(message);
	}
}

interface Subscription {
	id: string;
	mailbox: string;
	folderIds: Set<string>;
	eventTypes: Set<string>;
	seq: number;
}

export interface EwsFaceOptions {
	store: SandboxStore;
	/** Bearer tokens issued by the sandbox's identity platform (optional). */
	tokens?: BearerTokenChecker;
	/** Called with every SOAP response body (tests validate them against the schema). */
	onResponse?: (operation: string, body: string, status: number) => void;
	/** The sandbox's per-mailbox request counters; EWS calls count as method "EWS", route = operation. */
	counters?: { count(mailbox: string, method: string, route: string): void };
}

const ITEM_KINDS: Record<string, ItemKind> = { Contact: 'contact', CalendarItem: 'event', Task: 'task', Message: 'message' };
const DEFAULT_FOLDER: Record<ItemKind, string> = { contact: 'contacts', event: 'calendar', task: 'tasks', message: 'drafts' };
const FOLDER_KINDS: Record<string, FolderKind> = {
	Folder: 'mail',
	ContactsFolder: 'contacts',
	CalendarFolder: 'calendar',
	TasksFolder: 'tasks',
	SearchFolder: 'mail',
};
const JOURNAL_EVENT: Record<string, string> = {
	created: 'CreatedEvent',
	modified: 'ModifiedEvent',
	deleted: 'DeletedEvent',
	moved: 'MovedEvent',
	copied: 'CopiedEvent',
	newMail: 'NewMailEvent',
};
const MAX_EVENTS_PER_CALL = 50;
const ITEM_INFO_OPERATIONS = new Set(['GetItem', 'CreateItem', 'UpdateItem', 'MoveItem']);
const FOLDER_INFO_OPERATIONS = new Set(['GetFolder', 'CreateFolder']);

function encodeState(value: object): string {
	return Buffer.from(JSON.stringify(value)).toString('base64');
}

function decodeState<T>(value: string | undefined): T | undefined {
	if (!value) return undefined;
	try {
		return JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as T;
	} catch {
		return undefined;
	}
}

/** Mount as a ProtocolFace of the sandbox server (structurally compatible with sandbox/http/types.ts). */
export class EwsFace {
	readonly protocol = 'ews' as const;
	private readonly subscriptions = new Map<string, Subscription>();

	constructor(private readonly options: EwsFaceOptions) {}

	matches(path: string): boolean {
		return path.toLowerCase() === EWS_PATH;
	}

	/** Injected throttling and outages look like Exchange's: ErrorServerBusy with BackOffMilliseconds. */
	renderFault(fault: StatusFault): EwsReply {
		if (fault.status === 429 || fault.status === 503) {
			const backOff = String(Math.round((fault.retryAfterSeconds ?? 1) * 1000));
			const body = soapFault('ErrorServerBusy', fault.message ?? 'The server cannot service this request right now. Try again later.', {
				BackOffMilliseconds: backOff,
			});
			return this.reply('fault', 500, body);
		}
		if (fault.status === 500)
			return this.reply('fault', 500, soapFault(fault.code ?? 'ErrorInternalServerError', fault.message ?? 'An internal server error occurred.'));
		return { status: fault.status, headers: { 'content-type': 'text/html' }, body: '' };
	}

	private reply(operation: string, status: number, body: string, headers: Record<string, string> = {}): EwsReply {
		this.options.onResponse?.(operation, body, status);
		return { status, headers: { 'content-type': 'text/xml; charset=utf-8', ...headers }, body };
	}

	async handle(request: EwsRequest): Promise<EwsReply> {
		if (request.method === 'GET') return { status: 200, headers: { 'content-type': 'text/html' }, body: 'EWS' };
		if (request.method !== 'POST') return { status: 405, headers: { allow: 'POST' }, body: '' };
		const user = this.authenticate(request.headers.authorization);
		if (!user) {
			return { status: 401, headers: { 'www-authenticate': 'Basic realm="sandbox", Bearer', 'content-type': 'text/plain' }, body: '' };
		}
		let doc: XNode;
		try {
			doc = parseXml(request.body.toString('utf8'));
		} catch {
			return this.reply('fault', 500, soapFault('ErrorSchemaValidation', 'The request failed schema validation: the XML is not well-formed.'));
		}
		const env = child(doc, 'Envelope');
		const body = child(env, 'Body');
		const operation = childNames(body)[0];
		if (!env || !body || !operation) return this.reply('fault', 500, soapFault('ErrorSchemaValidation', 'The request has no SOAP body.'));
		const header = child(env, 'Header');
		let mailboxAddress = user.address ?? '';
		const impersonation =
			child(child(child(header, 'ExchangeImpersonation'), 'ConnectingSID'), 'SmtpAddress') ??
			child(child(child(header, 'ExchangeImpersonation'), 'ConnectingSID'), 'PrimarySmtpAddress');
		if (impersonation) {
			const target = text(impersonation) ?? '';
			if (!user.appOnly && target.toLowerCase() !== mailboxAddress.toLowerCase()) {
				return this.reply(operation, 500, soapFault('ErrorImpersonateUserDenied', 'The account does not have permission to impersonate the requested user.'));
			}
			mailboxAddress = target;
		}
		if (!mailboxAddress) return this.reply(operation, 500, soapFault('ErrorImpersonationRequired', 'App-only access must impersonate a mailbox.'));
		let mailbox: Mailbox;
		try {
			mailbox = this.options.store.mailbox(mailboxAddress);
		} catch {
			return this.reply(operation, 500, soapFault('ErrorNonExistentMailbox', `No mailbox with address ${mailboxAddress} exists.`));
		}
		this.options.counters?.count(mailbox.owner.address, 'EWS', operation);
		const node = child(body, operation) as XNode;
		const handler = this.handlers[operation];
		if (!handler) return this.reply(operation, 500, soapFault('ErrorInvalidRequest', `The request is invalid: unknown operation ${operation}.`));
		try {
			const messages = handler(mailbox, node);
			const xml = el(`m:${operation}Response`, el('m:ResponseMessages', messages), { 'xmlns:m': NS.m, 'xmlns:t': NS.t });
			return this.reply(operation, 200, envelope(xml));
		} catch (e) {
			if (e instanceof EwsError) return this.reply(operation, 500, soapFault(e.code, e.message));
			throw e;
		}
	}

	private authenticate(header: string | undefined): { address?: string; appOnly: boolean } | undefined {
		if (!header) return undefined;
		const basic = /^Basic\s+(.+)$/i.exec(header);
		if (basic) {
			const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
			const at = decoded.indexOf(':');
			let name = decoded.slice(0, at);
			if (name.includes('\\')) name = name.split('\\')[1];
			const user = this.options.store.checkPassword(name, decoded.slice(at + 1));
			return user ? { address: user.address, appOnly: false } : undefined;
		}
		if (/^Bearer\s/i.test(header) && this.options.tokens) {
			const check = this.options.tokens.check(header);
			if (!check.ok) return undefined;
			return { address: check.grant.user, appOnly: check.grant.appOnly };
		}
		return undefined;
	}

	// ------------------------------------------------------------------ helpers

	private ok(operation: string, inner = ''): string {
		return el(`m:${operation}ResponseMessage`, tel('m:ResponseCode', 'NoError') + inner, { ResponseClass: 'Success' });
	}

	private error(operation: string, code: string, message: string): string {
		// ItemInfo and FolderInfo response messages require their (empty) collection even on error.
		const tail = ITEM_INFO_OPERATIONS.has(operation) ? '<m:Items/>' : FOLDER_INFO_OPERATIONS.has(operation) ? '<m:Folders/>' : '';
		return el(`m:${operation}ResponseMessage`, tel('m:MessageText', message) + tel('m:ResponseCode', code) + tel('m:DescriptiveLinkKey', 0) + tail, {
			ResponseClass: 'Error',
		});
	}

	/** Run one response message; store errors become EWS response codes. */
	private each(operation: string, fn: () => string): string {
		try {
			return fn();
		} catch (e) {
			if (e instanceof EwsError) return this.error(operation, e.code, e.message);
			if (e instanceof StoreError) {
				const code = {
					notFound: 'ErrorItemNotFound',
					conflict: 'ErrorIrresolvableConflict',
					invalid: 'ErrorInvalidPropertyRequest',
					folderExists: 'ErrorFolderExists',
					syncStateInvalid: 'ErrorInvalidSyncStateData',
					forbidden: 'ErrorDeleteDistinguishedFolder',
				}[e.code];
				return this.error(operation, code, e.message);
			}
			throw e;
		}
	}

	private folderOf(mailbox: Mailbox, node: XNode | undefined): StoredFolder {
		const id = attr(child(node, 'FolderId'), 'Id') ?? attr(child(node, 'DistinguishedFolderId'), 'Id');
		const folder = id ? mailbox.resolveFolder(id) : undefined;
		if (!folder) throw new EwsError('ErrorFolderNotFound', `The specified folder could not be found in the store: ${id ?? '(none)'}`);
		return folder;
	}

	private foldersOf(mailbox: Mailbox, node: XNode | undefined): Array<StoredFolder | EwsError> {
		const refs = [...all(node, 'FolderId'), ...all(node, 'DistinguishedFolderId')];
		return refs.map((r) => {
			const id = attr(r, 'Id') ?? '';
			return (
				mailbox.resolveFolder(id) ??
				new EwsError(
					/^[A-Za-z0-9+/=_-]{20,}$/.test(id) ? 'ErrorFolderNotFound' : 'ErrorInvalidIdMalformed',
					`The specified folder could not be found in the store: ${id}`,
				)
			);
		});
	}

	private shape(node: XNode | undefined, withBody: boolean): RenderOptions {
		const base = text(node, 'BaseShape') ?? 'Default';
		const extra = child(node, 'AdditionalProperties');
		const fields = [...all(extra, 'FieldURI'), ...all(extra, 'IndexedFieldURI')].map((f) => fieldName(attr(f, 'FieldURI') ?? ''));
		const extended = all(extra, 'ExtendedFieldURI')
			.map((u) => extendedIdOf(u))
			.filter((x): x is string => !!x);
		return { full: base !== 'IdOnly', fields, extended, withBody: withBody && (base !== 'IdOnly' || fields.includes('Body')) };
	}

	private render(mailbox: Mailbox, item: StoredItem, shape: RenderOptions, occurrence?: { originalStart: string }): string {
		const parent = mailbox.getFolder(item.folderId);
		return renderItem(item, parent, occurrence ? { ...shape, id: occurrenceId(item.id, occurrence.originalStart) } : shape, occurrence);
	}

	/**
	 * An item id, an occurrence id (master id + original start) as the store derives them, or an
	 * OccurrenceItemId (`master#InstanceIndex`, 1-based position in the pattern; cancelled and
	 * moved occurrences keep their index).
	 */
	private resolveItem(mailbox: Mailbox, id: string): { item: StoredItem; occurrence?: { originalStart: string } } {
		const item = mailbox.getItem(id);
		if (item) return { item };
		const byIndex = /^(.+)#(\d+)$/.exec(id);
		if (byIndex) return this.occurrenceByIndex(mailbox, byIndex[1], Number(byIndex[2]));
		const occ = parseOccurrenceId(id);
		const master = occ && mailbox.getItem(occ.masterId);
		if (occ && master) return { item: master, occurrence: { originalStart: occ.originalStart } };
		throw new EwsError('ErrorItemNotFound', 'The specified object was not found in the store.');
	}

	private occurrenceByIndex(mailbox: Mailbox, masterId: string, index: number): { item: StoredItem; occurrence: { originalStart: string } } {
		const master = mailbox.getItem(masterId);
		if (!master) throw new EwsError('ErrorItemNotFound', 'The specified object was not found in the store.');
		const data = master.data as EventData;
		if (master.kind !== 'event' || !data.recurrence) {
			throw new EwsError('ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange', 'The occurrence index is out of the recurrence range.');
		}
		const pattern = expandOccurrences(data.recurrence, data.times, undefined, '9999-12-31T00:00:00.000Z');
		const occurrence = index >= 1 ? pattern[index - 1] : undefined;
		if (!occurrence) throw new EwsError('ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange', 'The occurrence index is out of the recurrence range.');
		if (data.exceptions?.some((e) => e.originalStart === occurrence.originalStart && e.deleted)) {
			throw new EwsError('ErrorCalendarOccurrenceIsDeletedFromRecurrence', 'The occurrence was deleted from the recurrence.');
		}
		return { item: master, occurrence: { originalStart: occurrence.originalStart } };
	}

	/** The id an ItemId or OccurrenceItemId element names (see resolveItem). */
	private idOf(node: XNode | undefined): string {
		const master = attr(node, 'RecurringMasterId');
		return master ? `${master}#${attr(node, 'InstanceIndex') ?? ''}` : (attr(node, 'Id') ?? '');
	}

	private itemIds(node: XNode | undefined): Array<{ id: string; changeKey?: string }> {
		const ids: Array<{ id: string; changeKey?: string }> = all(node, 'ItemId').map((n) => ({ id: attr(n, 'Id') ?? '', changeKey: attr(n, 'ChangeKey') }));
		for (const occ of all(node, 'OccurrenceItemId')) {
			ids.push({ id: this.idOf(occ) });
		}
		return ids;
	}

	// ------------------------------------------------------------------ operations

	private readonly handlers: Record<string, (mailbox: Mailbox, node: XNode) => string> = {
		GetFolder: (mb, node) => {
			const full = text(child(node, 'FolderShape'), 'BaseShape') !== 'IdOnly';
			return this.foldersOf(mb, child(node, 'FolderIds'))
				.map((f) =>
					this.each('GetFolder', () => {
						if (f instanceof EwsError) throw f;
						return this.ok('GetFolder', el('m:Folders', renderFolder(f, mb.childFolders(f.id).length, mb.countItems(f.id), full)));
					}),
				)
				.join('');
		},

		FindFolder: (mb, node) => {
			const deep = attr(node, 'Traversal') === 'Deep';
			const full = text(child(node, 'FolderShape'), 'BaseShape') !== 'IdOnly';
			const view = child(node, 'IndexedPageFolderView');
			const max = Number(attr(view, 'MaxEntriesReturned') ?? 1000);
			const offset = Number(attr(view, 'Offset') ?? 0);
			return this.foldersOf(mb, child(node, 'ParentFolderIds'))
				.map((parent) =>
					this.each('FindFolder', () => {
						if (parent instanceof EwsError) throw parent;
						const ids = deep ? mb.subtree(parent.id).filter((id) => id !== parent.id) : mb.childFolders(parent.id).map((f) => f.id);
						const folders = ids.map((id) => mb.getFolder(id)).filter((f): f is StoredFolder => !!f && !f.isHidden);
						const page = folders.slice(offset, offset + max);
						const xml = page.map((f) => renderFolder(f, mb.childFolders(f.id).length, mb.countItems(f.id), full)).join('');
						const last = offset + page.length >= folders.length;
						return this.ok(
							'FindFolder',
							el('m:RootFolder', el('t:Folders', xml), {
								IndexedPagingOffset: last ? undefined : offset + page.length,
								TotalItemsInView: folders.length,
								IncludesLastItemInRange: last,
							}),
						);
					}),
				)
				.join('');
		},

		CreateFolder: (mb, node) => {
			const parent = this.folderOf(mb, child(node, 'ParentFolderId'));
			const folders = child(node, 'Folders');
			return childNames(folders)
				.flatMap((name) => all(folders, name).map((f) => ({ name, f })))
				.map(({ name, f }) =>
					this.each('CreateFolder', () => {
						const cls = text(f, 'FolderClass');
						const kind: FolderKind = cls?.startsWith('IPF.Contact')
							? 'contacts'
							: cls?.startsWith('IPF.Appointment')
								? 'calendar'
								: cls?.startsWith('IPF.Task')
									? 'tasks'
									: (FOLDER_KINDS[name] ?? 'mail');
						const created = mb.createFolder({
							parentId: parent.id,
							displayName: text(f, 'DisplayName') ?? '',
							kind,
							extendedProperties: extendedPropertiesFrom(f),
						});
						return this.ok('CreateFolder', el('m:Folders', renderFolder(created, 0, 0, false)));
					}),
				)
				.join('');
		},

		DeleteFolder: (mb, node) =>
			this.foldersOf(mb, child(node, 'FolderIds'))
				.map((f) =>
					this.each('DeleteFolder', () => {
						if (f instanceof EwsError) throw f;
						if (f.wellKnownName) throw new EwsError('ErrorDeleteDistinguishedFolder', 'Distinguished folders cannot be deleted.');
						mb.deleteFolder(f.id);
						return this.ok('DeleteFolder');
					}),
				)
				.join(''),

		FindItem: (mb, node) => {
			const shape = this.shape(child(node, 'ItemShape'), false);
			const paged = child(node, 'IndexedPageItemView');
			const calendar = child(node, 'CalendarView');
			return this.foldersOf(mb, child(node, 'ParentFolderIds'))
				.map((folder) =>
					this.each('FindItem', () => {
						if (folder instanceof EwsError) throw folder;
						const items = mb.listItems(folder.id);
						let rendered: string[];
						let total: number;
						let last = true;
						let nextOffset: number | undefined;
						if (calendar) {
							const from = new Date(attr(calendar, 'StartDate') ?? '').toISOString();
							const to = new Date(attr(calendar, 'EndDate') ?? '').toISOString();
							const max = Number(attr(calendar, 'MaxEntriesReturned') ?? 1000);
							const hits: Array<{ item: StoredItem; occurrence?: { originalStart: string }; start: string }> = [];
							for (const item of items) {
								if (item.kind !== 'event') continue;
								const d = item.data as EventData;
								const zone = toIana(d.times.startTimeZone) ?? 'UTC';
								if (d.recurrence) {
									for (const occ of expandOccurrences(d.recurrence, d.times, from, to)) {
										const ex = d.exceptions?.find((e) => e.originalStart === occ.originalStart);
										if (ex?.deleted) continue;
										hits.push({ item, occurrence: { originalStart: occ.originalStart }, start: occ.times.start });
									}
								} else {
									const start = d.times.isAllDay ? new Date(`${d.times.start}T00:00:00Z`).toISOString() : d.times.start;
									const end = d.times.isAllDay ? new Date(`${d.times.end}T00:00:00Z`).toISOString() : d.times.end;
									if (start < to && end > from) hits.push({ item, start });
								}
								void zone;
							}
							hits.sort((a, b) => a.start.localeCompare(b.start));
							if (hits.length > max)
								throw new EwsError('ErrorCalendarViewRangeTooBig', 'The calendar view range holds more items than MaxEntriesReturned allows.');
							total = hits.length;
							rendered = hits.map((h) => this.render(mb, h.item, shape, h.occurrence));
						} else {
							const max = Number(attr(paged, 'MaxEntriesReturned') ?? 1000);
							const offset = Number(attr(paged, 'Offset') ?? 0);
							const page = items.slice(offset, offset + max);
							total = items.length;
							last = offset + page.length >= items.length;
							nextOffset = last ? undefined : offset + page.length;
							rendered = page.map((i) => this.render(mb, i, shape));
						}
						return this.ok(
							'FindItem',
							el('m:RootFolder', el('t:Items', rendered.join('')), {
								IndexedPagingOffset: nextOffset,
								TotalItemsInView: total,
								IncludesLastItemInRange: last,
							}),
						);
					}),
				)
				.join('');
		},

		GetItem: (mb, node) => {
			const shape = this.shape(child(node, 'ItemShape'), true);
			return this.itemIds(child(node, 'ItemIds'))
				.map(({ id }) =>
					this.each('GetItem', () => {
						const { item, occurrence } = this.resolveItem(mb, id);
						return this.ok('GetItem', el('m:Items', this.render(mb, item, shape, occurrence)));
					}),
				)
				.join('');
		},

		CreateItem: (mb, node) => {
			const saveIn = child(node, 'SavedItemFolderId');
			const items = child(node, 'Items');
			return childNames(items)
				.flatMap((name) => all(items, name).map((n) => ({ name, n })))
				.map(({ name, n }) =>
					this.each('CreateItem', () => {
						const kind = ITEM_KINDS[name];
						if (!kind) throw new EwsError('ErrorInvalidItemForOperationCreateItem', `${name} items cannot be created here.`);
						const folder = saveIn ? this.folderOf(mb, saveIn) : mb.requireFolder(DEFAULT_FOLDER[kind]);
						const extendedProperties = extendedPropertiesFrom(n);
						let created: StoredItem;
						if (kind === 'contact') {
							const data = {};
							applyContact(data, n);
							created = mb.createItem(folder.id, 'contact', data, { extendedProperties });
						} else if (kind === 'event') {
							const now = new Date().toISOString();
							const data: EventData = {
								times: { start: now, end: now, startTimeZone: 'UTC', endTimeZone: 'UTC', isAllDay: false },
								iCalUId: randomUUID().replace(/-/g, '').toUpperCase(),
								organizer: { emailAddress: { name: mb.owner.displayName, address: mb.owner.address } },
							};
							applyEvent(data, n);
							created = mb.createItem(folder.id, 'event', data, { extendedProperties });
						} else if (kind === 'task') {
							const data: TaskData = { title: '', status: 'notStarted', importance: 'normal' };
							applyTask(data, n);
							created = mb.createItem(folder.id, 'task', data, { extendedProperties });
						} else {
							throw new EwsError('ErrorInvalidRequest', 'Creating messages through the sandbox EWS needs MimeContent; use the control API to seed mail.');
						}
						return this.ok(
							'CreateItem',
							el('m:Items', el(`t:${ITEM_ELEMENT[kind]}`, el('t:ItemId', undefined, { Id: created.id, ChangeKey: created.changeKey }))),
						);
					}),
				)
				.join('');
		},

		UpdateItem: (mb, node) => {
			const resolution = attr(node, 'ConflictResolution') ?? 'AutoResolve';
			return all(child(node, 'ItemChanges'), 'ItemChange')
				.map((change) =>
					this.each('UpdateItem', () => {
						const idNode = child(change, 'ItemId') ?? child(change, 'OccurrenceItemId');
						const id = this.idOf(idNode);
						const changeKey = attr(idNode, 'ChangeKey');
						const { item, occurrence } = this.resolveItem(mb, id);
						// A stale ChangeKey is a conflict unless the client asked to overwrite (or to auto-resolve).
						if (changeKey && changeKey !== item.changeKey && resolution === 'NeverOverwrite') {
							throw new EwsError(
								'ErrorIrresolvableConflict',
								'The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.',
							);
						}
						const updates = child(change, 'Updates');
						const patch: Record<string, string | null> = {};
						const sets = [...all(updates, 'SetItemField'), ...all(updates, 'AppendToItemField')];
						const deletes = all(updates, 'DeleteItemField');
						for (const u of [...sets, ...deletes]) {
							const uri = child(u, 'ExtendedFieldURI');
							if (!uri) continue;
							const pid = extendedIdOf(uri);
							if (!pid) continue;
							const element = childNames(u)
								.map((k) => child(u, k))
								.find((x) => x && child(x, 'ExtendedProperty'));
							patch[pid] = deletes.includes(u) ? null : (text(child(element, 'ExtendedProperty'), 'Value') ?? '');
						}
						if (occurrence) {
							const exPatch: EventData = { ...(item.data as EventData) };
							for (const s of sets) {
								const el2 = child(s, 'CalendarItem');
								if (el2) applyEvent(exPatch, el2);
							}
							mb.updateOccurrence(item.id, occurrence.originalStart, {
								subject: exPatch.subject,
								body: exPatch.body,
								location: exPatch.location,
								times: exPatch.times,
							});
						} else {
							mb.updateItem(
								item.id,
								(data) => {
									const d = data as unknown as Record<string, unknown>;
									for (const del of deletes) {
										const f = child(del, 'FieldURI') ?? child(del, 'IndexedFieldURI');
										if (f) deleteField(item.kind, d, attr(f, 'FieldURI') ?? '', attr(f, 'FieldIndex'));
									}
									for (const s of sets) {
										const element = child(s, ITEM_ELEMENT[item.kind]) ?? child(s, 'Item');
										if (!element) continue;
										if (item.kind === 'contact') applyContact(data as never, element);
										else if (item.kind === 'event') applyEvent(data as EventData, element);
										else if (item.kind === 'task') applyTask(data as TaskData, element);
										else if (item.kind === 'message') {
											const read = text(element, 'IsRead');
											if (read !== undefined) (d as { isRead?: boolean }).isRead = read === 'true';
											if (child(element, 'Categories')) d.categories = all(child(element, 'Categories'), 'String').map((x) => text(x) ?? '');
										}
									}
								},
								{ extendedProperties: patch },
							);
						}
						const updated = mb.requireItem(item.id);
						const renderedId = occurrence ? occurrenceId(item.id, occurrence.originalStart) : updated.id;
						return this.ok(
							'UpdateItem',
							el('m:Items', el(`t:${ITEM_ELEMENT[updated.kind]}`, el('t:ItemId', undefined, { Id: renderedId, ChangeKey: updated.changeKey }))) +
								el('m:ConflictResults', tel('t:Count', 0)),
						);
					}),
				)
				.join('');
		},

		DeleteItem: (mb, node) => {
			const type = attr(node, 'DeleteType') ?? 'HardDelete';
			return this.itemIds(child(node, 'ItemIds'))
				.map(({ id, changeKey }) =>
					this.each('DeleteItem', () => {
						const { item, occurrence } = this.resolveItem(mb, id);
						void changeKey; // DeleteItem ignores the ChangeKey (Exchange does not check it)
						if (occurrence) mb.cancelOccurrence(item.id, occurrence.originalStart);
						else mb.deleteItem(item.id, { soft: type === 'MoveToDeletedItems' });
						return this.ok('DeleteItem');
					}),
				)
				.join('');
		},

		MoveItem: (mb, node) => {
			const to = this.folderOf(mb, child(node, 'ToFolderId'));
			const returnIds = attr(node, 'ReturnNewItemIds') !== 'false';
			return this.itemIds(child(node, 'ItemIds'))
				.map(({ id }) =>
					this.each('MoveItem', () => {
						const { item } = this.resolveItem(mb, id);
						const moved = mb.moveItem(item.id, to.id).item;
						const inner = returnIds ? el('t:' + ITEM_ELEMENT[moved.kind], el('t:ItemId', undefined, { Id: moved.id, ChangeKey: moved.changeKey })) : '';
						return this.ok('MoveItem', el('m:Items', inner));
					}),
				)
				.join('');
		},

		SyncFolderItems: (mb, node) =>
			this.each('SyncFolderItems', () => {
				const folder = this.folderOf(mb, child(node, 'SyncFolderId'));
				const shape = this.shape(child(node, 'ItemShape'), false);
				const max = Number(text(node, 'MaxChangesReturned') ?? 512);
				if (!(max >= 1 && max <= 512)) throw new EwsError('ErrorInvalidArgument', 'MaxChangesReturned must be between 1 and 512.');
				const stateText = text(node, 'SyncState');
				let since = 0;
				if (stateText) {
					const state = decodeState<{ e: number; f: string; s: number }>(stateText);
					if (!state || state.e !== this.options.store.epoch || state.f !== folder.id || !mb.isValidCursor(state.s)) {
						throw new EwsError('ErrorInvalidSyncStateData', 'Synchronization state data is corrupt or otherwise invalid.');
					}
					since = state.s;
				}
				const ignored = new Set(all(child(node, 'Ignore'), 'ItemId').map((i) => attr(i, 'Id')));
				const { changes, latestSeq } = mb.changesSince(folder.id, since);
				const page = changes.slice(0, max);
				const last = page.length === changes.length;
				const cursor = last ? latestSeq : page[page.length - 1].seq;
				const xml = page
					.filter((c) => !ignored.has(c.itemId))
					.map((c) => {
						if (c.change === 'removed') return el('t:Delete', el('t:ItemId', undefined, { Id: c.itemId }));
						const item = mb.requireItem(c.itemId);
						return el(c.isNew ? 't:Create' : 't:Update', this.render(mb, item, shape));
					})
					.join('');
				return this.ok(
					'SyncFolderItems',
					tel('m:SyncState', encodeState({ e: this.options.store.epoch, f: folder.id, s: cursor })) +
						tel('m:IncludesLastItemInRange', last) +
						el('m:Changes', xml),
				);
			}),

		Subscribe: (mb, node) =>
			this.each('Subscribe', () => {
				const pull = child(node, 'PullSubscriptionRequest');
				if (!pull) throw new EwsError('ErrorInvalidSubscriptionRequest', 'Only pull subscriptions are supported by the sandbox.');
				const folderIds = new Set(
					this.foldersOf(mb, child(pull, 'FolderIds')).map((f) => {
						if (f instanceof EwsError) throw f;
						return f.id;
					}),
				);
				const eventTypes = new Set(all(child(pull, 'EventTypes'), 'EventType').map((e) => text(e) ?? ''));
				const watermark = decodeState<{ s: number }>(text(pull, 'Watermark'));
				const sub: Subscription = { id: randomBytes(24).toString('base64'), mailbox: mb.address, folderIds, eventTypes, seq: watermark?.s ?? mb.currentSeq };
				this.subscriptions.set(sub.id, sub);
				return this.ok('Subscribe', tel('m:SubscriptionId', sub.id) + tel('m:Watermark', encodeState({ s: sub.seq })));
			}),

		GetEvents: (mb, node) =>
			this.each('GetEvents', () => {
				const sub = this.subscriptions.get(text(node, 'SubscriptionId') ?? '');
				if (!sub || sub.mailbox !== mb.address) throw new EwsError('ErrorSubscriptionNotFound', 'The specified subscription was not found.');
				const wm = decodeState<{ s: number }>(text(node, 'Watermark'));
				if (!wm) throw new EwsError('ErrorInvalidWatermark', 'The watermark is invalid.');
				const previous = encodeState({ s: wm.s });
				const entries = mb
					.journalSince(wm.s)
					.filter(
						(e: JournalEntry) =>
							e.targetKind !== 'folder' && (sub.folderIds.has(e.folderId) || (e.oldFolderId !== undefined && sub.folderIds.has(e.oldFolderId))),
					)
					.filter((e) => sub.eventTypes.has(JOURNAL_EVENT[e.type] ?? ''));
				const page = entries.slice(0, MAX_EVENTS_PER_CALL);
				const more = entries.length > page.length;
				const latest = page.length ? page[page.length - 1].seq : mb.currentSeq;
				sub.seq = latest;
				const events = page.length
					? page
							.map((e) => {
								const name = JOURNAL_EVENT[e.type];
								const item = mb.getItem(e.targetId);
								const base =
									tel('t:Watermark', encodeState({ s: e.seq })) +
									tel('t:TimeStamp', new Date(e.at).toISOString().replace(/\.\d{3}Z$/, 'Z')) +
									el('t:ItemId', undefined, { Id: e.targetId, ChangeKey: item?.changeKey }) +
									el('t:ParentFolderId', undefined, { Id: e.folderId });
								const moved =
									e.type === 'moved' || e.type === 'copied'
										? el('t:OldItemId', undefined, { Id: e.targetId }) + el('t:OldParentFolderId', undefined, { Id: e.oldFolderId ?? e.folderId })
										: '';
								return el(`t:${name}`, base + moved);
							})
							.join('')
					: el('t:StatusEvent', tel('t:Watermark', encodeState({ s: latest })));
				return this.ok(
					'GetEvents',
					el('m:Notification', tel('t:SubscriptionId', sub.id) + tel('t:PreviousWatermark', previous) + tel('t:MoreEvents', more) + events),
				);
			}),

		Unsubscribe: (_mb, node) =>
			this.each('Unsubscribe', () => {
				if (!this.subscriptions.delete(text(node, 'SubscriptionId') ?? ''))
					throw new EwsError('ErrorSubscriptionNotFound', 'The specified subscription was not found.');
				return this.ok('Unsubscribe');
			}),
	};
}
