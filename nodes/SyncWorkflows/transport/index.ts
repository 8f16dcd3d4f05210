/**
 * n8n's public REST API (/api/v1) through the built-in `n8nApi` credential (API key + base URL), with a
 * timeout on every request and errors a non-developer understands.
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, ILoadOptionsFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { ApiWorkflow, WorkflowBody } from '../../../lib/provision';

type Ctx = IExecuteFunctions | ILoadOptionsFunctions;

export const N8N_API_CREDENTIAL = 'n8nApi';
const REQUEST_TIMEOUT_MS = 30_000;
const PAGE_SIZE = 100;
/** 100 pages of 100: far beyond any instance this is meant for, and a bound on a runaway cursor. */
const MAX_PAGES = 100;

interface FullResponse {
	statusCode: number;
	body: unknown;
}

function hintFor(status: number, path: string): { message: string; description: string } | undefined {
	if (status === 401) {
		return {
			message: 'n8n refused the API key',
			description: 'Check the API key in the n8n API credential (Settings → n8n API creates one); it may have expired or been deleted.',
		};
	}
	if (status === 403) {
		return {
			message: 'The API key may not do this',
			description: `n8n answered 403 to ${path}. Give the key the workflow scopes (read, list, create, update, delete, activate, deactivate), or use a key of a user who owns the workflows.`,
		};
	}
	if (status === 404 && path === '/workflows') {
		return {
			message: "n8n's public API is not reachable at this base URL",
			description:
				"Set the Base URL of the n8n API credential to this instance's API, e.g. http://localhost:5678/api/v1, and make sure the public API is not disabled (N8N_PUBLIC_API_DISABLED).",
		};
	}
	return undefined;
}

export async function n8nApi<T>(
	ctx: Ctx,
	method: IHttpRequestMethods,
	path: string,
	options: { body?: object; qs?: IDataObject; itemIndex?: number } = {},
): Promise<T> {
	const credentials = await ctx.getCredentials<{ baseUrl?: string; apiKey?: string }>(N8N_API_CREDENTIAL);
	const baseUrl = String(credentials.baseUrl ?? '').replace(/\/+$/, '');
	if (!baseUrl || !credentials.apiKey) {
		throw new NodeApiError(ctx.getNode(), { message: 'missing API key or base URL' } as JsonObject, {
			message: 'The n8n API credential has no API key or no base URL',
			description: 'Create an API key in n8n (Settings → n8n API) and enter it with the base URL, e.g. http://localhost:5678/api/v1.',
			itemIndex: options.itemIndex,
		});
	}
	let response: FullResponse;
	try {
		response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, N8N_API_CREDENTIAL, {
			method,
			url: `${baseUrl}${path}`,
			qs: options.qs,
			...(options.body !== undefined ? { body: options.body as IDataObject } : {}),
			json: true,
			timeout: REQUEST_TIMEOUT_MS,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as FullResponse;
	} catch (error) {
		throw new NodeApiError(ctx.getNode(), { message: error instanceof Error ? error.message : String(error) } as JsonObject, {
			message: `Could not reach n8n's public API at ${baseUrl}`,
			description: 'Check the Base URL of the n8n API credential; the request failed or took longer than 30 seconds.',
			itemIndex: options.itemIndex,
		});
	}
	if (response.statusCode >= 200 && response.statusCode < 300) return response.body as T;
	const body = response.body && typeof response.body === 'object' ? (response.body as JsonObject) : { message: String(response.body ?? '') };
	const hint = hintFor(response.statusCode, path);
	const detail = typeof body.message === 'string' ? body.message : '';
	throw new NodeApiError(ctx.getNode(), body, {
		httpCode: String(response.statusCode),
		message: hint?.message ?? `n8n answered ${response.statusCode} to ${method} ${path}${detail ? `: ${detail}` : ''}`,
		description: hint?.description ?? detail,
		itemIndex: options.itemIndex,
	});
}

export interface WorkflowListEntry extends ApiWorkflow {
	isArchived?: boolean;
}

/** Every workflow the key may read (nodes included, pinned data left out). */
export async function listWorkflows(ctx: Ctx, qs: IDataObject = {}): Promise<WorkflowListEntry[]> {
	const all: WorkflowListEntry[] = [];
	let cursor: string | undefined;
	for (let page = 0; page < MAX_PAGES; page++) {
		const result = await n8nApi<{ data: WorkflowListEntry[]; nextCursor?: string | null }>(ctx, 'GET', '/workflows', {
			qs: { limit: PAGE_SIZE, excludePinnedData: true, ...qs, ...(cursor ? { cursor } : {}) },
		});
		all.push(...result.data);
		if (!result.nextCursor) return all;
		cursor = result.nextCursor;
	}
	return all;
}

export const getWorkflow = (ctx: Ctx, id: string, itemIndex?: number) =>
	n8nApi<ApiWorkflow>(ctx, 'GET', `/workflows/${encodeURIComponent(id)}`, { qs: { excludePinnedData: true }, itemIndex });

export const createWorkflow = (ctx: Ctx, body: WorkflowBody, itemIndex: number) => n8nApi<ApiWorkflow>(ctx, 'POST', '/workflows', { body, itemIndex });

/**
 * PUT replaces name, nodes, connections and settings; `staticData` is only written when the body has it
 * (n8n 2.40.7 workflow.service update picks the fields present), so the sync state of the copy stays.
 * A published copy is re-published with the new version (publishIfActive defaults to true).
 */
export const updateWorkflow = (ctx: Ctx, id: string, body: WorkflowBody, itemIndex: number) =>
	n8nApi<ApiWorkflow>(ctx, 'PUT', `/workflows/${encodeURIComponent(id)}`, { body, itemIndex });

export const publishWorkflow = (ctx: Ctx, id: string, itemIndex: number) =>
	n8nApi<ApiWorkflow>(ctx, 'POST', `/workflows/${encodeURIComponent(id)}/publish`, { body: {}, itemIndex });

export const unpublishWorkflow = (ctx: Ctx, id: string, itemIndex: number) =>
	n8nApi<ApiWorkflow>(ctx, 'POST', `/workflows/${encodeURIComponent(id)}/unpublish`, { itemIndex });

export const deleteWorkflow = (ctx: Ctx, id: string, itemIndex: number) =>
	n8nApi<ApiWorkflow>(ctx, 'DELETE', `/workflows/${encodeURIComponent(id)}`, { itemIndex });
