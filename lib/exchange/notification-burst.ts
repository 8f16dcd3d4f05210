/**
 * Coalesces a burst of change notifications into one start (issue 14): the first notification of a burst
 * waits for the collect window and then starts one run; the notifications that arrive meanwhile only add
 * to its count. A window is fixed from the first notification, so a steady stream still starts a run
 * every window rather than never. Per process (n8n's main or webhook process receives the calls).
 */
export class BurstCoalescer {
	private readonly open = new Map<string, { notifications: number }>();

	constructor(private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms))) {}

	/**
	 * Resolves after `windowMs` with the number of notifications the burst collected, for the call that
	 * opened it; at once with undefined for the calls that joined an open burst.
	 */
	async join(key: string, notifications: number, windowMs: number): Promise<number | undefined> {
		const burst = this.open.get(key);
		if (burst) {
			burst.notifications += notifications;
			return undefined;
		}
		const opened = { notifications };
		this.open.set(key, opened);
		try {
			await this.sleep(Math.max(0, windowMs));
		} finally {
			this.open.delete(key);
		}
		return opened.notifications;
	}
}
