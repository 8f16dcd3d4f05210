/**
 * The contacts sync on n8n's queue mode, one workflow per mailbox (issue 15): the sandbox with M
 * mailboxes, the embedded CRM with a user per mailbox and records assigned to them, and a queue-mode n8n
 * (test/e2e/harness/queue.ts) with one copy of workflows/contacts-sync.json per mailbox, published, so
 * its schedule drives it. Used by the queue-mode e2e and `npm run bench -- scale`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { createCrmBackend, type EmbeddedCrmBackend } from '../../../lib/crm';
import { buildCopy, type ApiWorkflow } from '../../../lib/provision';
import type { ContactData } from '../../../sandbox/store/types';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';
import { waitFor, type N8nWorkflow } from '../harness';
import { QueueN8n, type ExecutionRow } from '../harness/queue';
import { CRM_CREDENTIAL_ID, loadTemplate, prepareTemplate, sandboxGraphClient, sandboxGraphCredential } from './sync-env';

export interface MailboxUser {
	mailbox: string;
	crmUserId: string;
	workflowId: string;
	/** The CRM-Sync contacts folder (undefined for a mailbox the sandbox does not have). */
	folderId?: string;
}

/**
 * One mailbox's copy of the contacts template, built by the provisioning node's own rule (lib/provision
 * buildCopy: the mailbox and the owner's CRM user wherever the per-user template sets them, a webhook id of
 * its own), with the e2e credentials and the given schedule.
 */
export function mailboxWorkflow(user: MailboxUser, cron: string): N8nWorkflow {
	const template = prepareTemplate(loadTemplate('contacts-sync.json'), 'contactsTemplate', {
		parameters: { 'Every 5 Minutes': { rule: { interval: [{ field: 'cronExpression', expression: cron }] } } },
	});
	const { body } = buildCopy(template as unknown as ApiWorkflow, { mailbox: user.mailbox, crmUserId: user.crmUserId });
	return { id: user.workflowId, ...body };
}

export interface QueueSyncOptions {
	mailboxes: number;
	workers: number;
	concurrency?: number;
	/** CRM contacts assigned to each mailbox's user before the first run. */
	crmContacts: number;
	/** Contacts in each CRM-Sync folder before the first run. */
	outlookContacts: number;
	/** Extra copies for mailboxes the tenant does not have (their runs fail: A5, "wrong mailbox"). */
	brokenMailboxes?: number;
	/**
	 * The copies' schedule (n8n cron with seconds). Default: every minute at :00 for all of them, the
	 * worst case; n8n's own "every N minutes" gives each workflow its own second (Schedule/GenericFunctions
	 * toCronExpression, stableInt), which spreads the load over the minute.
	 */
	cron?: string;
}

export interface QueueSyncEnv {
	sb: TestSandbox;
	crm: EmbeddedCrmBackend;
	queue: QueueN8n;
	users: MailboxUser[];
	broken: MailboxUser[];
	/** The contacts in a mailbox's CRM-Sync folder, read from the sandbox's store (no Graph request). */
	outlook(user: MailboxUser): ContactData[];
	/** Waits until every listed workflow has a finished execution created at or after `since`; returns them. */
	waitForCycle(since: Date, users: readonly MailboxUser[], timeoutMs: number): Promise<ExecutionRow[]>;
	close(): Promise<void>;
}

const DOMAIN = 'contoso.example';
const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);

/** `undefined` when the queue services are switched off (QUEUE_SERVICES=skip). */
export async function startQueueSyncEnv(options: QueueSyncOptions): Promise<QueueSyncEnv | undefined> {
	const dir = await mkdtemp(path.join(tmpdir(), 'queue-e2e-'));
	const dbPath = path.join(dir, 'crm.sqlite');
	const sb = await startTestSandbox();
	const crm = (await createCrmBackend({ kind: 'embedded', databasePath: dbPath })) as EmbeddedCrmBackend;
	let queue: QueueN8n | undefined;
	try {
		// Data the sync must leave alone: a contact assigned to a group (S5: it reaches no mailbox) and one
		// in each mailbox's own Contacts folder.
		crm.saveGroup({ id: 'sales', name: 'Sales' });
		await crm.create('contacts', { fields: { firstname: 'Group', lastname: 'Sales', title: 'keep' }, assignedTo: { type: 'group', id: 'sales' } });
		const users: MailboxUser[] = [];
		for (let i = 1; i <= options.mailboxes; i++) {
			const id = String(i).padStart(4, '0');
			const user: MailboxUser = { mailbox: `user${id}@${DOMAIN}`, crmUserId: `user${id}`, workflowId: `e2eQueueMbx${id}0` };
			sb.sandbox.store.addUser({ address: user.mailbox, displayName: `User ${id}`, password: 'Queue-pw-1' });
			crm.saveUser({ id: user.crmUserId, userName: user.crmUserId, email: user.mailbox, firstName: 'User', lastName: id, active: true });
			const client = sandboxGraphClient(sb, user.mailbox);
			user.folderId = (await client.ensureSyncFolders({ components: ['contact'] })).contact as string;
			client.close();
			const store = sb.sandbox.store.mailbox(user.mailbox);
			store.createItem(store.requireFolder('contacts').id, 'contact', { givenName: 'Private', surname: id, jobTitle: 'keep' });
			for (let c = 0; c < options.outlookContacts; c++)
				store.createItem(user.folderId, 'contact', { givenName: 'Outlook', surname: `${id}-${c}`, jobTitle: 'from outlook' });
			for (let c = 0; c < options.crmContacts; c++) {
				await crm.create('contacts', {
					fields: { firstname: 'Crm', lastname: `${id}-${c}`, title: 'from crm' },
					assignedTo: { type: 'user', id: user.crmUserId },
				});
			}
			users.push(user);
		}
		const broken: MailboxUser[] = Array.from({ length: options.brokenMailboxes ?? 0 }, (_, i) => ({
			mailbox: `nobody${i + 1}@${DOMAIN}`,
			crmUserId: `nobody${i + 1}`,
			workflowId: `e2eQueueBroken${i + 1}`.padEnd(16, '0'),
		}));
		queue = await QueueN8n.create({ workers: options.workers, concurrency: options.concurrency });
		if (!queue) {
			await crm.close();
			await sb.stop();
			await rm(dir, { recursive: true, force: true });
			return undefined;
		}
		await queue.n8n.importCredentials([
			{ id: CRM_CREDENTIAL_ID, name: 'CRM (e2e)', type: 'crmApi', data: { backend: 'embedded', databasePath: dbPath } },
			sandboxGraphCredential(sb),
		]);
		const all = [...users, ...broken];
		await queue.n8n.importWorkflows(all.map((u) => mailboxWorkflow(u, options.cron ?? '0 * * * * *')));
		await queue.publish(all.map((u) => u.workflowId));
		await queue.start();
		const started = queue;
		return {
			sb,
			crm,
			queue: started,
			users,
			broken,
			outlook: (user) =>
				user.folderId
					? sb.sandbox.store
							.mailbox(user.mailbox)
							.listItems(user.folderId, 'contact')
							.map((item) => item.data as ContactData)
					: [],
			async waitForCycle(since, cycleUsers, timeoutMs) {
				const ids = cycleUsers.map((u) => u.workflowId);
				return await waitFor(
					`an execution of each of ${ids.length} workflows after ${since.toISOString()}`,
					async () => {
						const rows = (await started.executions(ids)).filter((r) => FINISHED.has(r.status) && r.startedAt && new Date(r.startedAt) >= since);
						const first = new Map<string, ExecutionRow>();
						for (const row of rows) if (!first.has(row.workflowId)) first.set(row.workflowId, row);
						return first.size === ids.length ? [...first.values()] : undefined;
					},
					{ timeoutMs, intervalMs: 2_000, context: () => started.logs() },
				);
			},
			async close() {
				await started.stop();
				await crm.close();
				await sb.stop();
				await rm(dir, { recursive: true, force: true });
			},
		};
	} catch (error) {
		await queue?.stop().catch(() => undefined);
		await crm.close();
		await sb.stop();
		await rm(dir, { recursive: true, force: true });
		throw error;
	}
}
