/**
 * n8n's queue mode for real (issue 15): PostgreSQL and Redis from scripts/queue-services-up.sh, a fresh
 * database and Bull prefix per run, one n8n main (`n8n start`, EXECUTIONS_MODE=queue: it runs the
 * triggers and puts every production execution on the queue) and N workers (`n8n worker`: they take
 * the executions off the queue and run them), all on one user folder with our packed package installed
 * once and one encryption key. Every n8n process carries a guard (parent-guard.cjs) that stops it when
 * the process that started it is gone, so no worker outlives a crashed or killed test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { freeLoopbackPort, N8nInstance, REPO_DIR } from './n8n';
import { run, runOrThrow } from './process';
import type { N8nServer, N8nServerProcess } from './server';

export interface QueueServices {
	pgHost: string;
	pgPort: number;
	pgUser: string;
	pgPassword: string;
	pgBin: string;
	redisHost: string;
	redisPort: number;
}

const GUARD = path.join(REPO_DIR, 'test/e2e/harness/parent-guard.cjs');

function servicesFrom(env: NodeJS.ProcessEnv): QueueServices | undefined {
	if (!env.QUEUE_PG_PORT || !env.QUEUE_REDIS_PORT) return undefined;
	return {
		pgHost: env.QUEUE_PG_HOST ?? '127.0.0.1',
		pgPort: Number(env.QUEUE_PG_PORT),
		pgUser: env.QUEUE_PG_USER ?? 'n8n',
		pgPassword: env.QUEUE_PG_PASSWORD ?? 'n8n',
		pgBin: env.QUEUE_PG_BIN ?? '/usr/lib/postgresql/15/bin',
		redisHost: env.QUEUE_REDIS_HOST ?? '127.0.0.1',
		redisPort: Number(env.QUEUE_REDIS_PORT),
	};
}

/**
 * The running PostgreSQL and Redis: from the environment (`npm test` sources the script's env file), else
 * started by the script here (idempotent; seconds when they run already). `undefined` with
 * QUEUE_SERVICES=skip.
 */
export async function ensureQueueServices(): Promise<QueueServices | undefined> {
	if (process.env.QUEUE_SERVICES === 'skip') return undefined;
	const known = servicesFrom(process.env);
	if (known) return known;
	const dir = await mkdtemp(path.join(tmpdir(), 'queue-services-'));
	try {
		const envFile = path.join(dir, 'queue-services.env');
		await runOrThrow('bash', [path.join(REPO_DIR, 'scripts/queue-services-up.sh'), envFile], { timeoutMs: 20 * 60_000 });
		const vars: NodeJS.ProcessEnv = {};
		for (const line of (await readFile(envFile, 'utf8')).split('\n')) {
			const match = /^export (\w+)=(.*)$/.exec(line.trim());
			if (match) vars[match[1]] = match[2];
		}
		const services = servicesFrom(vars);
		if (!services) throw new Error(`scripts/queue-services-up.sh wrote no connection variables to ${envFile}`);
		return services;
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

/** One PostgreSQL database, created for one run and dropped after it. */
export class QueueDatabase {
	private constructor(
		readonly services: QueueServices,
		readonly name: string,
	) {}

	static async create(services: QueueServices, name: string): Promise<QueueDatabase> {
		const db = new QueueDatabase(services, name);
		await db.psql('postgres', `CREATE DATABASE ${name}`);
		return db;
	}

	private async psql(database: string, sql: string): Promise<string> {
		const s = this.services;
		const result = await runOrThrow(
			path.join(s.pgBin, 'psql'),
			['-h', s.pgHost, '-p', String(s.pgPort), '-U', s.pgUser, '-d', database, '-v', 'ON_ERROR_STOP=1', '-qtAc', sql],
			{
				env: { ...process.env, PGPASSWORD: s.pgPassword, PGCONNECT_TIMEOUT: '10' },
				timeoutMs: 60_000,
			},
		);
		return result.stdout;
	}

	/** Rows of a SELECT, as JSON objects (column names as n8n's schema spells them). */
	async query<T>(select: string): Promise<T[]> {
		const out = await this.psql(this.name, `SELECT coalesce(json_agg(row_to_json(q)), '[]'::json) FROM (${select}) q`);
		return JSON.parse(out.trim() || '[]') as T[];
	}

	/** A statement whose output is one value (e.g. a data-modifying WITH … SELECT count(*)). */
	async scalar(sql: string): Promise<string> {
		return (await this.psql(this.name, sql)).trim();
	}

	async sizeBytes(): Promise<number> {
		const [row] = await this.query<{ size: number }>(`SELECT pg_database_size('${this.name}') AS size`);
		return Number(row?.size ?? 0);
	}

	async drop(): Promise<void> {
		await this.psql('postgres', `DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
	}
}

/** An `n8n worker`: ready when its health server answers; records which executions it started. */
export class QueueWorker {
	/** Execution ids this worker took off the queue ("Worker started execution N", job-processor.ts). */
	readonly executionIds = new Set<string>();
	private output = '';
	private pending = '';

	private constructor(
		private readonly child: ChildProcess,
		readonly index: number,
	) {
		const keep = (chunk: Buffer) => {
			const text = chunk.toString('utf8');
			this.output = (this.output + text).slice(-20_000);
			const lines = (this.pending + text).split('\n');
			this.pending = lines.pop() ?? '';
			for (const line of lines) {
				const started = /Worker started execution (\d+)/.exec(line);
				if (started) this.executionIds.add(started[1]);
			}
		};
		child.stdout?.on('data', keep);
		child.stderr?.on('data', keep);
	}

	// Several workers boot at once; on a busy 2-core machine one took 3 minutes (bench scale, 4 workers).
	static async start(spec: N8nServerProcess, index: number, timeoutMs = 600_000): Promise<QueueWorker> {
		const port = await freeLoopbackPort();
		const child = spawn(spec.command, spec.args, {
			cwd: spec.cwd,
			env: { ...spec.env, QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(port), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const worker = new QueueWorker(child, index);
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (child.exitCode !== null) throw new Error(`n8n worker ${index} exited with ${child.exitCode}:\n${worker.log().slice(-4000)}`);
			const ready = await fetch(`http://127.0.0.1:${port}/healthz/readiness`, { signal: AbortSignal.timeout(2_000) }).then(
				(r) => r.ok,
				() => false,
			);
			if (ready) return worker;
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		await worker.stop();
		throw new Error(`n8n worker ${index} was not ready within ${timeoutMs} ms:\n${worker.log().slice(-4000)}`);
	}

	get pid(): number | undefined {
		return this.child.pid;
	}

	log(): string {
		return this.output;
	}

	async stop(): Promise<void> {
		if (this.child.exitCode !== null || this.child.signalCode !== null) return;
		const exited = new Promise((resolve) => this.child.once('exit', resolve));
		this.child.kill('SIGTERM');
		// A worker waits for its running executions on SIGTERM (N8N_GRACEFUL_SHUTDOWN_TIMEOUT): not for long here.
		const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
		await exited;
		clearTimeout(timer);
	}
}

/** Peak resident memory of a live process in bytes (VmHWM), 0 when unknown. */
export function peakRssBytes(pid: number | undefined): number {
	if (!pid) return 0;
	try {
		const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) * 1024 : 0;
	} catch {
		return 0;
	}
}

export interface QueueN8nOptions {
	workers: number;
	/** Executions one worker runs at a time (`n8n worker --concurrency`). */
	concurrency?: number;
	/** Extra environment for every n8n process (sandbox CA, …). */
	env?: NodeJS.ProcessEnv;
}

export interface ExecutionRow {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	/** When the main stored (and enqueued) it. */
	createdAt: string;
	/** When a worker took it off the queue. */
	startedAt: string | null;
	stoppedAt: string | null;
}

/** A queue-mode n8n: set up with `create`, fill with the instance's CLI (import, publish), then `start`. */
export class QueueN8n {
	main?: N8nServer;
	readonly workers: QueueWorker[] = [];
	private readonly killOnExit = () => {
		for (const pid of [this.main?.pid, ...this.workers.map((w) => w.pid)]) {
			try {
				if (pid) process.kill(pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}
	};

	private constructor(
		readonly n8n: N8nInstance,
		readonly db: QueueDatabase,
		private readonly options: QueueN8nOptions,
		private readonly redisPrefixes: readonly string[],
	) {}

	/** `undefined` when the queue services are switched off (QUEUE_SERVICES=skip). */
	static async create(options: QueueN8nOptions): Promise<QueueN8n | undefined> {
		const services = await ensureQueueServices();
		if (!services) return undefined;
		const name = `n8n_queue_${process.pid}_${Date.now().toString(36)}`;
		const bullPrefix = `bull_${name}`;
		const db = await QueueDatabase.create(services, name);
		try {
			const n8n = await N8nInstance.create({
				env: {
					...options.env,
					DB_TYPE: 'postgresdb',
					DB_POSTGRESDB_HOST: services.pgHost,
					DB_POSTGRESDB_PORT: String(services.pgPort),
					DB_POSTGRESDB_DATABASE: name,
					DB_POSTGRESDB_USER: services.pgUser,
					DB_POSTGRESDB_PASSWORD: services.pgPassword,
					// n8n's default pool of 2 connections makes a worker's concurrent executions time out
					// waiting for one ("timeout exceeded when trying to connect") on a busy machine.
					DB_POSTGRESDB_POOL_SIZE: String(Math.max(4, (options.concurrency ?? 10) + 2)),
					EXECUTIONS_MODE: 'queue',
					QUEUE_BULL_REDIS_HOST: services.redisHost,
					QUEUE_BULL_REDIS_PORT: String(services.redisPort),
					// Runs share the Redis server, never a queue, a cache entry or a pub/sub channel.
					QUEUE_BULL_PREFIX: bullPrefix,
					N8N_REDIS_KEY_PREFIX: name,
					N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
					N8N_E2E_PARENT_PID: String(process.pid),
				},
			});
			return new QueueN8n(n8n, db, options, [bullPrefix, name]);
		} catch (error) {
			await db.drop();
			throw error;
		}
	}

	/**
	 * Publishes imported workflows before the main starts, in one statement: what `n8n publish:workflow
	 * --id` does per workflow (WorkflowRepository.publishVersion in n8n 2.40.7: the current version must be
	 * in workflow_history; then active = true, activeVersionId = versionId), without one n8n boot (≈ 7 s)
	 * per workflow, which at 100 mailboxes would take longer than the bench.
	 */
	async publish(workflowIds: readonly string[]): Promise<void> {
		const ids = workflowIds.map((id) => `'${id.replace(/[^A-Za-z0-9]/g, '')}'`).join(', ');
		const published = await this.db.scalar(
			`WITH u AS (UPDATE workflow_entity w SET active = true, "activeVersionId" = w."versionId" WHERE w.id IN (${ids}) AND NOT w."isArchived" AND EXISTS (SELECT 1 FROM workflow_history h WHERE h."workflowId" = w.id AND h."versionId" = w."versionId") RETURNING w.id) SELECT count(*) FROM u`,
		);
		if (Number(published) !== workflowIds.length)
			throw new Error(`published ${published} of ${workflowIds.length} workflows (a version missing in workflow_history?)`);
	}

	/** Starts the main (owner set up, signed in) and the workers. */
	async start(): Promise<N8nServer> {
		process.once('exit', this.killOnExit);
		this.main = await this.n8n.startServer(['--require', GUARD]);
		await this.main.setupOwner();
		const concurrency = String(this.options.concurrency ?? 10);
		// Each worker joins the list once ready, so that stop() ends those that started when another did not.
		const started = await Promise.allSettled(
			Array.from({ length: this.options.workers }, async (_, i) => {
				const worker = await QueueWorker.start(await this.n8n.processSpec(['worker', `--concurrency=${concurrency}`], ['--require', GUARD]), i);
				this.workers.push(worker);
			}),
		);
		const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
		if (failed) throw failed.reason;
		this.workers.sort((a, b) => a.index - b.index);
		return this.main;
	}

	/** The executions n8n stored, oldest first. */
	async executions(workflowIds?: readonly string[]): Promise<ExecutionRow[]> {
		const where = workflowIds?.length ? `WHERE "workflowId" IN (${workflowIds.map((id) => `'${id.replace(/'/g, '')}'`).join(', ')})` : '';
		return await this.db.query<ExecutionRow>(
			`SELECT id::text AS id, "workflowId", status, mode, "createdAt", "startedAt", "stoppedAt" FROM execution_entity ${where} ORDER BY id`,
		);
	}

	/** Each workflow's static data as saved in the database, and its size in bytes. */
	async staticData(): Promise<Map<string, { data: unknown; bytes: number }>> {
		const rows = await this.db.query<{ id: string; staticData: unknown; bytes: number | null }>(
			`SELECT id, "staticData", octet_length("staticData"::text) AS bytes FROM workflow_entity`,
		);
		return new Map(rows.map((r) => [r.id, { data: r.staticData, bytes: Number(r.bytes ?? 0) }]));
	}

	/** Which worker started each execution (worker index by execution id). */
	workerOf(): Map<string, number> {
		const byExecution = new Map<string, number>();
		for (const worker of this.workers) for (const id of worker.executionIds) byExecution.set(id, worker.index);
		return byExecution;
	}

	logs(): string {
		return [`--- main ---\n${this.main?.log().slice(-3000) ?? ''}`, ...this.workers.map((w) => `--- worker ${w.index} ---\n${w.log().slice(-3000)}`)].join(
			'\n',
		);
	}

	async stop(): Promise<void> {
		await Promise.all(this.workers.map((w) => w.stop()));
		await this.main?.stop();
		process.removeListener('exit', this.killOnExit);
		await this.n8n.cleanup();
		if (process.env.N8N_E2E_KEEP === '1') return;
		await this.db.drop();
		await this.dropQueue();
	}

	/** Removes this run's keys (Bull queue, n8n's cache) from the shared Redis. */
	private async dropQueue(): Promise<void> {
		const s = this.db.services;
		const cli = ['-h', s.redisHost, '-p', String(s.redisPort)];
		for (const prefix of this.redisPrefixes) {
			const keys = (await run('redis-cli', [...cli, '--scan', '--pattern', `${prefix}:*`], { timeoutMs: 30_000 })).stdout.split('\n').filter(Boolean);
			for (let i = 0; i < keys.length; i += 500) await run('redis-cli', [...cli, 'DEL', ...keys.slice(i, i + 500)], { timeoutMs: 30_000 });
		}
	}
}
