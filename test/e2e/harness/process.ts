import { spawn } from 'node:child_process';

export interface RunResult {
	code: number | null;
	stdout: string;
	stderr: string;
	/** Wall time in milliseconds. */
	ms: number;
}

export interface RunOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	/** Kill the process (and its group) after this long. */
	timeoutMs?: number;
}

/** Runs a command without a shell and collects its output; never rejects on a non-zero exit. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
	const started = Date.now();
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			cwd: options.cwd,
			env: options.env ?? process.env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
		child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
		let timedOut = false;
		const timer = options.timeoutMs
			? setTimeout(() => {
					timedOut = true;
					if (child.pid) process.kill(-child.pid, 'SIGKILL');
				}, options.timeoutMs)
			: undefined;
		child.on('error', (error) => {
			if (timer) clearTimeout(timer);
			reject(error);
		});
		child.on('close', (code) => {
			if (timer) clearTimeout(timer);
			const result: RunResult = {
				code,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: Buffer.concat(err).toString('utf8'),
				ms: Date.now() - started,
			};
			if (timedOut) result.stderr += `\n[killed after ${options.timeoutMs} ms]`;
			resolve(result);
		});
	});
}

/** Like run(), but a non-zero exit is an error carrying the output's tail. */
export async function runOrThrow(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
	const result = await run(command, args, options);
	if (result.code !== 0) {
		const tail = (text: string) => text.split('\n').slice(-40).join('\n');
		throw new Error(
			`${command} ${args.join(' ')} exited with ${String(result.code)}\n--- stdout ---\n${tail(result.stdout)}\n--- stderr ---\n${tail(result.stderr)}`,
		);
	}
	return result;
}
