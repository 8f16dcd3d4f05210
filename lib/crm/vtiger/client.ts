import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

import type { VtigerCrmConfig } from '../config';
import { CrmError } from '../types';

/** An error vtiger answered (`success: false`), or an HTTP failure (code HTTP_<status>). */
export class VtigerApiError extends Error {
	constructor(
		readonly code: string,
		message: string,
		readonly httpStatus = 200,
	) {
		super(message);
		this.name = 'VtigerApiError';
	}
}

interface Envelope {
	success: boolean;
	result?: unknown;
	error?: { code?: string; message?: string };
}

const TIMEOUT_MS = 30_000;
const RETRIES = 2;
/** Pause before the n-th retry (1-based). */
const backoffMs = (attempt: number) => 250 * 2 ** (attempt - 1);
/** Operations that are safe to send twice (reads, login, and revise, which sets the same values again). */
const REPEATABLE_POSTS = new Set(['login', 'revise']);

/** No answer from the server: network error, timeout, or a gateway status. */
class NoAnswer extends Error {}

/** A file sent as the multipart part vtiger's Documents read it from ($_FILES['filename']). */
export interface VtigerUpload {
	fileName: string;
	contentType: string;
	content: Buffer;
}

interface Session {
	sessionName: string;
	userId: string;
	isAdmin: boolean;
}

/**
 * vtiger's webservice.php: getchallenge → login with md5(token + accessKey) (form POST),
 * one session reused for all calls, and a transparent re-login when the session expires.
 */
export class VtigerClient {
	private session?: Promise<Session>;
	private readonly endpoint: URL;

	constructor(private readonly config: VtigerCrmConfig) {
		const base = config.url.trim().replace(/\/+$/, '');
		this.endpoint = new URL(base.endsWith('webservice.php') ? base : `${base}/webservice.php`);
	}

	async userId(): Promise<string> {
		return (await this.login()).userId;
	}

	/** Whether the credential's user is a vtiger administrator (login's is_admin). */
	async isAdmin(): Promise<boolean> {
		return (await this.login()).isAdmin;
	}

	async get(operation: string, params: Record<string, string> = {}): Promise<unknown> {
		return this.withSession((sessionName) => this.send('GET', { operation, sessionName, ...params }));
	}

	async post(operation: string, params: Record<string, string> = {}): Promise<unknown> {
		return this.withSession((sessionName) => this.send('POST', { operation, sessionName, ...params }));
	}

	/** A POST as multipart/form-data with one file (Documents' create). */
	async postFile(operation: string, params: Record<string, string>, upload: VtigerUpload): Promise<unknown> {
		return this.withSession((sessionName) => this.send('POST', { operation, sessionName, ...params }, upload));
	}

	/** VTQL; the trailing ";" is added when missing. */
	async query(vtql: string): Promise<Array<Record<string, string | null>>> {
		const text = vtql.trim().endsWith(';') ? vtql.trim() : `${vtql.trim()};`;
		return (await this.get('query', { query: text })) as Array<Record<string, string | null>>;
	}

	private async withSession<T>(call: (sessionName: string) => Promise<T>): Promise<T> {
		const { sessionName } = await this.login();
		try {
			return await call(sessionName);
		} catch (error) {
			if (error instanceof VtigerApiError && error.code === 'INVALID_SESSIONID') {
				this.session = undefined;
				const fresh = await this.login();
				return call(fresh.sessionName);
			}
			throw error;
		}
	}

	private login(): Promise<Session> {
		if (!this.session) {
			this.session = this.doLogin();
			this.session.catch(() => (this.session = undefined));
		}
		return this.session;
	}

	private async doLogin(): Promise<Session> {
		try {
			const challenge = (await this.send('GET', { operation: 'getchallenge', username: this.config.userName })) as { token: string };
			const accessKey = createHash('md5')
				.update(challenge.token + this.config.accessKey)
				.digest('hex');
			const result = (await this.send('POST', { operation: 'login', username: this.config.userName, accessKey })) as {
				sessionName: string;
				userId: string;
				is_admin?: string;
			};
			return { sessionName: result.sessionName, userId: result.userId, isAdmin: result.is_admin === 'on' };
		} catch (error) {
			if (error instanceof VtigerApiError && ['INVALID_USER_CREDENTIALS', 'ACCESS_DENIED', 'INVALID_AUTH_TOKEN'].includes(error.code)) {
				throw new CrmError(
					'auth',
					`vtiger refused the login of "${this.config.userName}": ${error.message}`,
					'Check the user name and the access key (vtiger: My Preferences → User Advanced Options → Access Key; not the password).',
				);
			}
			throw error;
		}
	}

	/**
	 * One webservice call with a deadline per attempt and a bounded number of retries for calls that got
	 * no answer (Issue 12 §3: a server that never answers ends the run within bounded time). Writes that are
	 * not repeatable (create, delete, ...) are sent once, since a lost answer may hide a done write.
	 */
	private async send(method: 'GET' | 'POST', params: Record<string, string>, upload?: VtigerUpload): Promise<unknown> {
		const timeoutMs = this.config.timeoutMs ?? TIMEOUT_MS;
		const retries = method === 'GET' || REPEATABLE_POSTS.has(params.operation) ? Math.max(0, this.config.retries ?? RETRIES) : 0;
		let lastError: Error | undefined;
		for (let attempt = 0; attempt <= retries; attempt++) {
			if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
			try {
				return await this.sendOnce(method, params, timeoutMs, upload);
			} catch (error) {
				if (!(error instanceof NoAnswer)) throw error;
				lastError = error;
			}
		}
		const tries = retries + 1;
		throw new CrmError(
			'unavailable',
			`vtiger at ${this.endpoint.origin} cannot be reached (${params.operation}): ${lastError?.message ?? 'no answer'}${tries > 1 ? ` (tried ${tries} times)` : ''}`,
			'Check the URL in the CRM credential and that the server is running; for a self-signed certificate enable "Ignore SSL Issues". The run can be repeated safely.',
		);
	}

	private async sendOnce(method: 'GET' | 'POST', params: Record<string, string>, timeoutMs: number, upload?: VtigerUpload): Promise<unknown> {
		const url = new URL(this.endpoint);
		let body: Buffer | undefined;
		let contentType = 'application/x-www-form-urlencoded';
		if (method === 'GET') url.search = new URLSearchParams(params).toString();
		else if (upload) {
			const form = new FormData();
			for (const [name, value] of Object.entries(params)) form.append(name, value);
			form.append('filename', new Blob([new Uint8Array(upload.content)], { type: upload.contentType || 'application/octet-stream' }), upload.fileName);
			// Response serialises the form with a boundary and says which in its content-type.
			const encoded = new Response(form);
			contentType = encoded.headers.get('content-type') ?? 'multipart/form-data';
			body = Buffer.from(await encoded.arrayBuffer());
		} else body = Buffer.from(new URLSearchParams(params).toString());
		const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
		return new Promise((resolve, reject) => {
			const req = request(
				url,
				{
					method,
					rejectUnauthorized: this.config.allowUnauthorizedCerts !== true,
					headers: body ? { 'content-type': contentType, 'content-length': body.length } : {},
				},
				(res) => {
					const chunks: Buffer[] = [];
					res.on('data', (c: Buffer) => chunks.push(c));
					res.on('end', () => {
						const text = Buffer.concat(chunks).toString('utf8');
						clearTimeout(deadline);
						const status = res.statusCode ?? 0;
						if ([502, 503, 504].includes(status)) {
							reject(new NoAnswer(`HTTP ${status}`));
							return;
						}
						if (status !== 200) {
							reject(new VtigerApiError(`HTTP_${status}`, `vtiger answered HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ' with an empty body'}`, status));
							return;
						}
						let envelope: Envelope;
						try {
							envelope = JSON.parse(text) as Envelope;
						} catch {
							reject(new VtigerApiError('BAD_RESPONSE', `vtiger answered something that is not JSON: ${text.slice(0, 200)}`));
							return;
						}
						if (envelope.success) resolve(envelope.result);
						else reject(new VtigerApiError(envelope.error?.code ?? 'UNKNOWN', envelope.error?.message ?? 'Unknown vtiger error'));
					});
				},
			);
			// A deadline for the whole exchange, not an idle timeout: a server that trickles bytes is cut off too.
			const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
			req.on('error', (error) => {
				clearTimeout(deadline);
				reject(new NoAnswer(error.message));
			});
			if (body) req.write(body);
			req.end();
		});
	}
}
