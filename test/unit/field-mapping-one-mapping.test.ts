/**
 * Issue 17 "one mapping, both directions": Canonical → CRM with "Mapping: Same as the CRM → Canonical
 * Node" uses that node's field pairs (n8n hands them over through `$('…').params`), so a pair added
 * there flows both ways; the templates are built that way.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import { FieldMapping } from '../../nodes/FieldMapping/FieldMapping.node';

const ROLE_PAIR = { fieldPairs: { pair: [{ canonical: 'jobTitle', crm: 'cf_role', kind: 'text' }] } };
const toCanonicalParams = { component: 'contact', operation: 'toCanonical', ...ROLE_PAIR };

async function run(node: FieldMapping, params: Record<string, unknown>, input: IDataObject[]): Promise<INodeExecutionData[][]> {
	const meta: INode = { id: 'n', name: 'Map Canonical → CRM', type: 'x', typeVersion: 1, position: [0, 0], parameters: {} };
	const ctx = {
		getInputData: () => input.map((json) => ({ json })),
		getNode: () => meta,
		continueOnFail: () => false,
		// Stands in for n8n's expression engine for the one expression these settings hold.
		evaluateExpression: (expression: string) => (expression === '={{ "Sales" }}' ? 'Sales' : expression),
		getNodeParameter(name: string, _i: number, fallback?: unknown) {
			// Dotted paths into collections, as n8n resolves them.
			const value = name.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as IDataObject)[key] : undefined), params);
			if (value !== undefined) return value;
			if (fallback !== undefined) return fallback;
			throw new Error(`test did not set parameter "${name}"`);
		},
	} as unknown as IExecuteFunctions;
	return (await node.execute.call(ctx)) ?? [];
}

const record = { record: { firstName: 'Kim', lastName: 'Kept', jobTitle: 'Einkauf' } };

it('a field pair set in the CRM → Canonical node is used by Canonical → CRM as well', async () => {
	const node = new FieldMapping();
	const [[viaNode]] = await run(node, { component: 'contact', operation: 'toCrm', mappingFrom: 'node', mappingSource: toCanonicalParams }, [record]);
	expect(viaNode.json.fields).toMatchObject({ firstname: 'Kim', lastname: 'Kept', cf_role: 'Einkauf' });
	expect((viaNode.json.fields as IDataObject).title).toBeUndefined();

	// The same pair in the other direction.
	const [[canonical]] = await run(node, toCanonicalParams, [{ fields: { firstname: 'Kim', lastname: 'Kept', cf_role: 'Einkauf' } }]);
	expect(canonical.json.record).toMatchObject({ jobTitle: 'Einkauf' });

	// "Set Here" keeps this node's own (here: the preset's) mapping.
	const [[own]] = await run(node, { component: 'contact', operation: 'toCrm' }, [record]);
	expect(own.json.fields).toMatchObject({ title: 'Einkauf' });
	expect((own.json.fields as IDataObject).cf_role).toBeUndefined();
});

it("the other node's expressions are evaluated; a node of another component or direction is refused with what to do", async () => {
	const node = new FieldMapping();
	const source = { ...toCanonicalParams, fieldPairs: { pair: [{ canonical: 'department', crm: 'cf_unit', kind: 'text' }] }, dropFields: '={{ "Sales" }}' };
	const [[mapped]] = await run(node, { component: 'contact', operation: 'toCrm', mappingFrom: 'node', mappingSource: source }, [
		{ record: { lastName: 'Kept', department: 'Sales' } },
	]);
	expect(mapped.json.fields).toMatchObject({ lastname: 'Kept', cf_unit: 'Sales' });

	const wrongComponent = run(node, { component: 'event', operation: 'toCrm', mappingFrom: 'node', mappingSource: toCanonicalParams }, [record]);
	await expect(wrongComponent).rejects.toThrow('maps contact records, this node event records');
	const wrongDirection = run(
		node,
		{ component: 'contact', operation: 'toCrm', mappingFrom: 'node', mappingSource: { ...toCanonicalParams, operation: 'toCrm' } },
		[record],
	);
	await expect(wrongDirection).rejects.toThrow('is not a CRM → Canonical Field Mapping node');
	const missing = run(node, { component: 'contact', operation: 'toCrm', mappingFrom: 'node', mappingSource: '' }, [record]);
	await expect(missing).rejects.toMatchObject({
		message: 'The node this mapping should come from was not found',
		description: expect.stringContaining('.params'),
	});
});

it('every template maps Canonical → CRM with the mapping of its own CRM → Canonical node', () => {
	for (const file of ['contacts-sync.json', 'calendar-sync.json', 'task-sync.json', 'contacts-sync-all-users.json', 'initial-sync.json']) {
		const workflow = JSON.parse(readFileSync(path.resolve(__dirname, '../../workflows', file), 'utf8')) as {
			nodes: Array<{ name: string; parameters: IDataObject }>;
		};
		const toCrm = workflow.nodes.filter((n) => n.parameters.operation === 'toCrm');
		expect(toCrm.length).toBeGreaterThan(0);
		for (const n of toCrm) {
			expect([file, n.parameters.mappingFrom]).toEqual([file, 'node']);
			const referenced = /^=\{\{ \$\('(.+)'\)\.params \}\}$/.exec(String(n.parameters.mappingSource))?.[1];
			const source = workflow.nodes.find((m) => m.name === referenced);
			expect([file, source?.parameters.operation, source?.parameters.component]).toEqual([file, 'toCanonical', n.parameters.component]);
		}
	}
});
