/**
 * Keep One Per User: one copy of the template workflow per connected user (input items), created, updated,
 * activated, deactivated or deleted through n8n's public API so that the copies match the users.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import {
	buildCopy,
	diffCopies,
	mailboxKey,
	readMarker,
	type ApiWorkflow,
	type CopyPlan,
	type CopyUser,
	type ExistingCopy,
	type RemovedCopyPolicy,
	type WorkflowBody,
} from '../../../../lib/provision';
import { createWorkflow, deleteWorkflow, getWorkflow, listWorkflows, publishWorkflow, unpublishWorkflow, updateWorkflow } from '../../transport';

export const properties: INodeProperties[] = [
	{
		displayName: 'Template Workflow',
		name: 'templateWorkflow',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		// Not `required`: the imported provisioning template would show a red marker until it is picked; a run
		// without it stops with "No template workflow chosen".
		description:
			'The single-mailbox sync workflow (contacts, calendar or tasks) imported and set up with an app-only Microsoft credential: each connected user gets a copy of it with their mailbox and CRM user',
		modes: [
			{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: 'searchWorkflows', searchable: true } },
			{ displayName: 'By ID', name: 'id', type: 'string', placeholder: 'e.g. 7zVf3K0aQ1bC2dE3' },
		],
	},
	{
		displayName: 'Users No Longer Connected',
		name: 'removedUsers',
		type: 'options',
		options: [
			{ name: 'Deactivate Their Copy', value: 'deactivate', description: 'The copy and its sync state stay; it runs again if the user comes back' },
			{ name: 'Delete Their Copy', value: 'delete', description: 'The copy and its sync state are deleted (a returning user starts with a fresh sync)' },
		],
		default: 'deactivate',
		description: 'What happens to the copy of a user who is no longer in the input (inactive in the CRM, or without a mailbox)',
	},
	{
		displayName: 'Activate Copies',
		name: 'activateCopies',
		type: 'boolean',
		default: true,
		description: 'Whether to activate (publish) every copy, so that its schedule and triggers run',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['workflowCopy'], operation: ['keepOnePerUser'] } }, properties);

interface UserItem {
	user: CopyUser;
	itemIndex: number;
}

const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '');

/** The users of the input; an empty item (Connected Users found nobody) stands for no user. */
function usersOf(ctx: IExecuteFunctions, items: INodeExecutionData[], failed: INodeExecutionData[]): UserItem[] {
	const users: UserItem[] = [];
	items.forEach((item, itemIndex) => {
		if (Object.keys(item.json).length === 0) return;
		const mailbox = text(item.json.mailbox);
		const crmUserId = text(item.json.crmUserId);
		if (mailbox.includes('@') && crmUserId) {
			users.push({ user: { mailbox, crmUserId, ...(text(item.json.name) ? { name: text(item.json.name) } : {}) }, itemIndex });
			return;
		}
		const error = new NodeOperationError(ctx.getNode(), 'This item is not a connected user', {
			itemIndex,
			description: "Each item needs `mailbox` (an e-mail address) and `crmUserId`, as the CRM node's User → Get Many gives them.",
		});
		if (!ctx.continueOnFail()) throw error;
		failed.push({ json: { action: 'failed', error: error.message }, pairedItem: { item: itemIndex } });
	});
	return users;
}

function copiesOf(workflows: Array<ApiWorkflow & { isArchived?: boolean }>): ExistingCopy[] {
	const copies: ExistingCopy[] = [];
	for (const workflow of workflows) {
		if (workflow.isArchived) continue;
		const marker = readMarker(workflow.nodes ?? []);
		if (marker) copies.push({ id: workflow.id, name: workflow.name, active: workflow.active === true, marker });
	}
	return copies;
}

const PAST: Record<CopyPlan['action'], string> = {
	create: 'created',
	update: 'updated',
	unchanged: 'unchanged',
	deactivate: 'deactivated',
	delete: 'deleted',
	keepInactive: 'inactive',
};

async function carryOut(ctx: IExecuteFunctions, plan: CopyPlan, body: WorkflowBody | undefined, itemIndex: number): Promise<IDataObject> {
	switch (plan.action) {
		case 'create': {
			const created = await createWorkflow(ctx, body as WorkflowBody, itemIndex);
			if (plan.activate) await publishWorkflow(ctx, created.id, itemIndex);
			return { workflowId: created.id, workflowName: created.name, active: plan.activate };
		}
		case 'update':
		case 'unchanged': {
			if (plan.action === 'update') await updateWorkflow(ctx, plan.copy.id, body as WorkflowBody, itemIndex);
			if (plan.activate) await publishWorkflow(ctx, plan.copy.id, itemIndex);
			return {
				workflowId: plan.copy.id,
				workflowName: plan.action === 'update' ? (body as WorkflowBody).name : plan.copy.name,
				active: plan.copy.active || plan.activate,
				activated: plan.activate,
			};
		}
		case 'deactivate':
			await unpublishWorkflow(ctx, plan.copy.id, itemIndex);
			return { workflowId: plan.copy.id, workflowName: plan.copy.name, active: false };
		case 'delete':
			await deleteWorkflow(ctx, plan.copy.id, itemIndex);
			return { workflowId: plan.copy.id, workflowName: plan.copy.name, active: false };
		case 'keepInactive':
			return { workflowId: plan.copy.id, workflowName: plan.copy.name, active: false };
	}
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const failed: INodeExecutionData[] = [];
	const users = usersOf(this, items, failed);
	const templateId = String(this.getNodeParameter('templateWorkflow', 0, '', { extractValue: true }) ?? '').trim();
	if (!templateId)
		throw new NodeOperationError(this.getNode(), 'No template workflow chosen', { description: 'Pick the sync workflow to copy in "Template Workflow".' });
	const removed = this.getNodeParameter('removedUsers', 0, 'deactivate') as RemovedCopyPolicy;
	const activate = this.getNodeParameter('activateCopies', 0, true) as boolean;

	const template = await getWorkflow(this, templateId, 0);
	if (readMarker(template.nodes)) {
		throw new NodeOperationError(this.getNode(), `"${template.name}" is itself a provisioned copy`, {
			description: 'Pick the template the copies are made from, not one of the copies.',
		});
	}
	const existing = copiesOf(await listWorkflows(this));

	const built = new Map<string, { body: WorkflowBody; itemIndex: number }>();
	const desired = users.map(({ user, itemIndex }) => {
		const copy = buildCopy(template, user);
		if (!built.has(mailboxKey(user.mailbox))) built.set(mailboxKey(user.mailbox), { body: copy.body, itemIndex });
		return { user, hash: copy.hash };
	});
	const plans = diffCopies(template.id, desired, existing, { activate, removed });

	const out: INodeExecutionData[] = [...failed];
	for (const plan of plans) {
		const mailbox = 'desired' in plan ? mailboxKey(plan.desired.user.mailbox) : plan.copy.marker.mailbox;
		const target = 'desired' in plan ? built.get(mailbox) : undefined;
		const itemIndex = target?.itemIndex ?? 0;
		const about: IDataObject = {
			mailbox,
			...('desired' in plan ? { crmUserId: plan.desired.user.crmUserId } : {}),
			templateId: template.id,
			templateName: template.name,
		};
		try {
			const result = await carryOut(this, plan, target?.body, itemIndex);
			const action = plan.action === 'unchanged' && plan.activate ? 'activated' : PAST[plan.action];
			out.push({ json: { action, ...about, ...result }, pairedItem: { item: itemIndex } });
		} catch (error) {
			if (!this.continueOnFail()) throw error instanceof NodeApiError ? error : new NodeOperationError(this.getNode(), error as Error, { itemIndex });
			out.push({
				json: {
					action: 'failed',
					planned: plan.action,
					...about,
					...('copy' in plan ? { workflowId: plan.copy.id } : {}),
					error: error instanceof Error ? error.message : String(error),
				},
				pairedItem: { item: itemIndex },
			});
		}
	}
	return out;
}
