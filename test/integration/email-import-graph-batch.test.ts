/**
 * Issue 15 "Request economy" for the e-mail import on Graph: the moves back (E9) of a run go in $batches
 * of 20. Real Graph client against the sandbox over HTTPS, an embedded CRM in a real SQLite file; 25 mails
 * moved into CRM-Sync from the Inbox, imported one at a time (before) and as one run (after).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { EmbeddedCrmBackend } from '../../lib/crm';
import { DEFAULT_EMAIL_IMPORT_OPTIONS, EmailImporter, type EmailImportResult, type EmailMessageInput } from '../../lib/email';
import { ClientCredentialsTokenProvider, GraphExchangeClient, HttpTransport, type MailMessageSummary } from '../../lib/exchange';
import { startTestSandbox, type GraphExchange, type TestSandbox } from '../helpers/sandbox';

jest.setTimeout(120_000);

const ANNA = 'anna@contoso.example';
const MAILS = 25;

let sb: TestSandbox;
let transport: HttpTransport;
let client: GraphExchangeClient;
let dir: string;
let crm: EmbeddedCrmBackend;

beforeAll(async () => {
	sb = await startTestSandbox();
	transport = new HttpTransport({ ca: sb.ca });
	client = new GraphExchangeClient({
		protocol: 'graph',
		baseUrl: sb.authorityUrl,
		mailbox: ANNA,
		tokens: new ClientCredentialsTokenProvider(
			{ authorityUrl: sb.authorityUrl, tenantId: sb.tenant, clientId: sb.clientId, clientSecret: sb.clientSecret },
			transport,
		),
		transport,
		sleep: async () => undefined,
	});
});

afterAll(async () => {
	client.close();
	await sb.stop();
});

beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'email-batch-'));
	crm = EmbeddedCrmBackend.open(path.join(dir, 'crm.sqlite'));
});

afterEach(async () => {
	await sb.control.clearFaults();
	await crm.close();
	rmSync(dir, { recursive: true, force: true });
});

interface Mailbox {
	inbox: string;
	syncRoot: string;
	inputs: EmailMessageInput[];
	/** A mail left in the Inbox: nothing may touch it. */
	untouched: MailMessageSummary;
}

/** 26 mails in Anna's Inbox; 25 of them moved into CRM-Sync, as the Exchange Trigger reports them. */
async function mailbox(): Promise<Mailbox> {
	await sb.control.reset();
	await sb.control.generate({ mailbox: ANNA, messages: MAILS + 1, seed: 7 });
	const mail = (await client.ensureSyncFolders({ components: ['mail'] })).mail as NonNullable<
		Awaited<ReturnType<GraphExchangeClient['ensureSyncFolders']>>['mail']
	>;
	const inbox = (await client.getWellKnownFolder('inbox')).id;
	const [untouched, ...rest] = (await client.listMessageChanges(inbox, undefined, { pageSize: 100 })).messages;
	expect(rest).toHaveLength(MAILS);
	const inputs: EmailMessageInput[] = [];
	for (const m of rest) {
		const moved = await client.moveMessage(m.id, mail.root);
		inputs.push({
			exchangeId: moved.id,
			folderId: mail.root,
			folderRole: 'syncRoot',
			previousFolderId: inbox,
			internetMessageId: m.internetMessageId,
			from: m.from,
			size: m.size,
		});
	}
	return { inbox, syncRoot: mail.root, inputs, untouched };
}

function importer(moveBack = true): EmailImporter {
	return new EmailImporter({ crm, exchange: client, ownerAddresses: [ANNA], options: { ...DEFAULT_EMAIL_IMPORT_OPTIONS, moveBack } });
}

/** What the sandbox saw: HTTP requests sent, $batch calls among them, moves and MIME reads (single or batched), and the mailbox's count. */
async function measured<T>(
	run: () => Promise<T>,
): Promise<{ result: T; http: number; batches: number; moves: number; mimeReads: number; singleMimeReads: number; mailboxRequests: number }> {
	const before = (await sb.control.counters())[ANNA]?.total ?? 0;
	const rec = sb.recordGraph();
	let result: T;
	let exchanges: GraphExchange[];
	try {
		result = await run();
		exchanges = [...rec.exchanges];
	} finally {
		rec.stop();
	}
	const after = (await sb.control.counters())[ANNA]?.total ?? 0;
	const outer = exchanges.filter((e) => !e.inBatch);
	return {
		result,
		http: outer.length,
		batches: outer.filter((e) => e.path === '/$batch').length,
		moves: exchanges.filter((e) => e.method === 'POST' && /\/move$/.test(e.path)).length,
		mimeReads: exchanges.filter((e) => e.method === 'GET' && /\/\$value$/.test(e.path)).length,
		singleMimeReads: outer.filter((e) => e.method === 'GET' && /\/\$value$/.test(e.path)).length,
		mailboxRequests: after - before,
	};
}

/** The generated mails include S/MIME-encrypted ones: refused (E8), and moved back like the others. */
const DONE = new Set(['imported', 'refused-encrypted']);

/** Every imported mail once in the CRM (one e-mail per Message-ID), the refused ones not at all. */
async function expectEachOnceInCrm(inputs: EmailMessageInput[], results: EmailImportResult[]): Promise<void> {
	const ids = new Set<string>();
	let imported = 0;
	for (const [i, input] of inputs.entries()) {
		const found = await crm.findEmailByMessageId(input.internetMessageId as string);
		if (results[i].status === 'refused-encrypted') {
			expect(found).toBeUndefined();
			continue;
		}
		imported++;
		expect(found?.id).toBe(results[i].crmEmailId);
		ids.add(found?.id as string);
	}
	expect(imported).toBeGreaterThan(inputs.length / 2);
	expect(ids.size).toBe(imported);
}

/** The fault rule's path pattern for this mail's move (the sandbox tests it against the encoded path). */
function movePathOf(input: EmailMessageInput): string {
	const encoded = encodeURIComponent(input.exchangeId as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	return `/messages/${encoded}/move$`;
}

async function folderOf(id: string): Promise<string | undefined> {
	return (await client.getMessage(id))?.folderId;
}

it(`${MAILS} mails: one run reads them in 2 $batches and moves them back in 2 instead of ${2 * MAILS} requests; each lands once in the CRM, an unrelated mail stays`, async () => {
	// Before: one mail at a time (as each Exchange Trigger item was imported).
	const one = await mailbox();
	const single = await measured(async () => {
		const results: EmailImportResult[] = [];
		for (const input of one.inputs) results.push(await importer().importMessage(input));
		return results;
	});
	expect(single.result.every((r) => DONE.has(r.status) && r.move?.moved)).toBe(true);
	expect(single.batches).toBe(0);

	// After: the same mailbox, one run.
	await crm.close();
	crm = EmbeddedCrmBackend.open(path.join(dir, 'crm-2.sqlite'));
	const box = await mailbox();
	// The delta reports each mail's size (PidTagMessageSize): all small, so all reads may share batches.
	for (const input of box.inputs) expect(input.size).toBeGreaterThan(100);
	const run = await measured(() => importer().importMessages(box.inputs));
	const results = run.result;

	expect(results.map((r) => r.status)).toEqual(single.result.map((r) => r.status));
	expect(results.every((r) => DONE.has(r.status))).toBe(true);
	for (const r of results) expect(r.move).toEqual({ folderId: box.inbox, reason: 'previousFolder', moved: true, newExchangeId: expect.any(String) });
	// The 25 MIME reads in ⌈25/20⌉ = 2 $batches, then the 25 moves in 2.
	expect(run).toMatchObject({ moves: MAILS, mimeReads: MAILS, singleMimeReads: 0, batches: 4, http: 4 });
	expect(single).toMatchObject({ moves: MAILS, mimeReads: MAILS, singleMimeReads: MAILS, batches: 0, http: 2 * MAILS });
	// Graph counts each sub-request against the mailbox's limit: the mailbox's count stays the same.
	expect(run.mailboxRequests).toBe(single.mailboxRequests);
	console.log(
		`e-mail import of ${MAILS} mails: HTTP requests ${single.http} → ${run.http}; mailbox-counted requests ${single.mailboxRequests} → ${run.mailboxRequests}`,
	);

	// Both sides: every mail once in the CRM, back in the Inbox under its new id; the 26th mail untouched.
	await expectEachOnceInCrm(box.inputs, results);
	for (const r of results) expect(await folderOf(r.move?.newExchangeId as string)).toBe(box.inbox);
	const inbox = (await client.listMessageChanges(box.inbox, undefined, { pageSize: 100 })).messages;
	expect(inbox).toHaveLength(MAILS + 1);
	expect(inbox.find((m) => m.id === box.untouched.id)).toMatchObject({ subject: box.untouched.subject, folderId: box.inbox });
	expect((await client.listMessageChanges(box.syncRoot, undefined)).messages).toEqual([]);
});

it('a move that fails for one mail fails only that one: the others move, it stays in CRM-Sync and goes back when tried again, once in the CRM', async () => {
	const box = await mailbox();
	const victim = box.inputs[2];
	await sb.control.addFault({ match: { protocol: 'graph', method: 'POST', path: movePathOf(victim) }, action: { type: 'status', status: 500 } });

	const first = await importer().importMessages(box.inputs);
	expect(first.every((r) => DONE.has(r.status))).toBe(true);
	const failed = first.filter((r) => !r.move?.moved);
	expect(failed.map((r) => r.exchangeId)).toEqual([victim.exchangeId]);
	expect(failed[0].move).toEqual({ folderId: box.inbox, reason: 'previousFolder', moved: false, error: expect.stringMatching(/Moving a message/) });
	for (const r of first.filter((x) => x.move?.moved)) expect(await folderOf(r.move?.newExchangeId as string)).toBe(box.inbox);
	expect(await folderOf(victim.exchangeId as string)).toBe(box.syncRoot);
	await expectEachOnceInCrm(box.inputs, first);

	// Tried again (the fault is gone): E6 knows it, no second CRM e-mail, and it goes back to the Inbox.
	await sb.control.clearFaults();
	const [again] = await importer().importMessages([victim]);
	expect(again).toMatchObject({ status: 'duplicate', crmEmailId: failed[0].crmEmailId, move: { moved: true, folderId: box.inbox } });
	expect(await folderOf(again.move?.newExchangeId as string)).toBe(box.inbox);
	expect((await client.listMessageChanges(box.syncRoot, undefined)).messages).toEqual([]);
	await expectEachOnceInCrm(box.inputs, first);
});

it('a move answered 503 once is sent again in its own $batch; every mail moves', async () => {
	const box = await mailbox();
	const victim = box.inputs[21];
	await sb.control.addFault({
		match: { protocol: 'graph', method: 'POST', path: movePathOf(victim) },
		action: { type: 'status', status: 503, retryAfterSeconds: 1 },
		times: 1,
	});

	const run = await measured(() => importer().importMessages(box.inputs));
	expect(run.result.every((r) => DONE.has(r.status) && r.move?.moved)).toBe(true);
	expect(run.batches).toBe(2 + 3);
	for (const r of run.result) expect(await folderOf(r.move?.newExchangeId as string)).toBe(box.inbox);
	await expectEachOnceInCrm(box.inputs, run.result);
});

it('the sandbox answers a MIME read ($value) inside a $batch as Graph does: the body base64-encoded, the same bytes as read alone', async () => {
	// https://learn.microsoft.com/en-us/graph/json-batching: a sub-response body that is not JSON comes base64-encoded.
	const box = await mailbox();
	const id = box.untouched.id;
	const token = await sb.control.token(ANNA);
	const path = `/users/${encodeURIComponent(ANNA)}/messages/${encodeURIComponent(id)}/$value`;
	const alone = await transport.send({ method: 'GET', url: `${sb.graphUrl}${path}`, headers: { authorization: `Bearer ${token}` } });
	expect(alone.status).toBe(200);
	const batched = await transport.send({
		method: 'POST',
		url: `${sb.graphUrl}/$batch`,
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
		body: JSON.stringify({ requests: [{ id: '1', method: 'GET', url: path }] }),
	});
	expect(batched.status).toBe(200);
	const [sub] = (
		JSON.parse(batched.body.toString('utf8')) as { responses: Array<{ id: string; status: number; headers: Record<string, string>; body: unknown }> }
	).responses;
	expect(sub).toMatchObject({ id: '1', status: 200, headers: { 'content-type': 'text/plain' } });
	expect(typeof sub.body).toBe('string');
	expect(Buffer.from(sub.body as string, 'base64').equals(alone.body)).toBe(true);
	expect(alone.body.toString('utf8')).toMatch(/^Message-ID:/im);
});

it('MIME reads: a mail of unknown size and one over 1 MiB are read alone; a refused read fails only that mail, which is tried again later', async () => {
	const box = await mailbox();
	const inputs = box.inputs.slice(0, 6).map((input) => ({ ...input }));
	delete inputs[1].size;
	inputs[3].size = 5 * 1024 * 1024;
	const refused = inputs[4];
	const valuePath = movePathOf(refused).replace(/\/move\$$/, '/\\$value$');
	await sb.control.addFault({ match: { protocol: 'graph', method: 'GET', path: valuePath }, action: { type: 'status', status: 500 } });

	const run = await measured(() => importer().importMessages(inputs));
	// 2 read alone, 4 in one $batch (the refused one answered by the fault injector, which the recorder does not see), 1 move batch.
	expect(run).toMatchObject({ mimeReads: 5, singleMimeReads: 2, batches: 2, http: 4 });
	const byId = new Map(run.result.map((r) => [r.exchangeId, r]));
	expect(byId.get(refused.exchangeId)).toMatchObject({ status: 'error', error: { code: 'fetchFailed' } });
	expect(byId.get(refused.exchangeId)?.move).toBeUndefined();
	expect(await folderOf(refused.exchangeId as string)).toBe(box.syncRoot);
	const others = run.result.filter((r) => r.exchangeId !== refused.exchangeId);
	expect(others.every((r) => DONE.has(r.status) && r.move?.moved)).toBe(true);
	expect(await crm.findEmailByMessageId(refused.internetMessageId as string)).toBeUndefined();

	// Tried again (the fault is gone): imported once, moved back.
	await sb.control.clearFaults();
	const [again] = await importer().importMessages([refused]);
	expect(again).toMatchObject({ move: { moved: true, folderId: box.inbox } });
	expect(DONE.has(again.status)).toBe(true);
	await expectEachOnceInCrm(inputs, [...run.result.slice(0, 4), again, run.result[5]]);
});

it('E6 in a window: mails whose Message-ID is already in the CRM cost no MIME read, only their moves back', async () => {
	const box = await mailbox();
	const first = await importer(false).importMessages(box.inputs);
	expect(first.every((r) => DONE.has(r.status) && r.move === undefined)).toBe(true);
	const imported = first.filter((r) => r.status === 'imported').length;

	const run = await measured(() => importer().importMessages(box.inputs));
	expect(run.result.filter((r) => r.status === 'duplicate')).toHaveLength(imported);
	// Only the refused (encrypted) ones, not in the CRM, are read again; every mail moves back.
	expect(run.mimeReads).toBe(MAILS - imported);
	expect(run.moves).toBe(MAILS);
	expect(run.result.every((r) => r.move?.moved)).toBe(true);
	await expectEachOnceInCrm(box.inputs, first);
});
