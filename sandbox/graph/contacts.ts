/** contactFolders and contacts: CRUD, delta, extended properties. */
import type { StoredFolder, StoredItem } from '../store';
import { created, noContent, ok, type GraphContext } from './context';
import { listResponse, shape, type Entry } from './collection';
import { folderDelta } from './delta';
import { badRequest, notFound } from './errors';
import { ifMatch } from './mail';
import { contactPatch, extendedPropertiesFrom } from './parse';
import { renderContact, renderContactFolder } from './render';
import type { GraphRouter } from './router';

function contactFolder(ctx: GraphContext, id: string | undefined): StoredFolder {
	const folder = id === undefined ? ctx.mailbox.wellKnownFolder('contacts') : ctx.mailbox.resolveFolder(id);
	if (!folder || folder.kind !== 'contacts') throw notFound();
	return folder;
}

function contactEntry(item: StoredItem): Entry {
	return { entity: renderContact(item as StoredItem<'contact'>), extendedProperties: item.extendedProperties };
}

function contact(ctx: GraphContext, folder: StoredFolder | undefined, id: string): StoredItem<'contact'> {
	const item = ctx.mailbox.getItem(id);
	if (!item || item.kind !== 'contact' || (folder && item.folderId !== folder.id)) throw notFound();
	return item as StoredItem<'contact'>;
}

const entityContext = (ctx: GraphContext): string => `${ctx.base}/$metadata#users('${ctx.mailbox.address}')/contacts/$entity`;

export function registerContacts(router: GraphRouter): void {
	const folderOf = (ctx: GraphContext): StoredFolder => contactFolder(ctx, ctx.params.folder);
	const list = (ctx: GraphContext) => {
		const folder = folderOf(ctx);
		return listResponse(ctx, ctx.mailbox.listItems(folder.id, 'contact').map(contactEntry), `users('${ctx.mailbox.address}')/contacts`);
	};
	const create = (ctx: GraphContext) => {
		const folder = folderOf(ctx);
		const body = ctx.body();
		const item = ctx.mailbox.createItem(folder.id, 'contact', contactPatch(body), { extendedProperties: extendedPropertiesFrom(body) });
		return created({ '@odata.context': entityContext(ctx), ...shape(ctx, contactEntry(item)) });
	};
	const get = (ctx: GraphContext) =>
		ok({ '@odata.context': entityContext(ctx), ...shape(ctx, contactEntry(contact(ctx, ctx.params.folder ? folderOf(ctx) : undefined, ctx.params.contact))) });
	const update = (ctx: GraphContext) => {
		contact(ctx, ctx.params.folder ? folderOf(ctx) : undefined, ctx.params.contact);
		const body = ctx.body();
		const patch = contactPatch(body);
		const updated = ctx.mailbox.updateItem<'contact'>(
			ctx.params.contact,
			(d) => {
				for (const [key, value] of Object.entries(patch)) (d as Record<string, unknown>)[key] = value;
				for (const key of Object.keys(body)) if (body[key] === null) delete (d as Record<string, unknown>)[key];
			},
			{ ifMatch: ifMatch(ctx), extendedProperties: extendedPropertiesFrom(body) },
		);
		return ok({ '@odata.context': entityContext(ctx), ...shape(ctx, contactEntry(updated)) });
	};
	const remove = (ctx: GraphContext) => {
		contact(ctx, ctx.params.folder ? folderOf(ctx) : undefined, ctx.params.contact);
		ctx.mailbox.deleteItem(ctx.params.contact, { ifMatch: ifMatch(ctx) });
		return noContent();
	};
	const delta = (ctx: GraphContext) => folderDelta(ctx, folderOf(ctx), (item) => contactEntry(item), 'Collection(contact)');

	router
		.get('/contactFolders', (ctx) => {
			const root = contactFolder(ctx, undefined);
			return listResponse(
				ctx,
				ctx.mailbox
					.childFolders(root.id)
					.filter((f) => f.kind === 'contacts')
					.map((f) => ({ entity: renderContactFolder(f), extendedProperties: f.extendedProperties })),
				`users('${ctx.mailbox.address}')/contactFolders`,
			);
		})
		.post('/contactFolders', (ctx) => {
			const body = ctx.body();
			if (typeof body.displayName !== 'string') throw badRequest('The displayName property is required.');
			const parent = typeof body.parentFolderId === 'string' ? contactFolder(ctx, body.parentFolderId) : contactFolder(ctx, undefined);
			const folder = ctx.mailbox.createFolder({
				parentId: parent.id,
				displayName: body.displayName,
				kind: 'contacts',
				extendedProperties: extendedPropertiesFrom(body),
			});
			return created({
				'@odata.context': `${ctx.base}/$metadata#users('${ctx.mailbox.address}')/contactFolders/$entity`,
				...shape(ctx, { entity: renderContactFolder(folder), extendedProperties: folder.extendedProperties }),
			});
		})
		.get('/contactFolders/delta', (ctx) => {
			const root = contactFolder(ctx, undefined);
			const folders = ctx.mailbox.listFolders({ kind: 'contacts' }).filter((f) => f.id !== root.id);
			return ok({
				'@odata.context': `${ctx.base}/$metadata#Collection(contactFolder)`,
				'@odata.deltaLink': `${ctx.base}/${ctx.userPath}/contactFolders/delta?$deltatoken=${ctx.mailbox.currentSeq}`,
				value: folders.map(renderContactFolder),
			});
		})
		.get('/contactFolders/:folder', (ctx) => {
			const folder = folderOf(ctx);
			return ok({
				'@odata.context': `${ctx.base}/$metadata#users('${ctx.mailbox.address}')/contactFolders/$entity`,
				...shape(ctx, { entity: renderContactFolder(folder), extendedProperties: folder.extendedProperties }),
			});
		})
		.delete('/contactFolders/:folder', (ctx) => {
			const folder = folderOf(ctx);
			ctx.mailbox.deleteFolder(folder.id);
			return noContent();
		})
		.get('/contactFolders/:folder/childFolders', (ctx) => {
			const folder = folderOf(ctx);
			return listResponse(
				ctx,
				ctx.mailbox.childFolders(folder.id).map((f) => ({ entity: renderContactFolder(f) })),
				`users('${ctx.mailbox.address}')/contactFolders('${folder.id}')/childFolders`,
			);
		})
		.get('/contacts/delta', delta)
		.get('/contacts', list)
		.post('/contacts', create)
		.get('/contacts/:contact', get)
		.patch('/contacts/:contact', update)
		.delete('/contacts/:contact', remove)
		.get('/contactFolders/:folder/contacts/delta', delta)
		.get('/contactFolders/:folder/contacts', list)
		.post('/contactFolders/:folder/contacts', create)
		.get('/contactFolders/:folder/contacts/:contact', get)
		.patch('/contactFolders/:folder/contacts/:contact', update)
		.delete('/contactFolders/:folder/contacts/:contact', remove);
}
