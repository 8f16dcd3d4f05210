/**
 * Issue 15 "Request economy": the Graph requests of one scheduled run over a mailbox of 2,000 contacts and
 * 1,000 appointments (the two folders' deltas, the reads after them, the writes), idle and with 1 % of the
 * items changed on each side: 1 % edited in Outlook (read by the run) and 1 % changed in the CRM (written by
 * the run with changedFields and If-Match, as Sync Apply does). The 1 % run is measured twice: with the
 * writes through applyMany ($batch of 20, `requests_per_run_1pct`) and one request per write as before
 * (`requests_per_run_1pct_single_writes`). Goal: ≤ 1 delta per folder + ⌈k/20⌉ read batches + ⌈writes/20⌉
 * write batches (`requests_per_run_1pct_goal`).
 */
import type { Sandbox } from '../sandbox/app';
import { generate } from '../sandbox/seed/seeds';
import type { ExchangeItem, ExchangeWrite, GraphExchangeClient } from '../lib/exchange';
import type { CalendarEvent, Component, Contact } from '../lib/model/types';
import type { BenchResult } from './graph';

const CONTACTS = 2000;
const EVENTS = 1000;

interface Folders {
	contact: string;
	event: string;
}

type Cursors = Record<'contact' | 'event', string | undefined>;

/** Both folders' changes until the delta is drained; the items by id, the next cursors. */
async function readRun(client: GraphExchangeClient, folders: Folders, cursors: Cursors): Promise<{ items: Map<string, ExchangeItem>; cursors: Cursors }> {
	const items = new Map<string, ExchangeItem>();
	const next: Cursors = { ...cursors };
	for (const component of ['contact', 'event'] as const) {
		for (;;) {
			const page = await client.listChanges(component, folders[component], next[component]);
			for (const item of page.items) items.set(item.id, item);
			next[component] = page.cursor;
			if (!page.hasMore) break;
		}
	}
	return { items, cursors: next };
}

function crmEdit(item: ExchangeItem, folders: Folders, round: string): ExchangeWrite {
	const isEvent = item.folderId === folders.event;
	const component: Component = isEvent ? 'event' : 'contact';
	const record = isEvent
		? { ...(item.record as CalendarEvent), subject: `${(item.record as CalendarEvent).subject ?? ''} (${round})` }
		: { ...(item.record as Contact), jobTitle: `Title ${round}` };
	return {
		kind: 'update',
		component,
		folderId: item.folderId as string,
		id: item.id,
		record,
		...(item.ident ? { ident: item.ident } : {}),
		options: { etag: item.etag, changedFields: [isEvent ? 'subject' : 'jobTitle'] },
	};
}

async function writeOneByOne(client: GraphExchangeClient, writes: ExchangeWrite[]): Promise<void> {
	for (const w of writes) {
		if (w.kind !== 'update') continue;
		await client.update(w.component, w.folderId, w.id, w.record, w.ident, w.options);
	}
}

export async function benchSyncRuns(client: GraphExchangeClient, sandbox: Sandbox, mailboxAddress: string): Promise<BenchResult[]> {
	const synced = await client.ensureSyncFolders({ components: ['contact', 'event'], folderName: 'Bench-Runs' });
	const folders: Folders = { contact: synced.contact as string, event: synced.event as string };
	const seeded = await generate(sandbox.store, {
		mailbox: mailboxAddress,
		contacts: CONTACTS,
		events: EVENTS,
		seed: 15,
		folders: { contacts: folders.contact, calendar: folders.event },
	});
	const mailbox = sandbox.store.mailbox(mailboxAddress);

	// The first run reads everything; the state of the sync afterwards: every item as last read.
	let { items: known, cursors } = await readRun(client, folders, { contact: undefined, event: undefined });
	const count = async (run: () => Promise<void>): Promise<number> => {
		const before = client.stats.requests;
		await run();
		return client.stats.requests - before;
	};

	const idle = await count(async () => void ({ cursors } = await readRun(client, folders, cursors)));

	const contactIds = seeded.contacts ?? [];
	const eventIds = [...known.values()].filter((i) => i.folderId === folders.event).map((i) => i.id);
	const round = async (n: number, write: (writes: ExchangeWrite[]) => Promise<void>): Promise<{ requests: number; k: number; writes: number }> => {
		const pct = (ids: string[], side: number) => ids.slice((n * 2 + side) * (ids.length / 100), (n * 2 + side + 1) * (ids.length / 100));
		// 1 % edited in Outlook.
		const outlookContacts = pct(contactIds, 0);
		const outlookEvents = pct(eventIds, 0);
		for (const id of outlookContacts) mailbox.updateItem<'contact'>(id, (d) => void (d.department = `Outlook ${n}`));
		for (const id of outlookEvents) mailbox.updateItem<'event'>(id, (d) => void (d.location = { displayName: `Room ${n}` }));
		// 1 % changed in the CRM, written to Exchange by the same run.
		const writes = [...pct(contactIds, 1), ...pct(eventIds, 1)]
			.map((id) => known.get(id))
			.filter((i): i is ExchangeItem => !!i)
			.map((i) => crmEdit(i, folders, `r${n}`));
		let read = new Map<string, ExchangeItem>();
		const requests = await count(async () => {
			({ items: read, cursors } = await readRun(client, folders, cursors));
			await write(writes);
		});
		// The run's own writes come back in the next delta (their echo): read it, so the next round starts clean.
		({ cursors } = await readRun(client, folders, cursors));
		// The sync's view of every item (etags) after this round, read outside the count.
		({ items: known } = await readRun(client, folders, { contact: undefined, event: undefined }));
		if (read.size < outlookContacts.length + outlookEvents.length) throw new Error(`the run read ${read.size} changes, fewer than the Outlook edits`);
		return { requests, k: outlookContacts.length + outlookEvents.length, writes: writes.length };
	};

	const single = await round(0, (writes) => writeOneByOne(client, writes));
	const batched = await round(1, async (writes) => {
		const results = await client.applyMany(writes);
		const failed = results.filter((r) => r instanceof Error);
		if (failed.length) throw new Error(`${failed.length} batched writes failed: ${(failed[0] as Error).message}`);
	});
	const perFolderDeltas = 2;
	const goal = perFolderDeltas + Math.ceil(batched.k / 20) + Math.ceil(batched.writes / 20);
	return [
		{ metric: 'requests_per_run_idle', value: idle, unit: 'requests' },
		{ metric: 'requests_per_run_1pct', value: batched.requests, unit: 'requests' },
		{ metric: 'requests_per_run_1pct_single_writes', value: single.requests, unit: 'requests' },
		{ metric: 'requests_per_run_1pct_goal', value: goal, unit: 'requests' },
		{ metric: 'requests_per_run_1pct_changes', value: batched.k + batched.writes, unit: 'changes' },
	];
}
