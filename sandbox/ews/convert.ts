/**
 * Store items (Graph-shaped data, see sandbox/store/README.md) ⇄ EWS XML elements, in the
 * element order of Microsoft's schema (types.xsd), so every response validates.
 */
import {
	extendedPropertyIdFromEws,
	localToUtc,
	parseExtendedPropertyId,
	toIana,
	toWindows,
	utcToLocal,
	occurrenceId,
	type ContactData,
	type EmailAddress,
	type EventData,
	type EventTimes,
	type ExtendedProperties,
	type ItemKind,
	type MessageData,
	type PatternedRecurrence,
	type PhysicalAddress,
	type StoredFolder,
	type StoredItem,
	type TaskData,
} from '../store';
import { timeZoneDefinitionXml } from './tzdef';
import { all, attr, child, el, esc, tel, text, type XNode } from './xml';

// ---------------------------------------------------------------- element order (types.xsd)

const ITEM_ORDER = [
	'MimeContent',
	'ItemId',
	'ParentFolderId',
	'ItemClass',
	'Subject',
	'Sensitivity',
	'Body',
	'Attachments',
	'DateTimeReceived',
	'Size',
	'Categories',
	'Importance',
	'InReplyTo',
	'IsSubmitted',
	'IsDraft',
	'IsFromMe',
	'IsResend',
	'IsUnmodified',
	'InternetMessageHeaders',
	'DateTimeSent',
	'DateTimeCreated',
	'ResponseObjects',
	'ReminderDueBy',
	'ReminderIsSet',
	'ReminderNextTime',
	'ReminderMinutesBeforeStart',
	'DisplayCc',
	'DisplayTo',
	'DisplayBcc',
	'HasAttachments',
	'ExtendedProperty',
	'Culture',
	'EffectiveRights',
	'LastModifiedName',
	'LastModifiedTime',
];
const SUB_ORDER: Record<ItemKind, string[]> = {
	message: [
		'Sender',
		'ToRecipients',
		'CcRecipients',
		'BccRecipients',
		'IsReadReceiptRequested',
		'IsDeliveryReceiptRequested',
		'ConversationIndex',
		'ConversationTopic',
		'From',
		'InternetMessageId',
		'IsRead',
	],
	contact: [
		'FileAs',
		'FileAsMapping',
		'DisplayName',
		'GivenName',
		'Initials',
		'MiddleName',
		'Nickname',
		'CompleteName',
		'CompanyName',
		'EmailAddresses',
		'AbchEmailAddresses',
		'PhysicalAddresses',
		'PhoneNumbers',
		'AssistantName',
		'Birthday',
		'BusinessHomePage',
		'Children',
		'Companies',
		'ContactSource',
		'Department',
		'Generation',
		'ImAddresses',
		'JobTitle',
		'Manager',
		'Mileage',
		'OfficeLocation',
		'PostalAddressIndex',
		'Profession',
		'SpouseName',
		'Surname',
	],
	event: [
		'UID',
		'RecurrenceId',
		'DateTimeStamp',
		'Start',
		'End',
		'OriginalStart',
		'IsAllDayEvent',
		'LegacyFreeBusyStatus',
		'Location',
		'When',
		'IsMeeting',
		'IsCancelled',
		'IsRecurring',
		'MeetingRequestWasSent',
		'IsResponseRequested',
		'CalendarItemType',
		'MyResponseType',
		'Organizer',
		'RequiredAttendees',
		'OptionalAttendees',
		'Resources',
		'InboxReminders',
		'ConflictingMeetingCount',
		'AdjacentMeetingCount',
		'ConflictingMeetings',
		'AdjacentMeetings',
		'Duration',
		'TimeZone',
		'AppointmentReplyTime',
		'AppointmentSequenceNumber',
		'AppointmentState',
		'Recurrence',
		'FirstOccurrence',
		'LastOccurrence',
		'ModifiedOccurrences',
		'DeletedOccurrences',
		'MeetingTimeZone',
		'StartTimeZone',
		'EndTimeZone',
	],
	task: [
		'ActualWork',
		'AssignedTime',
		'BillingInformation',
		'ChangeCount',
		'Companies',
		'CompleteDate',
		'Contacts',
		'DelegationState',
		'Delegator',
		'DueDate',
		'IsAssignmentEditable',
		'IsComplete',
		'IsRecurring',
		'IsTeamTask',
		'Mileage',
		'Owner',
		'PercentComplete',
		'Recurrence',
		'StartDate',
		'Status',
		'StatusDescription',
		'TotalWork',
	],
};
export const ITEM_ELEMENT: Record<ItemKind, string> = { message: 'Message', contact: 'Contact', event: 'CalendarItem', task: 'Task' };
const ITEM_CLASS: Record<ItemKind, string> = { message: 'IPM.Note', contact: 'IPM.Contact', event: 'IPM.Appointment', task: 'IPM.Task' };

function ordered(parts: Record<string, string>, order: string[]): string {
	return order.map((k) => parts[k] ?? '').join('');
}

// ---------------------------------------------------------------- small values

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const low = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** EWS xs:dateTime: UTC without fractional zeros. */
export function ewsInstant(iso: string): string {
	return new Date(iso).toISOString().replace(/\.000Z$/, 'Z');
}

function bodyXml(body: { contentType: 'text' | 'html'; content: string } | undefined): string {
	return el('t:Body', esc(body?.content ?? ''), { BodyType: body?.contentType === 'html' ? 'HTML' : 'Text' });
}

function categoriesXml(categories: string[] | undefined): string {
	return categories?.length ? el('t:Categories', categories.map((c) => tel('t:String', c)).join('')) : '';
}

function mailboxXml(a: EmailAddress | undefined): string {
	if (!a) return '';
	return el('t:Mailbox', tel('t:Name', a.name ?? a.address) + tel('t:EmailAddress', a.address) + tel('t:RoutingType', 'SMTP') + tel('t:MailboxType', 'OneOff'));
}

export function extendedPropertiesXml(props: ExtendedProperties, requested: string[] | 'all'): string {
	let out = '';
	for (const [id, value] of Object.entries(props)) {
		if (requested !== 'all' && !requested.includes(id)) continue;
		const p = parseExtendedPropertyId(id);
		if (!p) continue;
		const uri: Record<string, string | undefined> =
			p.propertyTag !== undefined
				? { PropertyTag: `0x${p.propertyTag.toString(16)}`, PropertyType: p.type }
				: p.propertyName !== undefined
					? { PropertySetId: p.propertySetId, PropertyName: p.propertyName, PropertyType: p.type }
					: ({ PropertySetId: p.propertySetId, PropertyId: p.propertyId, PropertyType: p.type } as Record<string, string | undefined>);
		out += el('t:ExtendedProperty', el('t:ExtendedFieldURI', undefined, uri) + tel('t:Value', value));
	}
	return out;
}

export function extendedIdOf(uriNode: XNode): string | undefined {
	return extendedPropertyIdFromEws({
		PropertyType: attr(uriNode, 'PropertyType') ?? '',
		PropertySetId: attr(uriNode, 'PropertySetId'),
		DistinguishedPropertySetId: attr(uriNode, 'DistinguishedPropertySetId'),
		PropertyName: attr(uriNode, 'PropertyName'),
		PropertyId: attr(uriNode, 'PropertyId'),
		PropertyTag: attr(uriNode, 'PropertyTag'),
	});
}

/** Extended properties carried by an item element in a request (CreateItem, SetItemField). */
export function extendedPropertiesFrom(itemNode: XNode): Record<string, string> {
	const out: Record<string, string> = {};
	for (const p of all(itemNode, 'ExtendedProperty')) {
		const uri = child(p, 'ExtendedFieldURI');
		const id = uri && extendedIdOf(uri);
		if (id) out[id] = text(p, 'Value') ?? '';
	}
	return out;
}

// ---------------------------------------------------------------- rendering

export interface RenderOptions {
	/** Render every property (AllProperties/Default); otherwise only ItemId + `fields`. */
	full: boolean;
	/** Element names asked for in AdditionalProperties (FieldURI local part). */
	fields: string[];
	/** canonical extended property ids asked for */
	extended: string[];
	/** GetItem returns the body; FindItem and SyncFolderItems do not. */
	withBody: boolean;
	/** override ItemId (occurrences) */
	id?: string;
}

function contactParts(d: ContactData): Record<string, string> {
	const p: Record<string, string> = {};
	p.FileAs = tel('t:FileAs', d.fileAs ?? [d.surname, d.givenName].filter(Boolean).join(', '));
	p.DisplayName = tel('t:DisplayName', d.displayName ?? [d.givenName, d.middleName, d.surname].filter(Boolean).join(' '));
	p.GivenName = tel('t:GivenName', d.givenName);
	p.Initials = tel('t:Initials', d.initials);
	p.MiddleName = tel('t:MiddleName', d.middleName);
	p.Nickname = tel('t:Nickname', d.nickName);
	p.CompanyName = tel('t:CompanyName', d.companyName);
	const emails = (d.emailAddresses ?? []).slice(0, 3);
	if (emails.length) p.EmailAddresses = el('t:EmailAddresses', emails.map((e, i) => el('t:Entry', esc(e.address), { Key: `EmailAddress${i + 1}` })).join(''));
	const addresses: Array<[string, PhysicalAddress | undefined]> = [
		['Home', d.homeAddress],
		['Business', d.businessAddress],
		['Other', d.otherAddress],
	];
	const addrXml = addresses
		.filter(([, a]) => a && Object.values(a).some((v) => v))
		.map(([key, a]) =>
			el(
				't:Entry',
				tel('t:Street', a?.street || undefined) +
					tel('t:City', a?.city || undefined) +
					tel('t:State', a?.state || undefined) +
					tel('t:CountryOrRegion', a?.countryOrRegion || undefined) +
					tel('t:PostalCode', a?.postalCode || undefined),
				{ Key: key },
			),
		)
		.join('');
	if (addrXml) p.PhysicalAddresses = el('t:PhysicalAddresses', addrXml);
	const phones: Array<[string, string | undefined]> = [
		['BusinessPhone', d.businessPhones?.[0]],
		['BusinessPhone2', d.businessPhones?.[1]],
		['HomePhone', d.homePhones?.[0]],
		['HomePhone2', d.homePhones?.[1]],
		['MobilePhone', d.mobilePhone],
	];
	const phoneXml = phones
		.filter(([, v]) => v)
		.map(([key, v]) => el('t:Entry', esc(v as string), { Key: key }))
		.join('');
	if (phoneXml) p.PhoneNumbers = el('t:PhoneNumbers', phoneXml);
	p.AssistantName = tel('t:AssistantName', d.assistantName);
	if (d.birthday) p.Birthday = tel('t:Birthday', `${d.birthday.slice(0, 10)}T00:00:00Z`);
	p.BusinessHomePage = tel('t:BusinessHomePage', d.businessHomePage);
	p.Department = tel('t:Department', d.department);
	p.Generation = tel('t:Generation', d.generation);
	p.JobTitle = tel('t:JobTitle', d.jobTitle);
	p.Manager = tel('t:Manager', d.manager);
	p.OfficeLocation = tel('t:OfficeLocation', d.officeLocation);
	p.Profession = tel('t:Profession', d.profession);
	p.SpouseName = tel('t:SpouseName', d.spouseName);
	p.Surname = tel('t:Surname', d.surname);
	return p;
}

/** Instant of an event bound: timed values are instants; all-day dates are midnight in the event's zone. */
function boundInstant(value: string, times: EventTimes, zone: string): string {
	return times.isAllDay ? ewsInstant(localToUtc(`${value}T00:00:00`, zone)) : ewsInstant(value);
}

const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function recurrenceXml(r: PatternedRecurrence): string {
	const p = r.pattern;
	const days = (p.daysOfWeek ?? []).map(cap).join(' ');
	const index = p.index ? cap(p.index) : 'First';
	let pattern: string;
	switch (p.type) {
		case 'daily':
			pattern = el('t:DailyRecurrence', tel('t:Interval', p.interval));
			break;
		case 'weekly':
			pattern = el(
				't:WeeklyRecurrence',
				tel('t:Interval', p.interval) + tel('t:DaysOfWeek', days || 'Monday') + tel('t:FirstDayOfWeek', cap(p.firstDayOfWeek ?? 'sunday')),
			);
			break;
		case 'absoluteMonthly':
			pattern = el('t:AbsoluteMonthlyRecurrence', tel('t:Interval', p.interval) + tel('t:DayOfMonth', p.dayOfMonth ?? 1));
			break;
		case 'relativeMonthly':
			pattern = el('t:RelativeMonthlyRecurrence', tel('t:Interval', p.interval) + tel('t:DaysOfWeek', days || 'Monday') + tel('t:DayOfWeekIndex', index));
			break;
		case 'absoluteYearly':
			pattern = el('t:AbsoluteYearlyRecurrence', tel('t:DayOfMonth', p.dayOfMonth ?? 1) + tel('t:Month', MONTHS[(p.month ?? 1) - 1]));
			break;
		default:
			pattern = el(
				't:RelativeYearlyRecurrence',
				tel('t:DaysOfWeek', days || 'Monday') + tel('t:DayOfWeekIndex', index) + tel('t:Month', MONTHS[(p.month ?? 1) - 1]),
			);
	}
	const range = r.range;
	const rangeXml =
		range.type === 'numbered'
			? el('t:NumberedRecurrence', tel('t:StartDate', range.startDate) + tel('t:NumberOfOccurrences', range.numberOfOccurrences ?? 1))
			: range.type === 'endDate'
				? el('t:EndDateRecurrence', tel('t:StartDate', range.startDate) + tel('t:EndDate', range.endDate ?? range.startDate))
				: el('t:NoEndRecurrence', tel('t:StartDate', range.startDate));
	return el('t:Recurrence', pattern + rangeXml);
}

function eventParts(item: StoredItem<'event'>, occurrence?: { originalStart: string }): Record<string, string> {
	const d = item.data;
	const ex = occurrence ? d.exceptions?.find((e) => e.originalStart === occurrence.originalStart) : undefined;
	const times = ex?.times ?? (occurrence ? shiftTimes(d.times, occurrence.originalStart) : d.times);
	const zone = toIana(times.startTimeZone) ?? 'UTC';
	const p: Record<string, string> = {};
	p.UID = tel('t:UID', d.iCalUId);
	p.Start = tel('t:Start', boundInstant(times.start, times, zone));
	p.End = tel('t:End', boundInstant(times.end, times, toIana(times.endTimeZone) ?? zone));
	if (occurrence) p.OriginalStart = tel('t:OriginalStart', boundInstant(occurrence.originalStart, d.times, zone));
	p.IsAllDayEvent = tel('t:IsAllDayEvent', times.isAllDay);
	p.LegacyFreeBusyStatus = tel(
		't:LegacyFreeBusyStatus',
		cap(ex?.showAs ?? d.showAs ?? 'busy')
			.replace('Oof', 'OOF')
			.replace('Unknown', 'NoData'),
	);
	const location = (ex?.location ?? d.location)?.displayName;
	p.Location = tel('t:Location', location || undefined);
	p.IsMeeting = tel('t:IsMeeting', (d.attendees?.length ?? 0) > 0);
	p.IsCancelled = tel('t:IsCancelled', d.isCancelled ?? false);
	p.IsRecurring = tel('t:IsRecurring', !!d.recurrence);
	p.MeetingRequestWasSent = tel('t:MeetingRequestWasSent', false);
	p.CalendarItemType = tel('t:CalendarItemType', occurrence ? (ex ? 'Exception' : 'Occurrence') : d.recurrence ? 'RecurringMaster' : 'Single');
	p.MyResponseType = tel('t:MyResponseType', 'Organizer');
	if (d.organizer) p.Organizer = el('t:Organizer', mailboxXml(d.organizer.emailAddress));
	const attendees = (type: string) =>
		(d.attendees ?? [])
			.filter((a) => (a.type ?? 'required') === type)
			.map((a) => el('t:Attendee', mailboxXml(a.emailAddress) + tel('t:ResponseType', 'Unknown')))
			.join('');
	if (attendees('required')) p.RequiredAttendees = el('t:RequiredAttendees', attendees('required'));
	if (attendees('optional')) p.OptionalAttendees = el('t:OptionalAttendees', attendees('optional'));
	if (attendees('resource')) p.Resources = el('t:Resources', attendees('resource'));
	if (d.recurrence && !occurrence) {
		p.Recurrence = recurrenceXml(d.recurrence);
		const modified = (d.exceptions ?? []).filter((e) => !e.deleted);
		const deleted = (d.exceptions ?? []).filter((e) => e.deleted);
		if (modified.length) {
			p.ModifiedOccurrences = el(
				't:ModifiedOccurrences',
				modified
					.map((e) => {
						const t = e.times ?? shiftTimes(d.times, e.originalStart);
						return el(
							't:Occurrence',
							el('t:ItemId', undefined, { Id: occurrenceId(item.id, e.originalStart), ChangeKey: e.changeKey || item.changeKey }) +
								tel('t:Start', boundInstant(t.start, t, zone)) +
								tel('t:End', boundInstant(t.end, t, zone)) +
								tel('t:OriginalStart', boundInstant(e.originalStart, d.times, zone)),
						);
					})
					.join(''),
			);
		}
		if (deleted.length) {
			p.DeletedOccurrences = el(
				't:DeletedOccurrences',
				deleted.map((e) => el('t:DeletedOccurrence', tel('t:Start', boundInstant(e.originalStart, d.times, zone)))).join(''),
			);
		}
	}
	p.StartTimeZone = timeZoneDefinitionXml('t:StartTimeZone', times.startTimeZone);
	p.EndTimeZone = timeZoneDefinitionXml('t:EndTimeZone', times.endTimeZone);
	return p;
}

/** Times of an unmodified occurrence: the series' times moved to its original start. */
function shiftTimes(times: EventTimes, originalStart: string): EventTimes {
	if (times.isAllDay) {
		const days = (Date.parse(times.end) - Date.parse(times.start)) / 86400000;
		const end = new Date(Date.parse(originalStart) + days * 86400000).toISOString().slice(0, 10);
		return { ...times, start: originalStart, end };
	}
	const duration = Date.parse(times.end) - Date.parse(times.start);
	return { ...times, start: originalStart, end: new Date(Date.parse(originalStart) + duration).toISOString() };
}

function taskDate(v: { dateTime: string; timeZone: string } | undefined): string | undefined {
	if (!v) return undefined;
	return ewsInstant(localToUtc(v.dateTime, v.timeZone || 'UTC'));
}

function taskParts(d: TaskData): Record<string, string> {
	const p: Record<string, string> = {};
	const status = d.status ?? 'notStarted';
	if (status === 'completed') p.CompleteDate = tel('t:CompleteDate', taskDate(d.completedDateTime));
	p.DueDate = tel('t:DueDate', taskDate(d.dueDateTime));
	p.IsComplete = tel('t:IsComplete', status === 'completed');
	p.IsRecurring = tel('t:IsRecurring', !!d.recurrence);
	p.PercentComplete = tel('t:PercentComplete', status === 'completed' ? 100 : 0);
	p.StartDate = tel('t:StartDate', taskDate(d.startDateTime));
	p.Status = tel('t:Status', cap(status));
	return p;
}

function messageParts(d: MessageData): Record<string, string> {
	const p: Record<string, string> = {};
	const list = (name: string, rs: Array<{ emailAddress: EmailAddress }>) => (rs.length ? el(name, rs.map((r) => mailboxXml(r.emailAddress)).join('')) : '');
	if (d.sender) p.Sender = el('t:Sender', mailboxXml(d.sender.emailAddress));
	p.ToRecipients = list('t:ToRecipients', d.toRecipients);
	p.CcRecipients = list('t:CcRecipients', d.ccRecipients);
	p.BccRecipients = list('t:BccRecipients', d.bccRecipients);
	if (d.from) p.From = el('t:From', mailboxXml(d.from.emailAddress));
	p.InternetMessageId = tel('t:InternetMessageId', d.internetMessageId);
	p.IsRead = tel('t:IsRead', d.isRead);
	return p;
}

/** One item as its EWS element (Contact, CalendarItem, Task, Message). */
export function renderItem(item: StoredItem, parent: StoredFolder | undefined, options: RenderOptions, occurrence?: { originalStart: string }): string {
	const kind = item.kind;
	const base: Record<string, string> = {};
	base.ItemId = el('t:ItemId', undefined, { Id: options.id ?? item.id, ChangeKey: item.changeKey });
	base.ParentFolderId = parent ? el('t:ParentFolderId', undefined, { Id: parent.id, ChangeKey: parent.changeKey }) : '';
	base.ItemClass = tel('t:ItemClass', ITEM_CLASS[kind]);
	const data = item.data as unknown as Record<string, unknown>;
	const ex =
		occurrence && kind === 'event' ? (item as StoredItem<'event'>).data.exceptions?.find((e) => e.originalStart === occurrence.originalStart) : undefined;
	const subject =
		ex?.subject ?? (kind === 'task' ? (data.title as string | undefined) : kind === 'contact' ? undefined : (data.subject as string | undefined)) ?? undefined;
	base.Subject =
		kind === 'contact'
			? tel('t:Subject', (data as ContactData).displayName ?? [(data as ContactData).givenName, (data as ContactData).surname].filter(Boolean).join(' '))
			: tel('t:Subject', subject ?? '');
	const sensitivity = ex?.sensitivity ?? (data.sensitivity as string | undefined) ?? 'normal';
	base.Sensitivity = tel('t:Sensitivity', cap(sensitivity));
	if (options.withBody) {
		if (kind === 'contact') base.Body = bodyXml({ contentType: 'text', content: (data as ContactData).personalNotes ?? '' });
		else base.Body = bodyXml((ex?.body ?? data.body) as { contentType: 'text' | 'html'; content: string } | undefined);
	}
	const received = kind === 'message' ? (data as unknown as MessageData).receivedDateTime : item.createdAt;
	base.DateTimeReceived = tel('t:DateTimeReceived', ewsInstant(received));
	base.Size = tel('t:Size', JSON.stringify(data).length);
	base.Categories = categoriesXml((ex?.categories ?? data.categories) as string[] | undefined);
	base.Importance = tel('t:Importance', cap((data.importance as string | undefined) ?? 'normal'));
	base.IsSubmitted = tel('t:IsSubmitted', false);
	base.IsDraft = tel('t:IsDraft', kind === 'message' ? (data as unknown as MessageData).isDraft : false);
	base.IsFromMe = tel('t:IsFromMe', false);
	base.IsResend = tel('t:IsResend', false);
	base.IsUnmodified = tel('t:IsUnmodified', item.createdAt === item.modifiedAt);
	if (kind === 'message' && (data as unknown as MessageData).sentDateTime)
		base.DateTimeSent = tel('t:DateTimeSent', ewsInstant((data as unknown as MessageData).sentDateTime as string));
	base.DateTimeCreated = tel('t:DateTimeCreated', ewsInstant(item.createdAt));
	if (kind === 'event') {
		const e = data as unknown as EventData;
		const on = ex?.isReminderOn ?? e.isReminderOn ?? false;
		base.ReminderIsSet = tel('t:ReminderIsSet', on);
		base.ReminderMinutesBeforeStart = tel('t:ReminderMinutesBeforeStart', ex?.reminderMinutesBeforeStart ?? e.reminderMinutesBeforeStart ?? 15);
	} else if (kind === 'task') {
		const t = data as unknown as TaskData;
		if (t.isReminderOn && t.reminderDateTime) base.ReminderDueBy = tel('t:ReminderDueBy', taskDate(t.reminderDateTime));
		base.ReminderIsSet = tel('t:ReminderIsSet', t.isReminderOn ?? false);
	}
	base.HasAttachments = tel('t:HasAttachments', kind === 'message' ? (data as unknown as MessageData).attachments.length > 0 : false);
	base.ExtendedProperty = extendedPropertiesXml(item.extendedProperties, options.extended);
	base.Culture = tel('t:Culture', 'en-US');
	base.LastModifiedTime = tel('t:LastModifiedTime', ewsInstant(item.modifiedAt));
	if (options.fields.includes('MimeContent') && kind === 'message') {
		base.MimeContent = el('t:MimeContent', (data as unknown as MessageData).mime, { CharacterSet: 'UTF-8' });
	}
	const sub =
		kind === 'contact'
			? contactParts(data as ContactData)
			: kind === 'event'
				? eventParts(item as StoredItem<'event'>, occurrence)
				: kind === 'task'
					? taskParts(data as TaskData)
					: messageParts(data as unknown as MessageData);
	let parts = { ...base, ...sub };
	if (!options.full) {
		const keep = new Set(['ItemId', 'ExtendedProperty', ...options.fields]);
		parts = Object.fromEntries(Object.entries(parts).filter(([k]) => keep.has(k)));
	}
	return el(`t:${ITEM_ELEMENT[kind]}`, ordered(parts, ITEM_ORDER) + ordered(parts, SUB_ORDER[kind]));
}

export function renderFolder(f: StoredFolder, childCount: number, totalCount: number, full: boolean): string {
	const name = f.kind === 'contacts' ? 'ContactsFolder' : f.kind === 'calendar' ? 'CalendarFolder' : f.kind === 'tasks' ? 'TasksFolder' : 'Folder';
	const cls = f.kind === 'contacts' ? 'IPF.Contact' : f.kind === 'calendar' ? 'IPF.Appointment' : f.kind === 'tasks' ? 'IPF.Task' : 'IPF.Note';
	let inner = el('t:FolderId', undefined, { Id: f.id, ChangeKey: f.changeKey });
	if (full) {
		if (f.parentId) inner += el('t:ParentFolderId', undefined, { Id: f.parentId });
		inner += tel('t:FolderClass', cls) + tel('t:DisplayName', f.displayName) + tel('t:TotalCount', totalCount) + tel('t:ChildFolderCount', childCount);
		// 'archive' is a Graph well-known name without an EWS DistinguishedFolderId counterpart
		if (f.wellKnownName && f.wellKnownName !== 'archive') inner += tel('t:DistinguishedFolderId', f.wellKnownName);
		// UnreadCount belongs to FolderType (mail and tasks folders) only
		if (name === 'Folder' || name === 'TasksFolder') inner += tel('t:UnreadCount', 0);
	}
	return el(`t:${name}`, inner);
}

// ---------------------------------------------------------------- parsing request items

function dayList(value: string | undefined): Array<'sunday' | 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday'> {
	const out: string[] = [];
	for (const token of (value ?? '').split(/\s+/).filter(Boolean)) {
		if (token === 'Weekday') out.push('monday', 'tuesday', 'wednesday', 'thursday', 'friday');
		else if (token === 'WeekendDay') out.push('saturday', 'sunday');
		else if (token === 'Day') out.push(...DAY_NAMES);
		else out.push(low(token));
	}
	return out as Array<'sunday'>;
}

/** EWS dates may carry an offset ("2014-03-08-08:00"); the date part is what counts. */
function datePart(value: string | undefined): string | undefined {
	return value ? value.slice(0, 10) : undefined;
}

export function recurrenceFrom(node: XNode | undefined, zone: string): PatternedRecurrence | undefined {
	if (!node) return undefined;
	const interval = (n: XNode) => Number(text(n, 'Interval') ?? 1) || 1;
	const month = (n: XNode) => MONTHS.indexOf(text(n, 'Month') ?? 'January') + 1;
	const index = (n: XNode) => low(text(n, 'DayOfWeekIndex') ?? 'First') as 'first';
	let pattern: PatternedRecurrence['pattern'] | undefined;
	let n: XNode | undefined;
	if ((n = child(node, 'DailyRecurrence'))) pattern = { type: 'daily', interval: interval(n) };
	else if ((n = child(node, 'WeeklyRecurrence'))) {
		pattern = {
			type: 'weekly',
			interval: interval(n),
			daysOfWeek: dayList(text(n, 'DaysOfWeek')),
			firstDayOfWeek: low(text(n, 'FirstDayOfWeek') ?? 'Sunday') as 'sunday',
		};
	} else if ((n = child(node, 'AbsoluteMonthlyRecurrence')))
		pattern = { type: 'absoluteMonthly', interval: interval(n), dayOfMonth: Number(text(n, 'DayOfMonth')) };
	else if ((n = child(node, 'RelativeMonthlyRecurrence')))
		pattern = { type: 'relativeMonthly', interval: interval(n), daysOfWeek: dayList(text(n, 'DaysOfWeek')), index: index(n) };
	else if ((n = child(node, 'AbsoluteYearlyRecurrence')))
		pattern = { type: 'absoluteYearly', interval: 1, dayOfMonth: Number(text(n, 'DayOfMonth')), month: month(n) };
	else if ((n = child(node, 'RelativeYearlyRecurrence')))
		pattern = { type: 'relativeYearly', interval: 1, daysOfWeek: dayList(text(n, 'DaysOfWeek')), index: index(n), month: month(n) };
	if (!pattern) return undefined;
	let r: XNode | undefined;
	let range: PatternedRecurrence['range'];
	if ((r = child(node, 'NumberedRecurrence')))
		range = { type: 'numbered', startDate: datePart(text(r, 'StartDate')) as string, numberOfOccurrences: Number(text(r, 'NumberOfOccurrences')) };
	else if ((r = child(node, 'EndDateRecurrence')))
		range = { type: 'endDate', startDate: datePart(text(r, 'StartDate')) as string, endDate: datePart(text(r, 'EndDate')) };
	else range = { type: 'noEnd', startDate: datePart(text(child(node, 'NoEndRecurrence'), 'StartDate')) as string };
	range.recurrenceTimeZone = toWindows(zone);
	return { pattern, range };
}

function emailsFrom(node: XNode | undefined, into: EmailAddress[] = []): EmailAddress[] {
	const out = [...into];
	for (const e of all(node, 'Entry')) {
		const i = Number((attr(e, 'Key') ?? 'EmailAddress1').replace('EmailAddress', '')) - 1;
		const address = text(e) ?? '';
		out[i] = { address, name: address };
	}
	return out.filter((e) => e && e.address);
}

/** Apply the fields present in a Contact element to Graph-shaped contact data. */
export function applyContact(d: ContactData, n: XNode): void {
	const s = (name: string) => text(n, name);
	const map: Array<[string, keyof ContactData]> = [
		['GivenName', 'givenName'],
		['MiddleName', 'middleName'],
		['Surname', 'surname'],
		['DisplayName', 'displayName'],
		['FileAs', 'fileAs'],
		['Initials', 'initials'],
		['Nickname', 'nickName'],
		['JobTitle', 'jobTitle'],
		['Department', 'department'],
		['CompanyName', 'companyName'],
		['BusinessHomePage', 'businessHomePage'],
		['OfficeLocation', 'officeLocation'],
		['Profession', 'profession'],
		['Manager', 'manager'],
		['AssistantName', 'assistantName'],
		['SpouseName', 'spouseName'],
		['Generation', 'generation'],
	];
	for (const [ews, graph] of map) if (child(n, ews)) (d as Record<string, unknown>)[graph] = s(ews);
	if (child(n, 'Body')) d.personalNotes = s('Body');
	if (child(n, 'Birthday')) d.birthday = datePart(s('Birthday'));
	if (child(n, 'Categories')) d.categories = all(child(n, 'Categories'), 'String').map((x) => text(x) ?? '');
	if (child(n, 'EmailAddresses')) d.emailAddresses = emailsFrom(child(n, 'EmailAddresses'), d.emailAddresses);
	for (const e of all(child(n, 'PhoneNumbers'), 'Entry')) {
		const v = text(e) ?? '';
		const key = attr(e, 'Key');
		const setAt = (list: string[] | undefined, i: number) => {
			const l = [...(list ?? [])];
			l[i] = v;
			return l.filter((x) => x !== undefined && x !== '');
		};
		if (key === 'BusinessPhone') d.businessPhones = setAt(d.businessPhones, 0);
		else if (key === 'BusinessPhone2') d.businessPhones = setAt(d.businessPhones, 1);
		else if (key === 'HomePhone') d.homePhones = setAt(d.homePhones, 0);
		else if (key === 'HomePhone2') d.homePhones = setAt(d.homePhones, 1);
		else if (key === 'MobilePhone') d.mobilePhone = v;
	}
	for (const e of all(child(n, 'PhysicalAddresses'), 'Entry')) {
		const key = attr(e, 'Key');
		const target: keyof ContactData = key === 'Business' ? 'businessAddress' : key === 'Home' ? 'homeAddress' : 'otherAddress';
		const current = { ...((d[target] as PhysicalAddress | undefined) ?? {}) };
		for (const [ews, graph] of [
			['Street', 'street'],
			['City', 'city'],
			['State', 'state'],
			['CountryOrRegion', 'countryOrRegion'],
			['PostalCode', 'postalCode'],
		] as const) {
			if (child(e, ews)) current[graph] = text(e, ews);
		}
		(d as Record<string, unknown>)[target] = current;
	}
}

function bodyFrom(n: XNode): { contentType: 'text' | 'html'; content: string } {
	const b = child(n, 'Body');
	return { contentType: attr(b, 'BodyType') === 'HTML' ? 'html' : 'text', content: text(b) ?? '' };
}

/** Apply the fields present in a CalendarItem element to event data (times need the zone rules). */
export function applyEvent(d: EventData, n: XNode): void {
	if (child(n, 'Subject')) d.subject = text(n, 'Subject') ?? '';
	if (child(n, 'Body')) d.body = bodyFrom(n);
	if (child(n, 'Location')) d.location = { displayName: text(n, 'Location') ?? '' };
	if (child(n, 'Categories')) d.categories = all(child(n, 'Categories'), 'String').map((x) => text(x) ?? '');
	if (child(n, 'Sensitivity')) d.sensitivity = low(text(n, 'Sensitivity') ?? 'Normal') as 'normal';
	if (child(n, 'ReminderIsSet')) d.isReminderOn = text(n, 'ReminderIsSet') === 'true';
	if (child(n, 'ReminderMinutesBeforeStart')) d.reminderMinutesBeforeStart = Number(text(n, 'ReminderMinutesBeforeStart'));
	if (child(n, 'LegacyFreeBusyStatus'))
		d.showAs = low(text(n, 'LegacyFreeBusyStatus') ?? 'Busy')
			.replace('oOF', 'oof')
			.replace('noData', 'unknown') as 'busy';
	const zoneNode = child(n, 'StartTimeZone');
	const zoneId = attr(zoneNode, 'Id') ?? text(n, 'StartTimeZoneId');
	const endZoneId = attr(child(n, 'EndTimeZone'), 'Id') ?? zoneId;
	const times: EventTimes = { ...d.times };
	if (zoneId) times.startTimeZone = zoneId;
	if (endZoneId) times.endTimeZone = endZoneId;
	const allDayText = text(n, 'IsAllDayEvent');
	if (allDayText !== undefined) times.isAllDay = allDayText === 'true';
	const zone = toIana(times.startTimeZone) ?? 'UTC';
	const instantOf = (v: string) => new Date(v).toISOString();
	const start = text(n, 'Start');
	const end = text(n, 'End');
	// Stored bounds of an all-day event are dates: the local date of the instant in the event's zone.
	if (start) times.start = times.isAllDay ? utcToLocal(instantOf(start), zone).slice(0, 10) : instantOf(start);
	else if (allDayText !== undefined && d.times.isAllDay !== times.isAllDay) times.start = convertBound(d.times.start, d.times, times, zone);
	if (end) times.end = times.isAllDay ? utcToLocal(instantOf(end), toIana(times.endTimeZone) ?? zone).slice(0, 10) : instantOf(end);
	else if (allDayText !== undefined && d.times.isAllDay !== times.isAllDay) times.end = convertBound(d.times.end, d.times, times, zone);
	d.times = times;
	if (child(n, 'Recurrence')) d.recurrence = recurrenceFrom(child(n, 'Recurrence'), times.startTimeZone);
}

function convertBound(value: string, from: EventTimes, to: EventTimes, zone: string): string {
	if (from.isAllDay && !to.isAllDay) return localToUtc(`${value}T00:00:00`, zone);
	return utcToLocal(value, zone).slice(0, 10);
}

function taskDateFrom(value: string | undefined): { dateTime: string; timeZone: string } | undefined {
	if (!value) return undefined;
	return {
		dateTime: new Date(value)
			.toISOString()
			.replace('Z', '0000')
			.replace(/\.(\d{3})0000$/, '.$10000'),
		timeZone: 'UTC',
	};
}

export function applyTask(d: TaskData, n: XNode): void {
	if (child(n, 'Subject')) d.title = text(n, 'Subject') ?? '';
	if (child(n, 'Body')) d.body = bodyFrom(n);
	if (child(n, 'Importance')) d.importance = low(text(n, 'Importance') ?? 'Normal') as 'normal';
	if (child(n, 'Status')) d.status = low(text(n, 'Status') ?? 'NotStarted') as 'notStarted';
	if (child(n, 'Categories')) d.categories = all(child(n, 'Categories'), 'String').map((x) => text(x) ?? '');
	if (child(n, 'StartDate')) d.startDateTime = taskDateFrom(text(n, 'StartDate'));
	if (child(n, 'DueDate')) d.dueDateTime = taskDateFrom(text(n, 'DueDate'));
	if (child(n, 'CompleteDate')) d.completedDateTime = taskDateFrom(text(n, 'CompleteDate'));
	if (child(n, 'ReminderIsSet')) d.isReminderOn = text(n, 'ReminderIsSet') === 'true';
	if (child(n, 'ReminderDueBy')) d.reminderDateTime = taskDateFrom(text(n, 'ReminderDueBy'));
}

/** FieldURI (e.g. "contacts:GivenName") → what DeleteItemField clears. */
export function deleteField(kind: ItemKind, data: Record<string, unknown>, fieldUri: string, index?: string): void {
	const name = fieldUri.split(':')[1] ?? fieldUri;
	const contact = data as ContactData;
	if (kind === 'contact') {
		if (name === 'PhoneNumber' && index) {
			if (index === 'BusinessPhone' && contact.businessPhones) contact.businessPhones = contact.businessPhones.slice(1);
			else if (index === 'BusinessPhone2' && contact.businessPhones) contact.businessPhones = contact.businessPhones.slice(0, 1);
			else if (index === 'HomePhone' && contact.homePhones) contact.homePhones = contact.homePhones.slice(1);
			else if (index === 'HomePhone2' && contact.homePhones) contact.homePhones = contact.homePhones.slice(0, 1);
			else if (index === 'MobilePhone') delete contact.mobilePhone;
			return;
		}
		if (name === 'EmailAddress' && index) {
			const i = Number(index.replace('EmailAddress', '')) - 1;
			const list = [...(contact.emailAddresses ?? [])];
			list.splice(i, 1);
			contact.emailAddresses = list;
			return;
		}
		if (name.startsWith('PhysicalAddress:') || (name === 'PhysicalAddress' && index)) {
			const [, part] = fieldUri.split(':').slice(1);
			const key = index ?? '';
			const target = key === 'Business' ? 'businessAddress' : key === 'Home' ? 'homeAddress' : 'otherAddress';
			const current = { ...((contact[target] as PhysicalAddress | undefined) ?? {}) } as Record<string, string | undefined>;
			const prop = { Street: 'street', City: 'city', State: 'state', CountryOrRegion: 'countryOrRegion', PostalCode: 'postalCode' }[part ?? ''];
			if (prop) delete current[prop];
			(contact as Record<string, unknown>)[target] = current;
			return;
		}
	}
	const common: Record<string, string> = {
		Subject: kind === 'task' ? 'title' : 'subject',
		Body: kind === 'contact' ? 'personalNotes' : 'body',
		Categories: 'categories',
		GivenName: 'givenName',
		MiddleName: 'middleName',
		Surname: 'surname',
		JobTitle: 'jobTitle',
		Department: 'department',
		CompanyName: 'companyName',
		Birthday: 'birthday',
		BusinessHomePage: 'businessHomePage',
		DisplayName: 'displayName',
		FileAs: 'fileAs',
		Location: 'location',
		Recurrence: 'recurrence',
		StartDate: 'startDateTime',
		DueDate: 'dueDateTime',
		CompleteDate: 'completedDateTime',
		ReminderDueBy: 'reminderDateTime',
	};
	const key = common[name];
	if (key) delete data[key];
}

/** Element name in a FieldURI ("calendar:StartTimeZone" → "StartTimeZone"; "item:Subject" → "Subject"). */
export function fieldName(uri: string): string {
	const name = uri.split(':')[1] ?? uri;
	return name === 'TimeZone' ? 'TimeZone' : name;
}

export { type MessageData };
