import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const WORKFLOWS = path.join(ROOT, 'workflows');

type Json = Record<string, unknown>;
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
});
