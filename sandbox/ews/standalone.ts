/**
 * The EWS face on its own HTTP(S) server on 127.0.0.1 (tests, and until the sandbox server
 * mounts it). Optional scripted faults: the next N requests get an injected status.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';

import { EwsFace, type EwsFaceOptions } from './face';
import type { StatusFault } from './types';

export interface StandaloneEws {
	url: string;
	face: EwsFace;
	/** The next `times` requests get this fault (e.g. 503 → ErrorServerBusy). */
	injectFault(fault: Omit<StatusFault, 'type'>, times?: number): void;
	requests: number;
	close(): Promise<void>;
}

export async function startStandaloneEws(options: EwsFaceOptions & { tls?: { key: string; cert: string } }): Promise<StandaloneEws> {
	const face = new EwsFace(options);
	const faults: StatusFault[] = [];
	const state = { requests: 0 };
	const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			state.requests++;
			const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
			const send = (reply: { status: number; headers?: Record<string, string>; body?: unknown }) => {
				const body = typeof reply.body === 'string' || Buffer.isBuffer(reply.body) ? reply.body : reply.body === undefined ? '' : JSON.stringify(reply.body);
				res.writeHead(reply.status, reply.headers);
				res.end(body);
			};
			if (!face.matches(path)) return send({ status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body>Not Found</body></html>' });
			const fault = faults.shift();
			if (fault) return send(face.renderFault(fault));
			face.handle({ method: req.method ?? 'GET', path, headers: req.headers, body: Buffer.concat(chunks) }).then(send, (e: unknown) => {
				send({ status: 500, headers: { 'content-type': 'text/plain' }, body: String(e) });
			});
		});
	};
	const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/EWS/Exchange.asmx`,
		face,
		injectFault: (fault, times = 1) => {
			for (let i = 0; i < times; i++) faults.push({ type: 'status', ...fault });
		},
		get requests() {
			return state.requests;
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
