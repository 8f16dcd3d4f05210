/** Outbound HTTP(S) POSTs of the sandbox (webhook validation and notifications). */
import * as http from 'node:http';
import * as https from 'node:https';
import { rootCertificates } from 'node:tls';

export interface OutboundResponse {
	status: number;
	body: string;
	contentType: string;
}

/** POSTs a body; trusts the system roots plus `extraCa` (the sandbox's own certificate). */
export function postText(url: string, body: string, contentType: string, options: { timeoutMs: number; extraCa?: string }): Promise<OutboundResponse> {
	const target = new URL(url);
	const isHttps = target.protocol === 'https:';
	return new Promise((resolve, reject) => {
		const request = (isHttps ? https : http).request(
			target,
			{
				method: 'POST',
				headers: { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) },
				timeout: options.timeoutMs,
				...(isHttps ? { ca: options.extraCa ? [...rootCertificates, options.extraCa] : undefined } : {}),
			},
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (c: Buffer) => chunks.push(c));
				response.on('error', reject);
				response.on('end', () =>
					resolve({
						status: response.statusCode ?? 0,
						body: Buffer.concat(chunks).toString('utf8'),
						contentType: String(response.headers['content-type'] ?? ''),
					}),
				);
			},
		);
		request.on('timeout', () => request.destroy(new Error(`timeout after ${options.timeoutMs} ms`)));
		request.on('error', reject);
		request.end(body);
	});
}
