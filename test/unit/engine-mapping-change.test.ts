/**
 * Rule 1 and the merge base: a field the builder remaps (jobTitle from the CRM's `title` to a new, empty
 * `cf_position`) or newly pairs is not a field the CRM cleared. The table keeps the mapping its bases were
 * written with; a run with another mapping re-keys them (lib/engine/mapping-change.ts), and no update
 * clears a value the source never had (content.ts withoutUnheldClears).
 */
import { ABSENT, decodeBase, encodeBase, fieldCode } from '../../lib/engine/base-vector';
import { withoutUnheldClears } from '../../lib/engine/content';
import { adoptMapping } from '../../lib/engine/mapping-change';
import { StatusTable, type PlanOptions } from '../../lib/engine';
import { buildMappingConfig, mappingCodes, syncedFields } from '../../lib/mapping';
import type { ComponentRecordMap } from '../../lib/model/types';
import { MemorySide } from '../support/memory-side';
import { runMemorySync } from '../support/memory-run';

const FIELDS = syncedFields('contact');
const PRESET = mappingCodes('contact');
const REMAPPED = mappingCodes('contact', buildMappingConfig('contact', { pairs: [{ canonical: 'jobTitle', crm: 'cf_position', kind: 'text' }] }));

describe('mappingCodes', () => {
	it('gives every synced field a code, and only a remapped field a new one', () => {
		expect(Object.keys(PRESET).sort()).toEqual([...FIELDS].sort());
		const changed = FIELDS.filter((f) => PRESET[f] !== REMAPPED[f]);
		expect(changed).toEqual(['jobTitle']);
		expect(mappingCodes('contact')).toEqual(PRESET);
	});

	it('a changed picklist table changes the code of the fields that use it', () => {
		const preset = mappingCodes('task');
		const config = buildMappingConfig('task', { picklists: { taskStatus: { entries: [{ crm: 'Offen', canonical: 'notStarted' }] } } });
		const changed = Object.keys(preset).filter((f) => preset[f] !== mappingCodes('task', config)[f]);
		expect(changed).toEqual(['status']);
	});
});

describe('adoptMapping re-keys the bases', () => {
	const fields = ['email', 'jobTitle', 'lastName'];
	const record = { email: 'm@example.com', jobTitle: 'GF', lastName: 'Muster' };
	const codes = { email: 'e1', jobTitle: 'j1', lastName: 'l1' };
	const rowOf = (base: string) => ({ crmEtag: 'a', crmHash: 'b', exchangeEtag: 'c', exchangeHash: 'd', exchangeId: 'X1', mergeBase: base });

	function tableWith(base: string): StatusTable {
		const table = StatusTable.load();
		table.set('1', rowOf(base));
		adoptMapping(table, fields, codes);
		return StatusTable.load(table.save());
	}

	it('keeps bases as they are while the mapping stays, and records it in the state', () => {
		const base = encodeBase(record, fields);
		const table = tableWith(base);
		expect(table.save().m).toEqual(['email=e1', 'jobTitle=j1', 'lastName=l1']);
		adoptMapping(table, fields, codes);
		expect(table.get('1')?.mergeBase).toBe(base);
		// A run that sends no codes (a pipeline without Field Mapping) is no remap either.
		adoptMapping(table, fields, undefined);
		expect(table.get('1')?.mergeBase).toBe(base);
	});

	it('a remapped field has no value at the base; the others keep theirs, the row stays otherwise as it was', () => {
		const table = tableWith(encodeBase(record, fields));
		adoptMapping(table, fields, { ...codes, jobTitle: 'j2' });
		const entries = decodeBase(table.get('1')?.mergeBase, fields);
		expect(entries).toEqual([fieldCode('m@example.com'), ABSENT, fieldCode('Muster')]);
		expect(table.get('1')).toMatchObject({ crmEtag: 'a', crmHash: 'b', exchangeEtag: 'c', exchangeHash: 'd', exchangeId: 'X1' });
		expect(table.crmIdForExchange('X1')).toBe('1');
	});

	it('a field added to the mapping lines the bases up by name (a field inserted before others used to shift every entry)', () => {
		const table = tableWith(encodeBase(record, fields));
		const more = ['department', 'email', 'jobTitle', 'lastName'];
		adoptMapping(table, more, { ...codes, department: 'd1' });
		expect(decodeBase(table.get('1')?.mergeBase, more)).toEqual([ABSENT, fieldCode('m@example.com'), fieldCode('GF'), fieldCode('Muster')]);
		adoptMapping(table, ['email', 'lastName'], codes);
		expect(decodeBase(table.get('1')?.mergeBase, ['email', 'lastName'])).toEqual([fieldCode('m@example.com'), fieldCode('Muster')]);
	});

	it('state of older versions (no mapping recorded) is taken as written; a base that cannot be re-keyed is dropped, not misread', () => {
		const old = StatusTable.load();
		old.set('1', rowOf(encodeBase(record, fields)));
		adoptMapping(old, fields, { ...codes, jobTitle: 'j2' });
		expect(old.get('1')?.mergeBase).toBe(encodeBase(record, fields));
		const legacy = tableWith('AbCdEf');
		adoptMapping(legacy, fields, { ...codes, jobTitle: 'j2' });
		expect(legacy.get('1')?.mergeBase).toBeUndefined();
		expect(legacy.get('1')).toMatchObject({ crmHash: 'b', exchangeId: 'X1' });
	});
});

describe('withoutUnheldClears', () => {
	const fields = ['city', 'jobTitle', 'lastName'];
	it('drops a field the source neither has nor had; keeps a field the source cleared and every value', () => {
		const base = encodeBase({ city: 'Köln', lastName: 'Muster' }, fields);
		expect(withoutUnheldClears(['city', 'jobTitle', 'lastName'], { lastName: 'Neu' }, base, fields)).toEqual(['city', 'lastName']);
		expect(withoutUnheldClears(['jobTitle'], { jobTitle: 'GF' }, base, fields)).toEqual(['jobTitle']);
		expect(withoutUnheldClears(['jobTitle'], {}, undefined, fields)).toEqual(['jobTitle']);
	});
});

describe('the engine after a remap', () => {
	type Run = { table: StatusTable; crm: MemorySide<'contact'>; exchange: MemorySide<'contact'>; id: string };
	const options = (codes: Record<string, string>, policy: PlanOptions['policy'] = 'lastModifiedWins'): PlanOptions<'contact'> => ({
		component: 'contact',
		crmInstance: 'crm1',
		crmModule: 'contacts',
		syncedFields: FIELDS,
		mappingCodes: codes,
		policy,
	});
	const max: ComponentRecordMap['contact'] = { firstName: 'Max', lastName: 'Muster', email: 'max@example.com', jobTitle: 'Geschäftsführer', phone: '+49 89 1' };

	function synced(policy?: PlanOptions['policy']): Run {
		const table = StatusTable.load();
		const clock = MemorySide.clock();
		const crm = new MemorySide<'contact'>('crm', 'c', clock);
		const exchange = new MemorySide<'contact'>('exchange', 'AAMkAGI2THVSAAA-', clock);
		const { id } = crm.create(max);
		runMemorySync(table, crm, exchange, options(PRESET, policy));
		runMemorySync(table, crm, exchange, options(PRESET, policy));
		expect(exchange.all()[0].record.jobTitle).toBe('Geschäftsführer');
		return { table, crm, exchange, id };
	}
	/** The CRM record as the remapped mapping reads it: the new field is empty; its user edits the phone. */
	const remappedAndEdited = ({ crm, id }: Run): void => {
		const { jobTitle: _old, ...rest } = crm.all()[0].record;
		crm.update(id, { ...rest, phone: '+49 89 2' });
	};

	it.each(['lastModifiedWins', 'crmWins', 'exchangeWins', 'merge'] as const)(
		'%s: a CRM edit after the remap keeps the job title in Outlook; the phone goes across',
		(policy) => {
			const run = synced(policy);
			remappedAndEdited(run);
			const result = runMemorySync(run.table, run.crm, run.exchange, options(REMAPPED, policy));
			expect(result.plan.actions.filter((a) => a.kind === 'update').map((a) => a.changedFields)).toEqual([['phone']]);
			expect(run.exchange.all()[0].record).toMatchObject({ jobTitle: 'Geschäftsführer', phone: '+49 89 2', lastName: 'Muster', email: 'max@example.com' });
			// The next Outlook edit fills the new CRM field; nothing else moves.
			const item = run.exchange.all()[0];
			run.exchange.update(item.id, { ...item.record, department: 'Einkauf' });
			runMemorySync(run.table, run.crm, run.exchange, options(REMAPPED, policy));
			expect(run.crm.all()[0].record).toMatchObject({ jobTitle: 'Geschäftsführer', department: 'Einkauf', phone: '+49 89 2' });
			const idle = runMemorySync(run.table, run.crm, run.exchange, options(REMAPPED, policy));
			expect(idle.plan.actions.filter((a) => a.target !== null)).toEqual([]);
		},
	);

	it('both sides read (a full read) after the remap: the Outlook value is not cleared either', () => {
		const run = synced();
		remappedAndEdited(run);
		run.table.cursors = {};
		runMemorySync(run.table, run.crm, run.exchange, options(REMAPPED));
		expect(run.exchange.all()[0].record).toMatchObject({ jobTitle: 'Geschäftsführer', phone: '+49 89 2' });
	});

	it('merge with both sides read fills the new CRM field at once', () => {
		const run = synced('merge');
		remappedAndEdited(run);
		const item = run.exchange.all()[0];
		run.exchange.update(item.id, { ...item.record, department: 'Einkauf' });
		runMemorySync(run.table, run.crm, run.exchange, options(REMAPPED, 'merge'));
		expect(run.crm.all()[0].record).toMatchObject({ jobTitle: 'Geschäftsführer', department: 'Einkauf', phone: '+49 89 2' });
		expect(run.exchange.all()[0].record).toMatchObject({ jobTitle: 'Geschäftsführer', department: 'Einkauf', phone: '+49 89 2' });
	});

	it('without a remap the same CRM record is a cleared job title, and Outlook follows (control)', () => {
		const run = synced();
		remappedAndEdited(run);
		runMemorySync(run.table, run.crm, run.exchange, options(PRESET));
		expect(run.exchange.all()[0].record.jobTitle).toBeUndefined();
		expect(run.exchange.all()[0].record.phone).toBe('+49 89 2');
	});
});
