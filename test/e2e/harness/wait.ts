/** Polls `probe` until it returns a value (not undefined); fails after `timeoutMs` with `context()` appended (e.g. n8n's log). */
export async function waitFor<T>(
	what: string,
	probe: () => Promise<T | undefined>,
	options: { timeoutMs: number; intervalMs?: number; context?: () => string },
): Promise<T> {
	const deadline = Date.now() + options.timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`${what} did not happen within ${options.timeoutMs} ms${options.context ? `:\n${options.context()}` : ''}`);
		await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 2_000));
	}
}
