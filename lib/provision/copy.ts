/**
 * One user's copy of a template workflow: the same nodes, connections, settings and credentials, with the
 * user's parameters set, a webhook id of its own for every webhook node, and the marker note.
 */
import { createHash } from 'node:crypto';

import { stableStringify } from '../model/hash';
import { isMarkerNote, markerNote } from './marker';
import { withUserParameters } from './per-user';
import type { ApiWorkflow, CopyUser, Json, WorkflowBody, WorkflowNode } from './types';

/** Our node types with production webhooks (n8n's own webhook nodes carry their webhookId once saved). */
const WEBHOOK_NODE_TYPES = new Set(['n8n-nodes-exchange-crm-sync.exchangeNotificationTrigger']);

/** Bump when the way a copy is built changes, so existing copies are rebuilt once. */
const COPY_FORMAT = 1;

// The node and settings fields POST/PUT /api/v1/workflows accept (their zod schemas are strict in n8n 2.40.7:
// @n8n/api-types dto/workflows/base-workflow-public.dto). Anything else a GET returns would be refused.
const NODE_FIELDS = [
	'id',
	'name',
	'webhookId',
	'disabled',
	'notesInFlow',
	'notes',
	'type',
	'typeVersion',
	'executeOnce',
	'alwaysOutputData',
	'retryOnFail',
	'maxTries',
	'waitBetweenTries',
	'continueOnFail',
	'onError',
	'position',
	'parameters',
	'credentials',
] as const;
const SETTINGS_FIELDS = [
	'saveExecutionProgress',
	'saveManualExecutions',
	'saveDataErrorExecution',
	'saveDataSuccessExecution',
	'executionTimeout',
	'errorWorkflow',
	'timezone',
	'executionOrder',
	'callerPolicy',
	'callerIds',
	'timeSavedMode',
	'timeSavedPerExecution',
] as const;

const pick = (source: Json, fields: readonly string[]): Json => Object.fromEntries(fields.filter((f) => source[f] !== undefined).map((f) => [f, source[f]]));

/** The identity of a user's copy: one per template and mailbox (addresses compared case-insensitively). */
export const mailboxKey = (mailbox: string) => mailbox.trim().toLowerCase();

export const copyName = (templateName: string, user: CopyUser) => `${templateName} · ${mailboxKey(user.mailbox)}`;

/** A UUID (v4 layout) derived from a seed: the same template, user and node always get the same one. */
export function seededUuid(seed: string): string {
	const hex = createHash('sha256').update(seed).digest('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * n8n keys a production webhook by `<webhookId>/<path>` (n8n-workflow getNodeWebhookPath), and activating a
 * second workflow with the same one fails with a webhook conflict: each copy gets its own, derived from
 * template, mailbox and node so that an update keeps it (and Graph's subscription URL with it).
 */
function withOwnWebhookId(node: WorkflowNode, templateId: string, user: CopyUser): WorkflowNode {
	// A template imported from a file (n8n import:workflow) may lack the id n8n gives webhook nodes on save;
	// without one n8n would draw a new random id on every update of the copy.
	if (node.webhookId === undefined && !WEBHOOK_NODE_TYPES.has(node.type)) return node;
	return { ...node, webhookId: seededUuid(`${templateId}/${mailboxKey(user.mailbox)}/${node.id ?? node.name}/webhook`) };
}

function markerPosition(nodes: readonly WorkflowNode[]): [number, number] {
	const positions = nodes.map((n) => n.position).filter((p): p is [number, number] => Array.isArray(p) && p.length === 2);
	if (positions.length === 0) return [0, -400];
	return [Math.min(...positions.map((p) => p[0])), Math.min(...positions.map((p) => p[1])) - 320];
}

export interface BuiltCopy {
	body: WorkflowBody;
	hash: string;
}

/** The copy of `template` for `user`, as the body of a create or update request. */
export function buildCopy(template: ApiWorkflow, user: CopyUser): BuiltCopy {
	const templateNodes = template.nodes.filter((node) => !isMarkerNote(node));
	const nodes = templateNodes.map((node) => withOwnWebhookId(withUserParameters(pick(node, NODE_FIELDS) as WorkflowNode, user), template.id, user));
	const content: WorkflowBody = {
		name: copyName(template.name, user),
		nodes,
		connections: structuredClone(template.connections),
		settings: pick(template.settings ?? {}, SETTINGS_FIELDS),
		...(template.nodeGroups?.length ? { nodeGroups: structuredClone(template.nodeGroups) } : {}),
	};
	const hash = createHash('sha256')
		.update(stableStringify({ format: COPY_FORMAT, templateId: template.id, user: { mailbox: mailboxKey(user.mailbox), crmUserId: user.crmUserId }, content }))
		.digest('base64url')
		.slice(0, 16);
	const note = markerNote(
		{ templateId: template.id, mailbox: mailboxKey(user.mailbox), hash },
		template.name,
		seededUuid(`${template.id}/${mailboxKey(user.mailbox)}/marker`),
		markerPosition(nodes),
	);
	return { body: { ...content, nodes: [note, ...nodes] }, hash };
}
