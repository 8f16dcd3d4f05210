/** To Do: task lists and tasks (CRUD, delta, linkedResources). Lists are the mailbox's task folders. */
import type { LinkedResource, StoredFolder, StoredItem } from '../store';
import { created, noContent, ok, type GraphContext } from './context';
import { listResponse, shape, type Entry } from './collection';
import { folderDelta } from './delta';
import { badRequest, notFound } from './errors';
import { ifMatch } from './mail';
import { extendedPropertiesFrom, taskPatch } from './parse';
import { renderLinkedResource, renderTask, renderTaskList } from './render';
import type { GraphRouter } from './router';

function taskList(ctx: GraphContext, id: string): StoredFolder {
	const folder = ctx.mailbox.resolveFolder(id);
	if (!folder || folder.kind !== 'tasks') throw notFound();
	return folder;
}

function task(ctx: GraphContext, list: StoredFolder, id: string): StoredItem<'task'> {
	const item = ctx.mailbox.getItem(id);
	if (!item || item.kind !== 'task' || item.folderId !== list.id) throw notFound();
	return item as StoredItem<'task'>;
}

function expandsLinkedResources(query: URLSearchParams): boolean {
	return /linkedResources/i.test(query.get('$expand') ?? '');
}

function taskEntry(ctx: GraphContext, item: StoredItem, query: URLSearchParams = ctx.query, forceLinks = false): Entry {
	return {
		entity: renderTask(item as StoredItem<'task'>, { ...ctx.render, expandLinkedResources: forceLinks || expandsLinkedResources(query) }),
		extendedProperties: item.extendedProperties,
	};
}

function linkedResourcesFrom(ctx: GraphContext, value: unknown): LinkedResource[] {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) throw badRequest('linkedResources must be a collection.', 'invalidRequest');
	return (value as Array<Record<string, unknown>>).map((r) => ({
		id: ctx.mailbox.newId('linkedResource'),
		webUrl: typeof r.webUrl === 'string' ? r.webUrl : undefined,
		applicationName: typeof r.applicationName === 'string' ? r.applicationName : undefined,
		displayName: typeof r.displayName === 'string' ? r.displayName : undefined,
		externalId: typeof r.externalId === 'string' ? r.externalId : undefined,
	}));
}

const taskContext = (ctx: GraphContext, list: StoredFolder): string =>
	`${ctx.base}/$metadata#users('${ctx.mailbox.address}')/todo/lists('${list.id}')/tasks/$entity`;

export function registerTodo(router: GraphRouter): void {
	const listOf = (ctx: GraphContext): StoredFolder => taskList(ctx, ctx.params.list);
	router
		.get('/todo/lists/delta', (ctx) =>
			ok({
				'@odata.context': `${ctx.base}/$metadata#Collection(todoTaskList)`,
				'@odata.deltaLink': `${ctx.base}/${ctx.userPath}/todo/lists/delta?$deltatoken=${ctx.mailbox.currentSeq}`,
				value: ctx.mailbox.listFolders({ kind: 'tasks' }).map(renderTaskList),
			}),
		)
		.get('/todo/lists', (ctx) =>
			listResponse(
				ctx,
				ctx.mailbox.listFolders({ kind: 'tasks' }).map((f) => ({ entity: renderTaskList(f), extendedProperties: f.extendedProperties })),
				`users('${ctx.mailbox.address}')/todo/lists`,
			),
		)
		.post('/todo/lists', (ctx) => {
			const body = ctx.body();
			if (typeof body.displayName !== 'string' || !body.displayName.trim()) throw badRequest('The displayName property is required.', 'invalidRequest');
			const parent = ctx.mailbox.wellKnownFolder('tasks') as StoredFolder;
			const folder = ctx.mailbox.createFolder({ parentId: parent.id, displayName: body.displayName, kind: 'tasks' });
			return created({ '@odata.context': `${ctx.base}/$metadata#users('${ctx.mailbox.address}')/todo/lists/$entity`, ...renderTaskList(folder) });
		})
		.get('/todo/lists/:list', (ctx) =>
			ok({ '@odata.context': `${ctx.base}/$metadata#users('${ctx.mailbox.address}')/todo/lists/$entity`, ...renderTaskList(listOf(ctx)) }),
		)
		.patch('/todo/lists/:list', (ctx) => {
			const body = ctx.body();
			const folder = ctx.mailbox.updateFolder(listOf(ctx).id, { displayName: typeof body.displayName === 'string' ? body.displayName : undefined });
			return ok(renderTaskList(folder));
		})
		.delete('/todo/lists/:list', (ctx) => {
			const folder = listOf(ctx);
			if (folder.wellKnownName) throw badRequest('The default list cannot be deleted.', 'invalidRequest');
			ctx.mailbox.deleteFolder(folder.id);
			return noContent();
		})
		.get('/todo/lists/:list/tasks/delta', (ctx) => folderDelta(ctx, listOf(ctx), (item, query) => taskEntry(ctx, item, query), 'Collection(todoTask)'))
		.get('/todo/lists/:list/tasks', (ctx) => {
			const list = listOf(ctx);
			return listResponse(
				ctx,
				ctx.mailbox.listItems(list.id, 'task').map((t) => taskEntry(ctx, t)),
				`users('${ctx.mailbox.address}')/todo/lists('${list.id}')/tasks`,
			);
		})
		.post('/todo/lists/:list/tasks', (ctx) => {
			const list = listOf(ctx);
			const body = ctx.body();
			const data = { ...taskPatch(body), linkedResources: linkedResourcesFrom(ctx, body.linkedResources) };
			if (data.status === 'completed' && !data.completedDateTime)
				data.completedDateTime = { dateTime: ctx.mailbox.now().slice(0, 19) + '.0000000', timeZone: 'UTC' };
			const item = ctx.mailbox.createItem(list.id, 'task', data, { extendedProperties: extendedPropertiesFrom(body) });
			return created({ '@odata.context': taskContext(ctx, list), ...shape(ctx, taskEntry(ctx, item, ctx.query, data.linkedResources.length > 0)) });
		})
		.get('/todo/lists/:list/tasks/:task', (ctx) => {
			const list = listOf(ctx);
			return ok({ '@odata.context': taskContext(ctx, list), ...shape(ctx, taskEntry(ctx, task(ctx, list, ctx.params.task))) });
		})
		.patch('/todo/lists/:list/tasks/:task', (ctx) => {
			const list = listOf(ctx);
			task(ctx, list, ctx.params.task);
			const body = ctx.body();
			const patch = taskPatch(body);
			const updated = ctx.mailbox.updateItem<'task'>(
				ctx.params.task,
				(d) => {
					Object.assign(d, patch);
					for (const key of Object.keys(body)) if (body[key] === null) delete (d as Record<string, unknown>)[key];
					if (patch.status === 'completed' && !d.completedDateTime)
						d.completedDateTime = { dateTime: ctx.mailbox.now().slice(0, 19) + '.0000000', timeZone: 'UTC' };
					if (patch.status && patch.status !== 'completed') delete d.completedDateTime;
				},
				{ ifMatch: ifMatch(ctx), extendedProperties: extendedPropertiesFrom(body) },
			);
			return ok({ '@odata.context': taskContext(ctx, list), ...shape(ctx, taskEntry(ctx, updated)) });
		})
		.delete('/todo/lists/:list/tasks/:task', (ctx) => {
			const list = listOf(ctx);
			task(ctx, list, ctx.params.task);
			ctx.mailbox.deleteItem(ctx.params.task, { ifMatch: ifMatch(ctx) });
			return noContent();
		})
		.get('/todo/lists/:list/tasks/:task/linkedResources', (ctx) => {
			const list = listOf(ctx);
			const item = task(ctx, list, ctx.params.task);
			return ok({ '@odata.context': `${ctx.base}/$metadata#Collection(linkedResource)`, value: (item.data.linkedResources ?? []).map(renderLinkedResource) });
		})
		.post('/todo/lists/:list/tasks/:task/linkedResources', (ctx) => {
			const list = listOf(ctx);
			task(ctx, list, ctx.params.task);
			const [resource] = linkedResourcesFrom(ctx, [ctx.body()]);
			ctx.mailbox.updateItem<'task'>(ctx.params.task, (d) => {
				d.linkedResources = [...(d.linkedResources ?? []), resource];
			});
			return created({ '@odata.context': `${ctx.base}/$metadata#linkedResource/$entity`, ...renderLinkedResource(resource) });
		})
		.delete('/todo/lists/:list/tasks/:task/linkedResources/:resource', (ctx) => {
			const list = listOf(ctx);
			const item = task(ctx, list, ctx.params.task);
			if (!item.data.linkedResources?.some((r) => r.id === ctx.params.resource)) throw notFound();
			ctx.mailbox.updateItem<'task'>(ctx.params.task, (d) => {
				d.linkedResources = (d.linkedResources ?? []).filter((r) => r.id !== ctx.params.resource);
			});
			return noContent();
		});
}
