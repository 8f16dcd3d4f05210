import { hashRecord, normalizeEvent, type CalendarEvent, type Recurrence } from '../../lib/model';
import { buildMappingConfig, canonicalToCrm, crmToCanonical, MappingError, syncedFields } from '../../lib/mapping';

/** S20: a weekly series in Berlin across the DST switch, with one moved and one cancelled occurrence. */
const recurrence: Recurrence = {
	pattern: { type: 'weekly', interval: 1, daysOfWeek: ['saturday'] },
	range: { type: 'numbered', startDate: '2027-03-13', numberOfOccurrences: 5, recurrenceTimeZone: 'Europe/Berlin' },
	exceptions: [
		{ originalStart: '2027-04-03T12:00:00.000Z', deleted: true },
		{
			originalStart: '2027-03-20T13:00:00.000Z',
			start: { dateTime: '2027-03-20T15:00:00.000Z', timeZone: 'Europe/Berlin' },
			end: { dateTime: '2027-03-20T16:00:00.000Z', timeZone: 'Europe/Berlin' },
		},
	],
};

const series: CalendarEvent = {
	subject: 'Weekly jour fixe',
	start: { dateTime: '2027-03-13T13:00:00.000Z', timeZone: 'Europe/Berlin' },
	end: { dateTime: '2027-03-13T14:00:00.000Z', timeZone: 'Europe/Berlin' },
	recurrence,
};

describe('appointment preset: recurring series (S20)', () => {
	const config = buildMappingConfig('event', { event: { crmTimeZone: 'Europe/Berlin', enrichment: { enabled: false } } });

	it('writes the series with its exceptions into the CRM and reads it back unchanged', () => {
		const fields = canonicalToCrm('event', series, config, { creating: true });
		expect(fields).toMatchObject({ date_start: '2027-03-13', time_start: '13:00:00', recurrence: { pattern: { type: 'weekly' } } });
		const back = crmToCanonical('event', fields, config);
		expect(back.recurrence?.range).toEqual(recurrence.range);
		expect(back.recurrence?.exceptions).toHaveLength(2);
		expect(back.recurrence?.exceptions?.[0]).toMatchObject({ originalStart: '2027-03-20T13:00:00.000Z', start: { dateTime: '2027-03-20T15:00:00.000Z' } });
		expect(back.recurrence?.exceptions?.[1]).toEqual({ originalStart: '2027-04-03T12:00:00.000Z', deleted: true });
	});

	it('keeps the series in the synced fields, so both sides hash alike and a changed series is a change', () => {
		const fields = syncedFields('event', config);
		expect(fields).toContain('recurrence');
		const back = crmToCanonical('event', canonicalToCrm('event', series, config, { creating: true }), config);
		// As the Graph mapper hands it over: normalised (exceptions in order of their original start).
		const fromExchange = normalizeEvent(series);
		expect(hashRecord(back, fields)).toBe(hashRecord(fromExchange, fields));
		const single = normalizeEvent({ ...series, recurrence: undefined });
		expect(hashRecord(single, fields)).not.toBe(hashRecord(fromExchange, fields));
	});

	it('reads a series stored as JSON text and clears it when the appointment stops repeating', () => {
		const back = crmToCanonical('event', { ...canonicalToCrm('event', series, config, { creating: true }), recurrence: JSON.stringify(recurrence) }, config);
		expect(back.recurrence?.pattern).toEqual(recurrence.pattern);
		const existing = canonicalToCrm('event', series, config, { creating: true });
		expect(canonicalToCrm('event', { ...series, recurrence: undefined }, config, { existing }).recurrence).toBe('');
	});

	it('reports a field that does not hold a series as an invalid record (S12)', () => {
		const fields = { ...canonicalToCrm('event', series, config, { creating: true }), recurrence: '{not json' };
		expect(() => crmToCanonical('event', fields, config)).toThrow(MappingError);
	});

	it('S17: a private series reaches the CRM as busy blocks at the same times, without the details of moved occurrences', () => {
		const moved = { ...recurrence.exceptions![1], subject: 'Therapie', location: 'Praxis', body: 'Befund' };
		const privateSeries: CalendarEvent = {
			...series,
			subject: 'Therapie',
			location: 'Praxis',
			isPrivate: true,
			recurrence: { ...recurrence, exceptions: [recurrence.exceptions![0], moved] },
		};
		const fields = canonicalToCrm('event', privateSeries, config, { creating: true });
		expect(fields.subject).toBe('Appointment');
		expect(JSON.stringify(fields)).not.toMatch(/Therapie|Praxis|Befund/);
		const back = crmToCanonical('event', fields, config);
		expect(back.recurrence?.pattern).toEqual(recurrence.pattern);
		expect(back.recurrence?.exceptions).toEqual([
			{ originalStart: '2027-03-20T13:00:00.000Z', start: moved.start, end: moved.end },
			{ originalStart: '2027-04-03T12:00:00.000Z', deleted: true },
		]);
	});
});
