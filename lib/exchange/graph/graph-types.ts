/** The subset of Microsoft Graph v1.0 resource shapes the connector reads and writes. */

export interface GraphDateTimeTimeZone {
	dateTime: string;
	timeZone?: string;
}

export interface GraphExtendedProperty {
	id: string;
	value: string;
}

export interface GraphPhysicalAddress {
	street?: string | null;
	city?: string | null;
	state?: string | null;
	countryOrRegion?: string | null;
	postalCode?: string | null;
}

export interface GraphEmailAddress {
	name?: string | null;
	address?: string | null;
}

export interface GraphItemBase {
	id: string;
	'@odata.etag'?: string;
	'@odata.type'?: string;
	'@removed'?: { reason: string };
	changeKey?: string;
	createdDateTime?: string;
	lastModifiedDateTime?: string;
	categories?: string[];
	singleValueExtendedProperties?: GraphExtendedProperty[];
}

export interface GraphContact extends GraphItemBase {
	parentFolderId?: string;
	givenName?: string | null;
	middleName?: string | null;
	surname?: string | null;
	displayName?: string | null;
	jobTitle?: string | null;
	department?: string | null;
	companyName?: string | null;
	personalNotes?: string | null;
	emailAddresses?: GraphEmailAddress[];
	businessPhones?: string[];
	homePhones?: string[];
	mobilePhone?: string | null;
	businessAddress?: GraphPhysicalAddress | null;
	homeAddress?: GraphPhysicalAddress | null;
	otherAddress?: GraphPhysicalAddress | null;
	birthday?: string | null;
	businessHomePage?: string | null;
}

export interface GraphPatternedRecurrence {
	pattern: {
		type: string;
		interval: number;
		month?: number;
		dayOfMonth?: number;
		daysOfWeek?: string[];
		firstDayOfWeek?: string;
		index?: string;
	};
	range: {
		type: string;
		startDate: string;
		endDate?: string | null;
		numberOfOccurrences?: number;
		recurrenceTimeZone?: string | null;
	};
}

export interface GraphEvent extends GraphItemBase {
	subject?: string | null;
	body?: { contentType?: string; content?: string | null } | null;
	bodyPreview?: string;
	start?: GraphDateTimeTimeZone;
	end?: GraphDateTimeTimeZone;
	originalStartTimeZone?: string | null;
	originalEndTimeZone?: string | null;
	originalStart?: string | null;
	isAllDay?: boolean;
	isCancelled?: boolean;
	location?: { displayName?: string | null } | null;
	sensitivity?: string;
	showAs?: string;
	isReminderOn?: boolean;
	reminderMinutesBeforeStart?: number;
	recurrence?: GraphPatternedRecurrence | null;
	type?: 'singleInstance' | 'occurrence' | 'exception' | 'seriesMaster';
	seriesMasterId?: string | null;
	/** Beta-era property some tenants return; ids are "OID.<masterId>.<YYYY-MM-DD>". */
	cancelledOccurrences?: string[];
	transactionId?: string;
	calendar?: { id: string };
	attendees?: unknown[];
}

export interface GraphLinkedResource {
	id?: string;
	webUrl?: string;
	applicationName?: string;
	displayName?: string;
	externalId?: string;
}

export interface GraphTodoTask extends GraphItemBase {
	title?: string | null;
	body?: { contentType?: string; content?: string | null } | null;
	status?: string;
	importance?: string;
	startDateTime?: GraphDateTimeTimeZone | null;
	dueDateTime?: GraphDateTimeTimeZone | null;
	completedDateTime?: GraphDateTimeTimeZone | null;
	reminderDateTime?: GraphDateTimeTimeZone | null;
	isReminderOn?: boolean;
	linkedResources?: GraphLinkedResource[];
}

export interface GraphMessage extends GraphItemBase {
	parentFolderId?: string;
	internetMessageId?: string;
	subject?: string | null;
	from?: { emailAddress?: GraphEmailAddress } | null;
	receivedDateTime?: string;
}

export interface GraphMailFolder {
	id: string;
	displayName: string;
	parentFolderId?: string;
	childFolderCount?: number;
}

export interface GraphCollection<T> {
	value: T[];
	'@odata.nextLink'?: string;
	'@odata.deltaLink'?: string;
}
