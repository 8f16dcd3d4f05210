/**
 * The per-user parameters of a single-mailbox sync workflow, found by node type and parameter name (never by
 * node name, which the admin may change): the same places the all-users templates fill from their user loop.
 * A value that is an expression is left alone: it derives the value from elsewhere in the workflow (Plan and
 * Commit take the mailbox from Sync State), so it follows the value set there.
 */
import type { CopyUser, Json, WorkflowNode } from './types';

const PKG = 'n8n-nodes-exchange-crm-sync';

/** A parameter path inside a node's parameters, and the user's value for it. */
export interface PerUserParameter {
	path: readonly string[];
	value: (user: CopyUser) => string;
}

const mailbox: PerUserParameter = { path: ['mailbox'], value: (u) => u.mailbox };
const crmUserId: PerUserParameter = { path: ['crmUserId'], value: (u) => u.crmUserId };

/** Which parameters of a node are the user's. */
export function perUserParameters(node: WorkflowNode): PerUserParameter[] {
	const parameters = node.parameters ?? {};
	switch (node.type) {
		// Exchange steps and triggers: with an app-only credential the mailbox names whose mailbox it opens.
		case `${PKG}.exchange`:
		case `${PKG}.exchangeTrigger`:
		case `${PKG}.exchangeNotificationTrigger`:
			return [mailbox];
		case `${PKG}.emailToLead`:
			return [mailbox, { path: ['options', 'crmUserId'], value: (u) => u.crmUserId }];
		// Sync State, Reset State, Plan, Commit: the mailbox keys the state and the lease (default "me").
		case `${PKG}.conflictResolution`:
			return parameters.operation === 'plan' ? [mailbox, { path: ['planOptions', 'assignedUserId'], value: (u) => u.crmUserId }] : [mailbox];
		case `${PKG}.crm`:
			// Write to CRM: new records are assigned to the mailbox owner and writes checked against their rights.
			if (parameters.resource === 'syncAction') return [crmUserId];
			// Filing a conflict or pausing a sync names the mailbox it is about.
			return 'mailbox' in parameters ? [mailbox] : [];
		default:
			return [];
	}
}

const isExpression = (value: unknown) => typeof value === 'string' && value.startsWith('=');

/** The node with the user's values set (a new object; the input is not changed). */
export function withUserParameters(node: WorkflowNode, user: CopyUser): WorkflowNode {
	const rules = perUserParameters(node);
	if (rules.length === 0) return node;
	const parameters = structuredClone(node.parameters ?? {});
	for (const rule of rules) {
		let holder: Json = parameters;
		for (const key of rule.path.slice(0, -1)) {
			const next = holder[key];
			if (!next || typeof next !== 'object' || Array.isArray(next)) holder[key] = {};
			holder = holder[key] as Json;
		}
		const last = rule.path[rule.path.length - 1];
		if (!isExpression(holder[last])) holder[last] = rule.value(user);
	}
	return { ...node, parameters };
}
