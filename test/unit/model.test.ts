import { hashRecord, normalizeContact, normalizeEvent, normalizeTask } from '../../lib/model';

describe('normalization', () => {
	it('trims, drops empty values and lower-cases e-mail addresses', () => {
		expect(
			normalizeContact({
				firstName: '  Anna ',
				lastName: 'Schmidt',
				email: ' Anna.Schmidt@Example.COM ',
				jobTitle: '   ',
				billingAddress: { street: '', city: ' Köln ' },
				shippingAddress: { street: ' ' },
				categories: [],
			}),
		).toEqual({ firstName: 'Anna', lastName: 'Schmidt', email: 'anna.schmidt@example.com', billingAddress: { city: 'Köln' } });
	});

	it('turns zoned date-times into UTC instants and keeps the zone', () => {
		const event = normalizeEvent({
			subject: 'Kickoff',
			start: { dateTime: '2026-03-29T09:00:00', timeZone: 'Europe/Berlin' },
			end: { dateTime: '2026-03-29T10:00:00', timeZone: 'Europe/Berlin' },
		});
		// 29 March 2026 is the first day of CEST (UTC+2)
		expect(event.start).toEqual({ dateTime: '2026-03-29T07:00:00.000Z', timeZone: 'Europe/Berlin' });
		expect(event.end.dateTime).toBe('2026-03-29T08:00:00.000Z');
	});

	it('keeps all-day events as dates without a zone', () => {
		const event = normalizeEvent({
			subject: 'Messe',
			isAllDay: true,
			start: { dateTime: '2026-10-26T00:00:00', timeZone: 'Europe/Berlin' },
			end: { dateTime: '2026-10-27', timeZone: 'Europe/Berlin' },
		});
		expect(event.start).toEqual({ dateTime: '2026-10-26' });
		expect(event.end).toEqual({ dateTime: '2026-10-27' });
	});

	it('normalizes task dates', () => {
		expect(normalizeTask({ subject: 'x', dueDate: '2026-05-01T00:00:00Z', completedAt: '2026-05-02T10:00:00+02:00' })).toEqual({
			subject: 'x',
			dueDate: '2026-05-01',
			completedAt: '2026-05-02T08:00:00.000Z',
			status: 'notStarted',
			priority: 'normal',
		});
	});
});

describe('hash', () => {
	it('is stable under key order and ignores fields outside the mapping', () => {
		const a = hashRecord({ lastName: 'A', firstName: 'B', description: 'x' }, ['firstName', 'lastName']);
		const b = hashRecord({ firstName: 'B', lastName: 'A', description: 'y' }, ['lastName', 'firstName']);
		expect(a).toBe(b);
		expect(hashRecord({ lastName: 'A' })).not.toBe(hashRecord({ lastName: 'a' }));
		expect(a).toHaveLength(11);
	});
});
