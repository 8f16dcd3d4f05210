import type { IDataObject, INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import type { ExchangeClient } from '../../lib/exchange';
import {
	migrateTriggerState,
	pollItemChanges,
	pollMailMoves,
	stateFromError,
	withAuthPause,
	type ItemChangeType,
	type TriggerState,
} from '../../lib/exchange/poller';
import type { Component } from '../../lib/model/types';
import { toNodeError } from '../Exchange/helpers/errors';
import { exchangeEwsConnectionTest, microsoftGraphConnectionTest } from '../Exchange/methods/credentialTest';
import { authenticationParameter, credentialFingerprint, exchangeCredentials, getExchangeClient } from '../Exchange/transport';
import { itemEventJson, mailEventJson, resolveFolders, resolveWellKnown, triggerProperties, windowForTrigger, type TriggerOptions } from './shared';

const STATE_KEY = 'exchange';

export class ExchangeTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Exchange Trigger',
		name: 'exchangeTrigger',
		icon: { light: 'file:exchange.svg', dark: 'file:exchange.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["event"]}}',
		// n8n's nodes panel merges "Exchange" and "Exchange Trigger" into one entry and shows this description for
		// both (generateMergedNodesAndActions in the editor), so it names what the actions do too.
		description: 'Contacts, appointments, tasks and e-mails of a Microsoft Exchange mailbox: read and write them, or start a workflow when they change',
		defaults: { name: 'Exchange Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: exchangeCredentials,
		properties: [authenticationParameter, ...triggerProperties],
	};

	methods = { credentialTest: { microsoftGraphConnectionTest, exchangeEwsConnectionTest } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const staticData = this.getWorkflowStaticData('node');
		const manual = this.getMode() === 'manual';
		const state = migrateTriggerState(staticData[STATE_KEY]);
		const options = this.getNodeParameter('options', {}) as TriggerOptions;
		const maxFailures = options.maxAuthFailures ?? 2;
		const fingerprint = await credentialFingerprint(this);
		// A5: paused accounts are not called again until the credential changes (or a manual run).
		if (!manual && state.auth?.pausedAt && state.auth.fingerprint === fingerprint && maxFailures > 0 && state.auth.failures >= maxFailures) {
			return null;
		}
		const mailbox = String(this.getNodeParameter('mailbox', '') ?? '').trim() || undefined;
		let client: (ExchangeClient & { close(): void }) | undefined;
		try {
			const { result, state: after } = await withAuthPause(state, { maxFailures, fingerprint, force: manual }, async () => {
				client = await getExchangeClient(this, { mailbox, includeRaw: options.rawOutput === true });
				return runPoll(this, client, state, options, manual);
			});
			if (!manual) staticData[STATE_KEY] = { ...result.state, auth: after.auth } as unknown as IDataObject;
			return result.items.length ? [result.items] : null;
		} catch (error) {
			const failed = stateFromError(error);
			if (failed && !manual) staticData[STATE_KEY] = failed as unknown as IDataObject;
			throw toNodeError(this.getNode(), error);
		} finally {
			client?.close();
		}
	}
}

async function runPoll(
	ctx: IPollFunctions,
	client: ExchangeClient,
	state: TriggerState,
	options: TriggerOptions,
	manual: boolean,
): Promise<{ items: INodeExecutionData[]; state: TriggerState }> {
	const event = ctx.getNodeParameter('event') as 'itemChanged' | 'mailMoved';
	const folderName = String(ctx.getNodeParameter('folderName', 'CRM-Sync')).trim() || 'CRM-Sync';
	// Manual runs show a sample: read from scratch, do not move the stored cursors.
	const limit = manual ? 5 : undefined;
	if (event === 'mailMoved') {
		const folders = await resolveFolders(client, state, ['mail'], false, folderName);
		const { ids: originIds, wellKnown } = await resolveWellKnown(client, state, ctx.getNodeParameter('originFolders', []) as string[]);
		const base = manual ? { ...state, cursors: {} } : { ...state, folders };
		const { events, state: next } = await pollMailMoves(client, base, {
			syncFolders: folders.mail as NonNullable<typeof folders.mail>,
			originFolderIds: originIds,
			emitExisting: manual || options.emitExisting,
			limit,
		});
		return { items: events.map((e) => ({ json: mailEventJson(e, client.mailbox) })), state: { ...next, folders, wellKnown } };
	}
	const components = ctx.getNodeParameter('components', []) as Component[];
	const useDefault = ctx.getNodeParameter('folderSource', 'crmSync') === 'default';
	const folders = await resolveFolders(client, state, components, useDefault, folderName);
	const base = manual ? { ...state, cursors: {}, lastPollAt: undefined } : { ...state, folders };
	const { events, state: next } = await pollItemChanges(client, base, {
		folders: components.map((component) => ({ component, folderId: folders[component] as string })),
		changeTypes: ctx.getNodeParameter('changeTypes', []) as ItemChangeType[],
		window: windowForTrigger(ctx.getNodeParameter('pastDays', 30) as number),
		emitExisting: manual || options.emitExisting,
		limit,
	});
	return {
		items: events.map((e) => ({ json: itemEventJson(e, client.mailbox, options.rawOutput === true) })),
		state: { ...next, folders },
	};
}
