/** What a Graph route handler gets, and the small reply helpers. */
import type { AccessGrant } from '../auth/tokens';
import type { SandboxReply, SandboxRequest } from '../http/types';
import type { MeetingMessageKind, SandboxConfig } from '../http/services';
import type { Mailbox, SandboxStore } from '../store';
import type { Prefer } from './odata';
import type { RenderOptions } from './render';

export interface GraphContext {
	request: SandboxRequest;
	store: SandboxStore;
	mailbox: Mailbox;
	grant: AccessGrant;
	config: SandboxConfig;
	prefer: Prefer;
	query: URLSearchParams;
	params: Record<string, string>;
	/** parsed JSON body (lazily) */
	body(): Record<string, unknown>;
	/** https://host:port */
	origin: string;
	/** https://host:port/v1.0 */
	base: string;
	/** "me" or "users/{id|upn}" as the caller wrote it */
	userPath: string;
	/** the resource path after the user segment, e.g. "/contactFolders/x/contacts" */
	resourcePath: string;
	render: RenderOptions;
	/** S18: counts a meeting message Exchange would have sent from this mailbox */
	meetingMessage(kind: MeetingMessageKind): void;
}

export type GraphHandler = (ctx: GraphContext) => Promise<SandboxReply> | SandboxReply;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SandboxReply {
	return {
		status,
		headers: { 'content-type': 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8', ...headers },
		body,
	};
}

export const ok = (body: unknown, headers?: Record<string, string>): SandboxReply => json(200, body, headers);
export const created = (body: unknown, headers?: Record<string, string>): SandboxReply => json(201, body, headers);
export const noContent = (): SandboxReply => ({ status: 204 });

export function contextUrl(ctx: GraphContext, fragment: string): string {
	return `${ctx.base}/$metadata#${fragment}`;
}

/** Preference-Applied for the preferences this response honoured. */
export function preferenceApplied(ctx: GraphContext, extra: string[] = []): Record<string, string> {
	const applied = [...ctx.prefer.applied.filter((p) => !p.startsWith('odata.maxpagesize')), ...extra];
	return applied.length ? { 'preference-applied': applied.join(', ') } : {};
}
