import { applyCrmScope, planOptionsFromSettings, syncNotifications, type PlannedAction, type SideChanges } from '../../lib/engine';
import type { Contact } from '../../lib/model';

/** The Plan node's settings as the engine reads them (lib/engine/plan-settings.ts, notifications.ts). */
describe('Plan settings', () => {
	const contact = (id: string) => ({ id, etag: 'e1', modifiedAt: '2026-12-01T10:00:00Z', record: { lastName: id } as Contact });
	const feed = (): SideChanges<'contact'> => ({ items: [contact('c1'), contact('c2'), contact('c3')], cursor: 'k1', complete: false });
	const records = [
		{ id: 'c1', assignedTo: { type: 'user', id: 'u7' }, tags: ['Kunde'] },
		{ id: 'c2', assignedTo: { type: 'group', id: 'u7' }, tags: ['kunde'] },
		{ id: 'c3', assignedTo: { type: 'user', id: 'u8' }, tags: [] },
	];

	it('S5: only records assigned to the mailbox owner stay in view; a group assignment does not count', () => {
		const changes = feed();
		applyCrmScope(changes, records, { assignedUserId: ' u7 ' });
		expect(changes.items.map((i) => i.id)).toEqual(['c1']);
		expect(changes.leftScopeIds).toEqual(['c2', 'c3']);
		expect(changes.cursor).toBe('k1');
	});

	it('S14: a record needs one of the tags, compared without case', () => {
		const changes = feed();
		applyCrmScope(changes, records, { tags: 'KUNDE, Partner' });
		expect(changes.items.map((i) => i.id)).toEqual(['c1', 'c2']);
		expect(changes.leftScopeIds).toEqual(['c3']);
	});

	it('without a scope nothing leaves the view, and a record without owner data leaves a scoped view', () => {
		const unscoped = feed();
		applyCrmScope(unscoped, [], {});
		expect(unscoped.items).toHaveLength(3);
		expect(unscoped.leftScopeIds).toBeUndefined();
		const scoped = feed();
		applyCrmScope(scoped, [], { assignedUserId: 'u7' });
		expect(scoped.items).toEqual([]);
	});

	it('turns the settings into PlanOptions: default required fields (E11), the A2 window, run id', () => {
		const now = new Date('2026-12-07T12:00:00Z');
		const target = { component: 'event' as const, crmInstance: 'crm1', crmModule: 'events', table: 't1' };
		const options = planOptionsFromSettings(
			{ direction: 'both', policy: 'lastModifiedWins', mergeFallback: 'lastModifiedWins', pastDays: 30, modifiedWithinDays: 2, deleteInExchange: false },
			target,
			{ syncedFields: ['subject'] },
			now,
		);
		expect(options.requiredFields).toEqual({ crm: ['subject', 'start', 'end'] });
		expect(options.windowFrom).toBe('2026-11-07T12:00:00.000Z');
		expect(options.modifiedSince).toBe('2026-12-05T12:00:00.000Z');
		expect(options.propagateDeletes).toEqual({ toCrm: true, toExchange: false });
		expect(options.allowEmptyUpTo).toBe(50);
		expect(options.runId).toBe('t1@2026-12-07T12:00:00.000Z');
		expect(options.syncedFields).toEqual(['subject']);
		const contacts = planOptionsFromSettings(
			{ direction: 'exchangeToCrm', policy: 'crmWins', mergeFallback: 'lastModifiedWins', pastDays: 30, requiredCrmFields: ' email , lastName ' },
			{ ...target, component: 'contact', crmModule: 'contacts' },
			{},
			now,
		);
		expect(contacts.windowFrom).toBeUndefined();
		expect(contacts.requiredFields).toEqual({ crm: ['email', 'lastName'] });
	});

	it('reports conflicts with both values, each overridden update once, and invalid inputs', () => {
		const actions = [
			{
				kind: 'conflict',
				ident: 'i1',
				reason: 'both changed',
				crmId: 'c1',
				conflict: { kind: 'bothChanged', side: 'both', crmRecord: { a: 1 }, exchangeRecord: { a: 2 } },
			},
			{ kind: 'update', ident: 'i2', reason: 'crm wins', overridden: [{ field: 'a', winner: 'crm', crm: 1, exchange: 2 }] },
			{ kind: 'update', ident: 'i2', reason: 'crm wins', overridden: [{ field: 'a', winner: 'crm', crm: 1, exchange: 2 }] },
			{ kind: 'create', ident: 'i3', reason: 'new' },
		] as unknown as PlannedAction[];
		const out = syncNotifications(actions, [{ id: 'x', reason: 'no start', side: 'exchange' }], 'ada@contoso.example');
		expect(out.map((n) => [n.kind, n.ident ?? n.id])).toEqual([
			['bothChanged', 'i1'],
			['overridden', 'i2'],
			['invalid', 'x'],
		]);
		expect(out[0]).toMatchObject({ mailbox: 'ada@contoso.example', crmRecord: { a: 1 }, exchangeRecord: { a: 2 } });
		expect(out[1].side).toBe('crm');
	});
});
