/** canonicalToCrm with the plan's changedFields (Issue 12 §1): updates write only the fields that changed. */
import { buildMappingConfig, canonicalToCrm } from '../../lib/mapping';
import type { CalendarEvent, Contact } from '../../lib/model/types';

const contact = (extra: Partial<Contact> = {}): Contact =>
	({ firstName: 'Erika', lastName: 'Muster', phone: '+49 1', description: 'Text', billingAddress: { street: 'A 1', city: 'Köln' }, ...extra }) as Contact;

describe('canonicalToCrm with changedFields', () => {
	const config = buildMappingConfig('contact');

	test('an update writes the changed fields and the clears of absent ones, nothing else', () => {
		const fields = canonicalToCrm('contact', contact({ phone: '+49 2' }), config, { changedFields: ['phone'] });
		expect(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== ''))).toEqual({ phone: '+49 2' });
		expect(fields).not.toHaveProperty('firstname');
		expect(fields).not.toHaveProperty('description');
		expect(fields.mobile).toBe('');
	});

	test('a nested field counts by its top-level field: the whole address is written', () => {
		const fields = canonicalToCrm('contact', contact(), config, { changedFields: ['billingAddress'] });
		expect(fields).toMatchObject({ mailingstreet: 'A 1', mailingcity: 'Köln' });
		expect(fields).not.toHaveProperty('phone');
	});

	test('without changedFields, and on creation, every mapped field is written (as before)', () => {
		expect(canonicalToCrm('contact', contact(), config)).toMatchObject({ firstname: 'Erika', lastname: 'Muster', phone: '+49 1', description: 'Text' });
		expect(canonicalToCrm('contact', contact(), config, { creating: true, changedFields: ['phone'] })).toMatchObject({ firstname: 'Erika', phone: '+49 1' });
	});

	test('S17: an appointment that turns private becomes a busy block as a whole; S19 reminder stays create-only', () => {
		const eventConfig = buildMappingConfig('event');
		const event = {
			subject: 'Dentist',
			location: 'Downtown',
			body: 'Bring papers',
			isPrivate: true,
			start: { dateTime: '2026-11-24T09:00:00', timeZone: 'UTC' },
			end: { dateTime: '2026-11-24T10:00:00', timeZone: 'UTC' },
		} as CalendarEvent;
		const turned = canonicalToCrm('event', event, eventConfig, { changedFields: ['isPrivate'] });
		expect(turned).toMatchObject({
			subject: 'Appointment',
			location: '',
			description: '',
			visibility: 'Private',
			date_start: '2026-11-24',
			time_start: '09:00:00',
		});
		expect(turned).not.toHaveProperty('reminder_time');
		const moved = canonicalToCrm('event', { ...event, start: { dateTime: '2026-11-24T11:00:00', timeZone: 'UTC' } }, eventConfig, { changedFields: ['start'] });
		expect(moved).toMatchObject({ date_start: '2026-11-24', time_start: '11:00:00' });
		expect(moved).not.toHaveProperty('subject');
		expect(moved).not.toHaveProperty('activitytype');
	});
});
