/**
 * EWS call counts (issue 9), measured against the sandbox's EWS face over HTTP on 127.0.0.1: calls to
 * read 10,000 contacts, to write 1,000, and the cost of an idle trigger poll. Calls are counted where the
 * server answers them (one SOAP operation per HTTP request), by operation; the client's own count is
 * checked against it. The sandbox app's control-API counters do not count EWS, hence the standalone
 * EWS server on the same kind of store.
 */
import { EwsExchangeClient } from '../lib/exchange/ews/client';
import { emptyTriggerState, pollItemChanges, pollMailMoves, type TriggerState } from '../lib/exchange/poller';
import type { Contact } from '../lib/model/types';
import { startStandaloneEws } from '../sandbox/ews';
import { addDefaultUsers, DEFAULT_PASSWORD, generate } from '../sandbox/seed/seeds';
import { SandboxStore } from '../sandbox/store';

export interface BenchResult {
	metric: string;
	value: number;
	unit: string;
}

const MAILBOX = 'anna@contoso.example';

interface Measured<T> {
	calls: number;
	byOperation: Record<string, number>;
	ms: number;
	result: T;
}

export async function benchEws(): Promise<BenchResult[]> {
	const store = new SandboxStore();
	addDefaultUsers(store);
	const served: Record<string, number> = {};
	const server = await startStandaloneEws({ store, onResponse: (operation) => void (served[operation] = (served[operation] ?? 0) + 1) });
	const client = new EwsExchangeClient({ url: server.url, auth: { type: 'basic', username: MAILBOX, password: DEFAULT_PASSWORD }, mailbox: MAILBOX });

	const measure = async <T>(run: () => Promise<T>): Promise<Measured<T>> => {
		const before = { ...served };
		const clientBefore = client.stats.calls;
		const started = performance.now();
		const result = await run();
		const ms = performance.now() - started;
		const byOperation: Record<string, number> = {};
		for (const [operation, count] of Object.entries(served)) {
			const delta = count - (before[operation] ?? 0);
			if (delta) byOperation[operation] = delta;
		}
		const calls = Object.values(byOperation).reduce((sum, n) => sum + n, 0);
		const clientCalls = client.stats.calls - clientBefore;
		if (clientCalls !== calls) throw new Error(`the server answered ${calls} EWS calls, the client counted ${clientCalls}`);
		return { calls, byOperation, ms, result };
	};
	const out: BenchResult[] = [];
	const report = (name: string, m: Measured<unknown>, operations: string[]) => {
		out.push({ metric: `ews_${name}_calls`, value: m.calls, unit: 'calls' });
		for (const op of operations) out.push({ metric: `ews_${name}_${op}_calls`, value: m.byOperation[op] ?? 0, unit: 'calls' });
		out.push({ metric: `ews_${name}_ms`, value: m.ms, unit: 'ms' });
	};

	try {
		const folders = await client.ensureSyncFolders({ components: ['contact', 'event', 'task', 'mail'] });
		const readFolder = (await client.ensureSyncFolders({ components: ['contact'], folderName: 'Bench-Read' })).contact as string;
		await generate(store, { mailbox: MAILBOX, contacts: 10_000, seed: 9, folders: { contacts: readFolder } });

		const read = await measure(async () => {
			let cursor: string | undefined;
			let count = 0;
			for (;;) {
				const page = await client.listChanges('contact', readFolder, cursor);
				count += page.items.length;
				cursor = page.cursor;
				if (!page.hasMore) return count;
			}
		});
		if (read.result !== 10_000) throw new Error(`read ${read.result} contacts, expected 10000`);
		report('read_10k_contacts', read, ['SyncFolderItems', 'GetItem']);

		const write = await measure(async () => {
			for (let i = 0; i < 1000; i++) {
				const record: Contact = { firstName: 'Bench', lastName: `Write ${i}`, email: `write${i}@example.com`, phone: `+49 89 ${String(3_000_000 + i)}` };
				await client.create('contact', folders.contact as string, record, `crm1:contacts:${i}`);
			}
		});
		if (store.mailbox(MAILBOX).countItems(folders.contact as string) !== 1000) throw new Error('not all 1000 contacts were written');
		report('write_1k_contacts', write, ['CreateItem', 'GetItem']);

		// Idle poll: contacts, calendar and tasks feeds, then the five CRM-Sync mail folders and two origin folders.
		const window = { from: new Date(Date.now() - 30 * 86_400_000).toISOString(), to: new Date(Date.now() + 365 * 86_400_000).toISOString() };
		const inbox = (await client.getWellKnownFolder('inbox')).id;
		const sent = (await client.getWellKnownFolder('sentitems')).id;
		const itemFolders = [
			{ component: 'contact' as const, folderId: folders.contact as string },
			{ component: 'event' as const, folderId: folders.event as string },
			{ component: 'task' as const, folderId: folders.task as string },
		];
		const mail = folders.mail as NonNullable<typeof folders.mail>;
		const itemOptions = { folders: itemFolders, changeTypes: ['created' as const, 'updated' as const, 'deleted' as const], window };
		const mailOptions = { syncFolders: mail, originFolderIds: [inbox, sent] };
		let state: TriggerState = emptyTriggerState();
		state = (await pollItemChanges(client, state, itemOptions)).state;
		state = (await pollMailMoves(client, state, mailOptions)).state;
		const idleItems = await measure(() => pollItemChanges(client, state, itemOptions));
		if (idleItems.result.events.length) throw new Error(`an idle item poll reported ${idleItems.result.events.length} changes`);
		const idleMail = await measure(() => pollMailMoves(client, state, mailOptions));
		if (idleMail.result.events.length) throw new Error(`an idle mail poll reported ${idleMail.result.events.length} moves`);
		report('idle_poll_items', idleItems, ['SyncFolderItems']);
		report('idle_poll_mail', idleMail, ['SyncFolderItems', 'GetEvents']);
	} finally {
		client.service.XHRApi.disconnect();
		await server.close();
		store.close();
	}
	return out;
}
