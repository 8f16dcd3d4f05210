/**
 * Issue 12 §3: a vtiger that stops answering ends the call within a bounded time with a clear error
 * (A7 "unreachable"); only repeatable calls are retried, a bounded number of times; a gateway error
 * followed by an answer succeeds. And the process-wide connection cache notices a changed access key or
 * certificate setting. Real HTTP servers on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { connectionKey, CrmError, type VtigerCrmConfig } from '../../lib/crm';
import { VtigerClient } from '../../lib/crm/vtiger/client';

jest.setTimeout(30_000);

let server: Server;
let url: string;
let handler: (req: IncomingMessage, res: ServerResponse, operation: string) => void;
const seen: string[] = [];

beforeEach(async () => {
	seen.length = 0;
	server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const query = new URL(req.url ?? '/', 'http://x').searchParams;
			const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
			const operation = query.get('operation') ?? form.get('operation') ?? '';
			seen.push(operation);
			handler(req, res, operation);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterEach(async () => {
	server.closeAllConnections();
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

const ok = (res: ServerResponse, result: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ success: true, result }));
const loggedIn = (res: ServerResponse, operation: string): boolean => {
	if (operation === 'getchallenge') return (ok(res, { token: 't' }), true);
	if (operation === 'login') return (ok(res, { sessionName: 's', userId: '19x1' }), true);
	return false;
};
const config = (extra: Partial<VtigerCrmConfig> = {}): VtigerCrmConfig => ({
	kind: 'vtiger',
	url,
	userName: 'admin',
	accessKey: 'k',
	timeoutMs: 300,
	retries: 2,
	...extra,
});

it('a server that never answers ends a read with "cannot be reached" after the bounded retries', async () => {
	handler = (_req, res, operation) => void (loggedIn(res, operation) || undefined); // reads hang
	const client = new VtigerClient(config());
	const started = Date.now();
	const error = await client.get('listtypes').catch((e: unknown) => e);
	expect(error).toBeInstanceOf(CrmError);
	expect((error as CrmError).code).toBe('unavailable');
	expect((error as Error).message).toMatch(/cannot be reached \(listtypes\).*no answer within 0\.3 s.*tried 3 times/);
	expect(Date.now() - started).toBeLessThan(5_000);
	expect(seen.filter((o) => o === 'listtypes')).toHaveLength(3);
});

it('a create that gets no answer is sent once (its write may have happened) and ends with a clear error', async () => {
	handler = (_req, res, operation) => void (loggedIn(res, operation) || undefined);
	const client = new VtigerClient(config());
	const error = await client.post('create', { elementType: 'Contacts', element: '{}' }).catch((e: unknown) => e);
	expect((error as CrmError).code).toBe('unavailable');
	expect(seen.filter((o) => o === 'create')).toHaveLength(1);
});

it('a 503 from a gateway is retried and the answer that follows is used', async () => {
	let failures = 0;
	handler = (_req, res, operation) => {
		if (loggedIn(res, operation)) return;
		if (failures++ < 1) return void res.writeHead(503).end('busy');
		ok(res, { types: ['Contacts'] });
	};
	const client = new VtigerClient(config());
	expect(await client.get('listtypes')).toEqual({ types: ['Contacts'] });
	expect(seen.filter((o) => o === 'listtypes')).toHaveLength(2);
});

it('the connection cache key changes with the access key and the certificate setting, never contains the key', () => {
	const base = config({ accessKey: 'secret-key-1' });
	const key = connectionKey(base);
	expect(key).not.toContain('secret-key-1');
	expect(connectionKey({ ...base, accessKey: 'secret-key-2' })).not.toBe(key);
	expect(connectionKey({ ...base, allowUnauthorizedCerts: true })).not.toBe(key);
	expect(connectionKey({ ...base, url: ` ${url} ` })).toBe(key);
});
