/** Issue 14: a burst of change notifications starts one run per collect window. */
import { BurstCoalescer } from '../../lib/exchange/notification-burst';

it('the first notification opens a window; the ones during it only add to its count; after it a new window opens', async () => {
	const wakeups: Array<() => void> = [];
	const sleep = () => new Promise<void>((resolve) => wakeups.push(resolve));
	const bursts = new BurstCoalescer(sleep);
	const first = bursts.join('wf:On Change', 3, 5000);
	const joined = await Promise.all([bursts.join('wf:On Change', 10, 5000), bursts.join('wf:On Change', 2, 5000)]);
	expect(joined).toEqual([undefined, undefined]);
	// Another workflow's trigger has its own window.
	const other = bursts.join('wf2:On Change', 1, 5000);
	expect(wakeups).toHaveLength(2);
	wakeups[0]();
	expect(await first).toBe(15);
	wakeups[1]();
	expect(await other).toBe(1);
	const next = bursts.join('wf:On Change', 4, 5000);
	expect(wakeups).toHaveLength(3);
	wakeups[2]();
	expect(await next).toBe(4);
});

it('a window of 0 seconds still starts one run per call that opens it', async () => {
	const bursts = new BurstCoalescer();
	expect(await bursts.join('k', 1, 0)).toBe(1);
	expect(await bursts.join('k', 1, 0)).toBe(1);
});
