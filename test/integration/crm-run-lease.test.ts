/**
 * Issue 14 "one run at a time per mailbox and component": the run lease in the embedded CRM's SQLite file,
 * taken by separate processes at the same moment (as two n8n executions on one machine, or main and a
 * worker sharing the file). Exactly one gets it; the others are refused with the holder named.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { EmbeddedCrmBackend } from '../../lib/crm';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const key = { mailbox: 'anna@contoso.example', component: 'contact' };

let dir: string;
beforeAll(async () => {
	dir = await mkdtemp(path.join(tmpdir(), 'run-lease-'));
});
afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

/** A separate Node process that opens the database, waits for the common start instant, and tries to start a run. */
async function startInChildProcess(db: string, holder: string, atMs: number): Promise<{ acquired: boolean; holder?: string }> {
	const script = `
		const { EmbeddedCrmBackend } = require(${JSON.stringify(path.join(ROOT, 'dist/lib/crm'))});
		const crm = EmbeddedCrmBackend.open(${JSON.stringify(db)});
		setTimeout(async () => {
			const start = await crm.startSyncRun(${JSON.stringify(key)}, ${JSON.stringify(holder)}, 600000);
			process.stdout.write(JSON.stringify({ acquired: start.acquired, holder: start.status.holder }));
			crm.closeSync();
		}, Math.max(0, ${atMs} - Date.now()));
	`;
	const { stdout } = await run(process.execPath, ['-e', script], { timeout: 60_000 });
	return JSON.parse(stdout) as { acquired: boolean; holder?: string };
}

it('six processes start at the same moment: one run gets the lease, five are refused and see its holder', async () => {
	const db = path.join(dir, 'race.sqlite');
	EmbeddedCrmBackend.open(db).closeSync();
	const at = Date.now() + 1500;
	const holders = ['exec-1', 'exec-2', 'exec-3', 'exec-4', 'exec-5', 'exec-6'];
	const results = await Promise.all(holders.map((h) => startInChildProcess(db, h, at)));
	const winners = results.filter((r) => r.acquired);
	expect(winners).toHaveLength(1);
	const winner = winners[0].holder;
	expect(results.every((r) => r.holder === winner)).toBe(true);

	const crm = EmbeddedCrmBackend.open(db);
	try {
		const [status] = await crm.listSyncRuns();
		expect(status).toMatchObject({ ...key, holder: winner, skippedStarts: 5 });
		// The holder finishes; the next start gets the lease at once.
		await crm.finishSyncRun(key, winner!, { summary: 'contact: 0 created' });
		expect((await crm.startSyncRun(key, 'exec-7', 600_000)).acquired).toBe(true);
	} finally {
		crm.closeSync();
	}
}, 90_000);

it('leases of different mailboxes and components do not block each other, and the CRM records are untouched', async () => {
	const crm = EmbeddedCrmBackend.open(path.join(dir, 'independent.sqlite'));
	try {
		const contact = await crm.create('contacts', { fields: { firstname: 'Anna', lastname: 'Alt', phone: '+49 30 1' } });
		expect((await crm.startSyncRun(key, 'a', 600_000)).acquired).toBe(true);
		expect((await crm.startSyncRun({ ...key, component: 'event' }, 'b', 600_000)).acquired).toBe(true);
		expect((await crm.startSyncRun({ mailbox: 'ben@contoso.example', component: 'contact' }, 'c', 600_000)).acquired).toBe(true);
		// Mailbox addresses compare case-insensitively.
		expect((await crm.startSyncRun({ mailbox: 'Anna@Contoso.example', component: 'contact' }, 'd', 600_000)).acquired).toBe(false);
		expect(await crm.listSyncRuns()).toHaveLength(3);
		const after = await crm.get('contacts', contact.id);
		expect(after?.fields).toEqual(contact.fields);
		expect(after?.etag).toBe(contact.etag);
		expect((await crm.listChanges('contacts', undefined)).changed).toHaveLength(1);
	} finally {
		crm.closeSync();
	}
});
