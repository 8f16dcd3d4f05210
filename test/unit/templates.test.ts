import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const WORKFLOWS = path.join(ROOT, 'workflows');

import type { INodeTypeDescription } from 'n8n-workflow';

import { ConflictResolution } from '../../nodes/ConflictResolution/ConflictResolution.node';
import { Crm } from '../../nodes/Crm/Crm.node';
import { EmailToLead } from '../../nodes/EmailToLead/EmailToLead.node';
import { Exchange } from '../../nodes/Exchange/Exchange.node';
import { CrmTrigger } from '../../nodes/CrmTrigger/CrmTrigger.node';
import { ExchangeNotificationTrigger } from '../../nodes/ExchangeTrigger/ExchangeNotificationTrigger.node';
import { ExchangeTrigger } from '../../nodes/ExchangeTrigger/ExchangeTrigger.node';
import { FieldMapping } from '../../nodes/FieldMapping/FieldMapping.node';
import { SyncWorkflows } from '../../nodes/SyncWorkflows/SyncWorkflows.node';

type Json = Record<string, unknown>;
const DESCRIPTIONS = new Map<string, INodeTypeDescription>(
	[
		new ConflictResolution(),
		new Crm(),
		new CrmTrigger(),
		new EmailToLead(),
		new Exchange(),
		new ExchangeNotificationTrigger(),
		new ExchangeTrigger(),
		new FieldMapping(),
		new SyncWorkflows(),
	].map((n) => [`n8n-nodes-exchange-crm-sync.${n.description.name}`, n.description]),
);
const templates = readdirSync(WORKFLOWS)
	.filter((f) => f.endsWith('.json'))
	.map((file) => ({ file, workflow: JSON.parse(readFileSync(path.join(WORKFLOWS, file), 'utf8')) as Json }));

describe('workflow templates', () => {
	it('match their generator', () => {
		expect(() => execFileSync(process.execPath, [path.join(ROOT, 'scripts/generate-templates.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
	});

	it.each(templates.map((t) => [t.file, t.workflow]))('%s uses only our nodes and n8n core nodes, with a sticky note and no secrets', (_file, workflow) => {
		const nodes = (workflow as Json).nodes as Json[];
		for (const node of nodes) expect(String(node.type)).toMatch(/^(n8n-nodes-base\.|n8n-nodes-exchange-crm-sync\.)/);
		// No Code node a user must read or edit (issue 16).
		expect(nodes.filter((n) => n.type === 'n8n-nodes-base.code').map((n) => n.name)).toEqual([]);
		expect(nodes.some((n) => n.type === 'n8n-nodes-base.stickyNote')).toBe(true);
		const text = JSON.stringify(workflow);
		expect(text).not.toMatch(/secret|password|accessKey|access_token|refresh_token|Passw0rd/i);
		for (const node of nodes) {
			for (const credential of Object.values((node.credentials ?? {}) as Record<string, Json>)) expect(String(credential.id)).toMatch(/^REPLACE_WITH_/);
		}
		const names = new Set(nodes.map((n) => n.name));
		for (const [from, outputs] of Object.entries((workflow as Json).connections as Record<string, { main: Json[][] }>)) {
			expect(names.has(from)).toBe(true);
			for (const output of outputs.main) for (const target of output) expect(names.has(target.node as string)).toBe(true);
		}
	});

	// n8n's editor links an imported node to the user's credential (and clears the red marker) only when the
	// parameter that selects the credential type is in the node's own parameters: it applies no defaults.
	it.each(templates.map((t) => [t.file, t.workflow]))('%s: every credential a node carries is the one its explicit parameters select', (_file, workflow) => {
		for (const node of (workflow as Json).nodes as Json[]) {
			const description = DESCRIPTIONS.get(String(node.type));
			if (!description?.credentials?.length) continue;
			const parameters = node.parameters as Json;
			const selected = description.credentials.filter((c) =>
				Object.entries(c.displayOptions?.show ?? {}).every(([name, values]) => name in parameters && (values as unknown[]).includes(parameters[name])),
			);
			expect({ node: node.name, credentials: Object.keys((node.credentials ?? {}) as Json).sort() }).toEqual({
				node: node.name,
				credentials: selected.map((c) => c.name).sort(),
			});
		}
	});
	it('provision-sync-workflows.json: Run Now and an hourly schedule → Connected Users → one Keep One Per User node per component', () => {
		const { workflow } = templates.find((t) => t.file === 'provision-sync-workflows.json')!;
		const nodes = workflow.nodes as Json[];
		const keep = nodes.filter((n) => n.type === 'n8n-nodes-exchange-crm-sync.syncWorkflows');
		expect(keep.map((n) => n.name)).toEqual(['Keep Contacts Sync Per User', 'Keep Calendar Sync Per User', 'Keep Tasks Sync Per User']);
		for (const node of keep) expect(node.parameters).toMatchObject({ operation: 'keepOnePerUser', removedUsers: 'deactivate', activateCopies: true });
		const users = nodes.find((n) => n.name === 'Connected Users')!;
		expect(users.parameters).toMatchObject({ resource: 'user', operation: 'getAll' });
		const connections = workflow.connections as Record<string, { main: Array<Array<{ node: string }>> }>;
		expect(connections['Run Now'].main[0].map((c) => c.node)).toEqual(['Connected Users']);
		expect(connections['Every Hour'].main[0].map((c) => c.node)).toEqual(['Connected Users']);
		expect(connections['Connected Users'].main[0].map((c) => c.node)).toEqual(keep.map((n) => n.name));
		expect(JSON.stringify(nodes.find((n) => n.name === 'Every Hour')!.parameters)).toContain('"hoursInterval":1');
	});
});
