/** Contacts: CRUD on a contact folder and its change feed (delta + the pairing ident per item). */
import type { Contact } from '../../model/types';
import type { ExchangeChangePage, ExchangeError, ExchangeItem, WriteOptions } from '../types';
import { changePage, readManyByUrl, safeMap, type BatchedUpdate, type ChangeOptions, type ComponentAdapter, type InvalidItems, toItem } from './adapter';
import { DEFAULT_CONTACTS, type GraphContext, q } from './context';
import { decodeCursor, deltaPage, nextCursor } from './delta';
import type { GraphCollection, GraphContact, GraphItemBase } from './graph-types';
import { IDENT_EXPAND } from './ident-expand';
import { contactFromGraph, contactToGraph, identFromExtendedProperties, identProperty } from './mappers';
import { CONTACT_LIST_SELECT, contactPatch, contactPatchNeedsLists, type ContactLists } from './patch';

/**
 * The default Contacts folder's id, so its delta is read at the documented
 * /contactFolders/{id}/contacts/delta (https://learn.microsoft.com/en-us/graph/api/contact-delta?view=graph-rest-1.0).
 * v1.0 documents no well-known name for contact folders; documented are "the contact folders in the
 * default Contacts folder" (user-list-contactfolders) and "the contacts of the default Contacts folder"
 * (user-list-contacts), whose parentFolderId is that folder. With neither (an empty mailbox), the
 * default-folder item paths /contacts are used (documented for list, get and create); its changes:
 * defaultContactsDelta.
 */
export async function defaultContactsFolderId(ctx: GraphContext): Promise<string> {
	for (const path of [`${ctx.root}/contactFolders?$top=1&$select=parentFolderId`, `${ctx.root}/contacts?$top=1&$select=parentFolderId`]) {
		const page = await ctx.request<GraphCollection<{ parentFolderId?: string }>>('GET', path, 'Finding the default Contacts folder');
		const id = page.value[0]?.parentFolderId;
		if (id) return id;
	}
	return DEFAULT_CONTACTS;
}

export class ContactAdapter implements ComponentAdapter<'contact'> {
	readonly createWhat = 'Creating a contact';

	constructor(private readonly ctx: GraphContext) {}

	itemsPath(folderId: string): string {
		return this.ctx.contactsPath(folderId);
	}

	private item(g: GraphContact, folderId: string): ExchangeItem<'contact'> {
		return toItem<'contact'>(this.ctx, g, folderId, contactFromGraph(g), identFromExtendedProperties(g));
	}

	async get(folderId: string, id: string): Promise<ExchangeItem<'contact'>> {
		const c = await this.ctx.request<GraphContact>('GET', `${this.itemsPath(folderId)}/${q(id)}?$expand=${q(IDENT_EXPAND)}`, 'Reading a contact');
		return this.item(c, folderId);
	}

	async create(folderId: string, record: Contact, ident: string | undefined): Promise<ExchangeItem<'contact'>> {
		const identBody = ident ? identProperty(ident) : {};
		const body = { ...contactToGraph(record), ...identBody };
		const c = await this.ctx.request<GraphContact>('POST', this.itemsPath(folderId), 'Creating a contact', { body });
		return this.item({ ...c, ...identBody }, folderId);
	}

	async update(folderId: string, id: string, record: Contact, ident: string | undefined, options: WriteOptions): Promise<ExchangeItem<'contact'>> {
		const headers = options.etag ? { 'If-Match': options.etag } : undefined;
		const identBody = ident ? identProperty(ident) : {};
		const path = `${this.itemsPath(folderId)}/${q(id)}`;
		const changed = options.changedFields;
		let fields: Record<string, unknown> = contactToGraph(record);
		if (changed) {
			const lists = contactPatchNeedsLists(changed)
				? await this.ctx.request<ContactLists>('GET', `${path}?$select=${CONTACT_LIST_SELECT}`, "Reading a contact's addresses and phones")
				: {};
			fields = contactPatch(record, changed, lists);
		}
		const c = await this.ctx.request<GraphContact>('PATCH', path, 'Updating a contact', {
			body: { ...fields, ...identBody },
			headers,
		});
		return this.item({ ...c, ...(ident ? identBody : {}) }, folderId);
	}

	/** The PATCH of `update` in a batch; the collection read a slot merge needs goes in a read batch before it. */
	batchedUpdate(folderId: string, id: string, record: Contact, ident: string | undefined, options: WriteOptions): BatchedUpdate<'contact'> {
		const headers = options.etag ? { 'If-Match': options.etag } : undefined;
		const identBody = ident ? identProperty(ident) : {};
		const path = `${this.itemsPath(folderId)}/${q(id)}`;
		const changed = options.changedFields;
		return {
			...(changed && contactPatchNeedsLists(changed) ? { preread: `${path}?$select=${CONTACT_LIST_SELECT}` } : {}),
			steps: (key, lists) => [
				{
					id: key,
					method: 'PATCH',
					url: path,
					body: { ...(changed ? contactPatch(record, changed, (lists ?? {}) as ContactLists) : contactToGraph(record)), ...identBody },
					...(headers ? { headers } : {}),
				},
			],
			result: async (key, res) => {
				const r = res.get(key);
				if (!r || r.status >= 300) throw this.ctx.batchError(r, 'Updating a contact');
				return this.item({ ...(r.body as GraphContact), ...identBody }, folderId);
			},
		};
	}

	getMany(folderId: string, ids: string[]): Promise<Array<ExchangeItem<'contact'> | undefined | ExchangeError>> {
		return readManyByUrl(
			this.ctx,
			ids,
			(id) => `${this.itemsPath(folderId)}/${q(id)}?$expand=${q(IDENT_EXPAND)}`,
			(body) => this.item(body as GraphContact, folderId),
			'Reading contacts',
		);
	}

	createsAlone(): boolean {
		return false;
	}

	createBody(record: Contact, ident: string | undefined): Record<string, unknown> {
		return { ...contactToGraph(record), ...(ident ? identProperty(ident) : {}) };
	}

	createdItem(created: GraphItemBase, folderId: string, ident: string | undefined): ExchangeItem<'contact'> {
		return this.item({ ...created, ...(ident ? identProperty(ident) : {}) } as GraphContact, folderId);
	}

	async listChanges(folderId: string, cursor: string | undefined, options: ChangeOptions): Promise<ExchangeChangePage<'contact'>> {
		const pageSize = options.pageSize ?? this.ctx.pageSize;
		const what = 'Reading contact changes';
		// The contact delta reference documents only $select; the ident is read per item (withIdents).
		let firstUrl = `${this.itemsPath(folderId)}/delta`;
		if (folderId === DEFAULT_CONTACTS) {
			const start = await this.defaultFolderDelta(cursor);
			if (!start) return { items: [], deletedIds: [], cursor: '', hasMore: false, fullResync: true };
			({ firstUrl, cursor } = start);
		}
		const { page, full } = await deltaPage<GraphItemBase>(this.ctx, firstUrl, cursor, pageSize, what);
		const removed = page.value.filter((v) => v['@removed']).map((v) => v.id);
		const present = page.value.filter((v) => !v['@removed']) as GraphContact[];
		const invalid: InvalidItems = [];
		const items = (await this.withIdents(folderId, present)).flatMap((c) => safeMap(c, invalid, () => this.item(c, folderId)));
		return changePage(items, removed, nextCursor(this.ctx, page, full), full, invalid);
	}

	/**
	 * Contact delta exists only per folder (GET /contactFolders/{id}/contacts/delta, contact-delta reference),
	 * so the default Contacts folder is read by its id. A cursor of the folder-less /contacts/delta that
	 * earlier versions stored is dropped (a full round follows). Undefined: the id cannot be found because
	 * the default folder has no contact and no subfolder; it is empty, and the next round looks again.
	 */
	private async defaultFolderDelta(cursor: string | undefined): Promise<{ firstUrl: string; cursor: string | undefined } | undefined> {
		const decoded = decodeCursor(cursor);
		const folderless = decoded !== undefined && decoded.u.startsWith(`${this.ctx.root}/contacts/delta`);
		// The cursor's own delta path (without its token) is where a stale cursor starts over.
		if (decoded && !folderless && decoded.u) return { firstUrl: decoded.u.replace(/\?.*$/, ''), cursor };
		const id = await defaultContactsFolderId(this.ctx);
		if (id === DEFAULT_CONTACTS) return undefined;
		return { firstUrl: `${this.ctx.root}/contactFolders/${q(id)}/contacts/delta`, cursor: undefined };
	}

	/**
	 * The changed contacts again, with the pairing ident, in $batches of 20 GETs. Documented shape:
	 * GET .../contactFolders/{id}/contacts/{id}?$expand=singleValueExtendedProperties($filter=id eq '...')
	 * (https://learn.microsoft.com/en-us/graph/api/singlevaluelegacyextendedproperty-get?view=graph-rest-1.0);
	 * the delta reference (contact-delta) lists no $expand. A contact deleted meanwhile is left out: the
	 * next delta page reports its removal.
	 */
	private async withIdents(folderId: string, contacts: GraphContact[]): Promise<GraphContact[]> {
		if (!contacts.length) return contacts;
		const res = await this.ctx.batch(
			contacts.map((c, i) => [{ id: `c${i}`, method: 'GET' as const, url: `${this.itemsPath(folderId)}/${q(c.id)}?$expand=${q(IDENT_EXPAND)}` }]),
		);
		const out: GraphContact[] = [];
		contacts.forEach((c, i) => {
			const r = res.get(`c${i}`);
			if (r?.status === 404) return;
			if (!r || r.status >= 300) throw this.ctx.batchError(r, 'Reading changed contacts');
			out.push(r.body as GraphContact);
		});
		return out;
	}
}
