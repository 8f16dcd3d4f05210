/**
 * The soak (issue 12): randomized two-sided rounds through the package's real nodes, Graph and EWS
 * clients against the sandbox, with injected faults (429/503 with Retry-After, 412, resets, slow answers)
 * while a run is on and kills between its writes and its Commit, on contacts that carry Exchange-only and
 * CRM-only data. Every few rounds the sync settles without faults and both sides are compared with an
 * independent oracle (./oracle.ts). Each defect counts once: afterwards the oracle takes what is there.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { IDataObject } from 'n8n-workflow';

import { EmbeddedCrmBackend } from '../../lib/crm';
import { closeSharedCrmBackends } from '../../nodes/Crm/transport/backend';
import { CLIENT_ID, CLIENT_SECRET, TENANT, startSandbox, type Sandbox } from '../../sandbox/app';
import { DEFAULT_PASSWORD } from '../../sandbox/seed/seeds';
import { SOAK_FIELD_NAMES, SoakOracle, type ExpectedContact, type SoakField, type SyncedValues } from './oracle';
import { OutlookUser } from './outlook';
import { CRM_ONLY_FIELDS, KEY_PREFIX, crmPatch, graphPatch, readSides, sameJson, type SidesSnapshot } from './sides';
import { TemplateRun, type RunEnd, type SoakPolicy, type SoakProtocol } from './template-run';

const MAILBOX = 'anna@contoso.example';

export interface SoakOptions {
	protocol: SoakProtocol;
	/** The template's conflict policy (default: its default, last modified wins). */
	policy?: SoakPolicy;
	rounds: number;
	seed?: number;
	/** Share of requests that get a fault while a run is on (default 0.1). */
	faultRate?: number;
	/** Rounds between settle-and-compare checkpoints (default 20). */
	checkEvery?: number;
	/** Contacts alive at most (default 30), so a long soak stays a mailbox of ordinary size. */
	maxContacts?: number;
	/** Called for each defect found, e.g. to print it. */
	onDefect?: (message: string) => void;
	/** Called with each edit, run outcome and planned write (the CLI's SOAK_TRACE=1). */
	trace?: (line: string) => void;
}

export interface SoakMetrics {
	soak_rounds: number;
	soak_runs: number;
	soak_failed_runs: number;
	soak_killed_runs: number;
	soak_faults_injected: number;
	soak_checkpoints: number;
	soak_settle_runs_max: number;
	soak_duplicates: number;
	soak_lost_updates: number;
	soak_wrong_deletes: number;
	soak_missed_deletes: number;
	soak_foreign_fields_changed: number;
	soak_strangers: number;
	soak_ms: number;
}

/** mulberry32 */
function random(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

type OpKind =
	| 'createCrm'
	| 'createExchange'
	| 'editCrm'
	| 'editExchange'
	| 'editBoth'
	| 'clearCrm'
	| 'foreignCrm'
	| 'foreignExchange'
	| 'deleteCrm'
	| 'deleteExchange'
	| 'deleteExchangeEditCrm'
	| 'deleteCrmEditExchange';

const OP_WEIGHTS: Array<[OpKind, number]> = [
	['createCrm', 3],
	['createExchange', 3],
	['editCrm', 5],
	['editExchange', 5],
	['editBoth', 3],
	['clearCrm', 1],
	['foreignCrm', 1],
	['foreignExchange', 1],
	['deleteCrm', 1],
	['deleteExchange', 1],
	['deleteExchangeEditCrm', 1],
	['deleteCrmEditExchange', 1],
];

class Soak {
	readonly metrics: SoakMetrics = {
		soak_rounds: 0,
		soak_runs: 0,
		soak_failed_runs: 0,
		soak_killed_runs: 0,
		soak_faults_injected: 0,
		soak_checkpoints: 0,
		soak_settle_runs_max: 0,
		soak_duplicates: 0,
		soak_lost_updates: 0,
		soak_wrong_deletes: 0,
		soak_missed_deletes: 0,
		soak_foreign_fields_changed: 0,
		soak_strangers: 0,
		soak_ms: 0,
	};
	private readonly oracle = new SoakOracle();
	private readonly rnd: () => number;
	private saved: IDataObject = {};
	private folderId = '';
	private snapshot: SidesSnapshot = { crm: new Map(), exchange: new Map(), strangers: 0 };
	private touched = new Set<string>();
	/**
	 * Sides of contacts edited since the last clean run (complete, nothing failed, no retry pending). The
	 * soak edits a side only while the other side has no edit that has not crossed yet, and deletes only a
	 * clean contact: otherwise it would make a conflict (S3) or "a change beats a deletion" by accident, which
	 * editBoth and the delete-and-edit ops make on purpose, where the oracle knows the outcome.
	 */
	private dirty = new Map<string, Set<'crm' | 'exchange'>>();
	private round = 0;

	constructor(
		private readonly options: Required<Omit<SoakOptions, 'onDefect' | 'trace'>> & Pick<SoakOptions, 'onDefect' | 'trace'>,
		private readonly sandbox: Sandbox,
		private readonly runner: TemplateRun,
		private readonly outlook: OutlookUser,
		private readonly crm: EmbeddedCrmBackend,
	) {
		this.rnd = random(options.seed);
	}

	private pick<T>(list: readonly T[]): T {
		return list[Math.floor(this.rnd() * list.length)];
	}

	private value(field: SoakField): string {
		const n = Math.floor(this.rnd() * 9_000_000) + 1_000_000;
		return field === 'phone' || field === 'mobile' ? `+49 30 ${n}` : `${field}-${this.round}-${n.toString(36)}`;
	}

	private values(fields: readonly SoakField[]): SyncedValues {
		return Object.fromEntries(fields.map((f) => [f, this.value(f)])) as SyncedValues;
	}

	private someFields(): SoakField[] {
		const fields = SOAK_FIELD_NAMES.filter(() => this.rnd() < 0.4);
		return fields.length ? fields : [this.pick(SOAK_FIELD_NAMES)];
	}

	/** A contact not touched yet this round, present on the wanted sides (as the oracle expects after the last sync). */
	private candidate(where: { crm?: boolean; exchange?: boolean; edits: Array<'crm' | 'exchange'>; clean?: boolean }): ExpectedContact | undefined {
		const mayEdit = (key: string) => [...(this.dirty.get(key) ?? [])].every((side) => !where.clean && where.edits.includes(side));
		const fit = this.oracle
			.live()
			.filter((c) => !this.touched.has(c.key) && mayEdit(c.key))
			.filter((c) => (where.crm === undefined || c.onCrm === where.crm) && (where.exchange === undefined || c.onExchange === where.exchange))
			.filter((c) => (!where.crm || this.snapshot.crm.get(c.key)?.length === 1) && (!where.exchange || this.snapshot.exchange.get(c.key)?.length === 1));
		const c = fit.length ? this.pick(fit) : undefined;
		if (c) this.mark(c.key, where.edits);
		return c;
	}

	private mark(key: string, sides: Array<'crm' | 'exchange'>): void {
		this.touched.add(key);
		const dirty = this.dirty.get(key) ?? new Set();
		for (const side of sides) dirty.add(side);
		this.dirty.set(key, dirty);
	}

	private crmId(c: ExpectedContact): string {
		return (this.snapshot.crm.get(c.key) ?? [])[0].id;
	}

	private exchangeId(c: ExpectedContact): string {
		return (this.snapshot.exchange.get(c.key) ?? [])[0].id;
	}

	private async current(id: string) {
		return this.outlook.call<Record<string, unknown> & { id: string }>('GET', `/me/contacts/${id}`);
	}

	private async op(kind: OpKind): Promise<void> {
		const o = this.oracle;
		switch (kind) {
			case 'createCrm': {
				if (o.live().length >= this.options.maxContacts) return;
				const key = o.newKey();
				const fields = this.values(SOAK_FIELD_NAMES);
				const crmOnly = { leadsource: 'Soak', assistant: `A-${key}`, cf_soak_rating: String(Math.floor(this.rnd() * 5) + 1) };
				await this.crm.create('contacts', { fields: { firstname: 'Sam', lastname: `${KEY_PREFIX}${key}`, ...crmPatch(fields), ...crmOnly } });
				o.add({ key, fields, onCrm: true, onExchange: true, exchangeOnly: {}, crmOnly });
				this.mark(key, ['crm', 'exchange']);
				return;
			}
			case 'createExchange': {
				if (o.live().length >= this.options.maxContacts) return;
				const key = o.newKey();
				const fields = this.values(SOAK_FIELD_NAMES);
				const exchangeOnly: Record<string, unknown> = {
					nickName: `Nick ${key}`,
					spouseName: `Pat ${key}`,
					imAddresses: [`${key.toLowerCase()}@im.example`],
					homeAddress: { street: `Gartenweg ${this.round}`, city: 'Potsdam' },
					'businessPhones.1': `+49 331 ${Math.floor(this.rnd() * 900_000) + 100_000}`,
				};
				await this.outlook.createContact(this.folderId, {
					givenName: 'Sam',
					surname: `${KEY_PREFIX}${key}`,
					jobTitle: fields.jobTitle,
					department: fields.department,
					mobilePhone: fields.mobile,
					businessPhones: [fields.phone, exchangeOnly['businessPhones.1']],
					nickName: exchangeOnly.nickName,
					spouseName: exchangeOnly.spouseName,
					imAddresses: exchangeOnly.imAddresses,
					homeAddress: exchangeOnly.homeAddress,
				});
				o.add({ key, fields, onCrm: true, onExchange: true, exchangeOnly, crmOnly: {} });
				this.mark(key, ['crm', 'exchange']);
				return;
			}
			case 'editCrm':
			case 'clearCrm': {
				const c = this.candidate({ crm: true, edits: ['crm'] });
				if (!c) return;
				const values = kind === 'editCrm' ? this.values(this.someFields()) : { [this.pick(['jobTitle', 'department'] as const)]: undefined };
				await this.crm.update('contacts', this.crmId(c), { fields: crmPatch(values) });
				o.edited(c.key, 'crm', values);
				return;
			}
			case 'editExchange': {
				const c = this.candidate({ exchange: true, edits: ['exchange'] });
				if (!c) return;
				const values = this.values(this.someFields());
				const id = this.exchangeId(c);
				await this.outlook.updateContact(id, graphPatch(values, await this.current(id)));
				o.edited(c.key, 'exchange', values);
				return;
			}
			case 'editBoth': {
				const c = this.candidate({ crm: true, exchange: true, edits: ['crm', 'exchange'], clean: true });
				if (!c) return;
				const shuffled = [...SOAK_FIELD_NAMES].sort(() => this.rnd() - 0.5);
				const crmValues = this.values(shuffled.slice(0, 2));
				const exchangeValues = this.values(shuffled.slice(2));
				const editCrm = () => this.crm.update('contacts', this.crmId(c), { fields: crmPatch(crmValues) });
				const id = this.exchangeId(c);
				const editExchange = async () => this.outlook.updateContact(id, graphPatch(exchangeValues, await this.current(id)));
				// A few milliseconds apart, so "last modified" is well defined on both clocks.
				const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
				if (this.rnd() < 0.5) {
					await editCrm();
					await pause();
					await editExchange();
					o.editedBoth(c.key, this.options.policy, crmValues, exchangeValues);
				} else {
					await editExchange();
					await pause();
					await editCrm();
					o.editedBoth(c.key, this.options.policy, exchangeValues, crmValues);
				}
				return;
			}
			case 'foreignCrm': {
				const c = this.candidate({ crm: true, edits: ['crm'] });
				if (!c) return;
				const field = this.pick(CRM_ONLY_FIELDS);
				const value = `${field}-${this.round}`;
				await this.crm.update('contacts', this.crmId(c), { fields: { [field]: value } });
				c.crmOnly[field] = value;
				return;
			}
			case 'foreignExchange': {
				const c = this.candidate({ exchange: true, edits: ['exchange'] });
				if (!c) return;
				const nickName = `Nick ${c.key} ${this.round}`;
				await this.outlook.updateContact(this.exchangeId(c), { nickName });
				c.exchangeOnly.nickName = nickName;
				return;
			}
			case 'deleteCrm': {
				const c = this.candidate({ crm: true, edits: ['crm', 'exchange'], clean: true });
				if (!c) return;
				await this.crm.delete('contacts', this.crmId(c));
				o.deleted(c.key, 'crm');
				return;
			}
			case 'deleteExchange': {
				const c = this.candidate({ exchange: true, edits: ['crm', 'exchange'], clean: true });
				if (!c) return;
				await this.outlook.deleteContact(this.exchangeId(c));
				o.deleted(c.key, 'exchange');
				return;
			}
			case 'deleteExchangeEditCrm': {
				const c = this.candidate({ crm: true, exchange: true, edits: ['crm', 'exchange'], clean: true });
				if (!c) return;
				const values = this.values(this.someFields());
				await this.outlook.deleteContact(this.exchangeId(c));
				await this.crm.update('contacts', this.crmId(c), { fields: crmPatch(values) });
				o.changeBeatsDeletion(c.key, 'exchange', values);
				return;
			}
			case 'deleteCrmEditExchange': {
				const c = this.candidate({ crm: true, exchange: true, edits: ['crm', 'exchange'], clean: true });
				if (!c) return;
				const values = this.values(this.someFields());
				const id = this.exchangeId(c);
				await this.outlook.updateContact(id, graphPatch(values, await this.current(id)));
				await this.crm.delete('contacts', this.crmId(c));
				o.changeBeatsDeletion(c.key, 'crm', values);
				return;
			}
		}
	}

	private pickOp(): OpKind {
		const total = OP_WEIGHTS.reduce((s, [, w]) => s + w, 0);
		let r = this.rnd() * total;
		for (const [kind, w] of OP_WEIGHTS) {
			r -= w;
			if (r < 0) return kind;
		}
		return 'editCrm';
	}

	private faultsOn(): void {
		const rate = this.options.faultRate;
		const f = this.sandbox.faults;
		f.clear();
		f.seed(Math.floor(this.rnd() * 2 ** 31));
		// Retry-After 0 (Graph) / 50 ms (EWS back-off): the soak tests that a fault is survived, not how long a wait is.
		const retryAfter = this.options.protocol === 'graph' ? 0 : 0.05;
		f.add({ match: {}, action: { type: 'status', status: 429, retryAfterSeconds: retryAfter }, probability: rate * 0.3 });
		f.add({ match: {}, action: { type: 'status', status: 503, retryAfterSeconds: retryAfter }, probability: rate * 0.25 });
		f.add({ match: {}, action: { type: 'reset' }, probability: rate * 0.15 });
		f.add({ match: {}, action: { type: 'delay', ms: 150 }, probability: rate * 0.2 });
		if (this.options.protocol === 'graph') f.add({ match: { method: 'PATCH' }, action: { type: 'status', status: 412 }, probability: rate });
	}

	private faultsOff(): void {
		this.metrics.soak_faults_injected += this.sandbox.faults.list().reduce((s, r) => s + r.hits, 0);
		this.sandbox.faults.clear();
	}

	/** One production execution: static data saved after a success or a failure (n8n does both), lost on a kill. */
	private async execution(end: RunEnd, faults: boolean) {
		const data = JSON.parse(JSON.stringify(this.saved)) as IDataObject;
		this.metrics.soak_runs++;
		if (faults) this.faultsOn();
		try {
			const report = await this.runner.run(data, end);
			if (report && report.errors === 0 && report.pendingRetries === 0) this.dirty.clear();
			if (end === 'complete') this.saved = data;
			else this.metrics.soak_killed_runs++;
			return report;
		} catch {
			this.metrics.soak_failed_runs++;
			this.saved = data;
			return undefined;
		} finally {
			if (faults) this.faultsOff();
		}
	}

	async start(): Promise<void> {
		await this.execution('complete', false);
		this.folderId = await this.outlook.syncFolderId();
	}

	async playRound(): Promise<void> {
		this.round++;
		this.metrics.soak_rounds++;
		this.snapshot = await readSides(this.outlook, this.folderId, this.crm);
		this.touched = new Set();
		const ops = 1 + Math.floor(this.rnd() * 3);
		for (let i = 0; i < ops; i++) {
			const kind = this.pickOp();
			const before = new Set(this.touched);
			await this.op(kind);
			this.options.trace?.(`round ${this.round}: ${kind} ${[...this.touched].filter((k) => !before.has(k)).join(',')}`);
		}
		const dice = this.rnd();
		const end: RunEnd = dice < 0.04 ? 'killAfterCrmWrite' : dice < 0.08 ? 'killAfterExchangeWrite' : 'complete';
		const report = await this.execution(end, true);
		this.options.trace?.(`round ${this.round}: run ${end} ${JSON.stringify(report)}`);
		if (this.round % this.options.checkEvery === 0) await this.checkpoint();
	}

	/** Runs without faults until a run writes nothing and has no retry pending, then compares with the oracle. */
	async checkpoint(): Promise<void> {
		this.metrics.soak_checkpoints++;
		let runs = 0;
		for (; runs < 40; runs++) {
			const report = await this.execution('complete', false);
			if (report && report.created + report.updated + report.deleted + report.errors === 0 && report.pendingRetries === 0) break;
		}
		this.metrics.soak_settle_runs_max = Math.max(this.metrics.soak_settle_runs_max, runs + 1);
		this.compare(await readSides(this.outlook, this.folderId, this.crm));
	}

	private defect(metric: keyof SoakMetrics, message: string): void {
		this.metrics[metric]++;
		this.options.onDefect?.(`${this.options.protocol} round ${this.round}: ${metric}: ${message}`);
	}

	private compare(actual: SidesSnapshot): void {
		this.metrics.soak_strangers = Math.max(this.metrics.soak_strangers, actual.strangers);
		for (const c of this.oracle.contacts.values()) {
			if (c.tainted) continue;
			for (const side of ['crm', 'exchange'] as const) {
				const found = actual[side].get(c.key) ?? [];
				const expected = side === 'crm' ? c.onCrm : c.onExchange;
				if (found.length > 1) {
					this.defect('soak_duplicates', `${c.key} is on the ${side} side ${found.length} times`);
					c.tainted = true;
					continue;
				}
				if (expected && found.length === 0) {
					this.defect('soak_wrong_deletes', `${c.key} is missing on the ${side} side`);
					if (side === 'crm') c.onCrm = false;
					else c.onExchange = false;
					continue;
				}
				if (!expected && found.length === 1) {
					this.defect('soak_missed_deletes', `${c.key} should be gone from the ${side} side`);
					if (side === 'crm') c.onCrm = true;
					else c.onExchange = true;
				}
				const record = found[0];
				if (!record) continue;
				for (const f of SOAK_FIELD_NAMES) {
					if (record.values[f] === c.fields[f]) continue;
					this.defect('soak_lost_updates', `${c.key}.${f} on the ${side} side is ${JSON.stringify(record.values[f])}, expected ${JSON.stringify(c.fields[f])}`);
				}
				const only = side === 'crm' ? c.crmOnly : c.exchangeOnly;
				for (const name of new Set([...Object.keys(only), ...Object.keys(record.only)])) {
					if (sameJson(only[name], record.only[name])) continue;
					this.defect('soak_foreign_fields_changed', `${c.key} ${side}-only ${name} is ${JSON.stringify(record.only[name])}, expected ${JSON.stringify(only[name])}`);
				}
				// Re-baseline on what is there, so one defect counts once.
				if (side === 'crm') c.crmOnly = record.only as Record<string, string>;
				else c.exchangeOnly = record.only;
			}
			const there = (actual.crm.get(c.key) ?? actual.exchange.get(c.key) ?? [])[0];
			if (there && !c.tainted) c.fields = { ...there.values };
		}
	}
}

/** Runs a soak on a fresh sandbox and CRM file and returns its figures. */
export async function runSoak(options: SoakOptions): Promise<SoakMetrics> {
	const started = performance.now();
	const sandbox = await startSandbox({ port: 0, host: '127.0.0.1', config: { throttle: { perWindow: Number.MAX_SAFE_INTEGER } } });
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `soak-${options.protocol}-`));
	const databasePath = path.join(dir, 'crm.sqlite');
	const crm = EmbeddedCrmBackend.open(databasePath);
	try {
		const runner = new TemplateRun(options.protocol, {
			microsoftGraphOAuth2Api: {
				grantType: 'clientCredentials', tenantId: TENANT, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, mailbox: MAILBOX,
				authorityUrl: sandbox.httpsUrl, graphBaseUrl: sandbox.httpsUrl, useCustomCa: true, caCertificate: sandbox.tls.ca,
			},
			exchangeEwsApi: {
				url: `${sandbox.httpUrl}/EWS/Exchange.asmx`, authentication: 'basic', username: MAILBOX, password: DEFAULT_PASSWORD,
				mailbox: '', impersonate: false, ca: '', allowSelfSigned: false,
			},
			crmApi: { backend: 'embedded', databasePath },
		}, options.policy ?? 'lastModifiedWins', options.trace);
		const soak = new Soak(
			{ seed: 1, faultRate: 0.1, checkEvery: 20, maxContacts: 30, policy: 'lastModifiedWins', ...options },
			sandbox,
			runner,
			new OutlookUser(sandbox.httpsUrl, sandbox.httpUrl, sandbox.tls.ca, MAILBOX),
			crm,
		);
		await soak.start();
		for (let i = 0; i < options.rounds; i++) await soak.playRound();
		if (options.rounds % (options.checkEvery ?? 20) !== 0) await soak.checkpoint();
		soak.metrics.soak_ms = Math.round(performance.now() - started);
		return soak.metrics;
	} finally {
		await crm.close();
		await closeSharedCrmBackends();
		await sandbox.stop();
		fs.rmSync(dir, { recursive: true, force: true });
	}
}
