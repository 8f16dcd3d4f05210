/**
 * lib/provision: a user's copy of a single-mailbox sync template has the user's values in every per-user
 * parameter and nothing else changed; the diff turns users × copies into create / update / unchanged /
 * deactivate / delete.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { buildCopy, diffCopies, readMarker, type ApiWorkflow, type CopyUser, type ExistingCopy, type Json, type WorkflowNode } from '../../lib/provision';

const PKG = 'n8n-nodes-exchange-crm-sync';
const BEN: CopyUser = { mailbox: 'Ben@Contoso.example', crmUserId: 'ben', name: 'Ben Berg' };
const CARA: CopyUser = { mailbox: 'cara@contoso.example', crmUserId: '19x7' };

/** A template as n8n's public API returns it after import: with an id, and webhook ids on webhook nodes. */
function template(file: string, id = 'tmplContacts0001'): ApiWorkflow {
	const workflow = JSON.parse(readFileSync(path.join(__dirname, '../../workflows', file), 'utf8')) as ApiWorkflow;
	const nodes = workflow.nodes.map((node) =>
		node.type === `${PKG}.exchangeNotificationTrigger` ? { ...node, webhookId: '0d5e6f9a-0000-4000-8000-000000000001' } : node,
	);
	return { ...workflow, id, nodes, active: true, staticData: { node: { big: 'state' } } };
}

const byName = (nodes: WorkflowNode[], name: string) => nodes.find((n) => n.name === name) as WorkflowNode;

describe.each(['contacts-sync.json', 'calendar-sync.json', 'task-sync.json', 'initial-sync.json'])("a user's copy of %s", (file) => {
	const source = template(file);
	const { body, hash } = buildCopy(source, BEN);
	const copies = body.nodes.filter((n) => readMarker([n]) === undefined);

	it('sets the mailbox and CRM user in every per-user parameter', () => {
		for (const node of copies) {
			const p = node.parameters ?? {};
			if (node.type === `${PKG}.exchange` || node.type === `${PKG}.exchangeNotificationTrigger`)
				expect({ node: node.name, mailbox: p.mailbox }).toEqual({ node: node.name, mailbox: BEN.mailbox });
			if (node.type === `${PKG}.conflictResolution`) {
				const original = byName(source.nodes, node.name).parameters?.mailbox;
				// Plan and Commit take the mailbox from Sync State by expression: that stays.
				const expected = typeof original === 'string' && original.startsWith('=') ? original : BEN.mailbox;
				expect({ node: node.name, mailbox: p.mailbox }).toEqual({ node: node.name, mailbox: expected });
				if (p.operation === 'plan') expect((p.planOptions as Json).assignedUserId).toBe('ben');
			}
			if (node.type === `${PKG}.crm` && p.resource === 'syncAction') expect(p.crmUserId).toBe('ben');
		}
		expect(copies.filter((n) => n.type === `${PKG}.conflictResolution` && n.parameters?.mailbox === BEN.mailbox).length).toBeGreaterThan(0);
	});

	it('changes nothing else: nodes, connections, settings, credentials', () => {
		const strip = (node: WorkflowNode): Json => {
			const p = structuredClone(node.parameters ?? {});
			if (
				[`${PKG}.exchange`, `${PKG}.exchangeNotificationTrigger`, `${PKG}.conflictResolution`].includes(node.type) &&
				!String(p.mailbox ?? '').startsWith('=')
			)
				delete p.mailbox;
			if (node.type === `${PKG}.crm` && p.resource === 'syncAction') delete p.crmUserId;
			if (p.planOptions) delete (p.planOptions as Json).assignedUserId;
			const { webhookId: _webhookId, ...rest } = node;
			return { ...rest, parameters: p };
		};
		expect(copies.map(strip)).toEqual(source.nodes.map(strip));
		expect(body.connections).toEqual(source.connections);
		expect(body.settings).toEqual(source.settings);
		expect(body).not.toHaveProperty('staticData');
		expect(body.name).toBe(`${source.name} · ben@contoso.example`);
	});

	it('carries a marker tying it to template and user, and a webhook id of its own that an update keeps', () => {
		expect(readMarker(body.nodes)).toEqual({ templateId: 'tmplContacts0001', mailbox: 'ben@contoso.example', hash });
		const webhooks = copies.filter((n) => n.webhookId !== undefined);
		for (const node of webhooks) expect(node.webhookId).not.toBe(byName(source.nodes, node.name).webhookId);
		const again = buildCopy(source, BEN);
		expect(again.hash).toBe(hash);
		expect(again.body).toEqual(body);
		const other = buildCopy(source, CARA);
		expect(other.hash).not.toBe(hash);
		for (const node of webhooks) expect(byName(other.body.nodes, node.name).webhookId).not.toBe(node.webhookId);
	});
});

it('a copy of a copy is the same copy (the marker note is not copied twice)', () => {
	const first = buildCopy(template('contacts-sync.json'), BEN);
	const again = buildCopy({ ...template('contacts-sync.json'), nodes: first.body.nodes }, BEN);
	expect(again.body.nodes.filter((n) => readMarker([n])).length).toBe(1);
});

it("a template change changes the hash; moving a user's CRM id does too", () => {
	const source = template('contacts-sync.json');
	const base = buildCopy(source, BEN).hash;
	const changed = { ...source, nodes: source.nodes.map((n) => (n.name === 'Plan' ? { ...n, parameters: { ...n.parameters, policy: 'crmWins' } } : n)) };
	expect(buildCopy(changed, BEN).hash).not.toBe(base);
	expect(buildCopy(source, { ...BEN, crmUserId: 'ben2' }).hash).not.toBe(base);
	// Static data and activity are not content.
	expect(buildCopy({ ...source, staticData: { other: 1 }, active: false }, BEN).hash).toBe(base);
});

it('leaves fields out that the public API refuses', () => {
	const source = template('contacts-sync.json');
	const noisy = {
		...source,
		settings: { ...source.settings, binaryMode: 'separate', availableInMCP: true },
		nodes: source.nodes.map((n) => ({ ...n, issues: { x: 1 } })),
	};
	const { body } = buildCopy(noisy, BEN);
	expect(body.settings).toEqual(source.settings);
	for (const node of body.nodes) expect(node).not.toHaveProperty('issues');
});

describe('diffCopies', () => {
	const T = 'tmplContacts0001';
	const copy = (mailbox: string, hash: string, active = true, id = `wf-${mailbox}`, templateId = T): ExistingCopy => ({
		id,
		name: `x · ${mailbox}`,
		active,
		marker: { templateId, mailbox, hash },
	});
	const want = (user: CopyUser, hash: string) => ({ user, hash });
	const opts = { activate: true, removed: 'deactivate' as const };

	it('creates the missing, updates the changed, leaves the same alone, deactivates the removed', () => {
		const plans = diffCopies(
			T,
			[want(BEN, 'h1'), want(CARA, 'h2'), want({ mailbox: 'dan@contoso.example', crmUserId: 'dan' }, 'h3')],
			[copy('ben@contoso.example', 'h1'), copy('cara@contoso.example', 'old'), copy('eve@contoso.example', 'h9')],
			opts,
		);
		expect(plans.map((p) => [p.action, 'desired' in p ? p.desired.user.crmUserId : p.copy.id])).toEqual([
			['unchanged', 'ben'],
			['update', '19x7'],
			['create', 'dan'],
			['deactivate', 'wf-eve@contoso.example'],
		]);
		expect(plans.every((p) => !('activate' in p) || p.activate === (p.action === 'create'))).toBe(true);
	});

	it("activates an inactive copy of a connected user; keeps a removed user's inactive copy as it is", () => {
		const plans = diffCopies(T, [want(BEN, 'h1')], [copy('ben@contoso.example', 'h1', false), copy('eve@contoso.example', 'h9', false)], opts);
		expect(plans).toMatchObject([{ action: 'unchanged', activate: true }, { action: 'keepInactive' }]);
		expect(diffCopies(T, [want(BEN, 'h1')], [copy('ben@contoso.example', 'h1', false)], { ...opts, activate: false })).toMatchObject([
			{ action: 'unchanged', activate: false },
		]);
	});

	it('deletes when the admin chose so, also inactive copies', () => {
		const plans = diffCopies(T, [], [copy('eve@contoso.example', 'h9', false), copy('fay@contoso.example', 'h9')], { ...opts, removed: 'delete' });
		expect(plans.map((p) => p.action)).toEqual(['delete', 'delete']);
	});

	it('ignores copies of other templates, matches mailboxes case-insensitively, and removes duplicates', () => {
		const plans = diffCopies(
			T,
			[want(BEN, 'h1'), want({ ...BEN, mailbox: 'ben@contoso.example' }, 'h1')],
			[
				copy('ben@contoso.example', 'h1', false, 'dup-inactive'),
				copy('ben@contoso.example', 'h1', true, 'dup-active'),
				copy('ben@contoso.example', 'h1', true, 'other', 'tmplCalendar0001'),
			],
			opts,
		);
		expect(plans.map((p) => [p.action, 'copy' in p ? p.copy.id : undefined])).toEqual([
			['unchanged', 'dup-active'],
			['keepInactive', 'dup-inactive'],
		]);
	});
});

it('gives a webhook node of ours its own webhook id also when the template has none yet (imported from a file)', () => {
	const raw = JSON.parse(readFileSync(path.join(__dirname, '../../workflows/contacts-sync.json'), 'utf8')) as ApiWorkflow;
	const source = { ...raw, id: 'tmplFromFile0001' };
	const push = (user: CopyUser) => buildCopy(source, user).body.nodes.find((n) => n.type === `${PKG}.exchangeNotificationTrigger`)?.webhookId;
	expect(push(BEN)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
	expect(push(BEN)).toBe(push(BEN));
	expect(push(CARA)).not.toBe(push(BEN));
});
