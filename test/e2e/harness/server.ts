/**
 * `n8n start` as production runs it (DESIGN.md §8, guide rule 3): the server process on a free loopback
 * port, the owner set up through the REST API the editor uses, and a signed-in REST client.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface N8nServerProcess {
	command: string;
	args: string[];
	env: NodeJS.ProcessEnv;
	cwd: string;
}

export interface RestResponse<T = unknown> {
	status: number;
	body: T;
}

const OWNER = { email: 'admin@contoso.example', firstName: 'Ada', lastName: 'Admin', password: 'E2e-Owner-pw-1' };
// n8n binds its auth cookie to the editor's `browser-id` header (auth.service validateBrowserId).
const BROWSER_ID = 'n8n-nodes-exchange-crm-sync-e2e';

export class N8nServer {
	private cookie = '';
	private output = '';

	private constructor(
		private readonly child: ChildProcess,
		readonly baseUrl: string,
	) {
		const keep = (chunk: Buffer) => {
			this.output = (this.output + chunk.toString('utf8')).slice(-20_000);
		};
		child.stdout?.on('data', keep);
		child.stderr?.on('data', keep);
	}

	/** Starts the server and waits until it answers /healthz/readiness (at most `timeoutMs`). */
	static async start(processSpec: N8nServerProcess, port: number, timeoutMs = 180_000): Promise<N8nServer> {
		const child = spawn(processSpec.command, processSpec.args, {
			cwd: processSpec.cwd,
			env: {
				...processSpec.env,
				N8N_PORT: String(port),
				N8N_LISTEN_ADDRESS: '127.0.0.1',
				N8N_HOST: '127.0.0.1',
				N8N_PROTOCOL: 'http',
				N8N_SECURE_COOKIE: 'false',
			},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const server = new N8nServer(child, `http://127.0.0.1:${port}`);
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (child.exitCode !== null) throw new Error(`n8n start exited with ${child.exitCode}:\n${server.output.slice(-4000)}`);
			const ready = await fetch(`${server.baseUrl}/healthz/readiness`, { signal: AbortSignal.timeout(2_000) }).then(
				(r) => r.ok,
				() => false,
			);
			if (ready) return server;
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		await server.stop();
		throw new Error(`n8n start was not ready within ${timeoutMs} ms:\n${server.output.slice(-4000)}`);
	}

	/** The owner setup the editor shows on first start; signs the client in. */
	async setupOwner(): Promise<void> {
		const res = await this.rest('POST', '/rest/owner/setup', OWNER);
		if (res.status !== 200) throw new Error(`owner setup failed: ${res.status} ${JSON.stringify(res.body)}`);
	}

	async rest<T = unknown>(method: string, path: string, body?: unknown): Promise<RestResponse<T>> {
		const res = await fetch(`${this.baseUrl}${path}`, {
			method,
			headers: { 'content-type': 'application/json', 'browser-id': BROWSER_ID, ...(this.cookie ? { cookie: this.cookie } : {}) },
			...(body !== undefined ? { body: JSON.stringify(body) } : {}),
			signal: AbortSignal.timeout(120_000),
		});
		const auth = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth.split(';')[0];
		const text = await res.text();
		let parsed: unknown = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// not JSON: keep the text
		}
		// n8n's REST API wraps results in { data }.
		const unwrapped = parsed && typeof parsed === 'object' && 'data' in parsed ? (parsed as { data: unknown }).data : parsed;
		return { status: res.status, body: unwrapped as T };
	}

	/** The server's process id (its node process: peak memory in /proc, a guard's kill). */
	get pid(): number | undefined {
		return this.child.pid;
	}

	/** What the server printed last (for failure messages). */
	log(): string {
		return this.output;
	}

	async stop(): Promise<void> {
		if (this.child.exitCode !== null) return;
		const exited = new Promise((resolve) => this.child.once('exit', resolve));
		this.child.kill('SIGTERM');
		const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
		await exited;
		clearTimeout(timer);
	}
}
