import { DEFAULT_REMINDER_MINUTES } from '../model/reminder';
import type { Component } from '../model/types';
import type { EventOptions, FieldPair, PicklistTable } from './types';

/** S22 contact fields, vtiger names. S10: canonical firstName is the CRM first name ("given middle"). */
export const CONTACT_PAIRS: readonly FieldPair[] = [
	{ canonical: 'firstName', crm: 'firstname', kind: 'text' },
	{ canonical: 'lastName', crm: 'lastname', kind: 'text' },
	{ canonical: 'jobTitle', crm: 'title', kind: 'text' },
	{ canonical: 'department', crm: 'department', kind: 'text' },
	{ canonical: 'description', crm: 'description', kind: 'plainText' },
	// S7: the account's name; `account.ts` turns it into the account_id link and back.
	{ canonical: 'accountName', crm: 'account_name', kind: 'text' },
	{ canonical: 'email', crm: 'email', kind: 'email' },
	{ canonical: 'otherEmail', crm: 'secondaryemail', kind: 'email' },
	{ canonical: 'phone', crm: 'phone', kind: 'text' },
	{ canonical: 'otherPhone', crm: 'otherphone', kind: 'text' },
	{ canonical: 'mobile', crm: 'mobile', kind: 'text' },
	{ canonical: 'billingAddress.street', crm: 'mailingstreet', kind: 'text' },
	{ canonical: 'billingAddress.city', crm: 'mailingcity', kind: 'text' },
	{ canonical: 'billingAddress.postalCode', crm: 'mailingzip', kind: 'text' },
	{ canonical: 'billingAddress.state', crm: 'mailingstate', kind: 'text' },
	{ canonical: 'billingAddress.country', crm: 'mailingcountry', kind: 'text' },
	{ canonical: 'shippingAddress.street', crm: 'otherstreet', kind: 'text' },
	{ canonical: 'shippingAddress.city', crm: 'othercity', kind: 'text' },
	{ canonical: 'shippingAddress.postalCode', crm: 'otherzip', kind: 'text' },
	{ canonical: 'shippingAddress.state', crm: 'otherstate', kind: 'text' },
	{ canonical: 'shippingAddress.country', crm: 'othercountry', kind: 'text' },
	{ canonical: 'birthday', crm: 'birthday', kind: 'date' },
	{ canonical: 'website', crm: 'website', kind: 'text' },
];

/** vtiger Calendar events: date_start/time_start and due_date/time_end are UTC (S23). */
export const EVENT_PAIRS: readonly FieldPair[] = [
	{ canonical: 'subject', crm: 'subject', kind: 'text' },
	{ canonical: 'start', crm: 'date_start', crmTime: 'time_start', kind: 'dateTime' },
	{ canonical: 'end', crm: 'due_date', crmTime: 'time_end', kind: 'dateTime', rangeEnd: true },
	{ canonical: 'isAllDay', crm: 'is_allday', kind: 'boolean' },
	{ canonical: 'location', crm: 'location', kind: 'text' },
	{ canonical: 'body', crm: 'description', kind: 'plainText' },
	{ canonical: 'isPrivate', crm: 'visibility', kind: 'boolean', trueValue: 'Private', falseValue: 'Public' },
	{ canonical: 'reminderMinutes', crm: 'reminder_time', kind: 'number', onCreateOnly: true },
	// S20: the series (pattern, range, moved and cancelled occurrences) in the canonical shape. vtiger's own
	// recurringtype cannot hold exceptions, so the embedded CRM keeps the whole object in one field.
	{ canonical: 'recurrence', crm: 'recurrence', kind: 'json' },
	{ canonical: 'eventType', crm: 'activitytype', kind: 'text', crmOnly: true },
];

/** vtiger Calendar tasks. */
export const TASK_PAIRS: readonly FieldPair[] = [
	{ canonical: 'subject', crm: 'subject', kind: 'text' },
	{ canonical: 'body', crm: 'description', kind: 'plainText' },
	{ canonical: 'startDate', crm: 'date_start', kind: 'date' },
	{ canonical: 'dueDate', crm: 'due_date', kind: 'date' },
	{ canonical: 'status', crm: 'taskstatus', kind: 'picklist', picklist: 'taskStatus' },
	{ canonical: 'priority', crm: 'taskpriority', kind: 'picklist', picklist: 'taskPriority' },
];

/** S11: vtiger task status and priority ⇄ Graph/EWS values. */
export const TASK_PICKLISTS: Readonly<Record<string, PicklistTable>> = {
	taskStatus: {
		entries: [
			{ crm: 'Not Started', canonical: 'notStarted' },
			{ crm: 'In Progress', canonical: 'inProgress' },
			{ crm: 'Completed', canonical: 'completed' },
			{ crm: 'Pending Input', canonical: 'waitingOnOthers' },
			{ crm: 'Deferred', canonical: 'deferred' },
			{ crm: 'Planned', canonical: 'notStarted' },
		],
		fallbackCanonical: 'notStarted',
		fallbackCrm: 'Not Started',
	},
	taskPriority: {
		entries: [
			{ crm: 'High', canonical: 'high' },
			{ crm: 'Medium', canonical: 'normal' },
			{ crm: 'Low', canonical: 'low' },
		],
		fallbackCanonical: 'normal',
		fallbackCrm: 'Medium',
	},
};

export const DEFAULT_EVENT_OPTIONS: Readonly<EventOptions> = {
	syncedEventTypes: ['Meeting'],
	privateAsBusyBlock: true,
	busySubject: 'Appointment',
	defaultReminderMinutes: DEFAULT_REMINDER_MINUTES,
	enrichment: {
		enabled: true,
		marker: '-- CRM --',
		remarkField: 'remark',
		setCategory: false,
	},
};

export const PRESET_PAIRS: Readonly<Record<Component, readonly FieldPair[]>> = {
	contact: CONTACT_PAIRS,
	event: EVENT_PAIRS,
	task: TASK_PAIRS,
};

export const PRESET_PICKLISTS: Readonly<Record<Component, Readonly<Record<string, PicklistTable>>>> = {
	contact: {},
	event: {},
	task: TASK_PICKLISTS,
};
