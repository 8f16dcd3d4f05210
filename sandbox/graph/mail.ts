/** mailFolders (+ childFolders) and messages: list, get, $value, attachments, move, delete, delta. */
import { canonicalExtendedPropertyId, type StoredFolder, type StoredItem } from '../store';
import { created, noContent, ok, preferenceApplied, type GraphContext } from './context';
import { listResponse, shape, type Entry } from './collection';
import { folderDelta } from './delta';
import { GraphError, badRequest, notFound } from './errors';
import { extendedPropertiesFrom, messagePatch } from './parse';
import { renderAttachment, renderMailFolder, renderMessage } from './render';
import type { GraphRouter } from './router';

export function mailFolder(ctx: GraphContext, idOrName: string): StoredFolder {
	const folder = ctx.mailbox.resolveFolder(idOrName);
	if (!folder || folder.kind !== 'mail') throw notFound();
	return folder;
}

function folderEntry(ctx: GraphContext, folder: StoredFolder): Entry {
	return { entity: renderMailFolder(folder, ctx.mailbox), extendedProperties: folder.extendedProperties };
}

/** PidTagMessageSize (0x0E08): Exchange computes it for every message, the MIME's size in bytes here. */
const MESSAGE_SIZE = canonicalExtendedPropertyId('Integer 0x0E08') as string;

export function messageEntry(ctx: GraphContext, item: StoredItem, query: URLSearchParams = ctx.query): Entry {
	const select = query.get('$select') ?? '';
	const message = item as StoredItem<'message'>;
	const size = Buffer.byteLength(message.data.mime, 'base64');
	return {
		entity: renderMessage(message, ctx.render, /internetMessageHeaders/i.test(select)),
		extendedProperties: { ...item.extendedProperties, [MESSAGE_SIZE]: String(size) },
	};
}

function message(ctx: GraphContext, id: string): StoredItem<'message'> {
	const item = ctx.mailbox.getItem(id);
	if (!item || item.kind !== 'message') throw notFound();
	return item as StoredItem<'message'>;
}

function createFolder(ctx: GraphContext, parent: StoredFolder) {
	const body = ctx.body();
	if (typeof body.displayName !== 'string' || !body.displayName.trim()) throw badRequest('The displayName property is required.', 'ErrorInvalidRequest');
	const folder = ctx.mailbox.createFolder({
		parentId: parent.id,
		displayName: body.displayName,
		kind: 'mail',
		isHidden: body.isHidden === true,
		extendedProperties: extendedPropertiesFrom(body),
	});
	return created({ '@odata.context': `${ctx.base}/$metadata#users('${ctx.mailbox.address}')/mailFolders/$entity`, ...shape(ctx, folderEntry(ctx, folder)) });
}

function listMessages(ctx: GraphContext, folder: StoredFolder | undefined) {
	const items = folder
		? ctx.mailbox.listItems(folder.id, 'message')
		: ctx.mailbox.listFolders({ kind: 'mail' }).flatMap((f) => ctx.mailbox.listItems(f.id, 'message'));
	const entries = items.sort((a, b) => b.data.receivedDateTime.localeCompare(a.data.receivedDateTime)).map((m) => messageEntry(ctx, m));
	return listResponse(ctx, entries, `users('${ctx.mailbox.address}')/messages`);
}

function getMessage(ctx: GraphContext) {
	const item = message(ctx, ctx.params.message);
	return ok(
		{ '@odata.context': `${ctx.base}/$metadata#users('${ctx.mailbox.address}')/messages/$entity`, ...shape(ctx, messageEntry(ctx, item)) },
		preferenceApplied(ctx),
	);
}

function mimeValue(ctx: GraphContext) {
	const item = message(ctx, ctx.params.message);
	return { status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from(item.data.mime, 'base64') };
}

function patchMessage(ctx: GraphContext) {
	const body = ctx.body();
	const patch = messagePatch(body);
	const updated = ctx.mailbox.updateItem<'message'>(
		ctx.params.message,
		(d) => {
			if (patch.isRead !== undefined) d.isRead = patch.isRead;
			if (patch.categories !== undefined) d.categories = patch.categories;
			if (patch.importance !== undefined) d.importance = patch.importance;
			if (patch.subject !== undefined && d.isDraft) d.subject = patch.subject;
		},
		{ ifMatch: ifMatch(ctx), extendedProperties: extendedPropertiesFrom(body) },
	);
	return ok({ '@odata.context': `${ctx.base}/$metadata#users('${ctx.mailbox.address}')/messages/$entity`, ...shape(ctx, messageEntry(ctx, updated)) });
}

function moveMessage(ctx: GraphContext, copy: boolean) {
	const body = ctx.body();
	if (typeof body.destinationId !== 'string') throw badRequest('The destinationId property is required.', 'ErrorInvalidRequest');
	const destination = mailFolder(ctx, body.destinationId);
	message(ctx, ctx.params.message);
	const item = copy ? ctx.mailbox.copyItem(ctx.params.message, destination.id) : ctx.mailbox.moveItem(ctx.params.message, destination.id).item;
	return created({ '@odata.context': `${ctx.base}/$metadata#users('${ctx.mailbox.address}')/messages/$entity`, ...shape(ctx, messageEntry(ctx, item)) });
}

/** If-Match: W/"<changeKey>" → changeKey; "*" → none. */
export function ifMatch(ctx: GraphContext): string | undefined {
	const header = ctx.request.headers['if-match'];
	if (!header || header === '*') return undefined;
	const m = /^(?:W\/)?"(.*)"$/.exec(header.trim());
	return m ? m[1] : header.trim();
}

function attachments(ctx: GraphContext) {
	const item = message(ctx, ctx.params.message);
	return listResponse(
		ctx,
		item.data.attachments.map((a) => ({ entity: renderAttachment(a) })),
		`users('${ctx.mailbox.address}')/messages('${item.id}')/attachments`,
	);
}

function attachment(ctx: GraphContext, raw: boolean) {
	const item = message(ctx, ctx.params.message);
	const found = item.data.attachments.find((a) => a.id === ctx.params.attachment);
	if (!found) throw notFound();
	if (raw) return { status: 200, headers: { 'content-type': found.contentType }, body: Buffer.from(found.contentBytes, 'base64') };
	return ok({
		'@odata.context': `${ctx.base}/$metadata#users('${ctx.mailbox.address}')/messages('${item.id}')/attachments/$entity`,
		...shape(ctx, { entity: renderAttachment(found) }),
	});
}

export function registerMail(router: GraphRouter): void {
	router
		.get('/mailFolders', (ctx) => {
			const root = ctx.mailbox.wellKnownFolder('msgfolderroot') as StoredFolder;
			const includeHidden = ctx.query.get('includeHiddenFolders') === 'true';
			const folders = ctx.mailbox.childFolders(root.id).filter((f) => f.kind === 'mail' && (includeHidden || !f.isHidden));
			return listResponse(
				ctx,
				folders.map((f) => folderEntry(ctx, f)),
				`users('${ctx.mailbox.address}')/mailFolders`,
			);
		})
		.post('/mailFolders', (ctx) => createFolder(ctx, ctx.mailbox.wellKnownFolder('msgfolderroot') as StoredFolder))
		.get('/mailFolders/:folder', (ctx) =>
			ok({
				'@odata.context': `${ctx.base}/$metadata#users('${ctx.mailbox.address}')/mailFolders/$entity`,
				...shape(ctx, folderEntry(ctx, mailFolder(ctx, ctx.params.folder))),
			}),
		)
		.patch('/mailFolders/:folder', (ctx) => {
			const folder = mailFolder(ctx, ctx.params.folder);
			const body = ctx.body();
			const updated = ctx.mailbox.updateFolder(folder.id, {
				displayName: typeof body.displayName === 'string' ? body.displayName : undefined,
				extendedProperties: extendedPropertiesFrom(body),
			});
			return ok(shape(ctx, folderEntry(ctx, updated)));
		})
		.delete('/mailFolders/:folder', (ctx) => {
			const folder = mailFolder(ctx, ctx.params.folder);
			if (folder.wellKnownName) throw new GraphError(403, 'ErrorDeleteDistinguishedFolder', 'Distinguished folders cannot be deleted.');
			ctx.mailbox.deleteFolder(folder.id);
			return noContent();
		})
		.get('/mailFolders/:folder/childFolders', (ctx) => {
			const folder = mailFolder(ctx, ctx.params.folder);
			const includeHidden = ctx.query.get('includeHiddenFolders') === 'true';
			const folders = ctx.mailbox.childFolders(folder.id).filter((f) => f.kind === 'mail' && (includeHidden || !f.isHidden));
			return listResponse(
				ctx,
				folders.map((f) => folderEntry(ctx, f)),
				`users('${ctx.mailbox.address}')/mailFolders('${folder.id}')/childFolders`,
			);
		})
		.post('/mailFolders/:folder/childFolders', (ctx) => createFolder(ctx, mailFolder(ctx, ctx.params.folder)))
		.get('/mailFolders/:folder/childFolders/:child', (ctx) => {
			const child = mailFolder(ctx, ctx.params.child);
			if (child.parentId !== mailFolder(ctx, ctx.params.folder).id) throw notFound();
			return ok(shape(ctx, folderEntry(ctx, child)));
		})
		.get('/mailFolders/:folder/messages/delta', (ctx) =>
			folderDelta(ctx, mailFolder(ctx, ctx.params.folder), (item, query) => messageEntry(ctx, item, query), 'Collection(message)'),
		)
		.get('/mailFolders/:folder/messages', (ctx) => listMessages(ctx, mailFolder(ctx, ctx.params.folder)))
		.post('/mailFolders/:folder/messages', async (ctx) => {
			const folder = mailFolder(ctx, ctx.params.folder);
			const mime = mimeFromRequest(ctx);
			const item = await ctx.mailbox.createMessage(folder.id, mime, { isDraft: folder.wellKnownName === 'drafts' });
			return created(shape(ctx, messageEntry(ctx, item)));
		})
		.get('/mailFolders/:folder/messages/:message', getMessage)
		.get('/messages', (ctx) => listMessages(ctx, undefined))
		.get('/messages/:message', getMessage)
		.patch('/messages/:message', patchMessage)
		.delete('/messages/:message', (ctx) => {
			message(ctx, ctx.params.message);
			ctx.mailbox.deleteItem(ctx.params.message, { ifMatch: ifMatch(ctx), soft: true });
			return noContent();
		})
		.get('/messages/:message/$value', mimeValue)
		.get('/mailFolders/:folder/messages/:message/$value', mimeValue)
		.post('/messages/:message/move', (ctx) => moveMessage(ctx, false))
		.post('/messages/:message/copy', (ctx) => moveMessage(ctx, true))
		.get('/messages/:message/attachments', attachments)
		.get('/messages/:message/attachments/:attachment', (ctx) => attachment(ctx, false))
		.get('/messages/:message/attachments/:attachment/$value', (ctx) => attachment(ctx, true));
}

/** POST …/messages with Content-Type text/plain and a base64 MIME body (Graph's MIME create). */
function mimeFromRequest(ctx: GraphContext): Buffer {
	const type = String(ctx.request.headers['content-type'] ?? '');
	if (!/^text\/plain/i.test(type))
		throw badRequest('The sandbox creates messages from MIME only: send the base64 MIME with Content-Type: text/plain.', 'ErrorMimeContentInvalid');
	const mime = Buffer.from(ctx.request.body.toString('utf8').trim(), 'base64');
	if (!mime.length) throw new GraphError(400, 'ErrorMimeContentInvalid', 'The MIME content is not valid base64.');
	return mime;
}
