/* eslint-disable n8n-nodes-base/node-dirname-against-convention -- second trigger of the Exchange Trigger family, kept beside it */
import type { IDataObject, IHookFunctions, INodeExecutionData, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import type { GraphExchangeClient, SyncFolderKind } from '../../lib/exchange';
import { ensureSubscription, newClientState, parseNotifications, validationToken, type SubscriptionState } from '../../lib/exchange/graph/notifications';
import { BurstCoalescer } from '../../lib/exchange/notification-burst';
import { migrateTriggerState, pollItemChanges, pollMailMoves, type ItemChangeType, type TriggerState } from '../../lib/exchange/poller';
import type { Component } from '../../lib/model/types';
import { toNodeError } from '../Exchange/helpers/errors';
import { microsoftGraphConnectionTest } from '../Exchange/methods/credentialTest';
import { getGraphClient } from '../Exchange/transport';
import { itemEventJson, mailEventJson, resolveFolders, resolveWellKnown, triggerProperties, windowForTrigger, type TriggerOptions } from './shared';

const STATE_KEY = 'exchange';

interface NotificationState extends TriggerState {
	clientState?: string;
	subscriptions?: SubscriptionState[];
}

type Ctx = IHookFunctions | IWebhookFunctions;

/** One per process: the webhook calls of a burst meet here (issue 14). */
const bursts = new BurstCoalescer();

/** "Start a Sync" output: one item per burst of changes; the sync reads the delta with its own cursor. */
function signalsOnly(ctx: Ctx): boolean {
	return ctx.getNodeParameter('event') === 'itemChanged' && ctx.getNodeParameter('output', 'changes') === 'signal';
}

function loadState(ctx: Ctx): NotificationState {
	const data = ctx.getWorkflowStaticData('node');
	const base = migrateTriggerState(data[STATE_KEY]);
	const raw = (data[STATE_KEY] ?? {}) as NotificationState;
	return { ...base, clientState: raw.clientState, subscriptions: raw.subscriptions };
}

function saveState(ctx: Ctx, state: NotificationState): void {
	ctx.getWorkflowStaticData('node')[STATE_KEY] = state as unknown as IDataObject;
}

async function clientFor(ctx: Ctx): Promise<GraphExchangeClient> {
	const mailbox = String(ctx.getNodeParameter('mailbox', '') ?? '').trim() || undefined;
	const options = ctx.getNodeParameter('options', {}) as TriggerOptions;
	return getGraphClient(ctx, { mailbox, includeRaw: options.rawOutput === true });
}

/** The folders the subscriptions watch: sync folders of the chosen components, or the CRM-Sync mail folders. */
async function watchedResources(ctx: Ctx, client: GraphExchangeClient, state: NotificationState): Promise<{ resources: string[]; state: NotificationState }> {
	const event = ctx.getNodeParameter('event') as string;
	const folderName = String(ctx.getNodeParameter('folderName', 'CRM-Sync')).trim() || 'CRM-Sync';
	if (event === 'mailMoved') {
		const folders = await resolveFolders(client, state, ['mail'], false, folderName);
		const mail = folders.mail as NonNullable<typeof folders.mail>;
		return {
			resources: [mail.root, mail.accounts, mail.contacts, mail.leads, mail.partner].map((id) => client.resourceFor('mail', id)),
			state: { ...state, folders },
		};
	}
	const components = ctx.getNodeParameter('components', []) as Component[];
	const useDefault = ctx.getNodeParameter('folderSource', 'crmSync') === 'default';
	const folders = await resolveFolders(client, state, components, useDefault, folderName);
	return {
		resources: components.map((c) => client.resourceFor(c as SyncFolderKind, folders[c] as string)),
		state: { ...state, folders },
	};
}

async function subscribeAll(ctx: Ctx, client: GraphExchangeClient, state: NotificationState, forceRenew: boolean): Promise<NotificationState> {
	const url = ctx.getNodeWebhookUrl('default') as string;
	const { resources, state: withFolders } = await watchedResources(ctx, client, state);
	const clientState = withFolders.clientState ?? newClientState();
	const subscriptions: SubscriptionState[] = [];
	for (const resource of resources) {
		const existing = withFolders.subscriptions?.find((s) => s.resource === resource);
		subscriptions.push(await ensureSubscription(client, { resource, notificationUrl: url, clientState }, existing, Date.now(), forceRenew));
	}
	return { ...withFolders, clientState, subscriptions };
}

/**
 * Microsoft Graph change notifications: Graph calls the webhook when something changes; the
 * node then reads the delta (cursor in static data), so a lost notification loses nothing.
 */
export class ExchangeNotificationTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Exchange Notification Trigger',
		name: 'exchangeNotificationTrigger',
		icon: { light: 'file:exchange.svg', dark: 'file:exchange.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["event"]}}',
		description: 'Starts the workflow within seconds of a change in an Exchange sync folder (Microsoft Graph change notifications)',
		defaults: { name: 'Exchange Notification Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'microsoftGraphOAuth2Api', required: true, testedBy: 'microsoftGraphConnectionTest' }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: triggerProperties
			.filter((p) => p.name !== 'options')
			.concat([
				{
					displayName: 'Output',
					name: 'output',
					type: 'options',
					options: [
						{
							name: 'One Item per Change',
							value: 'changes',
							description: 'Reads what changed (with its own cursor) and outputs each created, changed or deleted item',
						},
						{
							name: 'One Item per Burst (Start a Sync)',
							value: 'signal',
							description:
								'For the sync templates: outputs one item when something changed, after collecting the notifications of a short window, and reads nothing itself; the sync reads the changes with its own cursor',
						},
					],
					default: 'changes',
					displayOptions: { show: { event: ['itemChanged'] } },
				},
				{
					displayName: 'Collect Window (Seconds)',
					name: 'collectSeconds',
					type: 'number',
					typeOptions: { minValue: 0 },
					default: 5,
					description:
						'Notifications arriving within this many seconds of the first start one run together (an import of 500 contacts in Outlook is a few runs, not 500)',
					displayOptions: { show: { event: ['itemChanged'], output: ['signal'] } },
				},
				{
					displayName: 'Options',
					name: 'options',
					type: 'collection',
					placeholder: 'Add Option',
					default: {},
					options: [
						{
							displayName: 'Raw Graph Output',
							name: 'rawOutput',
							type: 'boolean',
							default: false,
							description: 'Whether to include the Microsoft Graph object of each item',
						},
					],
				},
			]),
	};

	methods = { credentialTest: { microsoftGraphConnectionTest } };

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const state = loadState(this);
				return !!state.subscriptions?.length && state.subscriptions.every((s) => Date.parse(s.expirationDateTime) > Date.now());
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const client = await clientFor(this);
				try {
					const state = await subscribeAll(this, client, loadState(this), false);
					// Start the cursors now so the first notification reports only new changes (signals keep none).
					saveState(this, signalsOnly(this) ? state : await readChanges(this, client, state, true).then((r) => r.state));
					return true;
				} catch (error) {
					throw toNodeError(this.getNode(), error);
				} finally {
					client.close();
				}
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				const state = loadState(this);
				const client = await clientFor(this);
				try {
					for (const s of state.subscriptions ?? []) await client.deleteSubscription(s.id);
					saveState(this, { ...state, subscriptions: [] });
					return true;
				} catch (error) {
					// n8n deactivates the workflow either way; a subscription left behind expires by itself (at most 3 days for mail).
					this.logger.warn(`Exchange Notification Trigger: could not remove a Microsoft Graph subscription: ${(error as Error).message}`);
					return false;
				} finally {
					client.close();
				}
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const res = this.getResponseObject();
		const token = validationToken(this.getQueryData() as Record<string, unknown>);
		if (token !== undefined) {
			// Validation handshake: echo the decoded token as text/plain within 10 s.
			res.status(200).type('text/plain').send(token);
			return { noWebhookResponse: true };
		}
		let state = loadState(this);
		const { accepted } = parseNotifications(this.getBodyData(), state.clientState ?? '');
		if (!accepted.length) {
			// Not from our subscription (wrong or missing clientState): ignore it.
			res.status(403).send();
			return { noWebhookResponse: true };
		}
		const client = await clientFor(this);
		try {
			const lifecycle = accepted.filter((n) => n.lifecycleEvent);
			if (lifecycle.some((n) => n.lifecycleEvent === 'reauthorizationRequired' || n.lifecycleEvent === 'subscriptionRemoved')) {
				// Removed subscriptions are created anew; reauthorization renews the others.
				const removed = new Set(lifecycle.filter((n) => n.lifecycleEvent === 'subscriptionRemoved').map((n) => n.subscriptionId));
				const reauthorize = lifecycle.some((n) => n.lifecycleEvent === 'reauthorizationRequired');
				state = await subscribeAll(this, client, { ...state, subscriptions: state.subscriptions?.filter((s) => !removed.has(s.id)) }, reauthorize);
			} else {
				// Every notification is a chance to renew before expiry.
				state = await subscribeAll(this, client, state, false);
			}
			if (signalsOnly(this)) {
				saveState(this, state);
				res.status(202).send();
				return { noWebhookResponse: true, workflowData: await signalFor(this, accepted, client.mailbox) };
			}
			const { items, state: next } = await readChanges(this, client, state, false);
			saveState(this, next);
			res.status(202).send();
			return { noWebhookResponse: true, workflowData: items.length ? [items.map((json) => ({ json }))] : undefined };
		} catch (error) {
			res.status(202).send();
			throw toNodeError(this.getNode(), error);
		} finally {
			client.close();
		}
	}
}

/**
 * The burst's one item, from the webhook call that opened it (after its collect window), or nothing for
 * the calls that joined it. Microsoft waits only a few seconds for an answer, so this runs after the 202.
 */
async function signalFor(
	ctx: IWebhookFunctions,
	accepted: ReadonlyArray<{ lifecycleEvent?: string }>,
	mailbox: string,
): Promise<INodeExecutionData[][] | undefined> {
	const windowMs = Math.max(0, ctx.getNodeParameter('collectSeconds', 5) as number) * 1000;
	const firstAt = new Date().toISOString();
	const notifications = await bursts.join(`${ctx.getWorkflow().id ?? ''}\u0000${ctx.getNode().name}`, accepted.length, windowMs);
	if (notifications === undefined) return undefined;
	const json: IDataObject = {
		changed: true,
		notifications,
		mailbox,
		components: ctx.getNodeParameter('components', []) as IDataObject[],
		firstNotificationAt: firstAt,
		missed: accepted.some((n) => n.lifecycleEvent === 'missed'),
	};
	return [[{ json }]];
}

async function readChanges(
	ctx: Ctx,
	client: GraphExchangeClient,
	state: NotificationState,
	startOnly: boolean,
): Promise<{ items: IDataObject[]; state: NotificationState }> {
	const event = ctx.getNodeParameter('event') as string;
	const raw = (ctx.getNodeParameter('options', {}) as TriggerOptions).rawOutput === true;
	if (event === 'mailMoved') {
		const { ids: originIds, wellKnown } = await resolveWellKnown(client, state, ctx.getNodeParameter('originFolders', []) as string[]);
		const { events, state: next } = await pollMailMoves(client, state, {
			syncFolders: state.folders?.mail as NonNullable<NonNullable<TriggerState['folders']>['mail']>,
			originFolderIds: originIds,
		});
		return { items: startOnly ? [] : events.map((e) => mailEventJson(e, client.mailbox)), state: { ...state, ...next, wellKnown } };
	}
	const components = ctx.getNodeParameter('components', []) as Component[];
	const { events, state: next } = await pollItemChanges(client, state, {
		folders: components.map((component) => ({ component, folderId: state.folders?.[component] as string })),
		changeTypes: ctx.getNodeParameter('changeTypes', []) as ItemChangeType[],
		window: windowForTrigger(ctx.getNodeParameter('pastDays', 30) as number),
	});
	return { items: startOnly ? [] : events.map((e) => itemEventJson(e, client.mailbox, raw)), state: { ...state, ...next } };
}
