/**
 * The behaviour every CRM backend must show (DESIGN.md §5), run against each backend with
 * the same expectations. Records used here satisfy the mandatory fields of every backend.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { CrmBackend } from '../../lib/crm';
import { CrmError, EmbeddedCrmBackend, VtigerCrmBackend } from '../../lib/crm';
import { startVtigerSandbox } from '../../sandbox/vtiger/server';

interface BackendUnderTest {
	name: string;
	open(): Promise<{ crm: CrmBackend; userId: string; cleanup(): Promise<void> }>;
}

const backends: BackendUnderTest[] = [
	{
		name: 'embedded (SQLite file)',
		async open() {
			const dir = mkdtempSync(join(tmpdir(), 'crm-behaviour-'));
			const crm = EmbeddedCrmBackend.open(join(dir, 'crm.sqlite'));
			crm.saveUser({ id: 'anna', userName: 'anna', active: true });
			return {
				crm,
				userId: 'anna',
				async cleanup() {
					await crm.close();
					rmSync(dir, { recursive: true, force: true });
				},
			};
		},
	},
	...(['patched', 'stock'] as const).map(
		(flavour): BackendUnderTest => ({
			name: `vtiger webservice (sandbox, ${flavour} 8.3)`,
			async open() {
				const sandbox = await startVtigerSandbox({ flavour, users: [{ userName: 'admin', accessKey: 'k3y', isAdmin: true }] });
				const warnings: string[] = [];
				const crm = new VtigerCrmBackend({ kind: 'vtiger', url: sandbox.url, userName: 'admin', accessKey: 'k3y' }, { warn: (m) => warnings.push(m) });
				return {
					crm,
					userId: await (async () => (await crm.listUsers())[0].id)(),
					async cleanup() {
						await crm.close();
						await sandbox.close();
					},
				};
			},
		}),
	),
	...(process.env.VTIGER_URL && process.env.VTIGER_USERNAME && process.env.VTIGER_ACCESS_KEY
		? [
				{
					name: `vtiger live (${process.env.VTIGER_URL})`,
					async open() {
						const crm = new VtigerCrmBackend({
							kind: 'vtiger',
							url: process.env.VTIGER_URL as string,
							userName: process.env.VTIGER_USERNAME as string,
							accessKey: process.env.VTIGER_ACCESS_KEY as string,
						});
						const me = await crm.listUsers();
						const userName = process.env.VTIGER_USERNAME;
						return {
							crm,
							userId: me.find((u) => u.userName === userName)?.id ?? me[0].id,
							async cleanup() {
								await crm.close();
							},
						};
					},
				},
			]
		: []),
];

if (!(process.env.VTIGER_URL && process.env.VTIGER_USERNAME && process.env.VTIGER_ACCESS_KEY)) {
	describe('CRM backend behaviour: vtiger live', () => {
		test('skipped: set VTIGER_URL, VTIGER_USERNAME and VTIGER_ACCESS_KEY to run this suite against a real vtiger', () => {
			expect(process.env.VTIGER_URL ?? '').toBe(process.env.VTIGER_URL ?? '');
		});
	});
}

async function expectCrmError(promise: Promise<unknown>, code: CrmError['code']): Promise<CrmError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(CrmError);
		expect((error as CrmError).code).toBe(code);
		return error as CrmError;
	}
	throw new Error(`expected CrmError ${code}, but the call succeeded`);
}

/** A unique marker so that a shared (live) CRM's other records do not disturb the assertions. */
const run = `t${Date.now().toString(36)}`;

describe.each(backends)('CRM backend behaviour: $name', (backendUnderTest) => {
	let crm: CrmBackend;
	let userId: string;
	let cleanup: () => Promise<void>;

	beforeAll(async () => {
		({ crm, userId, cleanup } = await backendUnderTest.open());
	});
	afterAll(async () => cleanup());

	test('create, get, update (partial) and delete a contact', async () => {
		const created = await crm.create('contacts', {
			assignedTo: { type: 'user', id: userId },
			fields: { firstname: 'Erika', lastname: `Mustermann-${run}`, email: `erika.${run}@example.com`, mobile: '+49 170 1' },
		});
		expect(created.id).toBeTruthy();
		expect(created.fields).toMatchObject({ firstname: 'Erika', lastname: `Mustermann-${run}` });
		expect(created.assignedTo).toEqual({ type: 'user', id: userId });

		const read = await crm.get('contacts', created.id);
		expect(read?.fields.email).toBe(`erika.${run}@example.com`);

		const updated = await crm.update('contacts', created.id, { fields: { title: 'CEO', mobile: null } });
		expect(updated.fields.title).toBe('CEO');
		expect(updated.fields.firstname).toBe('Erika');
		expect(updated.fields.mobile ?? '').toBe('');
		expect(updated.etag).not.toBe(created.etag);

		await crm.delete('contacts', created.id);
		expect(await crm.get('contacts', created.id)).toBeUndefined();
		await expectCrmError(crm.delete('contacts', created.id), 'notFound');
		await expectCrmError(crm.update('contacts', created.id, { fields: { title: 'x' } }), 'notFound');
	});

	test('a missing mandatory field is a mandatoryField error naming the field', async () => {
		const error = await expectCrmError(crm.create('contacts', { fields: { firstname: 'NoLastName' } }), 'mandatoryField');
		expect(error.field).toBe('lastname');
		expect(error.message).toContain('lastname');
		const c = await crm.create('contacts', { fields: { lastname: `Keep-${run}` } });
		const cleared = await expectCrmError(crm.update('contacts', c.id, { fields: { lastname: '' } }), 'mandatoryField');
		expect(cleared.field).toBe('lastname');
		expect((await crm.get('contacts', c.id))?.fields.lastname).toBe(`Keep-${run}`);
		await crm.delete('contacts', c.id);
	});

	test('change feed reports creations, updates and deletions across runs', async () => {
		// First run: drain the feed.
		let page = await crm.listChanges('contacts', undefined, { limit: 1000 });
		while (page.hasMore) page = await crm.listChanges('contacts', page.cursor, { limit: 1000 });
		const cursor1 = page.cursor;

		const a = await crm.create('contacts', { fields: { lastname: `FeedA-${run}` } });
		const b = await crm.create('contacts', { fields: { lastname: `FeedB-${run}` } });
		const run2 = await crm.listChanges('contacts', cursor1);
		expect(run2.changed.map((r) => r.id)).toEqual([a.id, b.id]);
		expect(run2.deletedIds).toEqual([]);

		// Nothing happened: the next run sees nothing (unchanged ≠ deleted).
		const idle = await crm.listChanges('contacts', run2.cursor);
		expect(idle.changed).toEqual([]);
		expect(idle.deletedIds).toEqual([]);

		await crm.update('contacts', a.id, { fields: { department: 'Sales' } });
		await crm.delete('contacts', b.id);
		const run3 = await crm.listChanges('contacts', idle.cursor);
		expect(run3.changed.map((r) => r.id)).toEqual([a.id]);
		expect(run3.changed[0].fields.department).toBe('Sales');
		expect(run3.deletedIds).toEqual([b.id]);
		await crm.delete('contacts', a.id);
	});

	test('change feed pages with hasMore and a cursor', async () => {
		let page = await crm.listChanges('tasks', undefined, { limit: 1000 });
		while (page.hasMore) page = await crm.listChanges('tasks', page.cursor, { limit: 1000 });
		const created = [];
		for (let i = 0; i < 5; i++)
			created.push(
				await crm.create('tasks', { fields: { subject: `Task ${i} ${run}`, date_start: '2026-11-23', due_date: '2026-11-30', taskstatus: 'Not Started' } }),
			);
		const seen: string[] = [];
		let cursor = page.cursor;
		for (;;) {
			const p = await crm.listChanges('tasks', cursor, { limit: 2 });
			expect(p.changed.length + p.deletedIds.length).toBeLessThanOrEqual(2);
			seen.push(...p.changed.map((r) => r.id));
			cursor = p.cursor;
			if (!p.hasMore) break;
		}
		expect(seen).toEqual(created.map((r) => r.id));
		for (const t of created) await crm.delete('tasks', t.id);
	});

	test('findByEmail: case-insensitive, over email and secondaryemail, earliest created first', async () => {
		const address = `Shared.${run}@Example.COM`;
		const first = await crm.create('contacts', { fields: { lastname: `First-${run}`, email: address } });
		const second = await crm.create('contacts', {
			fields: { lastname: `Second-${run}`, email: `other.${run}@example.com`, secondaryemail: address.toLowerCase() },
		});
		const lead = await crm.create('leads', { fields: { lastname: `Lead-${run}`, company: 'Lead Co', email: address.toUpperCase() } });

		const contacts = await crm.findByEmail(address.toLowerCase(), ['contacts']);
		expect(contacts.map((r) => r.id)).toEqual([first.id, second.id]);
		const all = await crm.findByEmail(address, ['leads', 'contacts']);
		expect(all.map((r) => r.id)).toEqual([first.id, second.id, lead.id]);
		expect(await crm.findByEmail(`nobody.${run}@example.com`, ['contacts', 'leads'])).toEqual([]);

		await crm.delete('contacts', first.id);
		expect((await crm.findByEmail(address, ['contacts'])).map((r) => r.id)).toEqual([second.id]);
		await crm.delete('contacts', second.id);
		await crm.delete('leads', lead.id);
	});

	test('findAccountByName: exact, case-insensitive, with legal suffixes and umlauts', async () => {
		const mueller = await crm.create('accounts', { fields: { accountname: `Müller ${run} GmbH & Co. KG` } });
		const oe = await crm.create('accounts', { fields: { accountname: `Österreich ${run} AG` } });
		expect((await crm.findAccountByName(`MÜLLER ${run.toUpperCase()} GMBH & CO. KG`))?.id).toBe(mueller.id);
		expect((await crm.findAccountByName(`müller ${run} gmbh & co. kg`))?.id).toBe(mueller.id);
		expect((await crm.findAccountByName(`österreich ${run} ag`))?.id).toBe(oe.id);
		expect(await crm.findAccountByName(`Müller ${run} GmbH`)).toBeUndefined();
		expect(await crm.findAccountByName(`Müller ${run}`)).toBeUndefined();
		await crm.delete('accounts', mueller.id);
		await crm.delete('accounts', oe.id);
	});

	test('findByExchangeIdent: the record carrying an ident, only in its module (creates from Exchange are idempotent)', async () => {
		const ident = `x:AAMk-${run}`;
		const contact = await crm.create('contacts', { fields: { firstname: 'Ida', lastname: `Ident ${run}` }, exchangeIdent: ident });
		const task = await crm.create('tasks', {
			fields: { subject: `Ident ${run}`, date_start: '2026-12-01', due_date: '2026-12-02', taskstatus: 'Not Started' },
			exchangeIdent: `${ident}-t`,
		});
		expect((await crm.findByExchangeIdent('contacts', ident)).map((r) => r.id)).toEqual([contact.id]);
		expect(await crm.findByExchangeIdent('contacts', `${ident}-t`)).toEqual([]);
		expect((await crm.findByExchangeIdent('tasks', `${ident}-t`)).map((r) => r.id)).toEqual([task.id]);
		expect(await crm.findByExchangeIdent('events', `${ident}-t`)).toEqual([]);
		expect(await crm.findByExchangeIdent('contacts', `x:nothing-${run}`)).toEqual([]);
		await crm.delete('contacts', contact.id);
		await crm.delete('tasks', task.id);
	});

	test('events keep their type and can be listed by type', async () => {
		const types = await crm.listEventTypes();
		expect(types).toEqual(expect.arrayContaining(['Meeting', 'Call']));
		const meeting = await crm.create('events', {
			fields: {
				subject: `Kick-off ${run}`,
				date_start: '2026-11-24',
				time_start: '09:00:00',
				due_date: '2026-11-24',
				time_end: '10:00:00',
				activitytype: 'Meeting',
				eventstatus: 'Planned',
				visibility: 'Public',
			},
		});
		const call = await crm.create('events', {
			fields: {
				subject: `Call ${run}`,
				date_start: '2026-11-24',
				time_start: '11:00:00',
				due_date: '2026-11-24',
				time_end: '11:15:00',
				activitytype: 'Call',
				eventstatus: 'Planned',
				visibility: 'Public',
			},
		});
		const meetings = await crm.list('events', { type: 'Meeting' });
		expect(meetings.map((r) => r.id)).toContain(meeting.id);
		expect(meetings.map((r) => r.id)).not.toContain(call.id);
		const missing = await expectCrmError(crm.create('events', { fields: { date_start: '2026-11-24', activitytype: 'Meeting' } }), 'mandatoryField');
		expect(missing.field).toBe('subject');
		await crm.delete('events', meeting.id);
		await crm.delete('events', call.id);
	});

	test('update writes only the given fields: every other field, CRM-only ones included, stays bit-identical', async () => {
		const c = await crm.create('contacts', {
			exchangeIdent: `keep-${run}`,
			fields: {
				lastname: `Keep-${run}`,
				firstname: 'Erika',
				description: 'Text <b>with</b> HTML & more',
				leadsource: 'Partner',
				assistant: 'Max',
				donotcall: '1',
				mobile: '+49 170 1',
			},
		});
		const before = (await crm.get('contacts', c.id))?.fields ?? {};
		await crm.update('contacts', c.id, { fields: { title: 'CTO' } });
		const after = (await crm.get('contacts', c.id))?.fields ?? {};
		expect(Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k])).toEqual(['title']);
		expect((await crm.get('contacts', c.id))?.exchangeIdent).toBe(`keep-${run}`);
		await crm.delete('contacts', c.id);
	});

	test('an appointment and a task as the mapping writes them from Exchange are accepted and listed; the reminder survives an update', async () => {
		// No duration, no event status, no activitytype, no task start/time: what an Exchange item maps to.
		const event = await crm.create('events', {
			fields: {
				subject: `From Exchange ${run}`,
				date_start: '2026-11-25',
				time_start: '08:00:00',
				due_date: '2026-11-25',
				time_end: '09:45:00',
				activitytype: 'Meeting',
				visibility: 'Public',
				reminder_time: 15,
			},
		});
		expect(Number(event.fields.reminder_time)).toBe(15);
		const moved = await crm.update('events', event.id, { fields: { time_end: '10:00:00', subject: `Moved ${run}` } });
		expect(moved.fields).toMatchObject({ subject: `Moved ${run}`, time_end: '10:00:00' });
		expect(Number(moved.fields.reminder_time)).toBe(15);
		const task = await crm.create('tasks', {
			fields: { subject: `Task from Exchange ${run}`, due_date: '2026-11-30', taskstatus: 'Not Started', taskpriority: 'High' },
		});
		expect((await crm.list('tasks')).map((r) => r.id)).toContain(task.id);
		expect((await crm.get('tasks', task.id))?.fields).toMatchObject({
			subject: `Task from Exchange ${run}`,
			due_date: '2026-11-30',
			taskstatus: 'Not Started',
		});
		const undated = await crm.create('tasks', { fields: { subject: `Undated ${run}`, taskstatus: 'Not Started' } });
		expect((await crm.list('tasks')).map((r) => r.id)).toContain(undated.id);
		await crm.delete('events', event.id);
		await crm.delete('tasks', task.id);
		await crm.delete('tasks', undated.id);
	});

	test('users, groups and an Exchange ident on records', async () => {
		const users = await crm.listUsers();
		expect(users.map((u) => u.id)).toContain(userId);
		expect(Array.isArray(await crm.listGroups())).toBe(true);
		const c = await crm.create('contacts', { exchangeIdent: `ident-${run}`, fields: { lastname: `Ident-${run}` } });
		expect((await crm.get('contacts', c.id))?.exchangeIdent).toBe(`ident-${run}`);
		const unpaired = await crm.update('contacts', c.id, { exchangeIdent: '' });
		expect(unpaired.exchangeIdent).toBeUndefined();
		await crm.delete('contacts', c.id);
	});
});
