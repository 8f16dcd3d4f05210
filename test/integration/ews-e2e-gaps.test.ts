/**
 * EWS gaps the end-to-end sync over EWS ran into (test/e2e/ews-sync.test.ts), each checked here on
 * its own against the sandbox over real HTTP on 127.0.0.1:
 * - a series with a moved and a cancelled occurrence written through EWS (S20): the client writes the
 *   exceptions on the occurrences (OccurrenceItemId by InstanceIndex), the sandbox resolves those;
 * - the sandbox counts EWS calls per mailbox and operation, so tests can tell reads from writes.
 */
import { DateTime } from 'luxon';

import { EwsExchangeClient } from '../../lib/exchange/ews/client';
import type { CalendarEvent } from '../../lib/model/types';
import type { EventData } from '../../sandbox/store';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';

const ANNA = 'anna@contoso.example';

let sb: TestSandbox;
let ews: EwsExchangeClient;

beforeAll(async () => {
	sb = await startTestSandbox();
	ews = new EwsExchangeClient({ url: sb.ewsUrl, auth: { type: 'basic', username: ANNA, password: sb.users[0].password }, mailbox: ANNA });
});

afterAll(async () => {
	ews?.service.XHRApi.disconnect();
	await sb?.stop();
});

beforeEach(async () => {
	await sb.control.reset();
});

const firstMonday = DateTime.utc().startOf('day').plus({ weeks: 2 }).startOf('week');
const berlin = (weeks: number, time: string) =>
	DateTime.fromISO(`${firstMonday.plus({ weeks }).toISODate()}T${time}`, { zone: 'Europe/Berlin' })
		.toUTC()
		.toISO() as string;

function weeklySeries(exceptions: NonNullable<CalendarEvent['recurrence']>['exceptions']): CalendarEvent {
	return {
		subject: 'Jour fixe',
		start: { dateTime: berlin(0, '14:00'), timeZone: 'Europe/Berlin' },
		end: { dateTime: berlin(0, '15:00'), timeZone: 'Europe/Berlin' },
		recurrence: {
			pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] },
			range: { type: 'numbered', startDate: firstMonday.toISODate() as string, numberOfOccurrences: 5, recurrenceTimeZone: 'Europe/Berlin' },
			exceptions,
		},
	};
}

const moved = {
	originalStart: berlin(1, '14:00'),
	start: { dateTime: berlin(1, '16:00'), timeZone: 'Europe/Berlin' },
	end: { dateTime: berlin(1, '17:00'), timeZone: 'Europe/Berlin' },
};
const cancelled = { originalStart: berlin(3, '14:00'), deleted: true };

describe('EWS: series exceptions are written on the occurrences (S20)', () => {
	it('creates a series with a moved and a cancelled occurrence, and cancels one more on update', async () => {
		const { event: folderId } = await ews.ensureSyncFolders({ components: ['event'] });
		const created = await ews.create('event', folderId as string, weeklySeries([moved, cancelled]), 'crm:events:1');

		expect(created.record.recurrence?.exceptions).toEqual(
			expect.arrayContaining([
				cancelled,
				expect.objectContaining({ originalStart: moved.originalStart, start: expect.objectContaining({ dateTime: moved.start.dateTime }) }),
			]),
		);
		expect(created.record.recurrence?.exceptions).toHaveLength(2);
		// The mailbox itself (not our mapper) holds them: a cancelled and a moved occurrence.
		const stored = sb.sandbox.store.mailbox(ANNA).getItem(created.id)?.data as EventData;
		expect(stored.exceptions?.map((e) => ({ originalStart: e.originalStart, deleted: e.deleted === true }))).toEqual(
			expect.arrayContaining([
				{ originalStart: moved.originalStart, deleted: false },
				{ originalStart: cancelled.originalStart, deleted: true },
			]),
		);

		const last = { originalStart: berlin(4, '14:00'), deleted: true };
		const updated = await ews.update('event', folderId as string, created.id, weeklySeries([moved, cancelled, last]), 'crm:events:1', { etag: created.etag });
		expect(updated.record.recurrence?.exceptions).toEqual(expect.arrayContaining([cancelled, last]));
		expect(updated.record.recurrence?.exceptions).toHaveLength(3);
		// Writing the same exceptions again (an occurrence already cancelled) is not an error.
		const again = await ews.update('event', folderId as string, created.id, weeklySeries([moved, cancelled, last]), 'crm:events:1');
		expect(again.record.recurrence?.exceptions).toHaveLength(3);
	});

	it('the sandbox resolves OccurrenceItemId by InstanceIndex and refuses a cancelled or out-of-range one', async () => {
		const { event: folderId } = await ews.ensureSyncFolders({ components: ['event'] });
		const created = await ews.create('event', folderId as string, weeklySeries([cancelled]));
		const { Appointment, ItemId } = await import('ews-javascript-api');
		const third = await ews.call(() => Appointment.BindToOccurrence(ews.service, new ItemId(created.id), 3));
		expect(third.Start.ToISOString()).toBe(berlin(2, '14:00'));
		await expect(ews.call(() => Appointment.BindToOccurrence(ews.service, new ItemId(created.id), 4))).rejects.toMatchObject({ code: 'notFound' });
		await expect(ews.call(() => Appointment.BindToOccurrence(ews.service, new ItemId(created.id), 6))).rejects.toMatchObject({ code: 'notFound' });
	});
});

describe('sandbox counters count EWS calls', () => {
	it('per mailbox, as method "EWS" with the operation as route', async () => {
		const { contact: folderId } = await ews.ensureSyncFolders({ components: ['contact'] });
		const before = (await sb.control.counters())[ANNA]?.byRoute ?? {};
		await ews.create('contact', folderId as string, { lastName: 'Zähler' });
		const after = (await sb.control.counters())[ANNA].byRoute;
		const delta = (route: string) => (after[route] ?? 0) - (before[route] ?? 0);
		expect(delta('EWS CreateItem')).toBe(1);
		expect(delta('EWS GetItem')).toBeGreaterThanOrEqual(1);
		expect(delta('EWS UpdateItem')).toBe(0);
	});
});
