/**
 * Mail (C1, E9): a mail folder's change feed (SyncFolderItems, with pull notifications telling
 * where a moved message came from), one message's summary or MIME, and moving a message.
 */
import {
	BasePropertySet,
	EmailMessage,
	EmailMessageSchema,
	EventType,
	FolderId,
	Item,
	ItemId,
	ItemSchema,
	ItemView,
	PropertySet,
	SearchFilter,
} from 'ews-javascript-api';

import { ExchangeError, type MailChangePage, type MailMessageSummary } from '../types';
import { folderIdOf, type EwsContext } from './context';
import { ewsError } from './errors';
import { decodeMailCursor, encodeMailCursor, type MailCursor } from './mail-cursor';
import { instant, read, text } from './mappers/values';
import { CHANGE_CREATE, CHANGE_DELETE, syncFolderItems, syncPageSize } from './sync';

/** ExchangeService's GetEvents, which ews-javascript-api implements but leaves out of its typings. */
interface GetEventsApi {
	GetEvents(id: string, watermark: string): Promise<GetEventsResult>;
}
interface GetEventsResult {
	ItemEvents: Array<{ EventType: EventType; ItemId?: ItemId; OldParentFolderId?: FolderId }>;
	MoreEventsAvailable?: boolean;
	NewWatermark?: string;
}

function summaryProps(): PropertySet {
	return new PropertySet(BasePropertySet.IdOnly, [
		ItemSchema.ParentFolderId,
		ItemSchema.Subject,
		ItemSchema.DateTimeReceived,
		EmailMessageSchema.InternetMessageId,
		EmailMessageSchema.From,
	]);
}

function toSummary(m: Item): MailMessageSummary {
	const msg = m as EmailMessage;
	return {
		id: m.Id.UniqueId,
		folderId: read(() => m.ParentFolderId?.UniqueId) ?? '',
		internetMessageId: text(read(() => msg.InternetMessageId)),
		subject: text(read(() => m.Subject)),
		from: text(read(() => msg.From?.Address))?.toLowerCase(),
		receivedAt: instant(read(() => m.DateTimeReceived)),
	};
}

export class EwsMail {
	/** Whether the server has pull notifications; unknown until the first subscription. */
	private pullSupported: boolean | undefined;

	constructor(private readonly ctx: EwsContext) {}

	async listMessageChanges(folderId: string, cursorText: string | undefined, options: { pageSize?: number }): Promise<MailChangePage> {
		const cursor = decodeMailCursor(cursorText);
		const max = syncPageSize(options.pageSize);
		await this.pullMoves(folderId, cursor);
		const { changes, fullResync } = await syncFolderItems(this.ctx, folderId, summaryProps, max, cursor.s);
		const messages: MailMessageSummary[] = [];
		const deletedIds: string[] = [];
		for (const change of changes.GetEnumerator()) {
			const id = change.ItemId?.UniqueId;
			if (!id) continue;
			if (change.ChangeType === CHANGE_DELETE) deletedIds.push(id);
			else if (change.ChangeType === CHANGE_CREATE && change.Item) {
				const summary = toSummary(change.Item);
				summary.folderId ||= folderId;
				const from = cursor.moved?.[id];
				if (from) {
					summary.previousFolderId = from;
					delete cursor.moved?.[id];
				}
				messages.push(summary);
			}
		}
		cursor.s = changes.SyncState;
		return { messages, deletedIds, cursor: encodeMailCursor(cursor), fullResync, hasMore: changes.MoreChangesAvailable };
	}

	/** One message's summary (GetItem), as the Graph client's; undefined when it does not exist. */
	async getMessage(id: string): Promise<MailMessageSummary | undefined> {
		try {
			return toSummary(await this.ctx.call(() => Item.Bind(this.ctx.service, new ItemId(id), summaryProps())));
		} catch (e) {
			if (e instanceof ExchangeError && e.code === 'notFound') return undefined;
			throw e;
		}
	}

	async getMessageMime(id: string): Promise<Buffer> {
		const item = await this.ctx.call(() => Item.Bind(this.ctx.service, new ItemId(id), new PropertySet(BasePropertySet.IdOnly, [ItemSchema.MimeContent])));
		const content = read(() => item.MimeContent.Content);
		if (!content) throw ewsError('notFound', 'Exchange returned no MIME content for this message.');
		return Buffer.from(content, 'base64');
	}

	/**
	 * A move gives the message a new id. MoveItem returns it only "if the copy or move operation was within
	 * a single mailbox" (MoveItem operation, EWS reference), and Gromox answers a request with
	 * <ReturnNewItemIds>true</ReturnNewItemIds> with an empty <Items/>: so the message's summary is read
	 * first, and without a returned id the moved copy is found in the destination by its Internet Message-ID.
	 */
	async moveMessage(id: string, destinationFolderId: string): Promise<MailMessageSummary> {
		const before = toSummary(await this.ctx.call(() => Item.Bind(this.ctx.service, new ItemId(id), summaryProps())));
		const responses = await this.ctx.call(() => this.ctx.service.MoveItems([new ItemId(id)], folderIdOf(destinationFolderId), true));
		const newId = responses.Responses[0]?.Item?.Id?.UniqueId;
		if (newId) return toSummary(await this.ctx.call(() => Item.Bind(this.ctx.service, new ItemId(newId), summaryProps())));
		const found = before.internetMessageId ? await this.findByMessageId(destinationFolderId, before.internetMessageId) : undefined;
		if (found) return found;
		throw new ExchangeError(
			'notFound',
			`The e-mail "${before.subject ?? id}" was moved, but the server did not say where to`,
			'Exchange returned no new ID for the moved e-mail and it was not found in the destination folder by its Message-ID. Look for it there; nothing was lost.',
		);
	}

	/** The newest message with this Internet Message-ID in a folder. */
	private async findByMessageId(folderId: string, internetMessageId: string): Promise<MailMessageSummary | undefined> {
		const view = new ItemView(10);
		view.PropertySet = summaryProps();
		const page = await this.ctx.call(() =>
			this.ctx.service.FindItems(folderIdOf(folderId), new SearchFilter.IsEqualTo(EmailMessageSchema.InternetMessageId, internetMessageId), view),
		);
		const matches = page.Items.map((item) => toSummary(item)).filter((m) => m.internetMessageId === internetMessageId);
		return matches.sort((a, b) => (b.receivedAt ?? '').localeCompare(a.receivedAt ?? ''))[0];
	}

	/** Pull notifications: MovedEvents tell where a message came from (E9). Absent on some servers. */
	private async pullMoves(folderId: string, cursor: MailCursor): Promise<void> {
		if (this.pullSupported === false) return;
		const service = this.ctx.service as unknown as GetEventsApi;
		if (cursor.sub && cursor.wm) {
			try {
				for (let i = 0; i < 50; i++) {
					const events = await this.ctx.call(() => service.GetEvents(cursor.sub as string, cursor.wm as string));
					for (const ev of events.ItemEvents) {
						if (ev.EventType === EventType.Moved && ev.ItemId && ev.OldParentFolderId) {
							cursor.moved = { ...cursor.moved, [ev.ItemId.UniqueId]: ev.OldParentFolderId.UniqueId };
						}
					}
					cursor.wm = events.NewWatermark ?? cursor.wm;
					if (!events.MoreEventsAvailable) break;
				}
				return;
			} catch (e) {
				if (!(e instanceof ExchangeError) || (e.code !== 'syncStateInvalid' && e.code !== 'notFound')) throw e;
				delete cursor.sub;
				delete cursor.wm;
			}
		}
		try {
			const sub = await this.ctx.call(() =>
				this.ctx.service.SubscribeToPullNotifications([folderIdOf(folderId)], this.ctx.pullTimeout, null as unknown as string, EventType.Moved),
			);
			cursor.sub = sub.Id;
			cursor.wm = sub.Watermark;
			this.pullSupported = true;
		} catch (e) {
			// Servers without notifications (e.g. Gromox) answer with a SOAP fault: fall back to SyncFolderItems only.
			if (e instanceof ExchangeError && (e.code === 'invalid' || e.code === 'badUrl')) {
				this.pullSupported = false;
				return;
			}
			throw e;
		}
	}
}
