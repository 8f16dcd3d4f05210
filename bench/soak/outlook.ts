/**
 * The mailbox owner's hand in the soak: plain Graph requests to the sandbox, as Outlook would send them,
 * outside the package's own client (which is what the soak tests). The sandbox keeps one store behind
 * its Graph and EWS faces, so these edits are what an EWS run reads too. What to send for which component
 * is in ./components/.
 */
import * as https from 'node:https';

export class OutlookUser {
	private token?: string;

	constructor(
		private readonly httpsUrl: string,
		private readonly controlUrl: string,
		private readonly ca: string,
		private readonly user: string,
	) {}

	private async accessToken(): Promise<string> {
		if (this.token) return this.token;
		const res = await fetch(`${this.controlUrl}/_sandbox/tokens`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ user: this.user, expiresInSeconds: 86_400 }),
		});
		this.token = ((await res.json()) as { access_token: string }).access_token;
		return this.token;
	}

	async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
		const token = await this.accessToken();
		const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
		const url = new URL(`${this.httpsUrl}/v1.0${path}`);
		const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
			const req = https.request(
				url,
				{
					method,
					ca: this.ca,
					timeout: 30_000,
					headers: {
						authorization: `Bearer ${token}`,
						...headers,
						...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
					},
				},
				(res) => {
					const chunks: Buffer[] = [];
					res.on('data', (c: Buffer) => chunks.push(c));
					res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
					res.on('error', reject);
				},
			);
			req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
			req.on('error', reject);
			req.end(payload);
		});
		if (status >= 400) throw new Error(`Outlook ${method} ${path}: ${status} ${text.slice(0, 300)}`);
		return (text ? JSON.parse(text) : undefined) as T;
	}

	/** Every entity of a collection, following its next links. */
	async listAll<T>(path: string, headers: Record<string, string> = {}): Promise<T[]> {
		const out: T[] = [];
		let next: string | undefined = path;
		while (next) {
			const page: { value: T[]; '@odata.nextLink'?: string } = await this.call('GET', next, undefined, headers);
			out.push(...page.value);
			const link = page['@odata.nextLink'];
			next = link ? link.slice(link.indexOf('/v1.0') + '/v1.0'.length) : undefined;
		}
		return out;
	}

	/** The id of the folder named `name` in a folder collection (`/me/contactFolders`, `/me/calendars`, `/me/todo/lists`). */
	async folderId(collection: string, name = 'CRM-Sync'): Promise<string> {
		// Calendars call it `name`, contact folders and task lists `displayName`.
		const folders = await this.listAll<{ id: string; displayName?: string; name?: string }>(`${collection}?$top=100`);
		const folder = folders.find((f) => (f.displayName ?? f.name) === name);
		if (!folder) throw new Error(`no folder "${name}" in ${collection}`);
		return folder.id;
	}
}
