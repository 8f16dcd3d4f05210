/**
 * Smoke test of the end-to-end harness: a real n8n 2.40.7 loads our packed package, runs a small
 * workflow through the Field Mapping node, and keeps workflow static data between executions.
 * The first run on a machine installs n8n into the cache (about 10 minutes); later runs reuse it.
 */
import { N8nInstance, nodeOutput, type N8nWorkflow } from './harness';

const SETUP_TIMEOUT = 40 * 60_000;
const RUN_TIMEOUT = 5 * 60_000;

const WORKFLOW_ID = 'e2eFieldMapSmoke';

/**
 * Manual Trigger → Code (counts runs in static data, emits CRM contacts) → Field Mapping
 * (CRM → canonical) → Field Mapping (canonical → CRM, with an expression in "Set Fields").
 */
const workflow: N8nWorkflow = {
	id: WORKFLOW_ID,
	name: 'E2E smoke: field mapping',
	nodes: [
		{ id: 'a1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: 'a2',
			name: 'CRM contacts',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [220, 0],
			parameters: {
				jsCode: [
					"const state = $getWorkflowStaticData('global');",
					'state.runs = (state.runs || 0) + 1;',
					'return [',
					"  { json: { id: '12x7', run: state.runs, fields: { firstname: 'Anna Maria', lastname: 'Schmidt', email: 'Anna.Schmidt@Mueller.example', mailingcity: 'Köln', birthday: '1980-02-29', description: '<p>Met at the <b>fair</b></p><script>alert(1)</script>' } } },",
					"  { json: { id: '12x8', run: state.runs, fields: { lastname: 'Broken', birthday: '2026-02-30' } } },",
					'];',
				].join('\n'),
			},
		},
		{
			id: 'a3',
			name: 'Field Mapping',
			type: 'n8n-nodes-exchange-crm-sync.fieldMapping',
			typeVersion: 1,
			position: [440, 0],
			parameters: { component: 'contact', operation: 'toCanonical' },
		},
		{
			id: 'a4',
			name: 'To CRM',
			type: 'n8n-nodes-exchange-crm-sync.fieldMapping',
			typeVersion: 1,
			position: [660, 0],
			parameters: {
				component: 'contact',
				operation: 'toCrm',
				creating: true,
				setFields: { field: [{ name: 'cf_source', value: "={{ 'run ' + $json.run }}" }] },
			},
		},
	],
	connections: {
		Start: { main: [[{ node: 'CRM contacts', type: 'main', index: 0 }]] },
		'CRM contacts': { main: [[{ node: 'Field Mapping', type: 'main', index: 0 }]] },
		'Field Mapping': { main: [[{ node: 'To CRM', type: 'main', index: 0 }], []] },
	},
	settings: { executionOrder: 'v1' },
};

describe('real n8n end-to-end harness (smoke)', () => {
	let n8n: N8nInstance | undefined;

	beforeAll(async () => {
		n8n = await N8nInstance.create();
		await n8n.importWorkflows([workflow]);
	}, SETUP_TIMEOUT);

	it(
		'imports credentials encrypted and keeps their values',
		async () => {
			const data = { backend: 'embedded', databasePath: '/tmp/crm-e2e.sqlite' };
			await n8n!.importCredentials([{ id: 'e2eCrmCredential', name: 'CRM (e2e)', type: 'crmApi', data }]);
			const stored = await n8n!.exportCredential('e2eCrmCredential');
			expect(stored).toMatchObject({ name: 'CRM (e2e)', type: 'crmApi', data });
		},
		RUN_TIMEOUT,
	);

	afterAll(async () => {
		await n8n?.cleanup();
	}, 60_000);

	it(
		'loads the packed package and maps CRM contacts in the Field Mapping node',
		async () => {
			const started = Date.now();
			const run = await n8n!.executeOrThrow(WORKFLOW_ID);
			n8n!.timings.firstExecute = Date.now() - started;

			const mapped = nodeOutput(run, 'Field Mapping', 0);
			expect(mapped).toHaveLength(1);
			expect(mapped[0]).toMatchObject({
				id: '12x7',
				run: 1,
				record: {
					firstName: 'Anna Maria',
					lastName: 'Schmidt',
					email: 'anna.schmidt@mueller.example',
					billingAddress: { city: 'Köln' },
					birthday: '1980-02-29',
					description: 'Met at the fair',
				},
			});
			expect(mapped[0].fields).toBeUndefined();
			expect(mapped[0].syncedFields).toEqual(expect.arrayContaining(['firstName', 'email', 'billingAddress']));

			const toCrm = nodeOutput(run, 'To CRM');
			expect(toCrm).toHaveLength(1);
			expect(toCrm[0].record).toBeUndefined();
			expect(toCrm[0].fields).toEqual({
				firstname: 'Anna Maria',
				lastname: 'Schmidt',
				email: 'anna.schmidt@mueller.example',
				mailingcity: 'Köln',
				birthday: '1980-02-29',
				description: 'Met at the fair',
				cf_source: 'run 1',
			});

			const invalid = nodeOutput(run, 'Field Mapping', 1);
			expect(invalid).toHaveLength(1);
			expect(invalid[0]).toMatchObject({ id: '12x8', field: 'birthday' });
			expect(String(invalid[0].reason)).toMatch(/2026-02-30/);
		},
		RUN_TIMEOUT,
	);

	it(
		'keeps workflow static data from one `n8n execute` to the next',
		async () => {
			const started = Date.now();
			const run = await n8n!.executeOrThrow(WORKFLOW_ID);
			n8n!.timings.secondExecute = Date.now() - started;
			expect(nodeOutput(run, 'CRM contacts')[0].run).toBe(2);
			const stored = await n8n!.exportWorkflow(WORKFLOW_ID);
			expect(stored.staticData).toMatchObject({ global: { runs: 2 } });
			// eslint-disable-next-line no-console
			console.log(`n8n e2e timings (ms): ${JSON.stringify(n8n!.timings)}`);
		},
		RUN_TIMEOUT,
	);
});
