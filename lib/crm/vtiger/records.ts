/** vtiger's records role (CrmRecords): the change feed (sync, or queries when sync fails), CRUD and the lookups. */
import type { CrmChangePage, CrmDirectory, CrmListFilter, CrmModule, CrmPersonModule, CrmRecord, CrmRecordInput, CrmRecords } from '../types';
import { CrmError } from '../types';
import { calendarFields } from './calendar-fields';
import { VtigerApiError } from './client';
import type { VtigerContext } from './context';
import { mapError, notFound } from './errors';
import { IDENT_FIELD, idNumber, isoToVt, lit, toElement, toRecord, toVtAssignee, versionKey, vtToUnix, type VtValues } from './values';

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

export class VtigerRecords implements CrmRecords {
	private syncBroken = false;

	constructor(
		private readonly ctx: VtigerContext,
		/** Write permission is the directory's answer (O5). */
		private readonly directory: Pick<CrmDirectory, 'checkPermission'>,
	) {}

	async listChanges(module: CrmModule, cursor: string | undefined, options: { limit?: number } = {}): Promise<CrmChangePage> {
		const vtModule = this.ctx.vtModule(module);
		const state = parseCursor(cursor);
		const first = cursor === undefined;
		const limit = Math.max(1, Math.floor(options.limit ?? 500));
		if (!this.syncBroken && (state?.m ?? 's') === 's') {
			try {
				return await this.changesBySync(module, vtModule, state, first, limit);
			} catch (error) {
				if (!(error instanceof VtigerApiError && error.httpStatus === 500)) throw error;
				this.syncBroken = true;
				this.ctx.warn(
					`vtiger's "sync" operation fails on this server (HTTP 500, a known defect of vtiger 8.x on PHP 8); reading changes through queries on modifiedtime and an id listing instead.`,
				);
			}
		}
		return this.changesByQuery(module, vtModule, state, first, limit);
	}

	private async changesBySync(module: CrmModule, vtModule: string, state: ChangeCursor | undefined, first: boolean, limit: number): Promise<CrmChangePage> {
		const since = Math.max(1, (state?.t ?? 1) - 1);
		// Without a syncType vtiger's sync answers only the credential user's own records; the sync serves
		// every mailbox owner, so an admin reads the whole application, anyone else also their groups' records.
		const syncType = (await this.ctx.client.isAdmin()) ? 'application' : 'userandgroup';
		const result = (await this.ctx.client.get('sync', { modifiedTime: String(since), elementType: vtModule, syncType })) as {
			updated: VtValues[];
			deleted: string[];
			more: boolean;
			lastModifiedTime: number;
		};
		const page = pickPage(result.updated, state, limit);
		const more = page.more || result.more === true;
		if (more)
			return {
				changed: page.taken.map((v) => toRecord(module, v)),
				deletedIds: [],
				cursor: formatCursor({ m: 's', t: page.t, seen: page.seen }),
				hasMore: true,
			};
		const seen = new Set(state?.seen ?? []);
		const deletedIds = first ? [] : result.deleted.filter((id) => !seen.has(`${id}@deleted`));
		const t = Math.max(page.t, Number(result.lastModifiedTime) || 0);
		const next: ChangeCursor = {
			m: 's',
			t,
			seen: [...(t === page.t ? page.seen : []), ...result.deleted.map((id) => `${id}@deleted`)],
		};
		return { changed: page.taken.map((v) => toRecord(module, v)), deletedIds, cursor: formatCursor(next), hasMore: false };
	}

	private async changesByQuery(module: CrmModule, vtModule: string, state: ChangeCursor | undefined, first: boolean, limit: number): Promise<CrmChangePage> {
		const since = state?.t ?? 0;
		const where = since > 0 ? ` WHERE modifiedtime >= ${lit(isoToVt(new Date(since * 1000).toISOString()))}` : '';
		const rows = await this.ctx.queryAll(`SELECT * FROM ${vtModule}${where} ORDER BY modifiedtime`);
		const page = pickPage(rows, state, limit);
		const changed = page.taken.map((v) => toRecord(module, v));
		if (page.more) return { changed, deletedIds: [], cursor: formatCursor({ m: 'q', t: page.t, seen: page.seen, ids: state?.ids }), hasMore: true };
		// Deletions: vtiger's query cannot see deleted records, so compare the id listing with the last one.
		const ids = (await this.ctx.queryAll(`SELECT id FROM ${vtModule}`)).map((v) => String(v.id));
		const current = new Set(ids);
		const deletedIds = first ? [] : (state?.ids ?? []).filter((id) => !current.has(id));
		return { changed, deletedIds, cursor: formatCursor({ m: 'q', t: page.t, seen: page.seen, ids }), hasMore: false };
	}

	async list(module: CrmModule, filter: CrmListFilter = {}): Promise<CrmRecord[]> {
		const conditions: string[] = [];
		if (filter.modifiedSince) conditions.push(`modifiedtime >= ${lit(isoToVt(new Date(filter.modifiedSince).toISOString()))}`);
		if (filter.assignedTo) conditions.push(`assigned_user_id = ${lit(toVtAssignee(filter.assignedTo))}`);
		const typeField = TYPE_FIELDS[module];
		if (filter.type && typeField) conditions.push(`${typeField} = ${lit(filter.type)}`);
		if (filter.tags?.length) conditions.push(`(${filter.tags.map((t) => `tags LIKE ${lit(`%${t}%`)}`).join(' OR ')})`);
		const where = conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
		const rows = await this.ctx.queryAll(`SELECT * FROM ${this.ctx.vtModule(module)}${where} ORDER BY createdtime`, filter.limit, filter.offset);
		let records = rows.map((v) => toRecord(module, v));
		if (filter.tags?.length) records = records.filter((r) => r.tags.some((t) => filter.tags?.includes(t)));
		return records;
	}

	async get(module: CrmModule, id: string): Promise<CrmRecord | undefined> {
		const values = await this.ctx.retrieve(module, id);
		return values ? toRecord(module, values) : undefined;
	}

	async create(module: CrmModule, input: CrmRecordInput, options: { actingUserId?: string } = {}): Promise<CrmRecord> {
		await this.assertMayWrite(options.actingUserId, module);
		const vtModule = this.ctx.vtModule(module);
		const element: Record<string, string> = {
			...toElement(input),
			assigned_user_id: input.assignedTo ? toVtAssignee(input.assignedTo) : await this.ctx.client.userId(),
		};
		for (const [name, value] of Object.entries(await this.mandatoryPicklistDefaults(vtModule))) if (!element[name]) element[name] = value;
		Object.assign(element, calendarFields(vtModule, element, {}, new Date()));
		try {
			const values = (await this.ctx.client.post('create', { elementType: vtModule, element: JSON.stringify(element) })) as VtValues;
			return toRecord(module, values);
		} catch (error) {
			throw mapError(error, module);
		}
	}

	async update(module: CrmModule, id: string, patch: Partial<CrmRecordInput>, options: { ifEtag?: string; actingUserId?: string } = {}): Promise<CrmRecord> {
		await this.assertMayWrite(options.actingUserId, module);
		const current = await this.ctx.retrieve(module, id);
		if (!current) throw notFound(module, id);
		if (options.ifEtag !== undefined && options.ifEtag !== versionKey(current).split('@')[1]) {
			throw new CrmError('conflict', `The ${module} record ${id} was changed by someone else meanwhile`, 'Read the record again and repeat the change.');
		}
		// revise, not update: vtiger's update demands every mandatory field and re-saves the fields it is not
		// given (HTML-escaping their text); revise changes only the fields it is given (Issue 12 §1).
		const element: Record<string, string> = { id, ...toElement({ fields: patch.fields ?? {}, tags: patch.tags, exchangeIdent: patch.exchangeIdent }) };
		if (patch.assignedTo) element.assigned_user_id = toVtAssignee(patch.assignedTo);
		Object.assign(element, calendarFields(this.ctx.vtModule(module), element, current, new Date()));
		try {
			const values = (await this.ctx.client.post('revise', { element: JSON.stringify(element) })) as VtValues;
			return toRecord(module, values);
		} catch (error) {
			throw mapError(error, module, id);
		}
	}

	async delete(module: CrmModule, id: string, options: { actingUserId?: string } = {}): Promise<void> {
		await this.assertMayWrite(options.actingUserId, module);
		try {
			await this.ctx.client.post('delete', { id });
		} catch (error) {
			if (error instanceof VtigerApiError && error.code === 'ACCESS_DENIED' && !(await this.ctx.retrieve(module, id))) {
				throw notFound(module, id);
			}
			throw mapError(error, module, id);
		}
	}

	async findByEmail(email: string, modules: readonly CrmPersonModule[]): Promise<CrmRecord[]> {
		const address = email.trim();
		if (!address) return [];
		const found: CrmRecord[] = [];
		for (const module of modules) {
			if (module === 'partners' && !this.ctx.config.partnerModule) continue;
			const condition = EMAIL_FIELDS[module].map((f) => `${f} = ${lit(address)}`).join(' OR ');
			const rows = await this.ctx.queryAll(`SELECT * FROM ${this.ctx.vtModule(module)} WHERE ${condition}`);
			found.push(...rows.map((v) => toRecord(module, v)));
		}
		// E10: earliest created first (vtiger ids grow with creation, so they break ties).
		return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || idNumber(a.id) - idNumber(b.id));
	}

	async findByExchangeIdent(module: CrmModule, ident: string): Promise<CrmRecord[]> {
		if (!ident) return [];
		const rows = await this.ctx.queryAll(`SELECT * FROM ${this.ctx.vtModule(module)} WHERE ${IDENT_FIELD} = ${lit(ident)}`);
		// Events and Tasks share vtiger's Calendar; keep only the module asked for, with the exact ident.
		return rows
			.map((v) => toRecord(module, v))
			.filter((r) => r.exchangeIdent === ident)
			.sort((a, b) => idNumber(a.id) - idNumber(b.id));
	}

	async findAccountByName(name: string): Promise<CrmRecord | undefined> {
		const wanted = name.normalize('NFC').trim();
		if (!wanted) return undefined;
		const rows = await this.ctx.queryAll(`SELECT * FROM Accounts WHERE accountname = ${lit(wanted)}`);
		// The server's collation decides "=", so check exactness (case-insensitive) here too.
		const exact = rows.filter(
			(v) =>
				String(v.accountname ?? '')
					.normalize('NFC')
					.trim()
					.toLowerCase() === wanted.toLowerCase(),
		);
		const records = exact.map((v) => toRecord('accounts', v));
		records.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || idNumber(a.id) - idNumber(b.id));
		return records[0];
	}

	/**
	 * Mandatory picklists the mapping does not fill (Events' eventstatus, tasks' taskstatus) get the
	 * picklist's default, as vtiger's own forms preselect it; the webservice itself would refuse the record.
	 */
	private async mandatoryPicklistDefaults(vtModule: string): Promise<Record<string, string>> {
		const defaults: Record<string, string> = {};
		for (const f of (await this.ctx.describe(vtModule)).fields) {
			if (!f.mandatory || f.type.name !== 'picklist') continue;
			const value = f.type.defaultValue || f.type.picklistValues?.[0]?.value;
			if (value) defaults[f.name] = value;
		}
		return defaults;
	}

	private async assertMayWrite(userId: string | undefined, module: CrmModule): Promise<void> {
		if (userId === undefined || (await this.directory.checkPermission(userId, module, 'write'))) return;
		throw new CrmError(
			'permission',
			`The CRM user "${userId}" has no write permission on ${module}`,
			`Ask a vtiger administrator to grant "${userId}" write access to ${module}.`,
		);
	}
}

/**
 * The next page of not-yet-delivered records, oldest change first. The cursor keeps the
 * second of the last one delivered and which versions at that second were delivered, since
 * the next read starts at that second again (modifiedtime has one-second resolution).
 */
function pickPage(rows: VtValues[], state: ChangeCursor | undefined, limit: number): { taken: VtValues[]; more: boolean; t: number; seen: string[] } {
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
