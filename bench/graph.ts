/**
 * Microsoft Graph request counts (issue 4), measured against the sandbox over HTTPS:
 * requests to read 10,000 contacts, to write 1,000 (one by one and with $batch), and the
 * cost of an idle trigger poll. Counts are HTTP requests the client sent (a $batch is one)
 * and, beside them, the Graph operations the sandbox served.
 */
import { CLIENT_ID, CLIENT_SECRET, TENANT, startSandbox, type Sandbox } from '../sandbox/app';
import { generate } from '../sandbox/seed/seeds';
import { ClientCredentialsTokenProvider, GraphExchangeClient, HttpTransport } from '../lib/exchange';
import { emptyTriggerState, pollItemChanges, pollMailMoves, type TriggerState } from '../lib/exchange/poller';
import type { Contact } from '../lib/model/types';
import { benchSyncRuns } from './graph-runs';

export interface BenchResult {
	metric: string;
	value: number;
	unit: string;
}

const MAILBOX = 'anna@contoso.example';

function served(sandbox: Sandbox): number {
	return sandbox.counters.snapshot()[MAILBOX]?.total ?? 0;
}

async function measure<T>(
	client: GraphExchangeClient,
	sandbox: Sandbox,
	run: () => Promise<T>,
): Promise<{ requests: number; operations: number; ms: number; result: T }> {
	const requests = client.stats.requests;
	const operations = served(sandbox);
	const started = performance.now();
	const result = await run();
	return { requests: client.stats.requests - requests, operations: served(sandbox) - operations, ms: performance.now() - started, result };
}

export async function benchGraph(): Promise<BenchResult[]> {
	// The bench counts requests; the sandbox's 10,000-per-10-minutes budget per mailbox (Exchange Online's)
	// would stop it (reading 10k contacts with their idents alone is ~10k sub-requests), so it is lifted here.
	const sandbox = await startSandbox({ port: 0, host: '127.0.0.1', config: { throttle: { perWindow: Number.MAX_SAFE_INTEGER } } });
	const transport = new HttpTransport({ ca: sandbox.tls.ca });
	const client = new GraphExchangeClient({
		protocol: 'graph',
		baseUrl: sandbox.httpsUrl,
		mailbox: MAILBOX,
		transport,
		tokens: new ClientCredentialsTokenProvider(
			{ authorityUrl: sandbox.httpsUrl, tenantId: TENANT, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
			transport,
		),
	});
	const out: BenchResult[] = [];
	try {
		const folders = await client.ensureSyncFolders({ components: ['contact', 'task', 'mail'] });
		const calendar = (await client.getWellKnownFolder('calendar')).id;
		const readFolder = (await client.ensureSyncFolders({ components: ['contact'], folderName: 'Bench-Read' })).contact as string;
		await generate(sandbox.store, { mailbox: MAILBOX, contacts: 10_000, seed: 4, folders: { contacts: readFolder } });

		for (const pageSize of [100, 1000]) {
			const read = await measure(client, sandbox, async () => {
				let cursor: string | undefined;
				let count = 0;
				for (;;) {
					const page = await client.listChanges('contact', readFolder, cursor, { pageSize });
					count += page.items.length;
					cursor = page.cursor;
					if (!page.hasMore) return count;
				}
			});
			if (read.result !== 10_000) throw new Error(`read ${read.result} contacts, expected 10000`);
			out.push({ metric: `graph_read_10k_contacts_page${pageSize}_requests`, value: read.requests, unit: 'requests' });
			out.push({ metric: `graph_read_10k_contacts_page${pageSize}_ms`, value: Math.round(read.ms), unit: 'ms' });
		}

		const records = (tag: string): Array<{ record: Contact; ident: string }> =>
			Array.from({ length: 1000 }, (_, i) => ({
				record: { firstName: 'Bench', lastName: `${tag} ${i}`, email: `${tag}${i}@example.com` },
				ident: `bench:${tag}:${i}`,
			}));
		const single = await measure(client, sandbox, async () => {
			for (const e of records('single')) await client.create('contact', folders.contact as string, e.record, e.ident);
		});
		out.push({ metric: 'graph_write_1k_contacts_single_requests', value: single.requests, unit: 'requests' });
		out.push({ metric: 'graph_write_1k_contacts_single_ms', value: Math.round(single.ms), unit: 'ms' });
		const batched = await measure(client, sandbox, () => client.createMany('contact', folders.contact as string, records('batch')));
		if (batched.result.some((r) => r instanceof Error)) throw new Error('a batched create failed');
		out.push({ metric: 'graph_write_1k_contacts_batch_requests', value: batched.requests, unit: 'requests' });
		out.push({ metric: 'graph_write_1k_contacts_batch_operations', value: batched.operations, unit: 'operations' });
		out.push({ metric: 'graph_write_1k_contacts_batch_ms', value: Math.round(batched.ms), unit: 'ms' });

		// Idle poll: contacts, calendar and tasks feeds plus the CRM-Sync mail folders and two origin folders.
		const window = { from: new Date(Date.now() - 30 * 86_400_000).toISOString(), to: new Date(Date.now() + 365 * 86_400_000).toISOString() };
		const inbox = (await client.getWellKnownFolder('inbox')).id;
		const sent = (await client.getWellKnownFolder('sentitems')).id;
		const itemFolders = [
			{ component: 'contact' as const, folderId: folders.contact as string },
			{ component: 'event' as const, folderId: calendar },
			{ component: 'task' as const, folderId: folders.task as string },
		];
		const mail = folders.mail as NonNullable<typeof folders.mail>;
		let state: TriggerState = emptyTriggerState();
		state = (await pollItemChanges(client, state, { folders: itemFolders, changeTypes: ['created', 'updated', 'deleted'], window })).state;
		state = (await pollMailMoves(client, state, { syncFolders: mail, originFolderIds: [inbox, sent] })).state;
		const idleItems = await measure(client, sandbox, () =>
			pollItemChanges(client, state, { folders: itemFolders, changeTypes: ['created', 'updated', 'deleted'], window }),
		);
		const idleMail = await measure(client, sandbox, () => pollMailMoves(client, state, { syncFolders: mail, originFolderIds: [inbox, sent] }));
		out.push({ metric: 'graph_idle_poll_items_requests', value: idleItems.requests, unit: 'requests' });
		out.push({ metric: 'graph_idle_poll_mail_requests', value: idleMail.requests, unit: 'requests' });
		out.push({ metric: 'graph_idle_poll_items_ms', value: Math.round(idleItems.ms), unit: 'ms' });

		// A scheduled run's requests over 2,000 contacts + 1,000 appointments, idle and at 1 % (issue 15).
		out.push(...(await benchSyncRuns(client, sandbox, MAILBOX)));
	} finally {
		client.close();
		await sandbox.stop();
	}
	return out;
}

if (require.main === module) {
	benchGraph()
		.then((results) => {
			for (const r of results) console.log(`${r.metric}\t${r.value}\t${r.unit}`);
		})
		.catch((e) => {
			console.error(e);
			process.exitCode = 1;
		});
}
