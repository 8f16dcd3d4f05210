/**
 * Sync engine numbers (issue 2): plan time and peak memory for 10k and 100k contact pairs with 1 % changed
 * on each side (delta mode), the initial full-listing plan and the commit of 100k, state bytes per item and
 * side requests per item. Two memory sides (lib/engine MemorySide) stand in for the CRM and Exchange.
 *
 * The measured delta plan runs in a fresh child process that only loads the saved state and the two change
 * lists, as an n8n execution does, so its peak RSS is the plan's own and not the benchmark harness's.
 */
import { createHash } from 'node:crypto';
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { commit, plan, StatusTable, type CommitResult, type PlanOptions, type SideChanges, type SyncPlan, type TableData } from '../lib/engine';
import { MemorySide } from '../test/support/memory-side';
import type { Contact } from '../lib/model/types';

export interface BenchResult {
	metric: string;
	value: number;
	unit: string;
}

const MB = 1024 * 1024;
const OPTIONS: PlanOptions<'contact'> = { component: 'contact', crmInstance: 'crm1', crmModule: 'contacts', runId: 'bench' };

const FIRST = ['Anna', 'Ben', 'Clara', 'David', 'Elif', 'Felix', 'Greta', 'Hannah', 'Jonas', 'Katarina', 'Lukas', 'Marie', 'Noah', 'Olga', 'Paul', 'Sophie'];
const LAST = ['Schmidt', 'Müller', 'Carter', 'Novak', 'Yilmaz', 'Weber', 'Fischer', 'Rossi', 'Dubois', 'Kowalski', 'Jensen', 'García', 'Becker', 'Wagner'];
const CITIES: Array<[string, string]> = [
	['München', '80331'],
	['Berlin', '10115'],
	['Hamburg', '20095'],
	['Köln', '50667'],
	['Wien', '1010'],
	['Zürich', '8001'],
];
const TITLES = ['Sales Manager', 'Head of Purchasing', 'CEO', 'Project Lead', 'Accountant', 'IT Administrator'];

function contact(i: number): Contact {
	const first = FIRST[i % FIRST.length];
	const last = LAST[(i * 7) % LAST.length];
	const [city, zip] = CITIES[i % CITIES.length];
	const company = `Company ${i % 4999} GmbH`;
	return {
		firstName: first,
		lastName: last,
		jobTitle: TITLES[i % TITLES.length],
		department: i % 3 === 0 ? 'Sales' : 'Operations',
		accountName: company,
		email: `${first}.${last}.${i}@company${i % 4999}.example`.toLowerCase(),
		phone: `+49 89 ${String(1_000_000 + i)}`,
		mobile: `+49 170 ${String(2_000_000 + i)}`,
		billingAddress: { street: `Hauptstraße ${1 + (i % 180)}`, city, postalCode: zip, country: 'Germany' },
		website: `https://company${i % 4999}.example`,
		categories: i % 10 === 0 ? ['VIP'] : undefined,
	};
}

/** Graph immutable ids of one mailbox share a long prefix; 100 fixed characters + a 52-character unique part. */
const ID_PREFIX = Buffer.concat([Buffer.from('AAMkAGI2TG93AAA', 'latin1'), createHash('sha512').update('bench-mailbox').digest()])
	.toString('base64')
	.slice(0, 100);

function exchangeId(i: number): string {
	const unique = Buffer.concat([createHash('sha256').update(String(i)).digest(), Buffer.alloc(7, i % 251)]);
	return ID_PREFIX + unique.toString('base64');
}

/** Counts the calls a run makes on a side (a listing or a write = one request to the real system). */
interface Counted {
	requests: number;
}

function listing<C extends 'contact'>(side: MemorySide<C>, cursor: string | undefined, counter: Counted): SideChanges<C> {
	counter.requests++;
	return side.changes(cursor);
}

/** Applies the writes of a plan the way the CRM/Exchange nodes do; Exchange creates get Graph-shaped ids. */
function applyPlan(
	syncPlan: SyncPlan<'contact'>,
	crm: MemorySide<'contact'>,
	exchange: MemorySide<'contact'>,
	counter: Counted,
	nextId: () => string,
): Array<CommitResult<'contact'>> {
	const results: Array<CommitResult<'contact'>> = [];
	for (const action of syncPlan.actions) {
		if (action.target === null) {
			results.push({ action });
			continue;
		}
		counter.requests++;
		if (action.target === 'exchange' && action.kind === 'create') {
			const item = exchange.create(action.record as Contact, action.writeIdent, nextId());
			results.push({ action, outcome: { seq: action.seq, ok: true, id: item.id, etag: item.etag, record: item.record } });
			continue;
		}
		results.push({ action, outcome: (action.target === 'crm' ? crm : exchange).apply(action) });
	}
	return results;
}

function expectCounts(what: string, syncPlan: SyncPlan<'contact'>, toCrm: number, toExchange: number): void {
	const { counts } = syncPlan;
	if (counts.toCrm !== toCrm || counts.toExchange !== toExchange || counts.conflicts !== 0) {
		throw new Error(
			`${what}: planned ${counts.toCrm} CRM / ${counts.toExchange} Exchange writes and ${counts.conflicts} conflicts, expected ${toCrm} / ${toExchange} / 0`,
		);
	}
}

interface ChildInput {
	state: TableData;
	crm: SideChanges<'contact'>;
	exchange: SideChanges<'contact'>;
}

interface ChildResult {
	planMs: number;
	warmPlanMs: number;
	loadMs: number;
	peakRssMb: number;
	heapDeltaMb: number;
	toCrm: number;
	toExchange: number;
}

/** Runs the delta plan in a fresh process (see the header) and returns its time and memory. */
function planInChild(input: ChildInput, dir: string): Promise<ChildResult> {
	const file = join(dir, 'plan-input.json');
	writeFileSync(file, JSON.stringify(input));
	return new Promise((resolve, reject) => {
		const child = fork(__filename, ['--plan-child', file], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
		let result: ChildResult | undefined;
		child.on('message', (message) => (result = message as ChildResult));
		child.on('error', reject);
		child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`plan child exited with code ${String(code)}`))));
	});
}

function runPlanChild(file: string): void {
	const gc = (globalThis as { gc?: () => void }).gc;
	gc?.();
	const rssBefore = process.memoryUsage().rss;
	const heapBefore = process.memoryUsage().heapUsed;
	const loadStart = performance.now();
	// The static data as n8n hands it over: parsed JSON; then the two sides' delta pages.
	const input = JSON.parse(readFileSync(file, 'utf8')) as ChildInput;
	const table = StatusTable.load(input.state);
	const loadMs = performance.now() - loadStart;
	const planStart = performance.now();
	const syncPlan = plan(table, input.crm, input.exchange, OPTIONS);
	table.pending = syncPlan.pending;
	const planMs = performance.now() - planStart;
	const heapAfter = process.memoryUsage().heapUsed;
	const peakRss = process.resourceUsage().maxRSS * 1024;
	const warmStart = performance.now();
	plan(table, input.crm, input.exchange, OPTIONS);
	const warmPlanMs = performance.now() - warmStart;
	const result: ChildResult = {
		planMs,
		warmPlanMs,
		loadMs,
		peakRssMb: (peakRss - rssBefore) / MB,
		heapDeltaMb: (heapAfter - heapBefore) / MB,
		toCrm: syncPlan.counts.toCrm,
		toExchange: syncPlan.counts.toExchange,
	};
	process.send?.(result, () => process.exit(0));
}

interface ScenarioResult {
	initialPlanMs: number;
	commitMs: number;
	delta: ChildResult;
	stateBytesPerItem: number;
	requestsPerItemInitial: number;
	requestsPerChangedItem: number;
}

async function scenario(n: number, dir: string): Promise<ScenarioResult> {
	const clock = MemorySide.clock();
	const crm = new MemorySide<'contact'>('crm', 'c', clock);
	const exchange = new MemorySide<'contact'>('exchange', 'unused-', clock);
	for (let i = 0; i < n; i++) crm.create(contact(i));
	let nextExchange = 0;
	const nextId = () => exchangeId(nextExchange++);
	const table = StatusTable.load();

	// Run 1: first sync, full listings, every CRM contact is created in Exchange.
	const initial: Counted = { requests: 0 };
	const crmAll = listing(crm, undefined, initial);
	const exAll = listing(exchange, undefined, initial);
	let started = performance.now();
	const first = plan(table, crmAll, exAll, { ...OPTIONS, runId: 'r1' });
	table.pending = first.pending;
	const initialPlanMs = performance.now() - started;
	expectCounts('initial plan', first, 0, n);
	const firstResults = applyPlan(first, crm, exchange, initial, nextId);
	started = performance.now();
	const firstReport = commit(table, firstResults, { component: 'contact', runId: 'r1' });
	const commitMs = performance.now() - started;
	if (!firstReport.cursorsCommitted || table.size !== n) throw new Error(`initial commit kept ${table.size} of ${n} pairs`);

	// Run 2: the Exchange feed echoes our own creates; nothing to do (etag and hash match the status).
	const echo = plan(table, crm.changes(table.cursors.crm), exchange.changes(table.cursors.ex), { ...OPTIONS, runId: 'r2' });
	table.pending = echo.pending;
	expectCounts('echo plan', echo, 0, 0);
	commit(
		table,
		echo.actions.map((action) => ({ action })),
		{ component: 'contact', runId: 'r2' },
	);

	// 1 % edited on each side, on different contacts.
	const changed = Math.max(1, Math.round(n / 100));
	const crmItems = crm.all();
	const exItems = exchange.all();
	for (let k = 0; k < changed; k++) {
		const c = crmItems[k * 100];
		crm.update(c.id, { ...c.record, jobTitle: 'Key Account Manager', phone: `+49 30 ${String(5_000_000 + k)}` });
		const e = exItems[k * 100 + 50];
		exchange.update(e.id, { ...e.record, mobile: `+49 151 ${String(7_000_000 + k)}`, department: 'Key Accounts' });
	}

	// Run 3 (measured): delta listings.
	const delta: Counted = { requests: 0 };
	const crmDelta = listing(crm, table.cursors.crm, delta);
	const exDelta = listing(exchange, table.cursors.ex, delta);
	const child = await planInChild({ state: table.save(), crm: crmDelta, exchange: exDelta }, dir);
	if (child.toCrm !== changed || child.toExchange !== changed) {
		throw new Error(`delta plan of ${n}: ${child.toCrm} CRM / ${child.toExchange} Exchange writes, expected ${changed} each`);
	}
	// The same run in this process, applied and committed, for the request count and the state size.
	const third = plan(table, crmDelta, exDelta, { ...OPTIONS, runId: 'r3' });
	table.pending = third.pending;
	const thirdReport = commit(table, applyPlan(third, crm, exchange, delta, nextId), { component: 'contact', runId: 'r3' });
	if (thirdReport.counts.updated !== 2 * changed || thirdReport.failures.length)
		throw new Error(`delta run of ${n}: ${thirdReport.counts.updated} updates, ${thirdReport.failures.length} failures`);

	return {
		initialPlanMs,
		commitMs,
		delta: child,
		stateBytesPerItem: Buffer.byteLength(JSON.stringify(table.save())) / n,
		requestsPerItemInitial: initial.requests / n,
		requestsPerChangedItem: delta.requests / (2 * changed),
	};
}

export async function benchEngine(sizes: number[] = [10_000, 100_000]): Promise<BenchResult[]> {
	const dir = mkdtempSync(join(tmpdir(), 'bench-engine-'));
	const out: BenchResult[] = [];
	try {
		for (const n of sizes) {
			const label = n >= 1000 ? `${n / 1000}k` : String(n);
			const r = await scenario(n, dir);
			out.push({ metric: `plan_${label}_ms`, value: r.delta.planMs, unit: 'ms' });
			out.push({ metric: `plan_${label}_warm_ms`, value: r.delta.warmPlanMs, unit: 'ms' });
			out.push({ metric: `plan_${label}_peak_mb`, value: r.delta.peakRssMb, unit: 'MB' });
			out.push({ metric: `plan_${label}_heap_mb`, value: r.delta.heapDeltaMb, unit: 'MB' });
			out.push({ metric: `state_load_${label}_ms`, value: r.delta.loadMs, unit: 'ms' });
			out.push({ metric: `plan_${label}_initial_ms`, value: r.initialPlanMs, unit: 'ms' });
			out.push({ metric: `commit_${label}_ms`, value: r.commitMs, unit: 'ms' });
			if (n === sizes[sizes.length - 1]) {
				out.push({ metric: 'state_bytes_per_item', value: r.stateBytesPerItem, unit: 'bytes' });
				out.push({ metric: 'requests_per_item', value: r.requestsPerItemInitial, unit: 'requests' });
				out.push({ metric: 'requests_per_changed_item', value: r.requestsPerChangedItem, unit: 'requests' });
			}
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	return out;
}

if (require.main === module && process.argv[2] === '--plan-child') runPlanChild(process.argv[3]);
