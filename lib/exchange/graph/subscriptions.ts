/** Change-notification subscriptions and the resource a sync folder is subscribed by. */
import { ExchangeError, type SyncFolderKind } from '../types';
import { type GraphContext, q } from './context';

export interface GraphSubscription {
	id: string;
	resource: string;
	changeType: string;
	clientState?: string;
	notificationUrl: string;
	lifecycleNotificationUrl?: string;
	expirationDateTime: string;
}

/** Subscription resource for change notifications on a sync folder. */
export function resourceFor(ctx: GraphContext, kind: SyncFolderKind, folderId: string): string {
	const path =
		kind === 'mail'
			? `${ctx.root}/mailFolders/${q(folderId)}/messages`
			: kind === 'event'
				? ctx.eventsPath(folderId)
				: kind === 'contact'
					? ctx.contactsPath(folderId)
					: ctx.tasksPath(folderId);
	return path.replace(/^\//, '');
}

export function createSubscription(ctx: GraphContext, s: Omit<GraphSubscription, 'id'>): Promise<GraphSubscription> {
	return ctx.request<GraphSubscription>('POST', '/subscriptions', 'Creating a change-notification subscription', { body: s });
}

export function renewSubscription(ctx: GraphContext, id: string, expirationDateTime: string): Promise<GraphSubscription> {
	return ctx.request<GraphSubscription>('PATCH', `/subscriptions/${q(id)}`, 'Renewing a change-notification subscription', {
		body: { expirationDateTime },
	});
}

export async function deleteSubscription(ctx: GraphContext, id: string): Promise<void> {
	try {
		await ctx.request('DELETE', `/subscriptions/${q(id)}`, 'Deleting a change-notification subscription');
	} catch (e) {
		if (!(e instanceof ExchangeError && e.code === 'notFound')) throw e;
	}
}
