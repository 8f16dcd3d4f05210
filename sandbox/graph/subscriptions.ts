/**
 * Change notification subscriptions (webhooks) for messages, events, contacts and To Do
 * tasks: the validationToken handshake on create, notifications with clientState, renew,
 * delete, reauthorize, and lifecycle notifications (triggered through the control API).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FullConfig } from '../app';
import type { JournalEntry, Mailbox, SandboxStore } from '../store';
import type { SandboxReply } from '../http/types';
import { postText } from '../http/outbound';
import { created, noContent, ok } from './context';
import { GraphError, badRequest, notFound } from './errors';
import { splitResourcePath } from './router';

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

export interface Subscription {
	id: string;
	resource: string;
	changeType: string;
	clientState?: string;
	notificationUrl: string;
	lifecycleNotificationUrl?: string;
	expirationDateTime: string;
	applicationId: string;
	creatorId: string;
	latestSupportedTlsVersion: string;
	/** resolved scope */
	mailbox: string;
	userId: string;
	kind: 'message' | 'event' | 'contact' | 'task';
	/** undefined: every folder of that kind */
	folderId?: string;
}

export interface DeliveredNotification {
	subscriptionId: string;
	url: string;
	status: number | 'failed';
	body: unknown;
}

const MAX_MINUTES = 10080;
const ODATA_TYPE = {
	message: '#Microsoft.Graph.Message',
	event: '#Microsoft.Graph.Event',
	contact: '#Microsoft.Graph.Contact',
	task: '#microsoft.graph.todoTask',
} as const;
const RESOURCE_NAME = { message: 'Messages', event: 'Events', contact: 'Contacts', task: 'Tasks' } as const;

export interface SubscriptionCaller {
	/** delegated user, or undefined for app-only */
	user?: string;
	clientId: string;
}

export class SubscriptionService {
	private subscriptions = new Map<string, Subscription>();
	private queues = new Map<string, { timer: NodeJS.Timeout; items: unknown[] }>();
	/** deliveries made (for tests and the control API) */
	readonly deliveries: DeliveredNotification[] = [];
	private readonly listener = (entry: JournalEntry, mailbox: Mailbox): void => this.onChange(entry, mailbox);

	constructor(
		private readonly store: SandboxStore,
		private readonly config: () => FullConfig,
		private readonly tenantId: string,
		private readonly extraCa: string,
	) {
		store.on('change', this.listener);
	}

	close(): void {
		this.store.off('change', this.listener);
		for (const queue of this.queues.values()) clearTimeout(queue.timer);
		this.queues.clear();
	}

	reset(): void {
		for (const queue of this.queues.values()) clearTimeout(queue.timer);
		this.queues.clear();
		this.subscriptions.clear();
		this.deliveries.length = 0;
	}

	list(): Subscription[] {
		return [...this.subscriptions.values()];
	}

	render(s: Subscription): Record<string, unknown> {
		return {
			id: s.id,
			resource: s.resource,
			applicationId: s.applicationId,
			changeType: s.changeType,
			clientState: s.clientState ?? null,
			notificationUrl: s.notificationUrl,
			notificationQueryOptions: null,
			lifecycleNotificationUrl: s.lifecycleNotificationUrl ?? null,
			expirationDateTime: s.expirationDateTime,
			creatorId: s.creatorId,
			includeResourceData: null,
			latestSupportedTlsVersion: s.latestSupportedTlsVersion,
			encryptionCertificate: null,
			encryptionCertificateId: null,
			notificationUrlAppId: null,
		};
	}

	async create(body: Record<string, unknown>, caller: SubscriptionCaller, base: string): Promise<SandboxReply> {
		const changeType = String(body.changeType ?? '');
		if (!changeType || changeType.split(',').some((t) => !['created', 'updated', 'deleted'].includes(t.trim()))) {
			throw badRequest(`Invalid 'changeType' attribute: '${changeType}'.`, 'InvalidRequest');
		}
		const notificationUrl = String(body.notificationUrl ?? '');
		this.checkUrl(notificationUrl, 'notificationUrl');
		const lifecycleNotificationUrl = typeof body.lifecycleNotificationUrl === 'string' ? body.lifecycleNotificationUrl : undefined;
		if (lifecycleNotificationUrl) this.checkUrl(lifecycleNotificationUrl, 'lifecycleNotificationUrl');
		const expirationDateTime = this.checkExpiration(body.expirationDateTime);
		const scope = this.resolveResource(String(body.resource ?? ''), caller);
		await this.validate(notificationUrl);
		if (lifecycleNotificationUrl) await this.validate(lifecycleNotificationUrl);
		const subscription: Subscription = {
			id: randomUUID(),
			resource: String(body.resource),
			changeType,
			clientState: typeof body.clientState === 'string' ? body.clientState : undefined,
			notificationUrl,
			lifecycleNotificationUrl,
			expirationDateTime,
			applicationId: caller.clientId,
			creatorId: caller.user ? (this.store.findUser(caller.user)?.id ?? caller.user) : caller.clientId,
			latestSupportedTlsVersion: typeof body.latestSupportedTlsVersion === 'string' ? body.latestSupportedTlsVersion : 'v1_2',
			...scope,
		};
		this.subscriptions.set(subscription.id, subscription);
		return created({ '@odata.context': `${base}/$metadata#subscriptions/$entity`, ...this.render(subscription) });
	}

	get(id: string): Subscription {
		const subscription = this.subscriptions.get(id);
		if (!subscription || Date.parse(subscription.expirationDateTime) <= this.store.clock().getTime()) {
			throw new GraphError(404, 'ResourceNotFound', `The object was not found.`);
		}
		return subscription;
	}

	renew(id: string, body: Record<string, unknown>, base: string): SandboxReply {
		const subscription = this.get(id);
		subscription.expirationDateTime = this.checkExpiration(body.expirationDateTime);
		return ok({ '@odata.context': `${base}/$metadata#subscriptions/$entity`, ...this.render(subscription) });
	}

	remove(id: string): SandboxReply {
		this.get(id);
		this.subscriptions.delete(id);
		return noContent();
	}

	/** Sends a lifecycle notification (control API); subscriptionRemoved also deletes the subscription. */
	async lifecycle(id: string, event: LifecycleEvent): Promise<DeliveredNotification> {
		const subscription = this.subscriptions.get(id);
		if (!subscription) throw notFound('No such subscription.');
		if (!subscription.lifecycleNotificationUrl) throw badRequest('The subscription has no lifecycleNotificationUrl.');
		const body = {
			value: [
				{
					subscriptionId: subscription.id,
					subscriptionExpirationDateTime: subscription.expirationDateTime,
					tenantId: this.tenantId,
					clientState: subscription.clientState ?? null,
					lifecycleEvent: event,
				},
			],
		};
		if (event === 'subscriptionRemoved') this.subscriptions.delete(id);
		return this.deliver(subscription, subscription.lifecycleNotificationUrl, body);
	}

	private checkUrl(url: string, name: string): void {
		let parsed: URL;
		try {
			parsed = new URL(url);
		} catch {
			throw badRequest(`Invalid '${name}' attribute: the URL is not valid.`, 'InvalidRequest');
		}
		if (parsed.protocol !== 'https:' && (this.config().requireHttpsNotificationUrl || parsed.protocol !== 'http:')) {
			throw badRequest(`Invalid '${name}' attribute: the URL must use https.`, 'InvalidRequest');
		}
	}

	private checkExpiration(value: unknown): string {
		const at = typeof value === 'string' ? Date.parse(value) : NaN;
		const now = this.store.clock().getTime();
		if (Number.isNaN(at)) throw badRequest('expirationDateTime is required and must be a date-time.', 'InvalidRequest');
		if (at <= now) throw badRequest('Subscription expiration must be in the future.', 'ExtensionError');
		if (at > now + MAX_MINUTES * 60 * 1000) throw badRequest(`Subscription expiration can only be ${MAX_MINUTES} minutes in the future.`, 'ExtensionError');
		return new Date(at).toISOString();
	}

	private resolveResource(resource: string, caller: SubscriptionCaller): Pick<Subscription, 'mailbox' | 'userId' | 'kind' | 'folderId'> {
		const segments = splitResourcePath(resource.replace(/^\/+/, '').replace(/\?.*$/, ''));
		const invalid = (): GraphError => badRequest(`Resource '${resource}' is not supported.`, 'InvalidRequest');
		let user: string | undefined;
		if (segments[0]?.toLowerCase() === 'me') {
			if (!caller.user) throw badRequest('/me request is only valid with delegated authentication flow.', 'BadRequest');
			user = caller.user;
			segments.shift();
		} else if (segments[0]?.toLowerCase() === 'users' && segments[1]) {
			user = segments[1];
			segments.splice(0, 2);
		}
		const found = user ? this.store.findUser(user) : undefined;
		if (!found) throw invalid();
		const mailbox = this.store.mailbox(found.address);
		const lower = segments.map((s) => s.toLowerCase());
		const folder = (id: string, kind: 'mail' | 'contacts' | 'calendar' | 'tasks'): string => {
			const f = mailbox.resolveFolder(id);
			if (!f || f.kind !== kind) throw invalid();
			return f.id;
		};
		const base = { mailbox: found.address, userId: found.id };
		const path = lower.join('/');
		if (path === 'messages') return { ...base, kind: 'message' };
		if (lower.length === 3 && lower[0] === 'mailfolders' && lower[2] === 'messages') return { ...base, kind: 'message', folderId: folder(segments[1], 'mail') };
		if (path === 'events') return { ...base, kind: 'event' };
		if (path === 'calendar/events') return { ...base, kind: 'event', folderId: folder('calendar', 'calendar') };
		if (lower.length === 3 && lower[0] === 'calendars' && lower[2] === 'events') return { ...base, kind: 'event', folderId: folder(segments[1], 'calendar') };
		if (path === 'contacts') return { ...base, kind: 'contact' };
		if (lower.length === 3 && lower[0] === 'contactfolders' && lower[2] === 'contacts')
			return { ...base, kind: 'contact', folderId: folder(segments[1], 'contacts') };
		if (lower.length === 4 && lower[0] === 'todo' && lower[1] === 'lists' && lower[3] === 'tasks')
			return { ...base, kind: 'task', folderId: folder(segments[2], 'tasks') };
		throw invalid();
	}

	/** Graph's handshake: POST ?validationToken=…, expect 200 with the token as text/plain within 10 s. */
	private async validate(url: string): Promise<void> {
		const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()} ${randomBytes(8).toString('hex')}`;
		const target = new URL(url);
		target.searchParams.set('validationToken', token);
		const failed = (): GraphError =>
			badRequest('Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.', 'ValidationError');
		try {
			const response = await postText(target.toString(), '', 'text/plain; charset=utf-8', {
				timeoutMs: this.config().validationTimeoutMs,
				extraCa: this.extraCa,
			});
			if (response.status !== 200 || response.body !== token) throw failed();
		} catch (e) {
			if (e instanceof GraphError) throw e;
			throw failed();
		}
	}

	private onChange(entry: JournalEntry, mailbox: Mailbox): void {
		if (entry.targetKind === 'folder' || entry.type === 'newMail') return;
		if (this.config().loseNotifications) return;
		const now = this.store.clock().getTime();
		for (const s of this.subscriptions.values()) {
			if (s.mailbox !== mailbox.address || s.kind !== entry.targetKind || Date.parse(s.expirationDateTime) <= now) continue;
			const types = s.changeType.split(',').map((t) => t.trim());
			let changeType: 'created' | 'updated' | 'deleted' | undefined;
			if (entry.type === 'created' || entry.type === 'copied') changeType = !s.folderId || s.folderId === entry.folderId ? 'created' : undefined;
			else if (entry.type === 'modified') changeType = !s.folderId || s.folderId === entry.folderId ? 'updated' : undefined;
			else if (entry.type === 'deleted') changeType = !s.folderId || s.folderId === entry.folderId ? 'deleted' : undefined;
			else if (entry.type === 'moved') {
				if (!s.folderId) changeType = 'updated';
				else if (s.folderId === entry.folderId) changeType = 'created';
				else if (s.folderId === entry.oldFolderId) changeType = 'deleted';
			}
			if (!changeType || !types.includes(changeType)) continue;
			const name = RESOURCE_NAME[s.kind];
			const resourcePath = `Users/${s.userId}/${name}/${entry.targetId}`;
			const item = changeType === 'deleted' ? undefined : mailbox.getItem(entry.targetId);
			this.enqueue(s, {
				id: randomBytes(9).toString('base64url'),
				subscriptionId: s.id,
				subscriptionExpirationDateTime: s.expirationDateTime,
				clientState: s.clientState ?? null,
				changeType,
				resource: resourcePath,
				tenantId: this.tenantId,
				resourceData: {
					'@odata.type': ODATA_TYPE[s.kind],
					'@odata.id': resourcePath,
					...(item ? { '@odata.etag': `W/"${item.changeKey}"` } : {}),
					id: entry.targetId,
				},
			});
		}
	}

	private enqueue(s: Subscription, notification: unknown): void {
		const queue = this.queues.get(s.id);
		if (queue) {
			queue.items.push(notification);
			return;
		}
		const timer = setTimeout(() => {
			const pending = this.queues.get(s.id);
			this.queues.delete(s.id);
			if (pending) void this.deliver(s, s.notificationUrl, { value: pending.items });
		}, 50);
		timer.unref();
		this.queues.set(s.id, { timer, items: [notification] });
	}

	private async deliver(s: Subscription, url: string, body: unknown): Promise<DeliveredNotification> {
		let status: number | 'failed' = 'failed';
		for (let attempt = 0; attempt < 2 && status === 'failed'; attempt++) {
			try {
				const response = await postText(url, JSON.stringify(body), 'application/json; charset=utf-8', { timeoutMs: 3000, extraCa: this.extraCa });
				status = response.status >= 200 && response.status < 300 ? response.status : 'failed';
			} catch {
				status = 'failed';
			}
		}
		const delivered = { subscriptionId: s.id, url, status, body };
		this.deliveries.push(delivered);
		if (this.deliveries.length > 1000) this.deliveries.shift();
		return delivered;
	}
}
