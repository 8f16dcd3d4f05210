/**
 * The soak (issue 12): randomized two-sided rounds through the package's real nodes, Graph and EWS
 * clients against the sandbox, with injected faults (429/503 with Retry-After, 412, resets, slow answers)
 * while a run is on and kills between its writes and its Commit, on contacts, appointments or tasks
 * (one component per soak, ./components/) that carry Exchange-only and CRM-only data. Every few rounds
 * the sync settles without faults and both sides are compared with an
 * independent oracle (./oracle.ts). Each defect counts once: afterwards the oracle takes what is there.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { IDataObject } from 'n8n-workflow';

import { EmbeddedCrmBackend } from '../../lib/crm';
import type { Component } from '../../lib/model/types';
import { closeSharedCrmBackends } from '../../nodes/Crm/transport/backend';
import { CLIENT_ID, CLIENT_SECRET, TENANT, startSandbox, type Sandbox } from '../../sandbox/app';
import { DEFAULT_PASSWORD } from '../../sandbox/seed/seeds';
import { contactComponent } from './components/contact';
import { eventComponent } from './components/event';
import { taskComponent } from './components/task';
import { SoakEdits } from './edits';
import { SoakOracle } from './oracle';
import { OutlookUser } from './outlook';
import type { SoakComponent, ValueSource } from './profile';
import { readSides, sameJson, type SidesSnapshot } from './sides';
import { TemplateRun, type RunEnd, type SoakPolicy, type SoakProtocol } from './template-run';

export const SOAK_COMPONENTS: Readonly<Record<Component, SoakComponent>> = { contact: contactComponent, event: eventComponent, task: taskComponent };

const MAILBOX = 'anna@contoso.example';

export interface SoakOptions {
	protocol: SoakProtocol;
	/** The synced component whose template the soak runs (default contact). */
	component?: Component;
	/** The template's conflict policy (default: its default, last modified wins). */
	policy?: SoakPolicy;
	rounds: number;
	seed?: number;
	/** Share of requests that get a fault while a run is on (default 0.1). */
	faultRate?: number;
	/** Rounds between settle-and-compare checkpoints (default 20). */
	checkEvery?: number;
	/** Records alive at most (default 30), so a long soak stays a mailbox of ordinary size. */
	maxRecords?: number;
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
	private readonly oracle: SoakOracle;
	private readonly edits: SoakEdits;
	private readonly rnd: () => number;
	private saved: IDataObject = {};
	private folderId = '';
	/** The dice and the round number, shared with the edits. */
	private readonly source: ValueSource;

	constructor(
		private readonly options: Required<Omit<SoakOptions, 'onDefect' | 'trace'>> & Pick<SoakOptions, 'onDefect' | 'trace'>,
		private readonly component: SoakComponent,
		private readonly sandbox: Sandbox,
		private readonly runner: TemplateRun,
		private readonly outlook: OutlookUser,
		private readonly crm: EmbeddedCrmBackend,
	) {
		this.rnd = random(options.seed);
		this.oracle = new SoakOracle(component);
		this.source = { random: this.rnd, round: 0 };
		this.edits = new SoakEdits({
			component,
			oracle: this.oracle,
			outlook,
			crm,
			policy: options.policy,
			maxRecords: options.maxRecords,
			source: this.source,
			folderId: () => this.folderId,
		});
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
			if (report && report.errors === 0 && report.pendingRetries === 0) this.edits.crossed();
			if (end === 'complete') this.saved = data;
			else this.metrics.soak_killed_runs++;
			return report;
		} catch (error) {
			this.options.trace?.(`  run failed: ${error instanceof Error ? error.message : String(error)}`);
			this.metrics.soak_failed_runs++;
			this.saved = data;
			return undefined;
		} finally {
			if (faults) this.faultsOff();
		}
	}

	async start(): Promise<void> {
		await this.execution('complete', false);
		this.folderId = await this.component.folderId(this.outlook);
	}

	async playRound(): Promise<void> {
		this.source.round++;
		this.metrics.soak_rounds++;
		this.edits.startRound(await this.readSides());
		const count = 1 + Math.floor(this.rnd() * 3);
		for (let i = 0; i < count; i++) {
			const kind = this.edits.pick();
			const before = new Set(this.edits.touchedKeys());
			await this.edits.apply(kind);
			this.options.trace?.(
				`round ${this.source.round}: ${kind} ${this.edits
					.touchedKeys()
					.filter((k) => !before.has(k))
					.join(',')}`,
			);
		}
		const dice = this.rnd();
		const end: RunEnd = dice < 0.04 ? 'killAfterCrmWrite' : dice < 0.08 ? 'killAfterExchangeWrite' : 'complete';
		const report = await this.execution(end, true);
		this.options.trace?.(`round ${this.source.round}: run ${end} ${JSON.stringify(report)}`);
		if (this.source.round % this.options.checkEvery === 0) await this.checkpoint();
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
		this.compare(await this.readSides());
	}

	private readSides(): Promise<SidesSnapshot> {
		return readSides(this.component, this.outlook, this.folderId, this.crm);
	}

	private defect(metric: keyof SoakMetrics, message: string): void {
		this.metrics[metric]++;
		this.options.onDefect?.(`${this.component.name} ${this.options.protocol} ${this.options.policy} round ${this.source.round}: ${metric}: ${message}`);
	}

	private compare(actual: SidesSnapshot): void {
		this.metrics.soak_strangers = Math.max(this.metrics.soak_strangers, actual.strangers);
		for (const c of this.oracle.records.values()) {
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
					// Re-baselined on what is there; its fields are not judged against a record that should not exist.
					if (side === 'crm') {
						c.onCrm = true;
						c.crmOnly = found[0].only as Record<string, string>;
					} else {
						c.onExchange = true;
						c.exchangeOnly = found[0].only;
					}
					continue;
				}
				const record = found[0];
				if (!record) continue;
				for (const f of this.component.fields) {
					if (record.values[f] === c.fields[f]) continue;
					this.defect('soak_lost_updates', `${c.key}.${f} on the ${side} side is ${JSON.stringify(record.values[f])}, expected ${JSON.stringify(c.fields[f])}`);
				}
				const only = side === 'crm' ? c.crmOnly : c.exchangeOnly;
				for (const name of new Set([...Object.keys(only), ...Object.keys(record.only)])) {
					if (sameJson(only[name], record.only[name])) continue;
					this.defect(
						'soak_foreign_fields_changed',
						`${c.key} ${side}-only ${name} is ${JSON.stringify(record.only[name])}, expected ${JSON.stringify(only[name])}`,
					);
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
	const component = SOAK_COMPONENTS[options.component ?? 'contact'];
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `soak-${component.name}-${options.protocol}-`));
	const databasePath = path.join(dir, 'crm.sqlite');
	const crm = EmbeddedCrmBackend.open(databasePath);
	try {
		const runner = new TemplateRun(
			options.protocol,
			component.name,
			component.template,
			{
				microsoftGraphOAuth2Api: {
					grantType: 'clientCredentials',
					tenantId: TENANT,
					clientId: CLIENT_ID,
					clientSecret: CLIENT_SECRET,
					mailbox: MAILBOX,
					authorityUrl: sandbox.httpsUrl,
					graphBaseUrl: sandbox.httpsUrl,
					useCustomCa: true,
					caCertificate: sandbox.tls.ca,
				},
				exchangeEwsApi: {
					url: `${sandbox.httpUrl}/EWS/Exchange.asmx`,
					authentication: 'basic',
					username: MAILBOX,
					password: DEFAULT_PASSWORD,
					mailbox: '',
					impersonate: false,
					ca: '',
					allowSelfSigned: false,
				},
				crmApi: { backend: 'embedded', databasePath },
			},
			options.policy ?? 'lastModifiedWins',
			options.trace,
		);
		const soak = new Soak(
			{ seed: 1, faultRate: 0.1, checkEvery: 20, maxRecords: 30, policy: 'lastModifiedWins', component: component.name, ...options },
			component,
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
