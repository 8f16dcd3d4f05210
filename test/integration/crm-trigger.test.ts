/**
 * Issue 14 "push from the CRM": the CRM Trigger looks at the embedded CRM's change feed every few seconds
 * and starts one run when the synced modules changed — not for what was there before it started, not for
 * other modules, once per change. A real SQLite file; the node's trigger() with n8n's trigger functions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import type { IDataObject, INode, INodeExecutionData, ITriggerFunctions } from 'n8n-workflow';

import { CrmChangeWatcher, EmbeddedCrmBackend } from '../../lib/crm';
import { closeSharedCrmBackends } from '../../nodes/Crm/transport/backend';
import { CrmTrigger } from '../../nodes/CrmTrigger/CrmTrigger.node';

let dir: string;
let dbPath: string;
let crm: EmbeddedCrmBackend;
beforeAll(async () => {
	dir = await mkdtemp(path.join(tmpdir(), 'crm-trigger-'));
	dbPath = path.join(dir, 'crm.sqlite');
	crm = EmbeddedCrmBackend.open(dbPath);
});
afterAll(async () => {
	crm.closeSync();
	await closeSharedCrmBackends();
	await rm(dir, { recursive: true, force: true });
});

it('the watcher reports only changes after its start, per module, each once, deletions included', async () => {
	for (let i = 0; i < 3; i++) await crm.create('contacts', { fields: { firstname: 'Old', lastname: `Nr ${i}` } });
	const watcher = new CrmChangeWatcher(crm, ['contacts', 'tasks']);
	await watcher.start();
	expect(await watcher.look()).toEqual([]);
	const created = await crm.create('contacts', { fields: { firstname: 'New', lastname: 'One' } });
	await crm.create('events', {
		fields: { subject: 'Not watched', date_start: '2026-12-08', time_start: '10:00:00', due_date: '2026-12-08', time_end: '11:00:00' },
	});
	expect(await watcher.look()).toEqual([{ module: 'contacts', changes: 1 }]);
	expect(await watcher.look()).toEqual([]);
	await crm.delete('contacts', created.id);
	expect(await watcher.look()).toEqual([{ module: 'contacts', changes: 1 }]);
});

it('the node emits one item within seconds of a CRM change, nothing while nothing changes, and stops when closed', async () => {
	const emitted: IDataObject[] = [];
	const node: INode = { id: 't', name: 'On Change in the CRM', type: 'crmTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
	const params: Record<string, unknown> = { components: ['contact', 'task'], intervalSeconds: 2 };
	const ctx = {
		getNode: () => node,
		getMode: () => 'trigger',
		getNodeParameter: (name: string, fallback?: unknown) => (name in params ? params[name] : fallback),
		getCredentials: async () => ({ backend: 'embedded', databasePath: dbPath }),
		emit: (data: INodeExecutionData[][]) => emitted.push(...data[0].map((i) => i.json)),
		emitError: (error: Error) => {
			throw error;
		},
		logger: { warn: () => undefined },
	} as unknown as ITriggerFunctions;
	const response = await new CrmTrigger().trigger.call(ctx);
	try {
		await new Promise((resolve) => setTimeout(resolve, 4_500));
		expect(emitted).toEqual([]);
		const started = Date.now();
		await crm.create('tasks', { fields: { subject: 'Anrufen', taskstatus: 'Not Started', date_start: '2026-12-08', due_date: '2026-12-09' } });
		while (emitted.length === 0 && Date.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 100));
		expect(Date.now() - started).toBeLessThan(5_000);
		expect(emitted).toHaveLength(1);
		expect(emitted[0]).toMatchObject({ changed: true, changes: 1, modules: ['tasks'] });
	} finally {
		await response.closeFunction?.();
	}
	await crm.create('contacts', { fields: { firstname: 'After', lastname: 'Close' } });
	await new Promise((resolve) => setTimeout(resolve, 3_000));
	expect(emitted).toHaveLength(1);
}, 30_000);
