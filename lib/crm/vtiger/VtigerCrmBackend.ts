import { shortHash, stableStringify } from '../../model/hash';
import type { VtigerCrmConfig } from '../config';
import type {
	CrmAssignee,
	CrmBackend,
	CrmChangePage,
	CrmConflictInput,
	CrmConflictRecord,
	CrmEmailInput,
	CrmEmailRecord,
	CrmGroup,
	CrmListFilter,
	CrmModule,
	CrmPermission,
	CrmPersonModule,
	CrmRecord,
	CrmRecordInput,
	CrmUser,
} from '../types';
import { CrmError } from '../types';
import { VtigerApiError, VtigerClient } from './client';

type VtValues = Record<string, string | null>;

const USER_PREFIX = '19';
const GROUP_PREFIX = '20';
const PAGE = 100;
/** Custom field that holds the sync ident (created by the connector's install step). */
const IDENT_FIELD = 'cf_crmsync_ident';
const MESSAGE_ID_FIELD = 'cf_message_id';
const CONFLICT_MARK = 'CRM-Sync conflict';
/** How a Document made from an inline part remembers its Content-ID (in notecontent). */
const CONTENT_ID_MARK = 'Content-ID: ';
/** vtiger id prefixes of the person modules an e-mail can hang under (stock 8.3). */
const PERSON_PREFIXES: Record<string, CrmPersonModule> = { '10': 'leads', '11': 'accounts', '12': 'contacts' };
/** vtiger bookkeeping fields that are not record content. */
const META_FIELDS = new Set(['id', 'label', 'createdtime', 'modifiedtime', 'modifiedby', 'assigned_user_id', 'tags', 'source', 'starred', IDENT_FIELD]);
const EMAIL_FIELDS: Record<CrmPersonModule, string[]> = {
	contacts: ['email', 'secondaryemail'],
	leads: ['email', 'secondaryemail'],
	accounts: ['email1', 'email2'],
	partners: ['email'],
};
const TYPE_FIELDS: Partial<Record<CrmModule, string>> = {
	accounts: 'accounttype',
	contacts: 'leadsource',
	leads: 'leadsource',
	events: 'activitytype',
	tasks: 'taskstatus',
};

interface Describe {
	fields: Array<{ name: string; mandatory: boolean; type: { name: string; picklistValues?: Array<{ value: string }>; defaultValue?: string } }>;
	createable: boolean;
	updateable: boolean;
	deleteable: boolean;
	retrieveable: boolean;
}

interface ChangeCursor {
	/** 's': vtiger's sync operation; 'q': VTQL on modifiedtime plus an id listing. */
	m: 's' | 'q';
	/** Unix seconds of the newest change delivered. */
	t: number;
	/** "id@version" of records delivered at second `t` (a >= query delivers them again). */
	seen: string[];
	/** 'q' mode: the ids that existed at the last listing. */
	ids?: string[];
}

/** "2026-11-23 02:17:33" (UTC) ⇄ ISO and unix seconds. */
function vtToIso(value: string | null | undefined): string {
	if (!value) return new Date(0).toISOString();
	return new Date(`${value.replace(' ', 'T')}Z`).toISOString();
}
function isoToVt(iso: string): string {
	return iso.slice(0, 19).replace('T', ' ');
}
function vtToUnix(value: string | null | undefined): number {
	return Math.floor(Date.parse(vtToIso(value)) / 1000);
}
/** VTQL string literal. */
function lit(value: string): string {
	return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * vtiger CRM 7/8 through webservice.php. Values are strings in vtiger: empty strings and
 * nulls are dropped so that "" (retrieve) and null (query/sync) read the same.
 */
export class VtigerCrmBackend implements CrmBackend {
	readonly kind = 'vtiger';
	readonly instanceId: string;
	private readonly client: VtigerClient;
	private readonly describes = new Map<string, Promise<Describe>>();
	private syncBroken = false;
	/** Conflicts without a record to comment on (vtiger comments need one); kept for this process only. */
	private readonly detachedConflicts: CrmConflictRecord[] = [];
	private readonly warn: (message: string) => void;

	constructor(
		private readonly config: VtigerCrmConfig,
		options: { warn?: (message: string) => void } = {},
	) {
		this.client = new VtigerClient(config);
		this.instanceId = `vtiger:${config.url.trim().replace(/\/+$/, '').replace(/\/webservice\.php$/, '')}`;
		this.warn = options.warn ?? ((message) => process.emitWarning(message, 'VtigerCrmBackend'));
	}

	// ---- records -------------------------------------------------------------------------

	async listChanges(module: CrmModule, cursor: string | undefined, options: { limit?: number } = {}): Promise<CrmChangePage> {
		const vtModule = this.vtModule(module);
		const state = parseCursor(cursor);
		const first = cursor === undefined;
		const limit = Math.max(1, Math.floor(options.limit ?? 500));
		if (!this.syncBroken && (state?.m ?? 's') === 's') {
			try {
				return await this.changesBySync(module, vtModule, state, first, limit);
			} catch (error) {
				if (!(error instanceof VtigerApiError && error.httpStatus === 500)) throw error;
				this.syncBroken = true;
				this.warn(
					`vtiger's "sync" operation fails on this server (HTTP 500, a known defect of vtiger 8.x on PHP 8); reading changes through queries on modifiedtime and an id listing instead.`,
				);
			}
		}
		return this.changesByQuery(module, vtModule, state, first, limit);
	}

	private async changesBySync(
		module: CrmModule,
		vtModule: string,
		state: ChangeCursor | undefined,
		first: boolean,
		limit: number,
	): Promise<CrmChangePage> {
		const since = Math.max(1, (state?.t ?? 1) - 1);
		// Without a syncType vtiger's sync answers only the credential user's own records; the sync serves
		// every mailbox owner, so an admin reads the whole application, anyone else also their groups' records.
		const syncType = (await this.client.isAdmin()) ? 'application' : 'userandgroup';
		const result = (await this.client.get('sync', { modifiedTime: String(since), elementType: vtModule, syncType })) as {
			updated: VtValues[];
			deleted: string[];
			more: boolean;
			lastModifiedTime: number;
		};
		const page = pickPage(result.updated, state, limit);
		const more = page.more || result.more === true;
		if (more) return { changed: page.taken.map((v) => this.toRecord(module, v)), deletedIds: [], cursor: formatCursor({ m: 's', t: page.t, seen: page.seen }), hasMore: true };
		const seen = new Set(state?.seen ?? []);
		const deletedIds = first ? [] : result.deleted.filter((id) => !seen.has(`${id}@deleted`));
		const t = Math.max(page.t, Number(result.lastModifiedTime) || 0);
		const next: ChangeCursor = {
			m: 's',
			t,
			seen: [...(t === page.t ? page.seen : []), ...result.deleted.map((id) => `${id}@deleted`)],
		};
		return { changed: page.taken.map((v) => this.toRecord(module, v)), deletedIds, cursor: formatCursor(next), hasMore: false };
	}

	private async changesByQuery(
		module: CrmModule,
		vtModule: string,
		state: ChangeCursor | undefined,
		first: boolean,
		limit: number,
	): Promise<CrmChangePage> {
		const since = state?.t ?? 0;
		const where = since > 0 ? ` WHERE modifiedtime >= ${lit(isoToVt(new Date(since * 1000).toISOString()))}` : '';
		const rows = await this.queryAll(`SELECT * FROM ${vtModule}${where} ORDER BY modifiedtime`);
		const page = pickPage(rows, state, limit);
		const changed = page.taken.map((v) => this.toRecord(module, v));
		if (page.more) return { changed, deletedIds: [], cursor: formatCursor({ m: 'q', t: page.t, seen: page.seen, ids: state?.ids }), hasMore: true };
		// Deletions: vtiger's query cannot see deleted records, so compare the id listing with the last one.
		const ids = (await this.queryAll(`SELECT id FROM ${vtModule}`)).map((v) => String(v.id));
		const current = new Set(ids);
		const deletedIds = first ? [] : (state?.ids ?? []).filter((id) => !current.has(id));
		return { changed, deletedIds, cursor: formatCursor({ m: 'q', t: page.t, seen: page.seen, ids }), hasMore: false };
	}

	async list(module: CrmModule, filter: CrmListFilter = {}): Promise<CrmRecord[]> {
		const conditions: string[] = [];
		if (filter.modifiedSince) conditions.push(`modifiedtime >= ${lit(isoToVt(new Date(filter.modifiedSince).toISOString()))}`);
		if (filter.assignedTo) conditions.push(`assigned_user_id = ${lit(this.toVtAssignee(filter.assignedTo))}`);
		const typeField = TYPE_FIELDS[module];
		if (filter.type && typeField) conditions.push(`${typeField} = ${lit(filter.type)}`);
		if (filter.tags?.length) conditions.push(`(${filter.tags.map((t) => `tags LIKE ${lit(`%${t}%`)}`).join(' OR ')})`);
		const where = conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
		const rows = await this.queryAll(`SELECT * FROM ${this.vtModule(module)}${where} ORDER BY createdtime`, filter.limit, filter.offset);
		let records = rows.map((v) => this.toRecord(module, v));
		if (filter.tags?.length) records = records.filter((r) => r.tags.some((t) => filter.tags?.includes(t)));
		return records;
	}

	async get(module: CrmModule, id: string): Promise<CrmRecord | undefined> {
		const values = await this.retrieve(module, id);
		return values ? this.toRecord(module, values) : undefined;
	}

	async create(module: CrmModule, input: CrmRecordInput, options: { actingUserId?: string } = {}): Promise<CrmRecord> {
		await this.assertMayWrite(options.actingUserId, module);
		const vtModule = this.vtModule(module);
		const element: Record<string, string> = { ...this.toElement(input), assigned_user_id: input.assignedTo ? this.toVtAssignee(input.assignedTo) : await this.client.userId() };
		for (const [name, value] of Object.entries(await this.mandatoryPicklistDefaults(vtModule))) if (!element[name]) element[name] = value;
		Object.assign(element, calendarFields(vtModule, element, {}, new Date()));
		try {
			const values = (await this.client.post('create', { elementType: vtModule, element: JSON.stringify(element) })) as VtValues;
			return this.toRecord(module, values);
		} catch (error) {
			throw this.mapError(error, module);
		}
	}

	async update(
		module: CrmModule,
		id: string,
		patch: Partial<CrmRecordInput>,
		options: { ifEtag?: string; actingUserId?: string } = {},
	): Promise<CrmRecord> {
		await this.assertMayWrite(options.actingUserId, module);
		const current = await this.retrieve(module, id);
		if (!current) throw notFound(module, id);
		if (options.ifEtag !== undefined && options.ifEtag !== versionKey(current).split('@')[1]) {
			throw new CrmError('conflict', `The ${module} record ${id} was changed by someone else meanwhile`, 'Read the record again and repeat the change.');
		}
		// revise, not update: vtiger's update demands every mandatory field and re-saves the fields it is not
		// given (HTML-escaping their text); revise changes only the fields it is given (Issue 12 §1).
		const element: Record<string, string> = { id, ...this.toElement({ fields: patch.fields ?? {}, tags: patch.tags, exchangeIdent: patch.exchangeIdent }) };
		if (patch.assignedTo) element.assigned_user_id = this.toVtAssignee(patch.assignedTo);
		Object.assign(element, calendarFields(this.vtModule(module), element, current, new Date()));
		try {
			const values = (await this.client.post('revise', { element: JSON.stringify(element) })) as VtValues;
			return this.toRecord(module, values);
		} catch (error) {
			throw this.mapError(error, module, id);
		}
	}

	async delete(module: CrmModule, id: string, options: { actingUserId?: string } = {}): Promise<void> {
		await this.assertMayWrite(options.actingUserId, module);
		try {
			await this.client.post('delete', { id });
		} catch (error) {
			if (error instanceof VtigerApiError && error.code === 'ACCESS_DENIED' && !(await this.retrieve(module, id))) {
				throw notFound(module, id);
			}
			throw this.mapError(error, module, id);
		}
	}

	async findByEmail(email: string, modules: readonly CrmPersonModule[]): Promise<CrmRecord[]> {
		const address = email.trim();
		if (!address) return [];
		const found: CrmRecord[] = [];
		for (const module of modules) {
			if (module === 'partners' && !this.config.partnerModule) continue;
			const condition = EMAIL_FIELDS[module].map((f) => `${f} = ${lit(address)}`).join(' OR ');
			const rows = await this.queryAll(`SELECT * FROM ${this.vtModule(module)} WHERE ${condition}`);
			found.push(...rows.map((v) => this.toRecord(module, v)));
		}
		// E10: earliest created first (vtiger ids grow with creation, so they break ties).
		return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || idNumber(a.id) - idNumber(b.id));
	}

	async findByExchangeIdent(module: CrmModule, ident: string): Promise<CrmRecord[]> {
		if (!ident) return [];
		const rows = await this.queryAll(`SELECT * FROM ${this.vtModule(module)} WHERE ${IDENT_FIELD} = ${lit(ident)}`);
		// Events and Tasks share vtiger's Calendar; keep only the module asked for, with the exact ident.
		return rows
			.map((v) => this.toRecord(module, v))
			.filter((r) => r.exchangeIdent === ident)
			.sort((a, b) => idNumber(a.id) - idNumber(b.id));
	}

	async findAccountByName(name: string): Promise<CrmRecord | undefined> {
		const wanted = name.normalize('NFC').trim();
		if (!wanted) return undefined;
		const rows = await this.queryAll(`SELECT * FROM Accounts WHERE accountname = ${lit(wanted)}`);
		// The server's collation decides "=", so check exactness (case-insensitive) here too.
		const exact = rows.filter((v) => String(v.accountname ?? '').normalize('NFC').trim().toLowerCase() === wanted.toLowerCase());
		const records = exact.map((v) => this.toRecord('accounts', v));
		records.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || idNumber(a.id) - idNumber(b.id));
		return records[0];
	}

	// ---- users, groups, permissions ------------------------------------------------------

	async listUsers(): Promise<CrmUser[]> {
		const rows = await this.queryAll('SELECT * FROM Users');
		return rows.map((u) => ({
			id: String(u.id),
			userName: String(u.user_name),
			...(u.email1 ? { email: u.email1 } : {}),
			...(u.first_name ? { firstName: u.first_name } : {}),
			...(u.last_name ? { lastName: u.last_name } : {}),
			active: (u.status ?? 'Active') === 'Active',
			groupIds: [],
		}));
	}

	async listGroups(): Promise<CrmGroup[]> {
		const rows = await this.queryAll('SELECT * FROM Groups');
		return rows.map((g) => ({ id: String(g.id), name: String(g.groupname) }));
	}

	async listEventTypes(): Promise<string[]> {
		const describe = await this.describe('Events');
		return describe.fields.find((f) => f.name === 'activitytype')?.type.picklistValues?.map((p) => p.value) ?? [];
	}

	/**
	 * vtiger does not expose other users' profiles through the webservice: for the logged-in
	 * user the module's describe flags decide; other users need only exist and be active.
	 */
	async checkPermission(userId: string, module: CrmModule, permission: CrmPermission): Promise<boolean> {
		if (userId === (await this.client.userId())) {
			const describe = await this.describe(this.vtModule(module));
			return permission === 'read' ? describe.retrieveable : describe.createable && describe.updateable;
		}
		return (await this.listUsers()).some((u) => u.id === userId && u.active);
	}

	// ---- e-mails -------------------------------------------------------------------------

	async findEmailByMessageId(messageId: string): Promise<CrmEmailRecord | undefined> {
		const key = messageId.trim().replace(/^<(.*)>$/, '$1');
		const rows = await this.queryAll(`SELECT * FROM Emails WHERE ${MESSAGE_ID_FIELD} = ${lit(key)}`);
		if (!rows[0]) return undefined;
		const email = this.toEmail(rows[0]);
		return { ...email, attachments: await this.emailDocuments(email.id) };
	}

	/**
	 * E7/E2: stored in vtiger's Emails module, as activitytype "Emails" (vtiger's VTQL and every "Emails"
	 * related list only see e-mails of that type; the webservice stores none by itself). vtiger relates an
	 * e-mail to a record when the e-mail is saved with that record in parent_id (vtiger_seactivityrel), and
	 * keeps the relations of earlier saves: so every further record is written into parent_id by a revise,
	 * ending with the first one. (add_related would put the relation where no "Emails" list looks.) Each
	 * attachment becomes a Document (uploaded as vtiger's own forms do) in the e-mail's "Documents" list.
	 * Not atomic in vtiger: when a step fails, what was written is deleted again, so the next run imports
	 * the e-mail afresh (E6).
	 */
	async createEmail(input: CrmEmailInput): Promise<CrmEmailRecord> {
		if (await this.findEmailByMessageId(input.messageId)) {
			throw new CrmError('duplicate', `The e-mail ${input.messageId} has already been imported`, 'Nothing to do: each e-mail is imported once.');
		}
		const owner = input.assignedTo ? this.toVtAssignee(input.assignedTo) : await this.client.userId();
		const sent = input.sentAt ? new Date(input.sentAt) : new Date();
		const element: Record<string, string> = {
			subject: input.subject ?? '(no subject)',
			from_email: input.from ?? '',
			saved_toid: input.to.join(','),
			ccmail: input.cc.join(','),
			bccmail: input.bcc.join(','),
			date_start: sent.toISOString().slice(0, 10),
			description: input.bodyText ?? '',
			email_flag: 'SAVED',
			activitytype: 'Emails',
			[MESSAGE_ID_FIELD]: input.messageId.trim().replace(/^<(.*)>$/, '$1'),
			assigned_user_id: owner,
		};
		const [first, ...others] = input.links;
		// The first record is saved last, so parent_id ends up naming it.
		const parents = first ? [...others, first].map((link) => link.id) : [];
		if (parents[0]) element.parent_id = parents[0];
		const written: string[] = [];
		try {
			const values = (await this.client.post('create', { elementType: 'Emails', element: JSON.stringify(element) })) as VtValues;
			const email = this.toEmail(values);
			written.push(email.id);
			assertLinked(values, parents[0]);
			for (const parent of parents.slice(1)) {
				assertLinked((await this.client.post('revise', { element: JSON.stringify({ id: email.id, parent_id: parent }) })) as VtValues, parent);
			}
			const attachments: CrmEmailRecord['attachments'] = [];
			for (const file of input.attachments) {
				const document = (await this.client.postFile(
					'create',
					{
						elementType: 'Documents',
						element: JSON.stringify({
							notes_title: file.fileName,
							filename: file.fileName,
							filelocationtype: 'I',
							filestatus: '1',
							notecontent: file.contentId ? `${CONTENT_ID_MARK}${file.contentId}` : '',
							assigned_user_id: owner,
						}),
					},
					{ fileName: file.fileName, contentType: file.contentType, content: file.content },
				)) as VtValues;
				written.push(String(document.id));
				await this.client.post('add_related', { sourceRecordId: email.id, relatedRecordId: String(document.id), relationIdLabel: 'Documents' });
				attachments.push({ ...this.toAttachment(document), inline: file.inline, contentType: file.contentType, size: file.content.length });
			}
			return { ...email, links: input.links, headers: input.headers, attachments };
		} catch (error) {
			for (const id of written.reverse()) await this.client.post('delete', { id }).catch(() => undefined);
			throw this.mapError(error, 'emails');
		}
	}

	/** The Documents in an e-mail's "Documents" list: its attachments. */
	private async emailDocuments(emailId: string): Promise<CrmEmailRecord['attachments']> {
		try {
			const rows = (await this.client.get('retrieve_related', { id: emailId, relatedType: 'Documents', relatedLabel: 'Documents' })) as VtValues[];
			return rows.map((d) => this.toAttachment(d));
		} catch (error) {
			// vtiger before 7.1 has no retrieve_related (HTTP 500): the e-mail itself is what E6 needs.
			if (error instanceof VtigerApiError && error.httpStatus === 500) return [];
			throw this.mapError(error, 'emails', emailId);
		}
	}

	private toAttachment(d: VtValues): CrmEmailRecord['attachments'][number] {
		const note = String(d.notecontent ?? '');
		const contentId = note.startsWith(CONTENT_ID_MARK) ? note.slice(CONTENT_ID_MARK.length) : undefined;
		return {
			id: String(d.id),
			fileName: String(d.filename || d.notes_title || ''),
			contentType: String(d.filetype || 'application/octet-stream'),
			...(contentId ? { contentId } : {}),
			inline: contentId !== undefined,
			size: Number(d.filesize ?? 0),
		};
	}

	// ---- sync conflicts (ModComments on the record) --------------------------------------

	async recordConflict(input: CrmConflictInput): Promise<CrmConflictRecord> {
		if (!input.recordId) {
			const conflict: CrmConflictRecord = { ...input, id: `local-${this.detachedConflicts.length + 1}`, createdAt: new Date().toISOString(), resolved: false };
			this.detachedConflicts.push(conflict);
			return conflict;
		}
		const content = `${CONFLICT_MARK} (${input.side}, ${input.module}): ${input.reason}\n${JSON.stringify({ payload: input.payload, mailbox: input.mailbox })}`;
		const values = (await this.client.post('create', {
			elementType: 'ModComments',
			element: JSON.stringify({ commentcontent: content, related_to: input.recordId, assigned_user_id: await this.client.userId() }),
		})) as VtValues;
		return this.toConflict(values);
	}

	async listConflicts(options: { resolved?: boolean } = {}): Promise<CrmConflictRecord[]> {
		const rows = await this.queryAll(`SELECT * FROM ModComments WHERE commentcontent LIKE ${lit(`${CONFLICT_MARK}%`)}`);
		const all = [...rows.map((v) => this.toConflict(v)), ...this.detachedConflicts];
		return options.resolved === undefined ? all : all.filter((c) => c.resolved === options.resolved);
	}

	async resolveConflict(id: string): Promise<CrmConflictRecord> {
		const local = this.detachedConflicts.find((c) => c.id === id);
		if (local) {
			local.resolved = true;
			return local;
		}
		const values = await this.retrieve('conflicts', id);
		if (!values) throw notFound('conflicts', id);
		const content = String(values.commentcontent);
		if (content.startsWith(`${CONFLICT_MARK} [resolved]`)) return this.toConflict(values);
		const revised = (await this.client.post('revise', {
			element: JSON.stringify({ id, commentcontent: content.replace(CONFLICT_MARK, `${CONFLICT_MARK} [resolved]`) }),
		})) as VtValues;
		return this.toConflict(revised);
	}

	async close(): Promise<void> {
		// vtiger sessions expire on their own; stock 8.x answers logout with HTTP 500.
	}

	// ---- internals -----------------------------------------------------------------------

	private vtModule(module: CrmModule): string {
		switch (module) {
			case 'accounts':
				return 'Accounts';
			case 'contacts':
				return 'Contacts';
			case 'leads':
				return 'Leads';
			case 'events':
				return 'Events';
			case 'tasks':
				return 'Calendar';
			case 'emails':
				return 'Emails';
			case 'conflicts':
				return 'ModComments';
			case 'partners':
				if (this.config.partnerModule) return this.config.partnerModule;
				throw new CrmError(
					'unavailable',
					'This vtiger CRM has no module for Partners',
					'Name the vtiger module that plays the role of Partners (e.g. Vendors) in the CRM credential.',
				);
		}
		throw new CrmError('invalid', `"${String(module)}" is not a CRM module`, 'Use accounts, contacts, leads, partners, events, tasks, emails or conflicts.');
	}

	/**
	 * Mandatory picklists the mapping does not fill (Events' eventstatus, tasks' taskstatus) get the
	 * picklist's default, as vtiger's own forms preselect it; the webservice itself would refuse the record.
	 */
	private async mandatoryPicklistDefaults(vtModule: string): Promise<Record<string, string>> {
		const defaults: Record<string, string> = {};
		for (const f of (await this.describe(vtModule)).fields) {
			if (!f.mandatory || f.type.name !== 'picklist') continue;
			const value = f.type.defaultValue || f.type.picklistValues?.[0]?.value;
			if (value) defaults[f.name] = value;
		}
		return defaults;
	}

	private describe(vtModule: string): Promise<Describe> {
		let d = this.describes.get(vtModule);
		if (!d) {
			d = this.client.get('describe', { elementType: vtModule }) as Promise<Describe>;
			this.describes.set(vtModule, d);
			d.catch(() => this.describes.delete(vtModule));
		}
		return d;
	}

	private async queryAll(vtql: string, limit?: number, offset = 0): Promise<VtValues[]> {
		const out: VtValues[] = [];
		const max = limit ?? Infinity;
		for (let o = offset; out.length < max; o += PAGE) {
			const n = Math.min(PAGE, max - out.length);
			const rows = await this.client.query(`${vtql} LIMIT ${o}, ${n};`).catch((e: unknown) => {
				throw this.mapError(e);
			});
			out.push(...rows);
			if (rows.length < n) break;
		}
		return out;
	}

	/** retrieve; undefined when vtiger says the record is gone (ACCESS_DENIED / wrong id). */
	private async retrieve(module: CrmModule, id: string): Promise<VtValues | undefined> {
		const vtModule = this.vtModule(module);
		try {
			const values = (await this.client.get('retrieve', { id })) as VtValues;
			const describe = await this.describe(vtModule);
			const prefix = String((describe as unknown as { idPrefix?: string }).idPrefix ?? '');
			if (prefix && !String(values.id).startsWith(`${prefix}x`)) return undefined;
			return values;
		} catch (error) {
			if (error instanceof VtigerApiError && (error.code === 'ACCESS_DENIED' || error.code === 'INVALID_ID_ATTRIBUTE')) return undefined;
			throw this.mapError(error, module, id);
		}
	}

	private async assertMayWrite(userId: string | undefined, module: CrmModule): Promise<void> {
		if (userId === undefined || (await this.checkPermission(userId, module, 'write'))) return;
		throw new CrmError(
			'permission',
			`The CRM user "${userId}" has no write permission on ${module}`,
			`Ask a vtiger administrator to grant "${userId}" write access to ${module}.`,
		);
	}

	private toVtAssignee(a: CrmAssignee): string {
		if (/^\d+x\d+$/.test(a.id)) return a.id;
		return `${a.type === 'group' ? GROUP_PREFIX : USER_PREFIX}x${a.id}`;
	}

	private toElement(input: Partial<CrmRecordInput>): Record<string, string> {
		const element: Record<string, string> = {};
		for (const [k, v] of Object.entries(input.fields ?? {})) {
			if (v === undefined) continue;
			element[k] = v === null ? '' : typeof v === 'boolean' ? (v ? '1' : '0') : typeof v === 'object' ? JSON.stringify(v) : String(v);
		}
		if (input.tags) element.tags = input.tags.join(',');
		if (input.exchangeIdent !== undefined) element[IDENT_FIELD] = input.exchangeIdent;
		return element;
	}

	private toRecord(module: CrmModule, v: VtValues): CrmRecord {
		const fields: Record<string, unknown> = {};
		for (const [k, value] of Object.entries(v)) {
			if (META_FIELDS.has(k) || value === null || value === '') continue;
			fields[k] = value;
		}
		const owner = v.assigned_user_id ?? '';
		return {
			id: String(v.id),
			module,
			createdAt: vtToIso(v.createdtime),
			modifiedAt: vtToIso(v.modifiedtime),
			// modifiedtime has one-second resolution; the content hash tells same-second edits apart.
			etag: versionKey(v).split('@')[1],
			...(owner ? { assignedTo: { type: owner.startsWith(`${GROUP_PREFIX}x`) ? 'group' : 'user', id: owner } } : {}),
			tags: (v.tags ?? '').split(',').map((t) => t.trim()).filter((t) => t !== ''),
			...(v[IDENT_FIELD] ? { exchangeIdent: String(v[IDENT_FIELD]) } : {}),
			fields,
		} as CrmRecord;
	}

	private toEmail(v: VtValues): CrmEmailRecord {
		return {
			id: String(v.id),
			createdAt: vtToIso(v.createdtime),
			messageId: String(v[MESSAGE_ID_FIELD] ?? ''),
			...(v.subject ? { subject: v.subject } : {}),
			...(v.from_email ? { from: v.from_email } : {}),
			to: addressList(v.saved_toid),
			cc: addressList(v.ccmail),
			bcc: addressList(v.bccmail),
			...(v.description ? { bodyText: v.description } : {}),
			headers: {},
			links: v.parent_id ? [{ module: PERSON_PREFIXES[v.parent_id.split('x')[0]] ?? 'partners', id: v.parent_id }] : [],
			attachments: [],
		};
	}

	private toConflict(v: VtValues): CrmConflictRecord {
		const content = String(v.commentcontent ?? '');
		const match = /^CRM-Sync conflict( \[resolved\])? \((crm|exchange), (\w+)\): (.*)\n?([\s\S]*)$/.exec(content);
		let extra: { payload?: unknown; mailbox?: string } = {};
		try {
			extra = match?.[5] ? (JSON.parse(match[5]) as typeof extra) : {};
		} catch {
			extra = {};
		}
		return {
			id: String(v.id),
			createdAt: vtToIso(v.createdtime),
			module: (match?.[3] ?? 'contacts') as CrmModule,
			...(v.related_to ? { recordId: v.related_to } : {}),
			side: (match?.[2] ?? 'crm') as 'crm' | 'exchange',
			reason: match?.[4] ?? content,
			payload: extra.payload ?? null,
			...(extra.mailbox ? { mailbox: extra.mailbox } : {}),
			resolved: Boolean(match?.[1]),
		};
	}

	private mapError(error: unknown, module?: CrmModule, id?: string): Error {
		if (!(error instanceof VtigerApiError)) return error as Error;
		switch (error.code) {
			case 'MANDATORY_FIELDS_MISSING': {
				const field = /^(\S+) does not have a value/.exec(error.message)?.[1];
				return new CrmError(
					'mandatoryField',
					`${module ?? 'vtiger'}: the field "${field ?? '?'}" is mandatory but has no value`,
					`Fill in "${field ?? 'the mandatory field'}" (map a value to it), then run again.`,
					field,
				);
			}
			case 'ACCESS_DENIED':
				return id
					? new CrmError('permission', `vtiger refused the change of ${id}: ${error.message}`, 'Check that the vtiger user may edit this record and module.')
					: new CrmError('permission', `vtiger refused the request: ${error.message}`, 'Check the vtiger user\'s profile and the module name.');
			case 'INVALID_ID_ATTRIBUTE':
				return new CrmError('invalid', `vtiger rejected an id: ${error.message}`, 'Check the referenced record ids (account, contact, assigned user).');
			case 'INVALID_SESSIONID':
				return new CrmError('auth', 'The vtiger session expired and a new login failed', 'Check the credential.');
			case 'QUERY_SYNTAX_ERROR':
				return new CrmError('invalid', `vtiger rejected a query: ${error.message}`, 'This is a bug in the connector; please report it.');
			default:
				return new CrmError('unavailable', `vtiger failed: ${error.message}`, 'Try again later; if it persists, check the vtiger server log.');
		}
	}
}

const DATE_TIME_FIELDS = ['date_start', 'time_start', 'due_date', 'time_end'];

/**
 * What vtiger 8.3.0 needs beside the mapped fields of an appointment or a task (its describe makes them
 * mandatory, the webservice refuses the record without them):
 * - Events: duration_hours (and duration_minutes) from start and end, whenever a time is written; vtiger
 *   recomputes them on save anyway, but refuses an empty duration_hours. reminder_time is taken in
 *   seconds (and answered in minutes, as the mapping reads it), and a revise without it clears the
 *   reminder, so the current one is sent again (S19: the sync never changes a CRM reminder).
 * - Calendar (tasks): activitytype "Task" (without it vtiger files the record as an event that VTQL on
 *   Calendar never returns), and date_start, time_start and due_date, which a task from Exchange may lack:
 *   the start defaults to the due date (else today), the due date to the start, the time to 00:00:00.
 * `element` is what is about to be sent, `current` the stored record (empty on create). Returns the
 * fields to add or replace.
 */
function calendarFields(vtModule: string, element: Record<string, string>, current: VtValues, now: Date): Record<string, string> {
	const creating = current.id === undefined;
	const value = (name: string) => (name in element ? element[name] : (current[name] ?? '')) || '';
	const out: Record<string, string> = {};
	if (vtModule === 'Events') {
		if (creating || DATE_TIME_FIELDS.some((f) => f in element)) {
			const minutes = durationMinutes(value('date_start'), value('time_start'), value('due_date'), value('time_end'));
			if (minutes !== undefined) {
				out.duration_hours = String(Math.floor(minutes / 60));
				out.duration_minutes = String(minutes % 60);
			}
		}
		if ('reminder_time' in element) {
			const minutes = Number(element.reminder_time);
			out.reminder_time = Number.isFinite(minutes) && minutes > 0 ? String(Math.round(minutes * 60)) : '';
		} else if (!creating && Number(current.reminder_time) > 0) {
			out.reminder_time = String(Number(current.reminder_time) * 60);
		}
	}
	if (vtModule === 'Calendar') {
		if (creating && !element.activitytype) out.activitytype = 'Task';
		const touched = (name: string) => creating || name in element;
		const start = value('date_start');
		const due = value('due_date');
		const today = now.toISOString().slice(0, 10);
		if (touched('date_start') && !start) out.date_start = due || today;
		if (touched('due_date') && !due) out.due_date = start || out.date_start || today;
		if (touched('time_start') && !value('time_start')) out.time_start = '00:00:00';
	}
	return out;
}

/** Minutes from start to end (vtiger dates and UTC times); undefined when a date is missing. */
function durationMinutes(startDate: string, startTime: string, endDate: string, endTime: string): number | undefined {
	const start = Date.parse(`${startDate}T${startTime || '00:00:00'}Z`);
	const end = Date.parse(`${endDate}T${endTime || '00:00:00'}Z`);
	if (!Number.isFinite(start) || !Number.isFinite(end)) return undefined;
	return Math.max(0, Math.round((end - start) / 60000));
}

/**
 * An e-mail's To, Cc or Bcc as stored: vtiger 8 saves the comma list it is given as a JSON array of the
 * parts (`["a@x.example","b@x.example"]`, `[""]` when empty); older data is a plain comma list.
 */
function addressList(value: string | null | undefined): string[] {
	const text = (value ?? '').trim();
	let parts: unknown[] = text.split(',');
	if (text.startsWith('[')) {
		try {
			const parsed = JSON.parse(text) as unknown;
			if (Array.isArray(parsed)) parts = parsed;
		} catch {
			// not JSON after all: a comma list
		}
	}
	return parts.map((x) => String(x).trim()).filter((x) => x !== '');
}

/**
 * vtiger takes any number as an e-mail's parent_id without an error: one that names no live record comes
 * back as a user id ("19x<n>") and relates nothing. So the answer must name the record asked for.
 */
function assertLinked(answer: VtValues, parent: string | undefined): void {
	if (parent === undefined || answer.parent_id === parent) return;
	throw new CrmError(
		'notFound',
		`vtiger did not link the e-mail to ${parent} (the record is gone?)`,
		'Run the import again: the e-mail is not stored, and the addresses are matched afresh.',
	);
}

function notFound(module: CrmModule, id: string): CrmError {
	return new CrmError('notFound', `There is no ${module} record with the id "${id}" in vtiger`, 'Check the id; the record may have been deleted.');
}

/** id@<modifiedtime>.<hash of the values>: changes whenever the record's content changes. */
function versionKey(v: VtValues): string {
	// Hash without empty values (retrieve answers "" where query and sync answer null) and without the
	// label, which create/retrieve/revise answer but query and sync do not: one version reads the same everywhere.
	const content = Object.fromEntries(Object.entries(v).filter(([k, x]) => k !== 'label' && x !== null && x !== ''));
	return `${v.id}@${String(v.modifiedtime ?? '').replace(/\D/g, '')}.${shortHash(stableStringify(content))}`;
}

/**
 * The next page of not-yet-delivered records, oldest change first. The cursor keeps the
 * second of the last one delivered and which versions at that second were delivered, since
 * the next read starts at that second again (modifiedtime has one-second resolution).
 */
function pickPage(
	rows: VtValues[],
	state: ChangeCursor | undefined,
	limit: number,
): { taken: VtValues[]; more: boolean; t: number; seen: string[] } {
	const seen = new Set(state?.seen ?? []);
	const fresh = rows
		.filter((v) => !seen.has(versionKey(v)))
		.sort((a, b) => vtToUnix(a.modifiedtime) - vtToUnix(b.modifiedtime) || idNumber(String(a.id)) - idNumber(String(b.id)));
	const taken = fresh.slice(0, limit);
	const t = taken.length ? vtToUnix(taken[taken.length - 1].modifiedtime) : (state?.t ?? 0);
	const carried = state && state.t === t ? state.seen : [];
	return {
		taken,
		more: fresh.length > taken.length,
		t,
		seen: [...carried, ...taken.filter((v) => vtToUnix(v.modifiedtime) === t).map(versionKey)],
	};
}

function idNumber(id: string): number {
	return Number(id.split('x')[1] ?? 0);
}

function parseCursor(cursor: string | undefined): ChangeCursor | undefined {
	if (!cursor) return undefined;
	try {
		const parsed = JSON.parse(Buffer.from(cursor.replace(/^vt1:/, ''), 'base64url').toString('utf8')) as ChangeCursor;
		if (parsed && (parsed.m === 's' || parsed.m === 'q') && typeof parsed.t === 'number') return parsed;
	} catch {
		// fall through
	}
	throw new CrmError('invalid', `"${cursor}" is not a change cursor of the vtiger backend`, 'Pass the cursor of the previous run, or none.');
}

function formatCursor(c: ChangeCursor): string {
	return `vt1:${Buffer.from(JSON.stringify(c)).toString('base64url')}`;
}
