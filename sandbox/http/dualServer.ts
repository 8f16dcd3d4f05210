/**
 * One TCP port that speaks both plain HTTP and HTTPS: the first byte of a connection
 * decides (0x16 = TLS handshake record). Graph needs HTTPS (the Graph SDK sends tokens only
 * over https); EWS and the control API are fine over HTTP.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { TlsMaterial } from './tls';

export interface DualServer {
	server: net.Server;
	port: number;
	close(): Promise<void>;
}

export async function listenDual(handler: http.RequestListener, tls: TlsMaterial, options: { port?: number; host?: string } = {}): Promise<DualServer> {
	const plain = http.createServer({ keepAliveTimeout: 5000 }, handler);
	const secure = https.createServer({ key: tls.key, cert: tls.cert, keepAliveTimeout: 5000 }, handler);
	const sockets = new Set<net.Socket>();
	const server = net.createServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.once('readable', () => {
			const first = socket.read(1) as Buffer | null;
			if (first === null) {
				// closed before sending anything; wait for data if it is still open
				if (!socket.destroyed) socket.once('readable', () => dispatch());
				return;
			}
			socket.unshift(first);
			route(first[0]);
		});
		const dispatch = (): void => {
			const first = socket.read(1) as Buffer | null;
			if (first === null) return;
			socket.unshift(first);
			route(first[0]);
		};
		const route = (byte: number): void => {
			(byte === 0x16 ? secure : plain).emit('connection', socket);
		};
		socket.on('error', () => socket.destroy());
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
	});
	const address = server.address() as net.AddressInfo;
	return {
		server,
		port: address.port,
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				plain.close();
				secure.close();
				server.close(() => resolve());
			}),
	};
}
