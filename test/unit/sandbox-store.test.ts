import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import {
	SandboxStore,
	StoreError,
	canonicalExtendedPropertyId,
	expandOccurrences,
	extendedPropertyIdFromEws,
	localToUtc,
	occurrenceId,
	parseOccurrenceId,
	toIana,
	utcToLocal,
	type ContactData,
	type EventData,
} from '../../sandbox/store';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures');

function newStore(): SandboxStore {
	const store = new SandboxStore({ clock: () => new Date('2026-11-23T10:00:00.000Z') });
	store.addUser({ address: 'anna@contoso.example', displayName: 'Anna', password: 'Passw0rd!' });
	store.addUser({ address: 'ben@contoso.example', displayName: 'Ben', password: 'Passw0rd!', locale: 'de' });
	return store;
}

describe('sandbox mailbox store', () => {
	it('creates the distinguished folders, localised, found by well-known name', () => {
		const store = newStore();
		const ben = store.mailbox('BEN@contoso.example');
		expect(ben.wellKnownFolder('inbox')?.displayName).toBe('Posteingang');
		expect(store.mailbox('anna@contoso.example').resolveFolder('sentitems')?.displayName).toBe('Sent Items');
		expect(store.mailbox(store.findUser('ben@contoso.example')!.id)).toBe(ben);
	});

	it('tracks changes per folder: create, update, move out (F3), delete, and rejects stale cursors', () => {
		const mailbox = newStore().mailbox('anna@contoso.example');
		const contacts = mailbox.wellKnownFolder('contacts')!;
		const other = mailbox.createFolder({ parentId: contacts.id, displayName: 'CRM-Sync', kind: 'contacts' });
		const start = mailbox.currentSeq;
		const a = mailbox.createItem(contacts.id, 'contact', { givenName: 'A' } as ContactData);
		const b = mailbox.createItem(contacts.id, 'contact', { givenName: 'B' } as ContactData);
		const c = mailbox.createItem(contacts.id, 'contact', { givenName: 'C' } as ContactData);
		const first = mailbox.changesSince(contacts.id, start);
		expect(first.changes.map((x) => [x.itemId, x.change, x.isNew])).toEqual([
			[a.id, 'upsert', true],
			[b.id, 'upsert', true],
			[c.id, 'upsert', true],
		]);

		const updated = mailbox.updateItem<'contact'>(a.id, (d) => (d.surname = 'Alpha'), { ifMatch: a.changeKey });
		expect(updated.changeKey).not.toBe(a.changeKey);
		expect(() => mailbox.updateItem(a.id, undefined, { ifMatch: a.changeKey })).toThrow(StoreError);
		mailbox.moveItem(b.id, other.id);
		mailbox.deleteItem(c.id);
		const second = mailbox.changesSince(contacts.id, first.latestSeq);
		expect(second.changes.map((x) => [x.itemId, x.change, x.removedReason, x.isNew])).toEqual([
			[a.id, 'upsert', undefined, false],
			[b.id, 'removed', 'changed', undefined],
			[c.id, 'removed', 'deleted', undefined],
		]);
		expect(mailbox.changesSince(other.id, first.latestSeq).changes.map((x) => [x.itemId, x.isNew])).toEqual([[b.id, true]]);
		const moved = mailbox.journalSince(first.latestSeq).find((e) => e.type === 'moved');
		expect(moved).toMatchObject({ targetId: b.id, oldFolderId: contacts.id, folderId: other.id });

		mailbox.expireCursors();
		expect(() => mailbox.changesSince(contacts.id, second.latestSeq)).toThrow(/sync state/);
		expect(mailbox.changesSince(contacts.id, 0).changes.map((x) => x.itemId)).toEqual([a.id]);
	});

	it('soft-deletes messages into Deleted Items and keeps the id', async () => {
		const mailbox = newStore().mailbox('anna@contoso.example');
		const mime = await new MailComposer({
			from: '"Kai Müller" <kai@fabrikam.example>',
			to: 'anna@contoso.example, ben@contoso.example',
			cc: 'carla@fabrikam.example',
			subject: 'Angebot',
			html: '<p>Hallo <img src="cid:logo@x"></p>',
			text: 'Hallo',
			messageId: '<m1@fabrikam.example>',
			attachments: [
				{ filename: 'logo.png', content: Buffer.from('89504e47', 'hex'), cid: 'logo@x' },
				{ filename: 'offer.pdf', content: Buffer.from('%PDF-1.4') },
			],
		})
			.compile()
			.build();
		const inbox = mailbox.wellKnownFolder('inbox')!;
		const message = await mailbox.createMessage(inbox.id, mime);
		expect(message.data.internetMessageId).toBe('<m1@fabrikam.example>');
		expect(message.data.toRecipients.map((r) => r.emailAddress.address)).toEqual(['anna@contoso.example', 'ben@contoso.example']);
		expect(message.data.from?.emailAddress.name).toBe('Kai Müller');
		expect(message.data.body.contentType).toBe('html');
		expect(message.data.body.content).toContain('cid:logo@x');
		expect(message.data.attachments.map((a) => [a.name, a.isInline, a.contentId ?? null])).toEqual([
			['logo.png', true, 'logo@x'],
			['offer.pdf', false, null],
		]);
		mailbox.deleteItem(message.id, { soft: true });
		expect(mailbox.getItem(message.id)?.folderId).toBe(mailbox.wellKnownFolder('deleteditems')!.id);
	});

	it('persists to a file and restores ids, items and change tracking', () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-store-'));
		try {
			const file = path.join(dir, 'store.json');
			const store = newStore();
			const mailbox = store.mailbox('anna@contoso.example');
			const item = mailbox.createItem(
				mailbox.wellKnownFolder('contacts')!.id,
				'contact',
				{ givenName: 'P' },
				{ extendedProperties: { 'String {00020329-0000-0000-c000-000000000046} Name CrmSyncKey': 'k1' } },
			);
			store.save(file);
			expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe(1);
			const restored = new SandboxStore({ persistPath: file });
			const again = restored.mailbox('anna@contoso.example');
			expect(again.getItem(item.id)).toEqual(item);
			expect(again.changesSince(item.folderId, 0).changes.map((c) => c.itemId)).toEqual([item.id]);
			const next = again.createItem(item.folderId, 'contact', { givenName: 'Q' });
			expect(next.id).not.toBe(item.id);
			restored.close();
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('sandbox ids, extended properties, time zones, recurrence', () => {
	it('round-trips occurrence ids', () => {
		const id = occurrenceId('AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0AabcAAA=', '2026-11-23T08:00:00.000Z');
		expect(parseOccurrenceId(id)).toEqual({ masterId: 'AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0AabcAAA=', originalStart: '2026-11-23T08:00:00.000Z' });
		expect(parseOccurrenceId(occurrenceId('X=', '2026-12-24'))).toEqual({ masterId: 'X=', originalStart: '2026-12-24' });
	});

	it('canonicalises Graph and EWS extended property ids to the same key', () => {
		const graph = canonicalExtendedPropertyId('String {66F5A359-4659-4830-9070-00047EC6AC6E} Name CrmSyncKey');
		const ews = extendedPropertyIdFromEws({ PropertyType: 'String', PropertySetId: '66f5a359-4659-4830-9070-00047ec6ac6e', PropertyName: 'CrmSyncKey' });
		expect(graph).toBe('String {66f5a359-4659-4830-9070-00047ec6ac6e} Name CrmSyncKey');
		expect(ews).toBe(graph);
		expect(canonicalExtendedPropertyId('Integer {00062008-0000-0000-C000-000000000046} Id 0x8503')).toBe(
			extendedPropertyIdFromEws({ PropertyType: 'Integer', DistinguishedPropertySetId: 'Common', PropertyId: 34051 }),
		);
		expect(canonicalExtendedPropertyId('String 0x007D')).toBe(extendedPropertyIdFromEws({ PropertyType: 'String', PropertyTag: '0x7d' }));
		expect(canonicalExtendedPropertyId('nonsense')).toBeUndefined();
	});

	it('maps every Windows zone of CLDR territory 001 like the CLDR table', () => {
		const cldr = JSON.parse(readFileSync(path.join(FIXTURES, 'timezones/cldr-core__windowsZones.json'), 'utf8')) as {
			supplemental: { windowsZones: { mapTimezones: Array<{ mapZone: { _other: string; _type: string; _territory: string } }> } };
		};
		const primary = cldr.supplemental.windowsZones.mapTimezones.map((m) => m.mapZone).filter((z) => z._territory === '001');
		expect(primary.length).toBeGreaterThan(100);
		const sameZone = (iana: string): string => (iana === 'Etc/UTC' ? 'UTC' : iana);
		for (const zone of primary) expect([zone._other, toIana(zone._other)]).toEqual([zone._other, sameZone(zone._type.split(' ')[0])]);
		expect(localToUtc('2026-07-01T09:00:00.0000000', 'W. Europe Standard Time')).toBe('2026-07-01T07:00:00.000Z');
		expect(utcToLocal('2026-12-01T08:00:00.000Z', 'Europe/Berlin')).toBe('2026-12-01T09:00:00.0000000');
	});

	it('expands a weekly Berlin series across DST at the same local time', () => {
		const times: EventData['times'] = {
			start: '2026-10-19T07:00:00.000Z',
			end: '2026-10-19T08:00:00.000Z',
			startTimeZone: 'W. Europe Standard Time',
			endTimeZone: 'W. Europe Standard Time',
			isAllDay: false,
		};
		const occurrences = expandOccurrences(
			{
				pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'], firstDayOfWeek: 'monday' },
				range: { type: 'numbered', startDate: '2026-10-19', numberOfOccurrences: 3 },
			},
			times,
			undefined,
			'2027-01-01T00:00:00.000Z',
		);
		expect(occurrences.map((o) => o.originalStart)).toEqual(['2026-10-19T07:00:00.000Z', '2026-10-26T08:00:00.000Z', '2026-11-02T08:00:00.000Z']);
	});

	it('expands relative monthly and all-day yearly series inside a window', () => {
		const monthly = expandOccurrences(
			{
				pattern: { type: 'relativeMonthly', interval: 1, daysOfWeek: ['friday'], index: 'last' },
				range: { type: 'endDate', startDate: '2026-01-01', endDate: '2026-04-30' },
			},
			{ start: '2026-01-30T15:00:00.000Z', end: '2026-01-30T16:00:00.000Z', startTimeZone: 'UTC', endTimeZone: 'UTC', isAllDay: false },
			'2026-02-01T00:00:00.000Z',
			'2026-12-31T00:00:00.000Z',
		);
		expect(monthly.map((o) => o.originalStart)).toEqual(['2026-02-27T15:00:00.000Z', '2026-03-27T15:00:00.000Z', '2026-04-24T15:00:00.000Z']);
		const yearly = expandOccurrences(
			{ pattern: { type: 'absoluteYearly', interval: 1, month: 3, dayOfMonth: 14 }, range: { type: 'noEnd', startDate: '2025-03-14' } },
			{ start: '2025-03-14', end: '2025-03-15', startTimeZone: 'UTC', endTimeZone: 'UTC', isAllDay: true },
			'2026-01-01T00:00:00.000Z',
			'2028-01-01T00:00:00.000Z',
		);
		expect(yearly.map((o) => [o.originalStart, o.times.end])).toEqual([
			['2026-03-14', '2026-03-15'],
			['2027-03-14', '2027-03-15'],
		]);
	});
});
