/**
 * Issue 14 / A6 through the nodes: Read State with a CRM credential takes the lease of its mailbox and
 * component in the embedded CRM, a second execution's Read State goes out through "Skipped", Commit gives
 * the lease back with the run's summary, and the CRM node's Sync Status shows it to the admin. Without a
 * CRM credential Read State works as before.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INode, INodeExecutionData, INodeType } from 'n8n-workflow';

import { EmbeddedCrmBackend } from '../../lib/crm';
import { ConflictResolution } from '../../nodes/ConflictResolution/ConflictResolution.node';
import { Crm } from '../../nodes/Crm/Crm.node';
import { closeSharedCrmBackends } from '../../nodes/Crm/transport/backend';

const resolution = new ConflictResolution();
const crmNode = new Crm();
const TABLE = { component: 'contact', mailbox: 'anna@contoso.example', exchangeFolderId: 'folder-1', crmInstance: 'crm' };

let dir: string;
let credentials: Record<string, ICredentialDataDecryptedObject>;
beforeAll(async () => {
	dir = await mkdtemp(path.join(tmpdir(), 'run-lease-nodes-'));
	credentials = { crmApi: { backend: 'embedded', databasePath: path.join(dir, 'crm.sqlite') } };
});
afterAll(async () => {
	await closeSharedCrmBackends();
	await rm(dir, { recursive: true, force: true });
});

async function runNode(
	node: INodeType,
	options: { executionId: string; params: Record<string, unknown>; input?: INodeExecutionData[]; withCrm?: boolean; data?: IDataObject },
): Promise<INodeExecutionData[][]> {
	const meta: INode = {
		id: 'n',
		name: 'node',
		type: 'x',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		...(options.withCrm === false ? {} : { credentials: { crmApi: { id: '1', name: 'CRM account' } } }),
	};
	const data = options.data ?? {};
	const ctx = {
		getInputData: () => options.input ?? [{ json: {} }],
		getNode: () => meta,
		getExecutionId: () => options.executionId,
		continueOnFail: () => false,
		getCredentials: async (type: string) => credentials[type],
		getWorkflowStaticData: () => data,
		getNodeParameter(name: string, _i: number, fallback?: unknown) {
			if (name in options.params) return options.params[name];
			if (fallback !== undefined) return fallback;
			throw new Error(`test did not set parameter "${name}"`);
		},
		helpers: { returnJsonArray: (x: IDataObject[]) => x.map((json) => ({ json })) },
	} as unknown as IExecuteFunctions;
	return (await (node.execute as (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>).call(ctx)) ?? [];
}

const readState = (executionId: string, withCrm = true) => runNode(resolution, { executionId, withCrm, params: { operation: 'readState', ...TABLE } });

it('one execution works, a second one at the same time is skipped with the reason; Commit gives the lease back; Sync Status shows it', async () => {
	const crm = EmbeddedCrmBackend.open(credentials.crmApi.databasePath as string);
	const before = await crm.create('contacts', { fields: { firstname: 'Anna', lastname: 'Alt', description: 'kept' } });

	const [state, skippedA] = await readState('101');
	expect(state).toHaveLength(1);
	expect(skippedA).toHaveLength(0);
	expect(state[0].json).toMatchObject({ mailbox: TABLE.mailbox, lease: { holder: '101' } });

	const [stateB, skippedB] = await readState('102');
	expect(stateB).toHaveLength(0);
	expect(skippedB[0].json).toMatchObject({ skipped: true, heldBy: '101', component: 'contact' });
	expect(String(skippedB[0].json.reason)).toContain('next run');

	const [status] = await runNode(crmNode, { executionId: '103', params: { resource: 'syncStatus', operation: 'getAll', onlyProblems: false } });
	expect(status[0].json).toMatchObject({ mailbox: TABLE.mailbox, component: 'contact', state: 'running', skippedStarts: 1, openConflicts: 0 });

	const marker = {
		syncRun: true,
		runId: 'r1',
		table: state[0].json.table,
		component: 'contact',
		mailbox: TABLE.mailbox,
		counts: { toCrm: 0, toExchange: 0, conflicts: 0, noops: 0 },
	};
	const [[report]] = await runNode(resolution, {
		executionId: '101',
		params: { operation: 'commit', ...TABLE },
		input: [{ json: marker as unknown as IDataObject }],
	});
	expect(report.json).toMatchObject({ leaseReleased: true, errors: 0 });

	const [after] = await runNode(crmNode, { executionId: '104', params: { resource: 'syncStatus', operation: 'getAll', onlyProblems: false } });
	expect(after[0].json).toMatchObject({ state: 'ok', lastSummary: report.json.summary });
	expect(after[0].json.holder).toBeUndefined();
	const [problems] = await runNode(crmNode, { executionId: '105', params: { resource: 'syncStatus', operation: 'getAll', onlyProblems: true } });
	expect(problems).toHaveLength(0);

	// The next execution gets the lease at once; the CRM's records were not touched by any of this.
	expect((await readState('106'))[0]).toHaveLength(1);
	expect((await crm.get('contacts', before.id))?.etag).toBe(before.etag);
	crm.closeSync();
});

it('an admin pauses a sync with the CRM node: its runs go out through "Skipped" saying so, and run again once resumed', async () => {
	const mailbox = 'paula@contoso.example';
	const table = { ...TABLE, mailbox, exchangeFolderId: 'folder-paula' };
	const read = (executionId: string) => runNode(resolution, { executionId, params: { operation: 'readState', ...table } });
	const syncStatus = (executionId: string, params: Record<string, unknown>) => runNode(crmNode, { executionId, params: { resource: 'syncStatus', ...params } });
	const [state] = await read('301');
	const marker = {
		syncRun: true,
		runId: 'r3',
		table: state[0].json.table,
		component: 'contact',
		mailbox,
		counts: { toCrm: 0, toExchange: 0, conflicts: 0, noops: 0 },
	};
	await runNode(resolution, { executionId: '301', params: { operation: 'commit', ...table }, input: [{ json: marker as unknown as IDataObject }] });

	const [paused] = await syncStatus('302', { operation: 'pause', mailbox: 'Paula@contoso.example', components: [], reason: 'Postfach wird umgezogen' });
	expect(paused).toHaveLength(1);
	expect(paused[0].json).toMatchObject({ mailbox, component: 'contact', state: 'paused', pauseReason: 'Postfach wird umgezogen' });

	const [none, skipped] = await read('303');
	expect(none).toHaveLength(0);
	expect(skipped[0].json).toMatchObject({ skipped: true, paused: true, heldBy: null });
	expect(String(skipped[0].json.reason)).toContain('Postfach wird umgezogen');
	// Anna's sync of the first test is not paused.
	const [all] = await syncStatus('304', { operation: 'getAll', onlyProblems: false });
	expect(Object.fromEntries(all.map((item) => [item.json.mailbox, item.json.state]))).toEqual({ [TABLE.mailbox]: 'running', [mailbox]: 'paused' });

	const [resumed] = await syncStatus('305', { operation: 'resume', mailbox, components: ['contact'] });
	expect(resumed[0].json).toMatchObject({ state: 'ok' });
	expect(resumed[0].json.pausedAt).toBeUndefined();
	expect((await read('306'))[0]).toHaveLength(1);

	await expect(syncStatus('307', { operation: 'pause', mailbox: 'nobody@contoso.example', components: [], reason: '' })).rejects.toThrow(
		'No sync of nobody@contoso.example has run yet',
	);
});

it('without a CRM credential Read State takes no lease, as before', async () => {
	const [a] = await readState('201', false);
	const [b] = await readState('202', false);
	expect(a).toHaveLength(1);
	expect(b).toHaveLength(1);
	expect(a[0].json.lease).toBeUndefined();
});
