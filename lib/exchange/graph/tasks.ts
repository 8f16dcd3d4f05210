/** To Do tasks: CRUD on a task list (the pairing ident is a linked resource) and its delta. */
import type { Task } from '../../model/types';
import type { ExchangeChangePage, ExchangeError, ExchangeItem, WriteOptions } from '../types';
import { changePage, readManyByUrl, safeMap, type BatchedUpdate, type ChangeOptions, type ComponentAdapter, type InvalidItems, toItem } from './adapter';
import type { BatchResult } from './batch';
import { type GraphContext, q } from './context';
import { deltaPage, nextCursor } from './delta';
import type { GraphCollection, GraphItemBase, GraphLinkedResource, GraphTodoTask } from './graph-types';
import { identFromLinkedResources, linkedResourceFor, taskFromGraph, taskToGraph } from './mappers';
import { taskPatch } from './patch';

export class TaskAdapter implements ComponentAdapter<'task'> {
	readonly createWhat = 'Creating a task';

	constructor(private readonly ctx: GraphContext) {}

	itemsPath(listId: string): string {
		return this.ctx.tasksPath(listId);
	}

	private item(g: GraphTodoTask, folderId: string): ExchangeItem<'task'> {
		return toItem<'task'>(this.ctx, g, folderId, taskFromGraph(g), identFromLinkedResources(g.linkedResources));
	}

	async get(folderId: string, id: string): Promise<ExchangeItem<'task'>> {
		const t = await this.ctx.request<GraphTodoTask>('GET', `${this.itemsPath(folderId)}/${q(id)}?$expand=linkedResources`, 'Reading a task');
		return this.item(t, folderId);
	}

	async create(folderId: string, record: Task, ident: string | undefined): Promise<ExchangeItem<'task'>> {
		const body = { ...taskToGraph(record, { create: true }), ...(ident ? { linkedResources: [linkedResourceFor(ident)] } : {}) };
		const t = await this.ctx.request<GraphTodoTask>('POST', this.itemsPath(folderId), 'Creating a task', { body });
		return this.item({ ...t, linkedResources: t.linkedResources ?? body.linkedResources ?? [] }, folderId);
	}

	async update(folderId: string, id: string, record: Task, ident: string | undefined, options: WriteOptions): Promise<ExchangeItem<'task'>> {
		const update = this.batchedUpdate(folderId, id, record, ident, options);
		return update.result('patch', await this.ctx.batch([update.steps('patch', undefined)]));
	}

	/** One dependsOn group: the PATCH, then its links, so the links are read after the write. */
	batchedUpdate(folderId: string, id: string, record: Task, ident: string | undefined, options: WriteOptions): BatchedUpdate<'task'> {
		const headers = options.etag ? { 'If-Match': options.etag } : undefined;
		const path = `${this.itemsPath(folderId)}/${q(id)}`;
		const changed = options.changedFields;
		return {
			steps: (key) => [
				{
					id: key,
					method: 'PATCH',
					url: path,
					body: changed ? taskPatch(record, changed) : taskToGraph(record, { create: false }),
					...(headers ? { headers } : {}),
				},
				{ id: `${key}-links`, method: 'GET', url: `${path}/linkedResources`, dependsOn: [key] },
			],
			result: (key, res) => this.updatedItem(folderId, path, ident, res.get(key), res.get(`${key}-links`)),
		};
	}

	private async updatedItem(
		folderId: string,
		path: string,
		ident: string | undefined,
		patched: BatchResult | undefined,
		linksRes: BatchResult | undefined,
	): Promise<ExchangeItem<'task'>> {
		if (!patched || patched.status >= 300) throw this.ctx.batchError(patched, 'Updating a task');
		if (!linksRes || linksRes.status >= 300) throw this.ctx.batchError(linksRes, 'Reading task links');
		const t = patched.body as GraphTodoTask;
		const links = (linksRes.body as GraphCollection<GraphLinkedResource>).value;
		if (ident && identFromLinkedResources(links) !== ident) {
			const created = await this.ctx.request<GraphLinkedResource>('POST', `${path}/linkedResources`, 'Linking a task to the CRM', {
				body: linkedResourceFor(ident),
			});
			links.push(created);
		}
		return this.item({ ...t, linkedResources: links }, folderId);
	}

	getMany(folderId: string, ids: string[]): Promise<Array<ExchangeItem<'task'> | undefined | ExchangeError>> {
		return readManyByUrl(
			this.ctx,
			ids,
			(id) => `${this.itemsPath(folderId)}/${q(id)}?$expand=linkedResources`,
			(body) => this.item(body as GraphTodoTask, folderId),
			'Reading tasks',
		);
	}

	createsAlone(): boolean {
		return false;
	}

	createBody(record: Task, ident: string | undefined): Record<string, unknown> {
		return { ...taskToGraph(record, { create: true }), ...(ident ? { linkedResources: [linkedResourceFor(ident)] } : {}) };
	}

	createdItem(created: GraphItemBase, folderId: string, ident: string | undefined): ExchangeItem<'task'> {
		const t = created as GraphTodoTask;
		return this.item({ ...t, linkedResources: t.linkedResources ?? (ident ? [linkedResourceFor(ident)] : []) }, folderId);
	}

	async listChanges(folderId: string, cursor: string | undefined, options: ChangeOptions): Promise<ExchangeChangePage<'task'>> {
		const pageSize = options.pageSize ?? this.ctx.pageSize;
		const { page, full } = await deltaPage<GraphItemBase>(this.ctx, `${this.itemsPath(folderId)}/delta`, cursor, pageSize, 'Reading task changes');
		const removed = page.value.filter((v) => v['@removed']).map((v) => v.id);
		const present = page.value.filter((v) => !v['@removed']) as GraphTodoTask[];
		const invalid: InvalidItems = [];
		const items = (await this.withLinkedResources(folderId, present)).flatMap((t) => safeMap(t, invalid, () => this.item(t, folderId)));
		return changePage(items, removed, nextCursor(this.ctx, page, full), full, invalid);
	}

	/** To Do delta may not expand linkedResources; fetch them where missing. */
	private async withLinkedResources(listId: string, tasks: GraphTodoTask[]): Promise<GraphTodoTask[]> {
		const missing = tasks.filter((t) => t.linkedResources === undefined);
		if (!missing.length) return tasks;
		const res = await this.ctx.batch(
			missing.map((t, i) => [{ id: `l${i}`, method: 'GET' as const, url: `${this.itemsPath(listId)}/${q(t.id)}/linkedResources` }]),
		);
		missing.forEach((t, i) => {
			const r = res.get(`l${i}`);
			t.linkedResources = r && r.status < 300 ? (r.body as GraphCollection<GraphLinkedResource>).value : [];
		});
		return tasks;
	}
}
