/** Issue 12 §3: a renewal that n8n cannot do (a private CA it does not trust) falls back to a local one, once. */
import { FallbackTokenProvider, type TokenProvider } from '../../lib/exchange';

function scripted(answers: Array<string | Error>): TokenProvider & { calls: boolean[] } {
	const calls: boolean[] = [];
	return {
		calls,
		async getToken(forceRefresh = false) {
			calls.push(forceRefresh);
			const answer = answers[calls.length - 1];
			if (answer === undefined) throw new Error('no more answers');
			if (answer instanceof Error) throw answer;
			return answer;
		},
	};
}

it('uses the primary while it works and never asks the fallback', async () => {
	const primary = scripted(['p1', 'p2']);
	const fallback = scripted([]);
	const tokens = new FallbackTokenProvider(primary, fallback);
	expect(await tokens.getToken()).toBe('p1');
	expect(await tokens.getToken(true)).toBe('p2');
	expect(primary.calls).toEqual([false, true]);
	expect(fallback.calls).toEqual([]);
});

it('after the primary fails, asks the fallback for a fresh token, tells once, and stays with the fallback', async () => {
	const primary = scripted([new Error('self-signed certificate in certificate chain')]);
	const fallback = scripted(['f1', 'f2', 'f3']);
	const told: unknown[] = [];
	const tokens = new FallbackTokenProvider(primary, fallback, (error) => told.push(error));
	expect(await tokens.getToken()).toBe('f1');
	expect(await tokens.getToken()).toBe('f2');
	expect(await tokens.getToken(true)).toBe('f3');
	expect(primary.calls).toEqual([false]);
	expect(fallback.calls).toEqual([true, false, true]);
	expect(told).toHaveLength(1);
	expect(String(told[0])).toContain('self-signed');
});

it('when both fail, the fallback error reaches the caller and the next call tries the primary again', async () => {
	const primary = scripted([new Error('primary down'), 'p2']);
	const fallback = scripted([new Error('invalid_grant')]);
	const tokens = new FallbackTokenProvider(primary, fallback);
	await expect(tokens.getToken()).rejects.toThrow('invalid_grant');
	expect(await tokens.getToken()).toBe('p2');
});
