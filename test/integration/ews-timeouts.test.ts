/**
 * Issue 12 §3 for EWS: a server that accepts the connection and never answers, or trickles its answer a
 * byte at a time, ends the call within the request bound with a clear ExchangeError ("could not be
 * reached"). Node's socket timeout alone only noticed the silent one. Real local HTTP servers.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { EwsExchangeClient, ExchangeError } from '../../lib/exchange';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
	for (const close of closers.splice(0)) await close();
});

/** An HTTP server whose handler starts an answer (or not) and never finishes it. */
async function server(onRequest: (res: http.ServerResponse) => void): Promise<string> {
	const timers = new Set<NodeJS.Timeout>();
	const srv = http.createServer((req, res) => {
		req.resume();
		onRequest(res);
	});
	srv.on('connection', () => undefined);
	await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
	closers.push(
		() =>
			new Promise<void>((resolve) => {
				for (const t of timers) clearInterval(t);
				srv.closeAllConnections();
				srv.close(() => resolve());
			}),
	);
	return `http://127.0.0.1:${(srv.address() as AddressInfo).port}/EWS/Exchange.asmx`;
}

function client(url: string, auth: 'basic' | 'ntlm' = 'basic'): EwsExchangeClient {
	const c = new EwsExchangeClient({
		url,
		auth: { type: auth, username: 'anna@contoso.example', password: 'x' },
		mailbox: 'anna@contoso.example',
		timeoutMs: 400,
		retry: { maxRetries: 1, sleep: async () => undefined },
	});
	closers.push(async () => c.service.XHRApi.disconnect?.());
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

it('a server that trickles its answer byte by byte ends at the request bound, with "could not be reached"', async () => {
	const url = await server((res) => {
		res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
		res.write('<?xml version="1.0" encoding="utf-8"?>');
		const timer = setInterval(() => res.write(' '), 50);
		res.on('close', () => clearInterval(timer));
	});
	const started = Date.now();
	const error = await failure(client(url).listFolders('contact'));
	expect(error.code).toBe('unavailable');
	expect(error.message).toMatch(/could not be reached: no complete answer within 400 ms/);
	expect(Date.now() - started).toBeLessThan(3_000);
});

it('a server that never answers ends at the same bound', async () => {
	const url = await server(() => undefined);
	const started = Date.now();
	const error = await failure(client(url).listFolders('contact'));
	expect(error.code).toBe('unavailable');
	expect(Date.now() - started).toBeLessThan(3_000);
});

it('NTLM too: a trickling server ends at the request bound (the NTLM handshake runs on another HTTP client)', async () => {
	const url = await server((res) => {
		res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
		const timer = setInterval(() => res.write(' '), 50);
		res.on('close', () => clearInterval(timer));
	});
	const started = Date.now();
	const error = await failure(client(url, 'ntlm').listFolders('contact'));
	expect(error.code).toBe('unavailable');
	expect(error.message).toMatch(/no complete answer within 400 ms/);
	expect(Date.now() - started).toBeLessThan(3_000);
});
