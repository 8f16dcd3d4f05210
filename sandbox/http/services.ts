/**
 * Cross-cutting sandbox behaviour shared by the faces: configuration, fault injection,
 * per-mailbox request counters and Exchange Online-style throttling.
 */
import type { FaultAction, FaultRule, Protocol } from './types';

export interface ThrottleConfig {
	/** requests in flight per mailbox (Graph/Exchange Online: 4) */
	concurrency: number;
	/** requests per window per mailbox (10,000 per 10 minutes) */
	perWindow: number;
	windowMs: number;
}

export interface SandboxConfig {
	/** fixed latency added to every request (benchmarks), ms */
	latencyMs: number;
	throttle: ThrottleConfig;
	/** access token lifetime, s */
	tokenLifetimeSeconds: number;
	/** default and maximum page size for Graph collections */
	defaultPageSize: number;
	maxPageSize: number;
	/** how long the subscription validation handshake may take, ms (Graph: 10 s) */
	validationTimeoutMs: number;
}

export const DEFAULT_CONFIG: SandboxConfig = {
	latencyMs: 0,
	throttle: { concurrency: 4, perWindow: 10_000, windowMs: 10 * 60 * 1000 },
	tokenLifetimeSeconds: 3600,
	defaultPageSize: 10,
	maxPageSize: 1000,
	validationTimeoutMs: 10_000,
};

/** mulberry32: small, seedable, good enough for fault dice */
export function seededRandom(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export class FaultInjector {
	private rules: FaultRule[] = [];
	private random = seededRandom(1);
	private nextId = 1;

	add(rule: Omit<FaultRule, 'id' | 'hits'> & { id?: string }): FaultRule {
		const full: FaultRule = { ...rule, id: rule.id ?? `fault-${this.nextId++}`, hits: 0 };
		this.rules.push(full);
		return full;
	}

	list(): FaultRule[] {
		return this.rules.map((r) => ({ ...r }));
	}

	clear(): void {
		this.rules = [];
	}

	remove(id: string): boolean {
		const before = this.rules.length;
		this.rules = this.rules.filter((r) => r.id !== id);
		return this.rules.length !== before;
	}

	seed(seed: number): void {
		this.random = seededRandom(seed);
	}

	/** The fault for this request, if a rule fires (scripted rules are used up in order). */
	take(request: { protocol: Protocol; method: string; pathAndQuery: string }): FaultAction | undefined {
		for (const rule of this.rules) {
			const m = rule.match;
			if (m.protocol && m.protocol !== request.protocol) continue;
			if (m.method && m.method.toUpperCase() !== request.method.toUpperCase()) continue;
			if (m.path && !new RegExp(m.path, 'i').test(request.pathAndQuery)) continue;
			if (rule.probability !== undefined && this.random() >= rule.probability) continue;
			rule.hits++;
			if (rule.times !== undefined && rule.hits >= rule.times) this.rules = this.rules.filter((r) => r !== rule);
			return rule.action;
		}
		return undefined;
	}
}

/** S18: meeting messages Exchange would have sent to attendees for this mailbox (the sandbox sends none). */
export interface MeetingMessageCounters {
	/** meeting requests and updates (event created/updated with attendees as organizer, not a draft; forward) */
	invitations: number;
	/** meeting cancellations (event with attendees deleted or cancelled as organizer; cancel) */
	cancellations: number;
}

export type MeetingMessageKind = keyof MeetingMessageCounters;

export interface MailboxCounters {
	total: number;
	throttled: number;
	meetingMessages: MeetingMessageCounters;
	byMethod: Record<string, number>;
	/** "GET /users/{id}/contactFolders/{id}/contacts/delta" → count */
	byRoute: Record<string, number>;
}

export class RequestCounters {
	private perMailbox = new Map<string, MailboxCounters>();

	count(mailbox: string, method: string, route: string): void {
		const counters = this.get(mailbox);
		counters.total++;
		counters.byMethod[method] = (counters.byMethod[method] ?? 0) + 1;
		const key = `${method} ${route}`;
		counters.byRoute[key] = (counters.byRoute[key] ?? 0) + 1;
	}

	countThrottled(mailbox: string): void {
		this.get(mailbox).throttled++;
	}

	countMeetingMessage(mailbox: string, kind: MeetingMessageKind): void {
		this.get(mailbox).meetingMessages[kind]++;
	}

	snapshot(): Record<string, MailboxCounters> {
		return Object.fromEntries([...this.perMailbox].map(([k, v]) => [k, structuredClone(v)]));
	}

	reset(): void {
		this.perMailbox.clear();
	}

	private get(mailbox: string): MailboxCounters {
		const key = mailbox.toLowerCase();
		let counters = this.perMailbox.get(key);
		if (!counters)
			this.perMailbox.set(key, (counters = { total: 0, throttled: 0, meetingMessages: { invitations: 0, cancellations: 0 }, byMethod: {}, byRoute: {} }));
		return counters;
	}
}

export type ThrottleDecision = { ok: true; release: () => void } | { ok: false; retryAfterSeconds: number; reason: 'concurrency' | 'rate' };

/** Per-mailbox limits as Exchange Online applies them to Graph: concurrency and a sliding window. */
export class MailboxThrottle {
	private inFlight = new Map<string, number>();
	private history = new Map<string, number[]>();

	constructor(
		private readonly config: () => ThrottleConfig,
		private readonly now: () => number = Date.now,
	) {}

	enter(mailbox: string): ThrottleDecision {
		const key = mailbox.toLowerCase();
		const { concurrency, perWindow, windowMs } = this.config();
		const active = this.inFlight.get(key) ?? 0;
		if (active >= concurrency) return { ok: false, retryAfterSeconds: 1, reason: 'concurrency' };
		const now = this.now();
		const times = (this.history.get(key) ?? []).filter((t) => t > now - windowMs);
		if (times.length >= perWindow) {
			this.history.set(key, times);
			return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((times[0] + windowMs - now) / 1000)), reason: 'rate' };
		}
		times.push(now);
		this.history.set(key, times);
		this.inFlight.set(key, active + 1);
		let released = false;
		return {
			ok: true,
			release: () => {
				if (released) return;
				released = true;
				this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
			},
		};
	}

	reset(): void {
		this.inFlight.clear();
		this.history.clear();
	}
}
