/**
 * End-to-end harness: a real n8n (installed once into a cache outside the repo by
 * scripts/ensure-n8n.sh) loads this package from its packed tarball, imports credentials and
 * workflows, and runs them with `n8n execute` (mode "cli"; workflow static data persists from
 * one execution to the next, DESIGN.md §8).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { logProblems, parseExecutionOutput, type N8nRun } from './output';
import { run, runOrThrow, type RunResult } from './process';
import { N8nServer, type N8nServerProcess } from './server';

const PACKAGE_NAME = 'n8n-nodes-exchange-crm-sync';

/** The repository root: the nearest folder with our package.json (from test/ under jest, or dist/ in the demo). */
function findRepoDir(start: string): string {
	for (let dir = start; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const manifest = path.join(dir, 'package.json');
		if (existsSync(manifest) && readFileSync(manifest, 'utf8').includes(`"name": "${PACKAGE_NAME}"`)) return dir;
	}
	throw new Error(`cannot find the ${PACKAGE_NAME} repository above ${start}`);
}

export const REPO_DIR = findRepoDir(__dirname);

/** Node 24 from the repo (n8n 2.40 needs it; the machine's default node may be older). */
export function nodeBinary(): string {
	const repoNode = path.join(REPO_DIR, 'node_modules/.bin/node');
	return existsSync(repoNode) ? repoNode : process.execPath;
}

/** PATH with the repo's Node 24 first, so npm and node-gyp run on it too. */
function envWithRepoNode(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
	const binDir = path.join(REPO_DIR, 'node_modules/.bin');
	const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`, ...extra };
	// Jest sets NODE_ENV=test; n8n then behaves as in its own unit tests (no node loading, silent failures).
	delete env.NODE_ENV;
	for (const key of Object.keys(env)) if (key.startsWith('JEST_')) delete env[key];
	return env;
}

/** A port the OS just handed out on 127.0.0.1 (port 0), released for the child to bind. */
export function freeLoopbackPort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

export interface Timed<T> {
	value: T;
	ms: number;
}

/** Installs n8n into the cache when missing (minutes, once); returns its directory. */
export async function ensureN8n(): Promise<Timed<string>> {
	const result = await runOrThrow('bash', [path.join(REPO_DIR, 'scripts/ensure-n8n.sh')], {
		cwd: REPO_DIR,
		env: envWithRepoNode(),
		timeoutMs: 30 * 60_000,
	});
	const dir = result.stdout.trim().split('\n').pop() ?? '';
	if (!existsSync(path.join(dir, 'node_modules/n8n/bin/n8n'))) throw new Error(`ensure-n8n.sh gave no n8n install: ${result.stderr}`);
	return { value: dir, ms: result.ms };
}

/**
 * `npm run build` (unless N8N_E2E_SKIP_BUILD=1, e.g. right after `npm test`'s own build) and
 * `npm pack` into a temporary directory; returns the tarball path.
 */
export async function packPackage(destination: string): Promise<Timed<string>> {
	const started = Date.now();
	const env = envWithRepoNode();
	if (process.env.N8N_E2E_SKIP_BUILD !== '1') {
		await runOrThrow('npm', ['run', 'build', '--silent'], { cwd: REPO_DIR, env, timeoutMs: 10 * 60_000 });
	}
	await mkdir(destination, { recursive: true });
	await runOrThrow('npm', ['pack', '--pack-destination', destination, '--loglevel=error'], { cwd: REPO_DIR, env, timeoutMs: 5 * 60_000 });
	const tarball = (await readdir(destination)).find((f) => f.startsWith(PACKAGE_NAME) && f.endsWith('.tgz'));
	if (!tarball) throw new Error(`npm pack wrote no ${PACKAGE_NAME}-*.tgz into ${destination}`);
	return { value: path.join(destination, tarball), ms: Date.now() - started };
}

export interface N8nCredential {
	id: string;
	name: string;
	type: string;
	/** Plain values; n8n encrypts them on import. */
	data: Record<string, unknown>;
}

export interface N8nWorkflow {
	id: string;
	name: string;
	nodes: unknown[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	staticData?: unknown;
	active?: boolean;
	[key: string]: unknown;
}

export interface ExecuteResult {
	ok: boolean;
	run?: N8nRun;
	/** Raw process output, for failure messages. */
	process: RunResult;
}

export interface N8nInstanceOptions {
	/** Extra environment for every n8n command (e.g. sandbox URLs, NODE_EXTRA_CA_CERTS). */
	env?: NodeJS.ProcessEnv;
	/** Keep the temporary user folder after cleanup (debugging). Also N8N_E2E_KEEP=1. */
	keep?: boolean;
	/** Use this folder (created if missing) instead of a temporary one; implies keep. */
	workDir?: string;
	/** Encryption key of the instance's credentials; default a random one. */
	encryptionKey?: string;
}

/** One throw-away n8n: its own user folder (database, settings, installed package). */
export class N8nInstance {
	/** Timings of the setup steps, milliseconds. */
	readonly timings: Record<string, number> = {};

	private constructor(
		readonly n8nDir: string,
		readonly workDir: string,
		readonly userFolder: string,
		private readonly env: NodeJS.ProcessEnv,
		private readonly keep: boolean,
	) {}

	static async create(options: N8nInstanceOptions = {}): Promise<N8nInstance> {
		const installed = await ensureN8n();
		const workDir = options.workDir ?? (await mkdtemp(path.join(tmpdir(), 'n8n-e2e-')));
		await mkdir(workDir, { recursive: true });
		const userFolder = path.join(workDir, 'user');
		const env: NodeJS.ProcessEnv = envWithRepoNode({
			N8N_USER_FOLDER: userFolder,
			N8N_ENCRYPTION_KEY: options.encryptionKey ?? randomBytes(24).toString('hex'),
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_RUNNERS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			// `n8n execute` prints the run through the logger at level info; JSON lines keep it parseable.
			N8N_LOG_LEVEL: 'info',
			N8N_LOG_FORMAT: 'json',
			N8N_PYTHON_ENABLED: 'false',
			DB_TYPE: 'sqlite',
			EXECUTIONS_MODE: 'regular',
			GENERIC_TIMEZONE: 'UTC',
			TZ: 'UTC',
			...options.env,
		});
		const instance = new N8nInstance(
			installed.value,
			workDir,
			userFolder,
			env,
			options.keep ?? (options.workDir !== undefined || process.env.N8N_E2E_KEEP === '1'),
		);
		instance.timings.ensureN8n = installed.ms;
		try {
			const packed = await packPackage(path.join(workDir, 'pack'));
			instance.timings.pack = packed.ms;
			instance.timings.installPackage = await instance.installPackage(packed.value);
		} catch (error) {
			await instance.cleanup();
			throw error;
		}
		return instance;
	}

	/** `npm i <tarball>` into $N8N_USER_FOLDER/.n8n/nodes, where n8n looks for community packages. */
	private async installPackage(tarball: string): Promise<number> {
		const nodesDir = path.join(this.userFolder, '.n8n', 'nodes');
		await mkdir(nodesDir, { recursive: true });
		await writeFile(path.join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }, null, 2));
		// n8n-workflow is a peer dependency that n8n itself provides (it puts its own modules on NODE_PATH).
		const result = await runOrThrow(
			'npm',
			['install', tarball, '--omit=dev', '--legacy-peer-deps', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
			{ cwd: nodesDir, env: this.env, timeoutMs: 10 * 60_000 },
		);
		return result.ms;
	}

	/**
	 * Runs an n8n CLI command in this instance. The Code node's task broker gets a free loopback
	 * port each time, so several n8n processes (parallel suites) do not collide on 5679.
	 */
	async cli(args: readonly string[], timeoutMs = 5 * 60_000): Promise<RunResult> {
		const env = {
			...this.env,
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
			N8N_RUNNERS_BROKER_PORT: String(await freeLoopbackPort()),
		};
		return await run(nodeBinary(), [path.join(this.n8nDir, 'node_modules/n8n/bin/n8n'), ...args], {
			cwd: this.workDir,
			env,
			timeoutMs,
		});
	}

	/** `n8n publish:workflow`: the workflow runs from its triggers once a server (`startServer`) is up. */
	async publishWorkflow(workflowId: string): Promise<void> {
		await this.cliOrThrow(['publish:workflow', `--id=${workflowId}`]);
	}

	/**
	 * How to start a long-running n8n command (`start`, `worker`) of this instance: its own task-broker
	 * port, `nodeArgs` before n8n's script (e.g. `--require` of a guard).
	 */
	async processSpec(args: readonly string[], nodeArgs: readonly string[] = [], extraEnv: NodeJS.ProcessEnv = {}): Promise<N8nServerProcess> {
		const env = { ...this.env, N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1', N8N_RUNNERS_BROKER_PORT: String(await freeLoopbackPort()), ...extraEnv };
		return { command: nodeBinary(), args: [...nodeArgs, path.join(this.n8nDir, 'node_modules/n8n/bin/n8n'), ...args], env, cwd: this.workDir };
	}

	/** `n8n start` on a free loopback port, as production runs it; stop it with `server.stop()`. */
	async startServer(nodeArgs: readonly string[] = []): Promise<N8nServer> {
		return await N8nServer.start(await this.processSpec(['start'], nodeArgs), await freeLoopbackPort());
	}

	private async cliOrThrow(args: readonly string[]): Promise<RunResult> {
		const result = await this.cli(args);
		if (result.code !== 0) {
			throw new Error(`n8n ${args.join(' ')} failed (${String(result.code)}):\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
		}
		return result;
	}

	async importCredentials(credentials: N8nCredential[]): Promise<void> {
		const file = path.join(this.workDir, `credentials-${Date.now()}.json`);
		await writeFile(file, JSON.stringify(credentials));
		try {
			await this.cliOrThrow(['import:credentials', `--input=${file}`]);
		} finally {
			await rm(file, { force: true });
		}
	}

	/** Imports workflows (each needs an `id`, 16 alphanumerics in n8n's style). */
	async importWorkflows(workflows: N8nWorkflow[]): Promise<void> {
		const file = path.join(this.workDir, `workflows-${Date.now()}.json`);
		await writeFile(file, JSON.stringify(workflows.map((w) => ({ active: false, settings: {}, ...w }))));
		try {
			await this.cliOrThrow(['import:workflow', `--input=${file}`]);
		} finally {
			await rm(file, { force: true });
		}
	}

	/** `n8n execute --id`: runs the workflow once and returns the parsed execution. */
	async execute(workflowId: string, timeoutMs = 5 * 60_000): Promise<ExecuteResult> {
		const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], timeoutMs);
		let parsed: N8nRun | undefined;
		try {
			parsed = parseExecutionOutput(result.stdout);
		} catch {
			parsed = undefined;
		}
		const ok = result.code === 0 && parsed !== undefined && !parsed.data.resultData.error;
		return { ok, run: parsed, process: result };
	}

	/** Like execute(), but a failed run is an error with n8n's own output. */
	async executeOrThrow(workflowId: string, timeoutMs?: number): Promise<N8nRun> {
		const result = await this.execute(workflowId, timeoutMs);
		if (!result.ok || !result.run) {
			const error = result.run?.data.resultData.error?.message;
			throw new Error(
				`Workflow ${workflowId} failed${error ? `: ${error}` : ''} (exit ${String(result.process.code)})\n${logProblems(result.process.stdout).join('\n').slice(-3000)}\n${result.process.stderr.slice(-3000)}`,
			);
		}
		return result.run;
	}

	/** The workflow as stored in n8n's database, including its static data. */
	async exportWorkflow(workflowId: string): Promise<N8nWorkflow> {
		const file = path.join(this.workDir, `export-${workflowId}-${Date.now()}.json`);
		try {
			await this.cliOrThrow(['export:workflow', `--id=${workflowId}`, `--output=${file}`]);
			const exported = JSON.parse(await readFile(file, 'utf8')) as N8nWorkflow | N8nWorkflow[];
			const workflow = Array.isArray(exported) ? exported[0] : exported;
			if (!workflow) throw new Error(`n8n exported no workflow ${workflowId}`);
			return workflow;
		} finally {
			await rm(file, { force: true });
		}
	}

	/** A stored credential with its data decrypted (proves the import encrypted and kept it). */
	async exportCredential(credentialId: string): Promise<N8nCredential> {
		const file = path.join(this.workDir, `export-credential-${credentialId}-${Date.now()}.json`);
		try {
			await this.cliOrThrow(['export:credentials', `--id=${credentialId}`, '--decrypted', `--output=${file}`]);
			const exported = JSON.parse(await readFile(file, 'utf8')) as N8nCredential | N8nCredential[];
			const credential = Array.isArray(exported) ? exported[0] : exported;
			if (!credential) throw new Error(`n8n exported no credential ${credentialId}`);
			return credential;
		} finally {
			await rm(file, { force: true });
		}
	}

	async cleanup(): Promise<void> {
		if (this.keep) return;
		await rm(this.workDir, { recursive: true, force: true });
	}
}
