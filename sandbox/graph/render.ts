/**
 * Stored items → Graph JSON, with the property names, defaults and JSON types of
 * Microsoft's examples. Times honour Prefer: outlook.timezone; bodies honour
 * Prefer: outlook.body-content-type.
 */
import { convert } from 'html-to-text';
import {
	occurrenceId,
	toIana,
	utcToLocal,
	type EventData,
	type EventException,
	type EventTimes,
	type ItemBody,
	type Mailbox,
	type StoredAttachment,
	type StoredFolder,
	type StoredItem,
} from '../store';
import type { Prefer } from './odata';

export type GraphEntity = Record<string, unknown>;

export interface RenderOptions {
	prefer: Prefer;
	mailbox: Mailbox;
	/** e.g. https://localhost:1234 (for webLink) */
	origin: string;
}

export const etag = (changeKey: string): string => `W/"${changeKey}"`;

function escapeHtml(text: string): string {
	return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

export function htmlToText(html: string): string {
	return convert(html, {
		wordwrap: false,
		selectors: [
			{ selector: 'img', format: 'skip' },
			{ selector: 'a', options: { ignoreHref: true } },
		],
	}).trim();
}

/** Exchange keeps what was written; Graph returns HTML unless text is preferred. */
export function renderBody(body: ItemBody | undefined, prefer: Prefer, defaultType: 'html' | 'text' = 'html'): ItemBody {
	const stored = body ?? { contentType: 'text', content: '' };
	const wanted = prefer.bodyContentType ?? defaultType;
	if (wanted === stored.contentType) return { ...stored };
	if (wanted === 'text') return { contentType: 'text', content: htmlToText(stored.content) };
	const html = stored.content
		? `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>${escapeHtml(stored.content).replace(/\r?\n/g, '<br>')}</body></html>`
		: '';
	return { contentType: 'html', content: html };
}

export function preview(body: ItemBody | undefined): string {
	if (!body) return '';
	const text = body.contentType === 'html' ? htmlToText(body.content) : body.content;
	return text.replace(/\s+/g, ' ').trim().slice(0, 255);
}

function outputZone(prefer: Prefer): string {
	return prefer.timeZone && toIana(prefer.timeZone) ? prefer.timeZone : 'UTC';
}

export function renderTimes(times: EventTimes, prefer: Prefer): { start: GraphEntity; end: GraphEntity } {
	const zone = outputZone(prefer);
	if (times.isAllDay) {
		return {
			start: { dateTime: `${times.start}T00:00:00.0000000`, timeZone: zone },
			end: { dateTime: `${times.end}T00:00:00.0000000`, timeZone: zone },
		};
	}
	return { start: { dateTime: utcToLocal(times.start, zone), timeZone: zone }, end: { dateTime: utcToLocal(times.end, zone), timeZone: zone } };
}

function webLink(options: RenderOptions, id: string, kind: string): string {
	return `${options.origin}/owa/?ItemID=${encodeURIComponent(id)}&exvsurl=1&viewmodel=${kind}`;
}

/** Exchange gives a named location a uniqueId (its display name) and uniqueIdType "private". */
function namedLocation(location: NonNullable<EventData['location']>): GraphEntity {
	return { locationType: 'default', uniqueId: location.displayName ?? '', uniqueIdType: 'private', address: {}, coordinates: {}, ...location };
}

const EMPTY_LOCATION = { displayName: '', locationType: 'default', uniqueIdType: 'unknown', address: {}, coordinates: {} };

// ---- folders --------------------------------------------------------------------------------

export function renderMailFolder(folder: StoredFolder, mailbox: Mailbox): GraphEntity {
	const items = mailbox.listItems(folder.id, 'message');
	return {
		id: folder.id,
		displayName: folder.displayName,
		parentFolderId: folder.parentId ?? null,
		childFolderCount: mailbox.childFolders(folder.id).length,
		unreadItemCount: items.filter((m) => !m.data.isRead).length,
		totalItemCount: items.length,
		isHidden: folder.isHidden ?? false,
	};
}

export function renderContactFolder(folder: StoredFolder): GraphEntity {
	return { id: folder.id, displayName: folder.displayName, parentFolderId: folder.parentId ?? null };
}

export function renderCalendar(folder: StoredFolder, mailbox: Mailbox): GraphEntity {
	return {
		id: folder.id,
		name: folder.displayName,
		color: 'auto',
		hexColor: '',
		isDefaultCalendar: folder.wellKnownName === 'calendar',
		changeKey: folder.changeKey,
		canShare: true,
		canViewPrivateItems: true,
		canEdit: true,
		allowedOnlineMeetingProviders: ['teamsForBusiness'],
		defaultOnlineMeetingProvider: 'teamsForBusiness',
		isTallyingResponses: true,
		isRemovable: folder.wellKnownName !== 'calendar',
		owner: { name: mailbox.owner.displayName, address: mailbox.address },
	};
}

export function renderTaskList(folder: StoredFolder): GraphEntity {
	return {
		'@odata.etag': etag(folder.changeKey),
		displayName: folder.displayName,
		isOwner: true,
		isShared: false,
		wellknownListName: folder.wellKnownName === 'tasks' ? 'defaultList' : 'none',
		id: folder.id,
	};
}

// ---- contacts -------------------------------------------------------------------------------

export function contactDisplayName(item: StoredItem<'contact'>): string {
	const d = item.data;
	return d.displayName ?? [d.givenName, d.middleName, d.surname].filter(Boolean).join(' ');
}

export function renderContact(item: StoredItem<'contact'>): GraphEntity {
	const d = item.data;
	const displayName = contactDisplayName(item);
	return {
		'@odata.etag': etag(item.changeKey),
		id: item.id,
		createdDateTime: item.createdAt,
		lastModifiedDateTime: item.modifiedAt,
		changeKey: item.changeKey,
		categories: d.categories ?? [],
		parentFolderId: item.folderId,
		birthday: d.birthday ? `${d.birthday}T11:59:00Z` : null,
		fileAs: d.fileAs ?? (d.surname && d.givenName ? `${d.surname}, ${d.givenName}` : displayName),
		displayName,
		givenName: d.givenName ?? null,
		initials: d.initials ?? null,
		middleName: d.middleName ?? null,
		nickName: d.nickName ?? null,
		surname: d.surname ?? null,
		title: d.title ?? null,
		yomiGivenName: null,
		yomiSurname: null,
		yomiCompanyName: null,
		generation: d.generation ?? null,
		imAddresses: d.imAddresses ?? [],
		jobTitle: d.jobTitle ?? null,
		companyName: d.companyName ?? null,
		department: d.department ?? null,
		officeLocation: d.officeLocation ?? null,
		profession: d.profession ?? null,
		businessHomePage: d.businessHomePage ?? null,
		assistantName: d.assistantName ?? null,
		manager: d.manager ?? null,
		mobilePhone: d.mobilePhone ?? null,
		spouseName: d.spouseName ?? null,
		personalNotes: d.personalNotes ?? null,
		children: d.children ?? [],
		emailAddresses: (d.emailAddresses ?? []).map((e) => ({ name: e.name ?? e.address, address: e.address })),
		homePhones: d.homePhones ?? [],
		businessPhones: d.businessPhones ?? [],
		homeAddress: d.homeAddress ?? {},
		businessAddress: d.businessAddress ?? {},
		otherAddress: d.otherAddress ?? {},
	};
}

// ---- events ---------------------------------------------------------------------------------

interface EventView {
	id: string;
	changeKey: string;
	createdAt: string;
	modifiedAt: string;
	type: 'singleInstance' | 'seriesMaster' | 'occurrence' | 'exception';
	seriesMasterId: string | null;
	originalStart?: string;
	times: EventTimes;
	data: EventData;
	folderId: string;
}

function masterView(item: StoredItem<'event'>): EventView {
	return {
		id: item.id,
		changeKey: item.changeKey,
		createdAt: item.createdAt,
		modifiedAt: item.modifiedAt,
		type: item.data.recurrence ? 'seriesMaster' : 'singleInstance',
		seriesMasterId: null,
		times: item.data.times,
		data: item.data,
		folderId: item.folderId,
	};
}

/** The view of one occurrence (plain or exception) of a series. */
export function instanceView(master: StoredItem<'event'>, originalStart: string, times: EventTimes, exception?: EventException): EventView {
	const { exceptions: _exceptions, recurrence: _recurrence, ...shared } = master.data;
	const overrides = exception
		? Object.fromEntries(
				Object.entries(exception).filter(
					([k]) => !['originalStart', 'deleted', 'times', 'changeKey', 'createdAt', 'modifiedAt', 'extendedProperties'].includes(k),
				),
			)
		: {};
	return {
		id: occurrenceId(master.id, originalStart),
		changeKey: exception?.changeKey || master.changeKey,
		createdAt: exception?.createdAt ?? master.createdAt,
		modifiedAt: exception?.modifiedAt ?? master.modifiedAt,
		type: exception ? 'exception' : 'occurrence',
		seriesMasterId: master.id,
		originalStart,
		times: exception?.times ?? times,
		data: { ...shared, ...overrides } as EventData,
		folderId: master.folderId,
	};
}

function renderEventView(view: EventView, options: RenderOptions): GraphEntity {
	const d = view.data;
	const { start, end } = renderTimes(view.times, options.prefer);
	const organizer = d.organizer ?? { emailAddress: { name: options.mailbox.owner.displayName, address: options.mailbox.address } };
	const isOrganizer = organizer.emailAddress.address.toLowerCase() === options.mailbox.address;
	const entity: GraphEntity = {
		'@odata.etag': etag(view.changeKey),
		id: view.id,
		createdDateTime: view.createdAt,
		lastModifiedDateTime: view.modifiedAt,
		changeKey: view.changeKey,
		categories: d.categories ?? [],
		transactionId: d.transactionId ?? null,
		originalStartTimeZone: view.times.startTimeZone,
		originalEndTimeZone: view.times.endTimeZone,
		iCalUId: d.iCalUId,
		reminderMinutesBeforeStart: d.reminderMinutesBeforeStart ?? 15,
		isReminderOn: d.isReminderOn ?? true,
		hasAttachments: false,
		subject: d.subject ?? '',
		bodyPreview: preview(d.body),
		importance: d.importance ?? 'normal',
		sensitivity: d.sensitivity ?? 'normal',
		isAllDay: view.times.isAllDay,
		isCancelled: d.isCancelled ?? false,
		isOrganizer,
		responseRequested: d.responseRequested ?? true,
		seriesMasterId: view.seriesMasterId,
		showAs: d.showAs ?? 'busy',
		type: view.type,
		webLink: webLink(options, view.id, 'ICalendarItemDetailsViewModelFactory'),
		onlineMeetingUrl: null,
		isOnlineMeeting: d.isOnlineMeeting ?? false,
		onlineMeetingProvider: 'unknown',
		allowNewTimeProposals: d.allowNewTimeProposals ?? true,
		isDraft: d.isDraft ?? false,
		hideAttendees: d.hideAttendees ?? false,
		onlineMeeting: null,
		responseStatus: { response: isOrganizer ? 'organizer' : 'notResponded', time: '0001-01-01T00:00:00Z' },
		body: renderBody(d.body, options.prefer),
		start,
		end,
		location: d.location?.displayName ? namedLocation(d.location) : { ...EMPTY_LOCATION, ...(d.location ?? {}) },
		locations: (d.locations ?? (d.location?.displayName ? [d.location] : [])).map(namedLocation),
		recurrence: view.type === 'seriesMaster' && d.recurrence ? d.recurrence : null,
		attendees: d.attendees ?? [],
		organizer,
	};
	if (view.originalStart) {
		entity.originalStart = view.times.isAllDay ? `${view.originalStart}T00:00:00Z` : view.originalStart.replace(/\.000Z$/, 'Z');
	}
	return entity;
}

export function renderEvent(item: StoredItem<'event'>, options: RenderOptions): GraphEntity {
	return renderEventView(masterView(item), options);
}

export function renderInstance(
	master: StoredItem<'event'>,
	originalStart: string,
	times: EventTimes,
	exception: EventException | undefined,
	options: RenderOptions,
): GraphEntity {
	return renderEventView(instanceView(master, originalStart, times, exception), options);
}

// ---- To Do tasks ----------------------------------------------------------------------------

export function renderTask(item: StoredItem<'task'>, options: RenderOptions & { expandLinkedResources?: boolean }): GraphEntity {
	const d = item.data;
	const entity: GraphEntity = {
		'@odata.etag': etag(item.changeKey),
		importance: d.importance ?? 'normal',
		isReminderOn: d.isReminderOn ?? false,
		status: d.status ?? 'notStarted',
		title: d.title ?? '',
		createdDateTime: item.createdAt,
		lastModifiedDateTime: item.modifiedAt,
		hasAttachments: false,
		categories: d.categories ?? [],
		id: item.id,
		body: renderBody(d.body, options.prefer, 'text'),
	};
	for (const key of ['dueDateTime', 'startDateTime', 'reminderDateTime', 'completedDateTime'] as const) {
		const value = d[key];
		if (value) entity[key] = { dateTime: value.dateTime, timeZone: value.timeZone };
	}
	if (d.recurrence) entity.recurrence = d.recurrence;
	if (options.expandLinkedResources) entity.linkedResources = (d.linkedResources ?? []).map(renderLinkedResource);
	return entity;
}

export function renderLinkedResource(resource: NonNullable<StoredItem<'task'>['data']['linkedResources']>[number]): GraphEntity {
	return {
		applicationName: resource.applicationName ?? null,
		displayName: resource.displayName ?? null,
		externalId: resource.externalId ?? null,
		id: resource.id,
		webUrl: resource.webUrl ?? null,
	};
}

// ---- messages -------------------------------------------------------------------------------

export function renderMessage(item: StoredItem<'message'>, options: RenderOptions, includeHeaders: boolean): GraphEntity {
	const d = item.data;
	const entity: GraphEntity = {
		'@odata.etag': etag(item.changeKey),
		id: item.id,
		createdDateTime: item.createdAt,
		lastModifiedDateTime: item.modifiedAt,
		changeKey: item.changeKey,
		categories: d.categories ?? [],
		receivedDateTime: d.receivedDateTime,
		sentDateTime: d.sentDateTime ?? d.receivedDateTime,
		hasAttachments: d.attachments.some((a) => !a.isInline),
		internetMessageId: d.internetMessageId ?? null,
		subject: d.subject ?? '',
		bodyPreview: d.bodyPreview,
		importance: d.importance,
		parentFolderId: item.folderId,
		conversationId: d.conversationId,
		conversationIndex: Buffer.from(d.conversationId).toString('base64').slice(0, 30),
		isDeliveryReceiptRequested: false,
		isReadReceiptRequested: false,
		isRead: d.isRead,
		isDraft: d.isDraft,
		webLink: webLink(options, item.id, 'ReadMessageItem'),
		inferenceClassification: 'focused',
		body: renderBody(d.body, options.prefer),
		sender: d.sender ?? d.from ?? null,
		from: d.from ?? null,
		toRecipients: d.toRecipients,
		ccRecipients: d.ccRecipients,
		bccRecipients: d.bccRecipients,
		replyTo: d.replyTo,
		flag: { flagStatus: 'notFlagged' },
	};
	if (includeHeaders) entity.internetMessageHeaders = d.internetMessageHeaders;
	return entity;
}

export function renderAttachment(attachment: StoredAttachment, withContent = true): GraphEntity {
	const entity: GraphEntity = {
		'@odata.type': '#microsoft.graph.fileAttachment',
		'@odata.mediaContentType': attachment.contentType,
		id: attachment.id,
		lastModifiedDateTime: attachment.lastModifiedDateTime,
		name: attachment.name,
		contentType: attachment.contentType,
		size: attachment.size,
		isInline: attachment.isInline,
		contentId: attachment.contentId ?? null,
		contentLocation: null,
	};
	if (withContent) entity.contentBytes = attachment.contentBytes;
	return entity;
}
