/**
 * Issue 12 §3: a Graph server that accepts the connection and never answers, or keeps answering
 * 503, ends the call within a bounded time with a clear ExchangeError (A7 "unreachable").
 * Real local TCP/HTTP servers; short bounds configured here.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

import { ExchangeError, GraphExchangeClient, HttpTransport, StaticTokenProvider } from '../../lib/exchange';
import type { GraphClientConfig } from '../../lib/exchange';

const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
	for (const close of closers.splice(0)) await close();
});

/** Accepts connections and reads the request, but never answers. */
async function silentServer(): Promise<string> {
	const sockets = new Set<net.Socket>();
	const server = net.createServer((socket) => {
		sockets.add(socket);
		socket.on('data', () => undefined);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	closers.push(
		() =>
			new Promise<void>((resolve) => {
				for (const s of sockets) s.destroy();
				server.close(() => resolve());
			}),
	);
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Answers every request with 503 and Retry-After: 0, counting them. */
async function unavailableServer(): Promise<{ url: string; hits: () => number }> {
	let hits = 0;
	const server = http.createServer((req, res) => {
		hits++;
		req.resume();
		res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' });
		res.end(JSON.stringify({ error: { code: 'ServiceUnavailable', message: 'Service unavailable' } }));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

function client(baseUrl: string, overrides: Partial<GraphClientConfig>): GraphExchangeClient {
	const c = new GraphExchangeClient({
		protocol: 'graph',
		baseUrl,
		mailbox: 'anna@contoso.example',
		tokens: new StaticTokenProvider('token'),
		...overrides,
	});
	closers.push(async () => c.close());
	return c;
}

async function failure(call: Promise<unknown>): Promise<ExchangeError> {
	try {
		await call;
	} catch (e) {
		if (e instanceof ExchangeError) return e;
		throw e;
	}
	throw new Error('the call succeeded');
}

describe('bounded Graph calls (issue 12 §3)', () => {
	it('a server that never answers: the request times out, the retries are bounded, the error says unreachable', async () => {
		const url = await silentServer();
		const c = client(url, { transport: new HttpTransport({}, 300), retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20 } });
		const started = Date.now();
		const error = await failure(c.get('contact', 'contacts', 'AAMk1'));
		const elapsed = Date.now() - started;
		expect(error.code).toBe('unavailable');
		expect(error.message).toMatch(/No answer from 127\.0\.0\.1:\d+ within 300 ms \(3 attempts\)/);
		expect(error.hint).toMatch(/unreachable/);
		expect(error.hint).toMatch(/Check the network/);
		expect(c.stats.requests).toBe(3);
		expect(elapsed).toBeGreaterThanOrEqual(900);
		expect(elapsed).toBeLessThan(5_000);
	});

	it('a server that trickles its answer byte by byte ends at the request bound, not only when the socket is idle', async () => {
		const timers = new Set<NodeJS.Timeout>();
		const server = http.createServer((req, res) => {
			req.resume();
			res.writeHead(200, { 'content-type': 'application/json' });
			const timer = setInterval(() => res.write(' '), 50);
			timers.add(timer);
			res.on('close', () => clearInterval(timer));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		closers.push(
			() =>
				new Promise<void>((resolve) => {
					for (const t of timers) clearInterval(t);
					server.closeAllConnections();
					server.close(() => resolve());
				}),
		);
		const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		const c = client(url, { transport: new HttpTransport({}, 400), retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 } });
		const started = Date.now();
		const error = await failure(c.listFolders('event'));
		expect(error.code).toBe('unavailable');
		expect(Date.now() - started).toBeLessThan(3_000);
	});

	it('the client option requestTimeoutMs bounds a request on its own transport', async () => {
		const url = await silentServer();
		const c = client(url, { requestTimeoutMs: 200, retry: { maxAttempts: 1 } });
		const started = Date.now();
		const error = await failure(c.listFolders('contact'));
		expect(error.code).toBe('unavailable');
		expect(Date.now() - started).toBeLessThan(3_000);
	});

	it('a server that keeps answering 503: the total retry budget ends the call, also when many attempts are allowed', async () => {
		const server = await unavailableServer();
		const c = client(server.url, { retry: { maxAttempts: 1_000, baseDelayMs: 20, maxDelayMs: 40, maxTotalMs: 800 } });
		const started = Date.now();
		const error = await failure(c.get('task', 'list1', 'task1'));
		const elapsed = Date.now() - started;
		expect(error.code).toBe('unavailable');
		expect(error.status).toBe(503);
		expect(error.hint).toMatch(/unreachable/);
		expect(elapsed).toBeLessThan(3_000);
		expect(server.hits()).toBeGreaterThan(3);
		expect(server.hits()).toBeLessThan(1_000);
	});

	it('$batch sub-requests that keep answering 503 end within the budget too', async () => {
		let calls = 0;
		const server = http.createServer((req, res) => {
			calls++;
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { requests: Array<{ id: string }> };
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end(
					JSON.stringify({
						responses: body.requests.map((r) => ({
							id: r.id,
							status: 503,
							headers: { 'Retry-After': '0' },
							body: { error: { code: 'ServiceUnavailable', message: 'busy' } },
						})),
					}),
				);
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
		const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		const c = client(url, { retry: { maxAttempts: 1_000, baseDelayMs: 20, maxDelayMs: 40, maxTotalMs: 600 } });
		const started = Date.now();
		const results = await c.batch([[{ id: '1', method: 'GET', url: '/me/contacts/x' }]]);
		expect(Date.now() - started).toBeLessThan(3_000);
		expect(results.get('1')?.status).toBe(503);
		expect(calls).toBeGreaterThan(2);
		expect(calls).toBeLessThan(1_000);
	});
});
