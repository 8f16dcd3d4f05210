/**
 * Microsoft Graph change notifications (webhooks): validation handshake, clientState check,
 * lifecycle events and subscription upkeep. Notifications only say "look now"; the trigger
 * then reads the delta, so a lost notification loses nothing.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import type { GraphExchangeClient, GraphSubscription } from './client';

export interface ChangeNotification {
	subscriptionId: string;
	changeType?: string;
	resource?: string;
	clientState?: string;
	lifecycleEvent?: 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';
	subscriptionExpirationDateTime?: string;
	resourceData?: { id?: string; '@odata.etag'?: string };
}

export interface NotificationBatch {
	/** Notifications whose clientState matched. */
	accepted: ChangeNotification[];
	/** Count of notifications with a missing or wrong clientState: ignored. */
	rejected: number;
}

/** Graph's validation request: POST {url}?validationToken=…; answer 200 text/plain with the decoded token. */
export function validationToken(query: Record<string, unknown>): string | undefined {
	const token = query.validationToken;
	return typeof token === 'string' && token !== '' ? token : undefined;
}

/** Constant-time comparison; hashing first also hides the secret's length. */
export function clientStateMatches(expected: string, received: unknown): boolean {
	if (typeof received !== 'string' || expected === '') return false;
	const a = createHash('sha256').update(expected).digest();
	const b = createHash('sha256').update(received).digest();
	return timingSafeEqual(a, b);
}

export function newClientState(): string {
	return randomBytes(32).toString('base64url');
}

export function parseNotifications(body: unknown, expectedClientState: string): NotificationBatch {
	const value = (body as { value?: unknown } | undefined)?.value;
	const list = Array.isArray(value) ? (value as ChangeNotification[]) : [];
	const accepted: ChangeNotification[] = [];
	let rejected = 0;
	for (const n of list) {
		if (n && typeof n === 'object' && clientStateMatches(expectedClientState, n.clientState)) accepted.push(n);
		else rejected++;
	}
	return { accepted, rejected };
}

/** Outlook resources (mail, events, contacts) and To Do tasks allow at most 4230 minutes. */
export const MAX_SUBSCRIPTION_MINUTES = 4230;
/** Renew when less than this remains. */
export const RENEW_MARGIN_MINUTES = 24 * 60;

export interface SubscriptionState {
	id: string;
	resource: string;
	expirationDateTime: string;
}

export interface SubscriptionRequest {
	resource: string;
	notificationUrl: string;
	clientState: string;
	changeType?: string;
}

/**
 * Creates the subscription, or renews it when it expires within the margin. Returns the
 * state to keep. A subscription Graph no longer knows (404) is created anew.
 */
export async function ensureSubscription(
	client: Pick<GraphExchangeClient, 'createSubscription' | 'renewSubscription'>,
	request: SubscriptionRequest,
	existing: SubscriptionState | undefined,
	now = Date.now(),
	/** Renew even when far from expiry (lifecycle event reauthorizationRequired). */
	force = false,
): Promise<SubscriptionState> {
	const expiration = new Date(now + (MAX_SUBSCRIPTION_MINUTES - 5) * 60_000).toISOString();
	if (existing && existing.resource === request.resource) {
		if (!force && Date.parse(existing.expirationDateTime) - now > RENEW_MARGIN_MINUTES * 60_000) return existing;
		try {
			const renewed = await client.renewSubscription(existing.id, expiration);
			return { id: renewed.id ?? existing.id, resource: existing.resource, expirationDateTime: renewed.expirationDateTime ?? expiration };
		} catch (e) {
			if ((e as { code?: string }).code !== 'notFound') throw e;
		}
	}
	const created: GraphSubscription = await client.createSubscription({
		changeType: request.changeType ?? 'created,updated,deleted',
		notificationUrl: request.notificationUrl,
		lifecycleNotificationUrl: request.notificationUrl,
		resource: request.resource,
		expirationDateTime: expiration,
		clientState: request.clientState,
	});
	return { id: created.id, resource: request.resource, expirationDateTime: created.expirationDateTime };
}
