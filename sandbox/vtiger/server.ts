/**
 * A vtiger CRM 8.3 webservice (webservice.php) stand-in on loopback, backed by an in-memory
 * store. It answers with the shapes, codes and quirks of the real responses recorded in
 * ../shared/fixtures/vtiger/: errors with HTTP 200, HTTP 500 with an empty body for unknown
 * operations (and, in "stock" mode, for sync and logout), POST-only login and writes,
 * ACCESS_DENIED for deleted and unknown ids, the trailing ";" of VTQL, count(*) → [].
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { GROUPS_PREFIX, isListedEmail, LIST_TYPES, nullEmptyDates, RELATIONS, USERS_PREFIX, VT_MODULES, type VtModule, type VtRecord } from './modules';

export type { VtRecord } from './modules';
import { runQuery, VtqlError } from './vtql';

export interface VtigerSandboxUser {
	userName: string;
	accessKey: string;
	firstName?: string;
	lastName?: string;
	email?: string;
	isAdmin?: boolean;
	/** Modules this (non-admin) user may not create/update/delete in. */
	readOnlyModules?: string[];
	groups?: string[];
}

export interface VtigerSandboxOptions {
	users?: VtigerSandboxUser[];
	groups?: string[];
	/** 'stock': vtiger 8.3 on PHP 8 — sync and logout answer HTTP 500 with an empty body. */
	flavour?: 'patched' | 'stock';
	/** Seconds added to the clock (tests of modifiedtime windows). */
	clock?: () => Date;
}

interface StoredRecord {
	module: string;
	crmid: number;
	values: VtRecord;
	deleted: boolean;
	/** Documents: the uploaded file. */
	file?: UploadedFile;
}

/** A file part of a multipart request (vtiger reads Documents' files from $_FILES['filename']). */
export interface UploadedFile {
	name: string;
	type: string;
	content: Buffer;
}

export interface VtigerSandbox {
	url: string;
	store: VtigerStore;
	/** Requests seen, by operation. */
	requestCounts: Record<string, number>;
	close(): Promise<void>;
}

class VtError extends Error {
	constructor(
		readonly code: string,
		message: string,
	) {
		super(message);
	}
}

const DENIED = () => new VtError('ACCESS_DENIED', 'Permission to perform the operation is denied');

function pad(n: number): string {
	return String(n).padStart(2, '0');
}

export function vtDateTime(d: Date): string {
	return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export class VtigerStore {
	readonly users: Array<VtigerSandboxUser & { id: number }> = [];
	readonly groups: Array<{ id: number; name: string }> = [];
	private readonly records = new Map<number, StoredRecord>();
	/** "<source crmid>|<relation label>" → related crmids. */
	private readonly relations = new Map<string, Set<number>>();
	private nextCrmId = 1;
	private readonly modules = new Map(VT_MODULES.map((m) => [m.name, m]));

	constructor(
		options: VtigerSandboxOptions,
		readonly now: () => Date,
	) {
		const users = options.users ?? [{ userName: 'admin', accessKey: 'adminkey', isAdmin: true }];
		users.forEach((u, i) => this.users.push({ ...u, id: i + 1 }));
		(options.groups ?? ['Team Selling', 'Marketing Group', 'Support Group']).forEach((name, i) => this.groups.push({ id: i + 2, name }));
	}

	module(name: string): VtModule | undefined {
		return this.modules.get(name);
	}

	userById(id: string): (VtigerSandboxUser & { id: number }) | undefined {
		const [prefix, num] = id.split('x');
		return Number(prefix) === USERS_PREFIX ? this.users.find((u) => u.id === Number(num)) : undefined;
	}

	private emptyRecord(mod: VtModule): VtRecord {
		const values: VtRecord = {};
		for (const f of mod.fields) values[f.name] = f.type === 'reference' ? null : f.type === 'boolean' ? '0' : '';
		return values;
	}

	create(moduleName: string, element: VtRecord, user: VtigerSandboxUser & { id: number }, file?: UploadedFile): VtRecord {
		const mod = this.module(moduleName);
		if (!mod || !this.mayWrite(user, moduleName)) throw DENIED();
		const values = { ...this.emptyRecord(mod), ...this.known(mod, element) };
		encodeAddressLists(moduleName, element, values);
		applyReminder(moduleName, element, values, 'create');
		const stored = moduleName === 'Documents' && file && values.filelocationtype !== 'E' ? file : undefined;
		if (stored) {
			// Documents' save takes name, size and type from the upload, not from the element.
			Object.assign(values, { filename: stored.name, filesize: String(stored.content.length), filetype: stored.type, filelocationtype: 'I' });
			if (!values.filestatus || values.filestatus === '0') values.filestatus = '1';
		}
		if (!values.assigned_user_id) values.assigned_user_id = `${USERS_PREFIX}x${user.id}`;
		this.checkMandatory(mod, values);
		this.resolveReferences(mod, values, Object.keys(element));
		this.checkReferences(mod, values);
		recomputeDuration(moduleName, values);
		const crmid = this.nextCrmId++;
		const now = vtDateTime(this.now());
		values.createdtime = now;
		values.modifiedtime = now;
		values.modifiedby = `${USERS_PREFIX}x${user.id}`;
		values.source = 'WEBSERVICE';
		values.id = `${mod.prefix}x${crmid}`;
		// Real vtiger 8.3.0: a Calendar record without activitytype "Task" is saved as an event with an empty
		// type. The answer still carries the Calendar id, but retrieve/delete of that id fail
		// (INVALID_ID_ATTRIBUTE) and VTQL finds it only on Events.
		const storedModule = moduleName === 'Calendar' && values.activitytype !== 'Task' ? 'Events' : moduleName;
		const storedValues =
			storedModule === moduleName
				? values
				: { ...this.emptyRecord(this.module('Events') as VtModule), ...values, id: `${this.module('Events')?.prefix}x${crmid}` };
		this.records.set(crmid, { module: storedModule, crmid, values: storedValues, deleted: false, ...(stored ? { file: stored } : {}) });
		if (moduleName === 'Emails') this.relateEmailParent(crmid, values);
		return withLabel(mod, values);
	}

	retrieve(id: string, user: VtigerSandboxUser & { id: number }): VtRecord {
		const record = this.find(id, user);
		return withLabel(this.module(record.module) as VtModule, record.values);
	}

	/**
	 * `update` (full) and `revise` as vtiger 8.3.0 does them (include/Webservices/Update.php, Revise.php,
	 * VtigerCRMObject): both read the record and lay the element over it, so fields absent from the element
	 * keep their values. `update` demands every mandatory field in the element and saves the absent text
	 * fields without decoding them, so their `&`, `<`, `>` come back HTML-escaped; `revise` checks only the
	 * mandatory fields it is given and leaves every other field bit-identical. On Events, a write without
	 * reminder_time drops the reminder (DataTransform sets set_reminder = No).
	 */
	revise(element: VtRecord, user: VtigerSandboxUser & { id: number }, full: boolean): VtRecord {
		if (!element.id) throw new VtError('INVALID_ID_ATTRIBUTE', 'Id specified is incorrect');
		const record = this.find(element.id, user);
		const mod = this.module(record.module) as VtModule;
		if (!this.mayWrite(user, record.module)) throw DENIED();
		const given = this.known(mod, element);
		if (full) this.checkMandatory(mod, given);
		else this.checkMandatory(mod, given, Object.keys(given));
		const base: VtRecord = { ...record.values };
		if (full) {
			for (const f of mod.fields) {
				const value = base[f.name];
				if (f.type === 'text' && !(f.name in given) && typeof value === 'string') base[f.name] = escapeHtml(value);
			}
		}
		const values: VtRecord = { ...base, ...given };
		encodeAddressLists(record.module, element, values);
		applyReminder(record.module, element, values, full ? 'update' : 'revise');
		for (const meta of ['createdtime', 'source']) values[meta] = record.values[meta];
		this.resolveReferences(mod, values, Object.keys(given));
		this.checkReferences(mod, values);
		recomputeDuration(record.module, values);
		values.modifiedtime = vtDateTime(this.now());
		values.modifiedby = `${USERS_PREFIX}x${user.id}`;
		record.values = values;
		if (record.module === 'Emails' && 'parent_id' in given) this.relateEmailParent(record.crmid, values);
		return withLabel(mod, values);
	}

	/**
	 * vtiger's Emails::save_module: saving an e-mail with a parent_id relates it to that record
	 * (vtiger_seactivityrel, what the record's "Emails" list reads) and keeps the relations of earlier saves.
	 */
	private relateEmailParent(emailCrmid: number, values: VtRecord): void {
		const match = /^(\d+)x(\d+)$/.exec(values.parent_id ?? '');
		const parent = match ? this.records.get(Number(match[2])) : undefined;
		const relation = parent ? RELATIONS[parent.module]?.Emails : undefined;
		if (!parent || !relation || parent.deleted || this.module(parent.module)?.prefix !== Number(match?.[1])) return;
		const key = `${parent.crmid}|${relation}`;
		this.relations.set(key, (this.relations.get(key) ?? new Set<number>()).add(emailCrmid));
	}

	delete(id: string, user: VtigerSandboxUser & { id: number }): void {
		const record = this.find(id, user);
		if (!this.mayWrite(user, record.module)) throw new VtError('ACCESS_DENIED', 'Permission to read given object is denied');
		record.deleted = true;
		record.values.modifiedtime = vtDateTime(this.now());
	}

	/** The file a Document holds (tests). */
	documentFile(id: string): UploadedFile | undefined {
		return this.records.get(Number(id.split('x')[1]))?.file;
	}

	/**
	 * add_related: relates records through one of the source module's related lists (RELATIONS). As in
	 * vtiger, a relation the source module does not have is silently ignored; a deleted source is an error.
	 * A record → e-mail relation is accepted but never shown: vtiger writes it to vtiger_crmentityrel, and
	 * the "Emails" list reads vtiger_seactivityrel (only a save with parent_id relates an e-mail).
	 */
	addRelated(sourceId: string, relatedIds: string[], label: string, user: VtigerSandboxUser & { id: number }): void {
		const source = this.find(sourceId, user);
		for (const id of relatedIds) {
			const related = this.find(id, user);
			const relation = RELATIONS[source.module]?.[related.module];
			if (!relation || (label && label !== relation) || related.module === 'Emails') continue;
			const key = `${source.crmid}|${relation}`;
			const set = this.relations.get(key) ?? new Set<number>();
			set.add(related.crmid);
			this.relations.set(key, set);
		}
	}

	/**
	 * retrieve_related: the live records of `relatedType` related to `id` through the relation `label`. An
	 * account's "Emails" list also holds its contacts' e-mails (Accounts::get_emails; its potentials' and
	 * tickets' too, which the sandbox does not have).
	 */
	related(id: string, relatedType: string, label: string, user: VtigerSandboxUser & { id: number }): VtRecord[] {
		const source = this.find(id, user);
		const relation = RELATIONS[source.module]?.[relatedType];
		if (!relation || (label && label !== relation)) return [];
		const mod = this.module(relatedType) as VtModule;
		const sources = [source.crmid];
		if (source.module === 'Accounts' && relatedType === 'Emails') {
			for (const r of this.records.values()) if (r.module === 'Contacts' && !r.deleted && r.values.account_id === source.values.id) sources.push(r.crmid);
		}
		const relatedIds = new Set(sources.flatMap((crmid) => [...(this.relations.get(`${crmid}|${relation}`) ?? [])]));
		return [...relatedIds]
			.sort((a, b) => a - b)
			.map((crmid) => this.records.get(crmid))
			.filter((r): r is StoredRecord => r !== undefined && !r.deleted && r.module === relatedType && isListedEmail(r.module, r.values))
			.map((r) => nullEmptyDates(mod, { ...r.values }));
	}

	/** Live records of a module, in creation order. */
	live(moduleName: string): VtRecord[] {
		return [...this.records.values()].filter((r) => r.module === moduleName && !r.deleted).map((r) => ({ ...r.values }));
	}

	/**
	 * sync: records of the module modified after `since` (unix seconds). syncType (vtiger's vtws_sync):
	 * "user" (default) only the user's own records, "userandgroup" also those of the user's groups,
	 * "application" every record (admins only).
	 */
	sync(
		moduleName: string,
		since: number,
		user: VtigerSandboxUser & { id: number },
		syncType = 'user',
	): { updated: VtRecord[]; deleted: string[]; last: number } {
		if (syncType === 'application' && !user.isAdmin) throw new VtError('ACCESS_DENIED', 'Only admin users can perform application sync');
		const owners = new Set([`${USERS_PREFIX}x${user.id}`]);
		if (syncType === 'userandgroup') {
			for (const g of this.groups) if ((user.groups ?? []).includes(g.name)) owners.add(`${GROUPS_PREFIX}x${g.id}`);
		}
		const updated: VtRecord[] = [];
		const deleted: string[] = [];
		let last = since;
		for (const r of this.records.values()) {
			if (r.module !== moduleName || (syncType !== 'application' && !owners.has(String(r.values.assigned_user_id)))) continue;
			const t = Date.parse(`${String(r.values.modifiedtime).replace(' ', 'T')}Z`) / 1000;
			if (t <= since) continue;
			last = Math.max(last, t);
			if (r.deleted) deleted.push(String(r.values.id));
			else updated.push(nullEmptyDates(this.module(moduleName) as VtModule, { ...r.values }));
		}
		return { updated, deleted, last };
	}

	private find(id: string, user: VtigerSandboxUser & { id: number }): StoredRecord {
		const match = /^(\d+)x(\d+)$/.exec(id ?? '');
		if (!match) throw new VtError('ACCESS_DENIED', 'Permission to perform the operation is denied for id');
		const prefix = Number(match[1]);
		if (prefix === USERS_PREFIX || prefix === GROUPS_PREFIX) throw DENIED();
		const prefixModule = VT_MODULES.find((m) => m.prefix === prefix);
		if (!prefixModule) throw new VtError('ACCESS_DENIED', 'Permission to perform the operation is denied for id');
		const record = this.records.get(Number(match[2]));
		if (!record || record.deleted) throw DENIED();
		if (this.module(record.module)?.prefix !== prefix) throw new VtError('INVALID_ID_ATTRIBUTE', 'Id specified is incorrect');
		if (!user.isAdmin && !this.visibleTo(record, user)) throw DENIED();
		return record;
	}

	private visibleTo(record: StoredRecord, user: VtigerSandboxUser & { id: number }): boolean {
		return record.values.assigned_user_id === `${USERS_PREFIX}x${user.id}` || String(record.values.assigned_user_id).startsWith(`${GROUPS_PREFIX}x`);
	}

	private mayWrite(user: VtigerSandboxUser, moduleName: string): boolean {
		return user.isAdmin === true || !(user.readOnlyModules ?? []).includes(moduleName);
	}

	private known(mod: VtModule, element: VtRecord): VtRecord {
		const out: VtRecord = {};
		for (const f of mod.fields) if (f.name in element) out[f.name] = element[f.name] === null ? null : String(element[f.name]);
		return out;
	}

	/** MANDATORY_FIELDS_MISSING for the first mandatory field (of `only`, when given) without a value. */
	private checkMandatory(mod: VtModule, values: VtRecord, only?: string[]): void {
		for (const f of mod.fields) {
			if (only && !only.includes(f.name)) continue;
			if (f.mandatory && (values[f.name] === null || values[f.name] === undefined || String(values[f.name]).trim() === '')) {
				throw new VtError('MANDATORY_FIELDS_MISSING', `${f.name} does not have a value`);
			}
		}
	}

	/**
	 * What vtiger 8.3.0 makes of a reference it is given (`given`: the element's fields): one to a record that
	 * does not exist or was deleted is dropped without an error (Contacts.account_id reads null). Emails'
	 * parent_id (uitype 357) keeps only the number: a live record's id comes back with that record's module
	 * prefix, any other number as a user id ("19x<n>").
	 */
	private resolveReferences(mod: VtModule, values: VtRecord, given: string[]): void {
		for (const f of mod.fields) {
			const value = values[f.name];
			if (f.type !== 'reference' || f.name === 'modifiedby' || !given.includes(f.name) || !value) continue;
			const match = /^(\d+)x(\d+)$/.exec(value);
			const target = match ? this.records.get(Number(match[2])) : undefined;
			const alive = target !== undefined && !target.deleted;
			if (mod.name === 'Emails' && f.name === 'parent_id' && match) {
				values.parent_id = `${alive ? this.module(target.module)?.prefix : USERS_PREFIX}x${match[2]}`;
			} else if (match && !alive) values[f.name] = null;
		}
	}

	private checkReferences(mod: VtModule, values: VtRecord): void {
		for (const f of mod.fields) {
			const value = values[f.name];
			// A user id there is vtiger's reading of a number that names no record (resolveReferences).
			if (mod.name === 'Emails' && f.name === 'parent_id' && value?.startsWith(`${USERS_PREFIX}x`)) continue;
			if (f.type === 'owner' && value) {
				const [prefix, num] = value.split('x').map(Number);
				const ok = (prefix === USERS_PREFIX && this.users.some((u) => u.id === num)) || (prefix === GROUPS_PREFIX && this.groups.some((g) => g.id === num));
				if (!ok) throw new VtError('ACCESS_DENIED', 'Permission to perform the operation is denied');
			}
			if (f.type === 'reference' && value && f.name !== 'modifiedby') {
				const match = /^(\d+)x(\d+)$/.exec(value);
				const target = match ? this.records.get(Number(match[2])) : undefined;
				if (!target || target.deleted || !(f.refersTo ?? []).includes(target.module)) {
					throw new VtError('INVALID_ID_ATTRIBUTE', 'Id specified is incorrect');
				}
			}
		}
	}
}

/**
 * vtiger 8.3.0 stores an e-mail's To, Cc and Bcc given as a comma list as a JSON array of the parts, split
 * on "," and not trimmed: "a@x.example, b@x.example" → ["a@x.example"," b@x.example"], "" → [""].
 */
function encodeAddressLists(moduleName: string, element: VtRecord, values: VtRecord): void {
	if (moduleName !== 'Emails') return;
	for (const field of ['saved_toid', 'ccmail', 'bccmail']) {
		if (field in element) values[field] = JSON.stringify(String(element[field] ?? '').split(','));
	}
}

function escapeHtml(value: string): string {
	return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Events' reminder_time: the webservice takes seconds and stores (and answers) minutes; a reminder under
 * a minute becomes one minute. A create, update or revise without a reminder clears it (vtiger's
 * DataTransform::sanitizeForInsert sets set_reminder = No): '' after revise, '0' after create and update.
 */
function applyReminder(moduleName: string, element: VtRecord, values: VtRecord, operation: 'create' | 'update' | 'revise'): void {
	if (moduleName !== 'Events') return;
	const seconds = Number(element.reminder_time ?? 0);
	if (!Number.isFinite(seconds) || seconds <= 0) {
		values.reminder_time = operation === 'revise' ? '' : '0';
		return;
	}
	const minutes = Math.floor(seconds / 60) % 60;
	const hours = Math.floor(seconds / 3600) % 24;
	const days = Math.floor(seconds / 86400);
	values.reminder_time = String(days * 1440 + hours * 60 + (minutes === 0 ? 1 : minutes));
}

/**
 * vtiger computes duration_hours / duration_minutes from the start and the end on every save of an
 * event or task, whatever the element said (it only demands that Events' duration_hours is not empty).
 */
function recomputeDuration(moduleName: string, values: VtRecord): void {
	if (moduleName !== 'Events' && moduleName !== 'Calendar') return;
	const start = Date.parse(`${values.date_start}T${values.time_start || '00:00:00'}Z`);
	// A task without an end time lasts until the end of its due day (2026-11-23 09:00 → due 2026-11-30: 183 h).
	const endOfDay = moduleName === 'Calendar' && !values.time_end ? 86_400_000 : 0;
	const end = Date.parse(`${values.due_date}T${values.time_end || '00:00:00'}Z`) + endOfDay;
	if (!Number.isFinite(start) || !Number.isFinite(end)) return;
	const minutes = Math.max(0, Math.round((end - start) / 60000));
	values.duration_hours = String(Math.floor(minutes / 60));
	values.duration_minutes = String(minutes % 60);
}

/** create, retrieve and revise also answer the record's label (its label fields joined). */
function withLabel(mod: VtModule, values: VtRecord): VtRecord {
	const label = mod.labelFields
		.split(',')
		.map((f) => values[f] ?? '')
		.filter((v) => v !== '')
		.join(' ');
	return { ...values, label };
}

function describe(mod: VtModule): unknown {
	return {
		label: mod.name,
		name: mod.name,
		createable: true,
		updateable: true,
		deleteable: true,
		retrieveable: true,
		fields: [
			...mod.fields.map((f) => ({
				name: f.name,
				label: f.name,
				mandatory: f.mandatory === true,
				type: {
					...(f.refersTo ? { refersTo: f.refersTo } : {}),
					...(f.picklist ? { picklistValues: f.picklist.map((v) => ({ label: v, value: v })), defaultValue: f.picklist[0] } : {}),
					name: f.type,
				},
				isunique: false,
				nullable: !f.mandatory,
				editable: true,
				default: '',
			})),
			{ name: 'id', label: 'id', mandatory: false, type: { name: 'autogenerated' }, isunique: false, nullable: false, editable: false },
		],
		idPrefix: String(mod.prefix),
		isEntity: true,
		allowDuplicates: true,
		labelFields: mod.labelFields,
	};
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** A POST body as PHP sees it: form fields, and the file of a multipart part named "filename". */
async function readPost(req: IncomingMessage): Promise<{ params: URLSearchParams; file?: UploadedFile }> {
	const body = await readBody(req);
	const type = req.headers['content-type'] ?? '';
	if (!/^multipart\/form-data/i.test(type)) return { params: new URLSearchParams(body.toString('utf8')) };
	const form = await new Response(body, { headers: { 'content-type': type } }).formData();
	const params = new URLSearchParams();
	let file: UploadedFile | undefined;
	for (const [name, value] of form.entries()) {
		if (typeof value === 'string') params.append(name, value);
		else if (name === 'filename') file = { name: value.name, type: value.type, content: Buffer.from(await value.arrayBuffer()) };
	}
	return { params, ...(file ? { file } : {}) };
}

export async function startVtigerSandbox(options: VtigerSandboxOptions = {}): Promise<VtigerSandbox> {
	const now = options.clock ?? (() => new Date());
	const store = new VtigerStore(options, now);
	const challenges = new Map<string, { token: string; expires: number }>();
	const sessions = new Map<string, VtigerSandboxUser & { id: number }>();
	const requestCounts: Record<string, number> = {};
	const stock = options.flavour === 'stock';

	function handle(method: string, params: URLSearchParams, file?: UploadedFile): { status: number; body: unknown } {
		const operation = params.get('operation') ?? '';
		requestCounts[operation] = (requestCounts[operation] ?? 0) + 1;
		const ok = (result: unknown) => ({ status: 200, body: { success: true, result } });
		const serverError = { status: 500, body: undefined };

		if (operation === 'getchallenge') {
			const user = store.users.find((u) => u.userName === params.get('username'));
			if (!user) throw new VtError('ACCESS_DENIED', 'username does not exists');
			const token = randomBytes(7).toString('hex').slice(0, 13);
			const serverTime = Math.floor(now().getTime() / 1000);
			challenges.set(user.userName, { token, expires: serverTime + 300 });
			return ok({ token, serverTime, expireTime: serverTime + 300 });
		}
		if (operation === 'login') {
			const user = store.users.find((u) => u.userName === params.get('username'));
			const challenge = user ? challenges.get(user.userName) : undefined;
			if (method !== 'POST' || !user || !challenge || challenge.expires < now().getTime() / 1000) {
				throw new VtError('INVALID_AUTH_TOKEN', 'Specified token is invalid or expired');
			}
			const expected = createHash('md5')
				.update(challenge.token + user.accessKey)
				.digest('hex');
			if (params.get('accessKey') !== expected) throw new VtError('INVALID_USER_CREDENTIALS', 'Invalid username or password');
			const sessionName = randomBytes(10).toString('hex').slice(0, 21);
			sessions.set(sessionName, user);
			return ok({
				username: user.userName,
				first_name: user.firstName ?? '',
				last_name: user.lastName ?? user.userName,
				email: user.email ?? '',
				time_zone: 'UTC',
				hour_format: '24',
				date_format: 'yyyy-mm-dd',
				is_admin: user.isAdmin ? 'on' : 'off',
				call_duration: '5',
				other_event_duration: '5',
				sessionName,
				userId: `${USERS_PREFIX}x${user.id}`,
				version: '0.22',
				vtigerVersion: '8.3.0',
			});
		}
		const known = ['listtypes', 'describe', 'create', 'retrieve', 'update', 'revise', 'delete', 'query', 'sync', 'logout', 'add_related', 'retrieve_related'];
		if (!known.includes(operation)) return serverError;
		const sessionName = params.get('sessionName');
		if (!sessionName) throw new VtError('AUTHENTICATION_REQUIRED', 'Authencation required');
		const user = sessions.get(sessionName);
		if (!user) throw new VtError('INVALID_SESSIONID', 'Session Identifier provided is Invalid');
		const isWrite = ['create', 'update', 'revise', 'delete', 'add_related'].includes(operation);
		if (isWrite && method !== 'POST') throw DENIED();

		switch (operation) {
			case 'listtypes':
				return ok({
					types: LIST_TYPES,
					information: Object.fromEntries(LIST_TYPES.map((t) => [t, { isEntity: true, label: t, singular: t }])),
				});
			case 'describe': {
				const name = params.get('elementType') ?? '';
				const mod = store.module(name);
				if (!mod) throw new VtError('ACCESS_DENIED', `Permission to perform the operation is denied for name : ${name}`);
				return ok(describe(mod));
			}
			case 'create': {
				const element = parseElement(params.get('element'));
				return ok(store.create(params.get('elementType') ?? '', element, user, file));
			}
			case 'retrieve': {
				const id = params.get('id') ?? '';
				const [prefix, num] = id.split('x').map(Number);
				if (prefix === USERS_PREFIX) {
					const u = store.users.find((x) => x.id === num);
					if (!u) throw DENIED();
					return ok({
						user_name: u.userName,
						first_name: u.firstName ?? '',
						last_name: u.lastName ?? '',
						email1: u.email ?? '',
						status: 'Active',
						is_admin: u.isAdmin ? 'on' : 'off',
						id,
					});
				}
				return ok(store.retrieve(id, user));
			}
			case 'update':
				return ok(store.revise(parseElement(params.get('element')), user, true));
			case 'revise':
				return ok(store.revise(parseElement(params.get('element')), user, false));
			case 'delete':
				store.delete(params.get('id') ?? '', user);
				return ok({ status: 'successful' });
			case 'query':
				return ok(runQuery(params.get('query') ?? '', store, user));
			case 'sync': {
				if (stock) return serverError;
				const elementType = params.get('elementType');
				if (!elementType) return serverError;
				const since = Number(params.get('modifiedTime'));
				const mod = store.module(elementType);
				if (!mod) throw DENIED();
				const { updated, deleted, last } = store.sync(elementType, since, user, params.get('syncType') || 'user');
				return ok({ updated, deleted, more: false, lastModifiedTime: last });
			}
			case 'add_related': {
				const related = params.get('relatedRecordId') ?? '';
				const ids = related.startsWith('[') ? (JSON.parse(related) as string[]) : [related];
				store.addRelated(params.get('sourceRecordId') ?? '', ids, params.get('relationIdLabel') ?? '', user);
				return ok({ message: 'successfull' });
			}
			case 'retrieve_related':
				return ok(store.related(params.get('id') ?? '', params.get('relatedType') ?? '', params.get('relatedLabel') ?? '', user));
			case 'logout':
				if (stock) return serverError;
				sessions.delete(sessionName);
				return ok({ message: 'successfull' });
		}
		return serverError;
	}

	const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
		void (async () => {
			const url = new URL(req.url ?? '/', 'http://127.0.0.1');
			if (url.pathname !== '/webservice.php') {
				res.writeHead(404).end();
				return;
			}
			const method = req.method ?? 'GET';
			let result: { status: number; body: unknown };
			try {
				const { params, file } = method === 'POST' ? await readPost(req) : { params: url.searchParams, file: undefined };
				result = handle(method, params, file);
			} catch (error) {
				if (error instanceof VtError || error instanceof VtqlError) {
					result = { status: 200, body: { success: false, error: { message: error.message, code: error.code } } };
				} else {
					result = { status: 500, body: undefined };
				}
			}
			const text = result.body === undefined ? '' : JSON.stringify(result.body);
			res.writeHead(result.status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
			res.end(text);
		})();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		store,
		requestCounts,
		close: () =>
			new Promise<void>((resolve, reject) => {
				server.closeAllConnections();
				server.close((e) => (e ? reject(e) : resolve()));
			}),
	};
}

function parseElement(raw: string | null): VtRecord {
	try {
		const parsed = JSON.parse(raw ?? '') as unknown;
		if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as VtRecord;
	} catch {
		// fall through
	}
	throw new VtError('INTERNAL_SERVER_ERROR', 'Unknown Error while processing request');
}
