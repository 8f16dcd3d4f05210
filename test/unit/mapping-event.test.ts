import { readFileSync } from 'node:fs';
import path from 'node:path';

import { hashRecord, type CalendarEvent } from '../../lib/model';
import { buildMappingConfig, canonicalToCrm, crmToCanonical, isSyncedEventType, syncedFields } from '../../lib/mapping';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures');

const meeting = {
	subject: 'Quarterly review',
	date_start: '2026-03-29',
	time_start: '00:30:00',
	due_date: '2026-03-29',
	time_end: '02:00:00',
	is_allday: '0',
	location: 'Köln, Raum 4',
	description: 'Agenda: numbers',
	visibility: 'Public',
	reminder_time: '30',
	activitytype: 'Meeting',
};

describe('appointment preset (S8, S17, S19, S21, S23)', () => {
	const config = buildMappingConfig('event', { event: { crmTimeZone: 'Europe/Berlin', enrichment: { enabled: false } } });

	it('S23: reads vtiger UTC date + time as exact instants, across the DST switch', () => {
		const event = crmToCanonical('event', meeting, config);
		expect(event).toEqual({
			subject: 'Quarterly review',
			start: { dateTime: '2026-03-29T00:30:00.000Z', timeZone: 'Europe/Berlin' },
			end: { dateTime: '2026-03-29T02:00:00.000Z', timeZone: 'Europe/Berlin' },
			location: 'Köln, Raum 4',
			body: 'Agenda: numbers',
			reminderMinutes: 30,
			eventType: 'Meeting',
		});
	});

	it('S23: writes a zoned Exchange time as UTC date + time (no one-hour shift)', () => {
		// 09:00 in Berlin on the last day of summer time is 07:00 UTC, on the next Monday 08:00 UTC
		const summer = canonicalToCrm(
			'event',
			{
				subject: 'A',
				start: { dateTime: '2026-10-23T09:00:00', timeZone: 'Europe/Berlin' },
				end: { dateTime: '2026-10-23T10:00:00', timeZone: 'Europe/Berlin' },
			},
			config,
		);
		expect(summer).toMatchObject({ date_start: '2026-10-23', time_start: '07:00:00', due_date: '2026-10-23', time_end: '08:00:00' });
		const winter = canonicalToCrm(
			'event',
			{
				subject: 'A',
				start: { dateTime: '2026-10-26T09:00:00', timeZone: 'Europe/Berlin' },
				end: { dateTime: '2026-10-26T23:30:00', timeZone: 'Europe/Berlin' },
			},
			config,
		);
		expect(winter).toMatchObject({ date_start: '2026-10-26', time_start: '08:00:00', due_date: '2026-10-26', time_end: '22:30:00' });
		const lateEvening = canonicalToCrm(
			'event',
			{
				subject: 'A',
				start: { dateTime: '2026-12-31T23:30:00', timeZone: 'America/Los_Angeles' },
				end: { dateTime: '2027-01-01T00:30:00', timeZone: 'America/Los_Angeles' },
			},
			config,
		);
		expect(lateEvening).toMatchObject({ date_start: '2027-01-01', time_start: '07:30:00', due_date: '2027-01-01', time_end: '08:30:00' });
	});

	it('S23: all-day events keep their days (CRM end inclusive, canonical end exclusive)', () => {
		const crm = {
			subject: 'Trade fair',
			date_start: '2026-11-23',
			time_start: '00:00:00',
			due_date: '2026-11-25',
			time_end: '00:00:00',
			is_allday: '1',
			activitytype: 'Meeting',
			visibility: 'Public',
		};
		const event = crmToCanonical('event', crm, config);
		expect(event.isAllDay).toBe(true);
		expect(event.start).toEqual({ dateTime: '2026-11-23' });
		expect(event.end).toEqual({ dateTime: '2026-11-26' });
		expect(canonicalToCrm('event', event, config, { existing: crm })).toEqual(crm);
		const oneDay: CalendarEvent = { subject: 'Holiday', isAllDay: true, start: { dateTime: '2026-12-24' }, end: { dateTime: '2026-12-25' } };
		expect(canonicalToCrm('event', oneDay, config)).toMatchObject({ date_start: '2026-12-24', due_date: '2026-12-24', is_allday: '1' });
	});

	it('round-trips CRM → canonical → CRM to the same fields', () => {
		const event = crmToCanonical('event', meeting, config);
		const { reminder_time: _reminder, ...synced } = meeting;
		expect(canonicalToCrm('event', event, config, { existing: meeting })).toEqual(synced);
		expect(canonicalToCrm('event', event, config, { creating: true })).toEqual({ ...meeting, reminder_time: 30 });
	});

	it('S19: the reminder is set on creation only (default 15 minutes), never on update', () => {
		const fromExchange: CalendarEvent = {
			subject: 'Call back',
			start: { dateTime: '2026-11-23T09:00:00.000Z' },
			end: { dateTime: '2026-11-23T09:15:00.000Z' },
		};
		expect(canonicalToCrm('event', fromExchange, config, { creating: true }).reminder_time).toBe(15);
		expect('reminder_time' in canonicalToCrm('event', { ...fromExchange, reminderMinutes: 5 }, config, { existing: meeting })).toBe(false);
		expect(crmToCanonical('event', { ...meeting, reminder_time: '' }, config).reminderMinutes).toBe(15);
		expect(syncedFields('event', config)).not.toContain('reminderMinutes');
	});

	it('hashes only fields both sides have: the CRM event type is carried but not compared', () => {
		expect(syncedFields('event', config)).toEqual(['body', 'end', 'isAllDay', 'isPrivate', 'location', 'recurrence', 'start', 'subject']);
		const fromCrm = crmToCanonical('event', meeting, config);
		const { eventType: _type, reminderMinutes: _reminder, ...asExchangeHasIt } = fromCrm;
		expect(hashRecord(asExchangeHasIt, syncedFields('event', config))).toBe(hashRecord(fromCrm, syncedFields('event', config)));
	});

	it('S17: a private Exchange appointment reaches the CRM as a busy block without details', () => {
		const privateEvent: CalendarEvent = {
			subject: 'Doctor',
			body: 'Dr. Who, bring X-rays',
			location: 'Praxis',
			isPrivate: true,
			start: { dateTime: '2026-11-24T08:00:00.000Z' },
			end: { dateTime: '2026-11-24T09:00:00.000Z' },
		};
		expect(canonicalToCrm('event', privateEvent, config, { creating: true })).toEqual({
			subject: 'Appointment',
			date_start: '2026-11-24',
			time_start: '08:00:00',
			due_date: '2026-11-24',
			time_end: '09:00:00',
			is_allday: '0',
			visibility: 'Private',
			reminder_time: 15,
			activitytype: 'Meeting',
		});
		// an appointment that became private loses its details in the CRM
		const update = canonicalToCrm('event', privateEvent, config, { existing: meeting });
		expect(update).toMatchObject({ subject: 'Appointment', description: '', location: '', visibility: 'Private' });
	});

	it('S8: only the configured event types sync; appointments from Exchange get the default type', () => {
		expect(isSyncedEventType(meeting, config)).toBe(true);
		expect(isSyncedEventType({ ...meeting, activitytype: 'Call' }, config)).toBe(false);
		const calls = buildMappingConfig('event', { event: { syncedEventTypes: ['Meeting', 'Call'], defaultEventType: 'Call' } });
		expect(isSyncedEventType({ ...meeting, activitytype: 'call' }, calls)).toBe(true);
		const fromExchange: CalendarEvent = { subject: 'X', start: { dateTime: '2026-11-23T09:00:00Z' }, end: { dateTime: '2026-11-23T10:00:00Z' } };
		expect(canonicalToCrm('event', fromExchange, config).activitytype).toBe('Meeting');
		expect(canonicalToCrm('event', fromExchange, calls).activitytype).toBe('Call');
		// an update from Exchange keeps the CRM's type
		expect(canonicalToCrm('event', fromExchange, calls, { existing: { ...meeting, activitytype: 'Meeting' } }).activitytype).toBe('Meeting');
	});

	it('S9: an HTML body from Graph (Microsoft docs example) becomes plain text in the CRM', () => {
		const graphEvent = JSON.parse(readFileSync(path.join(FIXTURES, 'graph/docs-examples/event-get__01_response.json'), 'utf8')) as {
			body: { content: string };
		};
		const crm = canonicalToCrm(
			'event',
			{ subject: 'Orientation', body: graphEvent.body.content, start: { dateTime: '2026-11-23T09:00:00Z' }, end: { dateTime: '2026-11-23T10:00:00Z' } },
			config,
		);
		expect(crm.description).toBe('Dana, this is the time you selected for our orientation. Please bring the notes I sent you.');
	});

	it('S23: an invalid time in the CRM is a mapping error naming the fields', () => {
		expect(() => crmToCanonical('event', { ...meeting, time_start: '25:99' }, config)).toThrow(/date_start\/time_start/);
	});
});

describe('S21 appointment enrichment towards Exchange', () => {
	const config = buildMappingConfig('event', {
		event: { enrichment: { deepLinkTemplate: 'https://crm.example/index.php?module=Calendar&view=Detail&record={id}', setCategory: true } },
	});
	const related = {
		account: {
			accountname: 'Müller GmbH',
			bill_street: 'Hauptstraße 1',
			bill_code: '50667',
			bill_city: 'Köln',
			bill_country: 'Germany',
			website: 'https://mueller.example',
		},
		contact: { firstname: 'Anna', lastname: 'Schmidt', phone: '+49 221 1234-0', mobile: '+49 170 555', email: 'Anna@Mueller.example' },
	};

	it('appends category, company, address, website, contact person, remark and a deep link to the body', () => {
		const event = crmToCanonical('event', { ...meeting, remark: 'Bring the contract' }, config, { recordId: '18x42', related });
		expect(event.body).toBe(
			[
				'Agenda: numbers',
				'',
				'-- CRM --',
				'Category: Meeting',
				'Company: Müller GmbH, Hauptstraße 1, 50667 Köln, Germany',
				'Website: https://mueller.example',
				'Contact: Anna Schmidt, Phone: +49 221 1234-0, Mobile: +49 170 555, E-mail: anna@mueller.example',
				'Remark: Bring the contract',
				'Open in CRM: https://crm.example/index.php?module=Calendar&view=Detail&record=18x42',
			].join('\n'),
		);
		expect(event.categories).toEqual(['Meeting']);
		expect(syncedFields('event', config)).toContain('categories');
	});

	it('strips the enrichment block towards the CRM, so the description never grows', () => {
		const event = crmToCanonical('event', meeting, config, { recordId: '18x42', related });
		const back = canonicalToCrm('event', event, config, { existing: meeting });
		expect(back.description).toBe('Agenda: numbers');
		// also when Exchange sends the body back as HTML
		const html = `<html><body><p>Agenda: numbers</p><p>${event.body!.split('\n').slice(2).join('<br>')}</p></body></html>`;
		expect(canonicalToCrm('event', { ...event, body: html }, config).description).toBe('Agenda: numbers');
	});
});
