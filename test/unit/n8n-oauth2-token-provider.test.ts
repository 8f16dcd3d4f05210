/** Issue 12 §3: tokens of a signed-in credential are renewed through n8n before they expire, once for concurrent callers. */
import { ExchangeError } from '../../lib/exchange';
import { N8nOAuth2TokenProvider, type N8nOAuthTokenData } from '../../nodes/Exchange/transport/n8nOAuth2TokenProvider';

function provider(initial: N8nOAuthTokenData, answers: Array<N8nOAuthTokenData | Error>, clock: { t: number }) {
	const calls = { n: 0 };
	const refresh = async () => {
		const answer = answers[calls.n++];
		await new Promise((resolve) => setTimeout(resolve, 5));
		if (answer instanceof Error) throw answer;
		return answer;
	};
	return { tokens: new N8nOAuth2TokenProvider(refresh, initial, () => clock.t), calls };
}

it('uses the stored token until a minute before n8n_expires_at, then renews once', async () => {
	const clock = { t: 1_000_000 };
	const { tokens, calls } = provider(
		{ access_token: 'a1', n8n_expires_at: String(clock.t + 3_600_000) },
		[{ access_token: 'a2', n8n_expires_at: clock.t + 7_200_000 }],
		clock,
	);
	expect(await tokens.getToken()).toBe('a1');
	clock.t += 3_600_000 - 59_000;
	const [x, y, z] = await Promise.all([tokens.getToken(), tokens.getToken(), tokens.getToken()]);
	expect([x, y, z]).toEqual(['a2', 'a2', 'a2']);
	expect(calls.n).toBe(1);
	expect(await tokens.getToken()).toBe('a2');
	expect(calls.n).toBe(1);
});

it('renews after a 401 (forceRefresh) even when the expiry is unknown', async () => {
	const clock = { t: 0 };
	const { tokens, calls } = provider({ access_token: 'a1' }, [{ access_token: 'a2', expires_in: 3600 }], clock);
	expect(await tokens.getToken()).toBe('a1');
	expect(await tokens.getToken(true)).toBe('a2');
	expect(calls.n).toBe(1);
});

it('a renewal n8n refuses becomes an auth error that says to reconnect, and a later call tries again', async () => {
	const clock = { t: 0 };
	const refused = Object.assign(new Error('The credential "Graph" needs to be reconnected.'), {
		description: 'Open the credential and reconnect it to continue.',
	});
	const { tokens, calls } = provider({ refresh_token: 'r' }, [refused, { access_token: 'a3' }], clock);
	const error = await tokens.getToken().catch((e: unknown) => e);
	expect(error).toBeInstanceOf(ExchangeError);
	expect((error as ExchangeError).code).toBe('auth');
	expect((error as Error).message).toMatch(/needs to be reconnected/);
	expect(await tokens.getToken()).toBe('a3');
	expect(calls.n).toBe(2);
});
