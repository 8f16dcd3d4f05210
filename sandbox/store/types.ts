/**
 * The sandbox mailbox store: one per user, shared by the Graph face and the EWS face.
 * Item payloads use Microsoft Graph's property names (the EWS face maps them to EWS
 * elements); server-managed properties (id, changeKey, times, folder) live on the envelope.
 * Everything here is plain JSON so the store can be persisted to a file.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export type FolderKind = 'mail' | 'contacts' | 'calendar' | 'tasks';
export type ItemKind = 'message' | 'contact' | 'event' | 'task';

/** Distinguished folders every mailbox has (Graph well-known names = EWS DistinguishedFolderId). */
export const WELL_KNOWN_FOLDERS = [
	'msgfolderroot',
	'inbox',
	'drafts',
	'sentitems',
	'deleteditems',
	'junkemail',
	'outbox',
	'archive',
	'contacts',
	'calendar',
	'tasks',
] as const;
export type WellKnownFolderName = (typeof WELL_KNOWN_FOLDERS)[number];

/** Single-value extended properties, keyed by canonical id (see extendedProperties.ts). */
export type ExtendedProperties = Record<string, string>;

export interface StoredFolder {
	id: string;
	kind: FolderKind;
	displayName: string;
	/** undefined only for msgfolderroot */
	parentId?: string;
	wellKnownName?: WellKnownFolderName;
	isHidden?: boolean;
	changeKey: string;
	createdAt: string;
	modifiedAt: string;
	extendedProperties: ExtendedProperties;
}

export interface EmailAddress {
	name?: string;
	address: string;
}
export interface Recipient {
	emailAddress: EmailAddress;
}
export interface ItemBody {
	contentType: 'text' | 'html';
	content: string;
}
export interface PhysicalAddress {
	street?: string;
	city?: string;
	state?: string;
	countryOrRegion?: string;
	postalCode?: string;
}

/** Graph `contact` writable properties. */
export interface ContactData {
	givenName?: string;
	middleName?: string;
	surname?: string;
	displayName?: string;
	nickName?: string;
	initials?: string;
	title?: string;
	generation?: string;
	fileAs?: string;
	jobTitle?: string;
	department?: string;
	companyName?: string;
	officeLocation?: string;
	profession?: string;
	manager?: string;
	assistantName?: string;
	spouseName?: string;
	personalNotes?: string;
	/** YYYY-MM-DD (Graph renders it as a DateTimeOffset at 00:00Z... see graph/render) */
	birthday?: string;
	businessHomePage?: string;
	emailAddresses?: EmailAddress[];
	imAddresses?: string[];
	businessPhones?: string[];
	homePhones?: string[];
	mobilePhone?: string;
	businessAddress?: PhysicalAddress;
	homeAddress?: PhysicalAddress;
	otherAddress?: PhysicalAddress;
	children?: string[];
	categories?: string[];
}

export type DayOfWeek = 'sunday' | 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday';

/** Graph `patternedRecurrence`. */
export interface PatternedRecurrence {
	pattern: {
		type: 'daily' | 'weekly' | 'absoluteMonthly' | 'relativeMonthly' | 'absoluteYearly' | 'relativeYearly';
		interval: number;
		month?: number;
		dayOfMonth?: number;
		daysOfWeek?: DayOfWeek[];
		firstDayOfWeek?: DayOfWeek;
		index?: 'first' | 'second' | 'third' | 'fourth' | 'last';
	};
	range: {
		type: 'endDate' | 'noEnd' | 'numbered';
		startDate: string;
		endDate?: string;
		recurrenceTimeZone?: string;
		numberOfOccurrences?: number;
	};
}

export interface Attendee {
	type?: 'required' | 'optional' | 'resource';
	emailAddress: EmailAddress;
	status?: { response: string; time: string };
}

export interface Location {
	displayName?: string;
	locationType?: string;
	uniqueId?: string;
	address?: PhysicalAddress;
}

/**
 * Times of an event. Timed: `start`/`end` are UTC instants (ISO with Z), the zones are what
 * the writer gave (IANA or Windows name; rendered back as originalStartTimeZone).
 * All-day: `start`/`end` are floating dates `YYYY-MM-DD` (end exclusive).
 */
export interface EventTimes {
	start: string;
	end: string;
	startTimeZone: string;
	endTimeZone: string;
	isAllDay: boolean;
}

/** Fields an exception may override (Graph lets any of them change on one occurrence). */
export interface EventOverridable {
	subject?: string;
	body?: ItemBody;
	location?: Location;
	locations?: Location[];
	categories?: string[];
	sensitivity?: 'normal' | 'personal' | 'private' | 'confidential';
	showAs?: 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';
	importance?: 'low' | 'normal' | 'high';
	isReminderOn?: boolean;
	reminderMinutesBeforeStart?: number;
	attendees?: Attendee[];
	isCancelled?: boolean;
}

export interface EventException extends Partial<EventOverridable> {
	/** UTC instant (timed) or YYYY-MM-DD (all-day) of the occurrence's original start. */
	originalStart: string;
	/** Cancelled occurrence (deleted from the series). */
	deleted?: boolean;
	times?: EventTimes;
	changeKey: string;
	createdAt: string;
	modifiedAt: string;
	extendedProperties?: ExtendedProperties;
}

/** Graph `event` writable properties (+ times, exceptions). */
export interface EventData extends EventOverridable {
	times: EventTimes;
	organizer?: Recipient;
	recurrence?: PatternedRecurrence;
	exceptions?: EventException[];
	transactionId?: string;
	iCalUId: string;
	isOnlineMeeting?: boolean;
	responseRequested?: boolean;
	allowNewTimeProposals?: boolean;
	hideAttendees?: boolean;
	isDraft?: boolean;
}

export interface DateTimeTimeZone {
	dateTime: string;
	timeZone: string;
}

export interface LinkedResource {
	id: string;
	webUrl?: string;
	applicationName?: string;
	displayName?: string;
	externalId?: string;
}

/** Graph `todoTask` writable properties. */
export interface TaskData {
	title?: string;
	body?: ItemBody;
	importance?: 'low' | 'normal' | 'high';
	status?: 'notStarted' | 'inProgress' | 'completed' | 'waitingOnOthers' | 'deferred';
	isReminderOn?: boolean;
	reminderDateTime?: DateTimeTimeZone;
	dueDateTime?: DateTimeTimeZone;
	startDateTime?: DateTimeTimeZone;
	completedDateTime?: DateTimeTimeZone;
	categories?: string[];
	recurrence?: PatternedRecurrence;
	linkedResources?: LinkedResource[];
}

export interface InternetMessageHeader {
	name: string;
	value: string;
}

export interface StoredAttachment {
	id: string;
	name: string;
	contentType: string;
	size: number;
	isInline: boolean;
	contentId?: string;
	/** base64 */
	contentBytes: string;
	lastModifiedDateTime: string;
}

/** Graph `message` properties; derived from the MIME except the mutable flags. */
export interface MessageData {
	subject?: string;
	from?: Recipient;
	sender?: Recipient;
	toRecipients: Recipient[];
	ccRecipients: Recipient[];
	bccRecipients: Recipient[];
	replyTo: Recipient[];
	body: ItemBody;
	bodyPreview: string;
	internetMessageId?: string;
	internetMessageHeaders: InternetMessageHeader[];
	sentDateTime?: string;
	receivedDateTime: string;
	conversationId: string;
	importance: 'low' | 'normal' | 'high';
	isRead: boolean;
	isDraft: boolean;
	categories?: string[];
	attachments: StoredAttachment[];
	/** RFC 5322 source, base64. */
	mime: string;
}

export interface ItemPayloads {
	message: MessageData;
	contact: ContactData;
	event: EventData;
	task: TaskData;
}

export interface StoredItem<K extends ItemKind = ItemKind> {
	id: string;
	kind: K;
	folderId: string;
	changeKey: string;
	createdAt: string;
	modifiedAt: string;
	extendedProperties: ExtendedProperties;
	data: ItemPayloads[K];
}

export type JournalEventType = 'created' | 'modified' | 'deleted' | 'moved' | 'copied' | 'newMail';

/**
 * One write in a mailbox. `seq` is mailbox-wide and strictly increasing. Folder feeds
 * (Graph delta, EWS SyncFolderItems) and EWS pull-notification events are derived from it.
 */
export interface JournalEntry {
	seq: number;
	at: string;
	type: JournalEventType;
	/** item or folder this entry is about */
	targetId: string;
	targetKind: ItemKind | 'folder';
	/** folder the target is in after the write (for a folder target: its parent) */
	folderId: string;
	/** moved: the folder it left */
	oldFolderId?: string;
	/** deleted: true when it went to Deleted Items (recoverable) rather than being purged */
	soft?: boolean;
}

/** One item's change in a folder feed. */
export interface FolderChange {
	seq: number;
	itemId: string;
	/** present: the item is in the folder now (created or updated); removed: it left */
	change: 'upsert' | 'removed';
	/** removed: 'deleted' = purged, 'changed' = still exists elsewhere (moved / soft-deleted), as Graph's @removed.reason */
	removedReason?: 'deleted' | 'changed';
	/** upsert: whether the item entered the folder after the cursor (EWS Create vs Update) */
	isNew?: boolean;
}

export class StoreError extends Error {
	constructor(
		readonly code: 'notFound' | 'conflict' | 'invalid' | 'folderExists' | 'syncStateInvalid' | 'forbidden',
		message: string,
	) {
		super(message);
		this.name = 'StoreError';
	}
}
