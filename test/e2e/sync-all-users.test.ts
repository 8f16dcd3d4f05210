/**
 * S5 in a real n8n: the per-user contacts template syncs each connected user's mailbox with the CRM
 * records assigned to that user; records assigned to a group reach no mailbox, and a reassigned record
 * moves from one mailbox to the other.
 */
import type { Contact } from '../../lib/model/types';
import type { GraphExchangeClient } from '../../lib/exchange';
import { nodeOutput } from './harness';
import { ANNA, sandboxGraphClient, startSyncEnv, type SyncEnv } from './helpers/sync-env';

const SETUP_TIMEOUT = 40 * 60_000;
const STEP_TIMEOUT = 5 * 60_000;
const WORKFLOW = 'e2eAllUsersCont1';
const BEN = 'ben@contoso.example';

let env: SyncEnv;
let ben: GraphExchangeClient;

async function names(client: GraphExchangeClient): Promise<string[]> {
	const folder = (await client.ensureSyncFolders({ components: ['contact'] })).contact as string;
	const page = await client.listChanges('contact', folder, undefined);
	return page.items.map((i) => (i.record as Contact).lastName as string).sort();
}

beforeAll(async () => {
	env = await startSyncEnv();
	ben = sandboxGraphClient(env.sb, BEN);
	for (const existing of await env.crm.list('contacts')) await env.crm.delete('contacts', existing.id);
	await env.crm.create('contacts', { fields: { lastname: 'ForAnna' }, assignedTo: { type: 'user', id: 'anna' } });
	await env.crm.create('contacts', { fields: { lastname: 'ForBen' }, assignedTo: { type: 'user', id: 'ben' } });
	await env.crm.create('contacts', { fields: { lastname: 'ForSalesGroup' }, assignedTo: { type: 'group', id: 'sales' } });
	const benFolder = (await ben.ensureSyncFolders({ components: ['contact'] })).contact as string;
	await ben.create('contact', benFolder, { firstName: 'Bea', lastName: 'FromBensOutlook' });
	await env.importTemplate('contacts-sync-all-users.json', WORKFLOW);
}, SETUP_TIMEOUT);

afterAll(async () => {
	ben?.close();
	await env?.close();
}, 120_000);

describe('per-user sync template in real n8n (S5)', () => {
	it(
		'syncs each mailbox with the records assigned to its user, and group records with none',
		async () => {
			const run = await env.run(WORKFLOW);
			const reports = nodeOutput(run, 'Commit');
			expect(reports.length).toBeGreaterThanOrEqual(1);
			expect(await names(env.exchange)).toEqual(['ForAnna']);
			expect(await names(ben)).toEqual(['ForBen', 'FromBensOutlook']);
			const fromOutlook = (await env.crm.list('contacts')).find((c) => c.fields.lastname === 'FromBensOutlook');
			expect(fromOutlook?.assignedTo).toEqual({ type: 'user', id: 'ben' });
		},
		STEP_TIMEOUT,
	);

	it(
		'moves a reassigned record from one mailbox to the other, and then writes nothing',
		async () => {
			const forAnna = (await env.crm.list('contacts')).find((c) => c.fields.lastname === 'ForAnna')!;
			await env.crm.update('contacts', forAnna.id, { assignedTo: { type: 'user', id: 'ben' } });
			await env.run(WORKFLOW);
			expect(await names(env.exchange)).toEqual([]);
			expect(await names(ben)).toEqual(['ForAnna', 'ForBen', 'FromBensOutlook']);
			const before = await env.sb.control.counters();
			await env.run(WORKFLOW);
			const after = await env.sb.control.counters();
			const writes = (c: typeof after, box: string) => (c[box]?.byMethod.POST ?? 0) + (c[box]?.byMethod.PATCH ?? 0) + (c[box]?.byMethod.DELETE ?? 0);
			expect(writes(after, ANNA) - writes(before, ANNA)).toBe(0);
			expect(writes(after, BEN) - writes(before, BEN)).toBe(0);
		},
		STEP_TIMEOUT,
	);
});
