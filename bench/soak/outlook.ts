/**
 * The mailbox owner's hand in the soak: plain Graph requests to the sandbox, as Outlook would send them,
 * outside the package's own client (which is what the soak tests). The sandbox keeps one store behind
 * its Graph and EWS faces, so these edits are what an EWS run reads too.
 */
import * as https from 'node:https';

export interface OutlookContact {
	id: string;
	surname?: string;
	[property: string]: unknown;
}

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

	async call<T>(method: string, path: string, body?: unknown): Promise<T> {
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

	/** The id of the contact folder the sync created ("CRM-Sync" under Contacts). */
	async syncFolderId(name = 'CRM-Sync'): Promise<string> {
		const page = await this.call<{ value: Array<{ id: string; displayName: string }> }>('GET', `/me/contactFolders?$top=100`);
		const folder = page.value.find((f) => f.displayName === name);
		if (!folder) throw new Error(`no contact folder "${name}" in the mailbox`);
		return folder.id;
	}

	async listContacts(folderId: string): Promise<OutlookContact[]> {
		const out: OutlookContact[] = [];
		let path: string | undefined = `/me/contactFolders/${folderId}/contacts?$top=100`;
		while (path) {
			const page: { value: OutlookContact[]; '@odata.nextLink'?: string } = await this.call('GET', path);
			out.push(...page.value);
			const next = page['@odata.nextLink'];
			path = next ? next.slice(next.indexOf('/v1.0') + '/v1.0'.length) : undefined;
		}
		return out;
	}

	createContact(folderId: string, contact: Record<string, unknown>): Promise<OutlookContact> {
		return this.call('POST', `/me/contactFolders/${folderId}/contacts`, contact);
	}

	updateContact(id: string, patch: Record<string, unknown>): Promise<OutlookContact> {
		return this.call('PATCH', `/me/contacts/${id}`, patch);
	}

	async deleteContact(id: string): Promise<void> {
		await this.call('DELETE', `/me/contacts/${id}`);
	}
}
