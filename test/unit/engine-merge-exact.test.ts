/** Issue 12 §2: merge compares real values, never short codes; the per-field base is compact, but exact. */
import { ABSENT, decodeBase, differsFromBase, encodeBase, fieldCode } from '../../lib/engine/base-vector';
import { changedSinceBase } from '../../lib/engine/content';
import { fieldVector, mergeRecords } from '../../lib/engine/merge';
import { StatusTable, type PlanOptions } from '../../lib/engine';
import { MemorySide } from '../support/memory-side';
import { runMemorySync } from '../support/memory-run';
import { shortHash, stableStringify } from '../../lib/model/hash';

/** A field code of the format before `~` bases: 2 base64url characters (12 bits). */
const legacyCode = (value: unknown): string => shortHash(stableStringify(value)).slice(0, 2);
/** A code of the written format: 6 base64url characters (36 bits). */
const code36 = (value: unknown): string => shortHash(stableStringify(value)).slice(0, 6);

/** A base in the format before `~` bases, as older versions stored it. */
function legacyBase(record: Record<string, unknown>, fields: readonly string[]): string {
	return fields.map((f) => legacyCode(record[f])).join('');
}

/** Two different phone numbers whose 2-character (old-format) field codes collide. */
function collidingPhones(): [string, string] {
	const seen = new Map<string, string>();
	for (let i = 0; ; i++) {
		const phone = `+49 30 ${1_000_000 + i}`;
		const code = legacyCode(phone);
		const other = seen.get(code);
		if (other) return [other, phone];
		seen.set(code, phone);
	}
}

describe('merge decides equality on real values', () => {
	it('two different phone numbers with colliding codes are a contested field under policy "none", never equal', () => {
		const [crmPhone, exchangePhone] = collidingPhones();
		expect(legacyCode(crmPhone)).toBe(legacyCode(exchangePhone));
		const fields = ['lastName', 'phone'];
		const base = fieldVector({ lastName: 'Muster', phone: '+49 30 1' }, fields);
		const result = mergeRecords({ lastName: 'Muster', phone: crmPhone }, { lastName: 'Muster', phone: exchangePhone }, base, fields, () => null);
		expect(result.contested).toEqual(['phone']);
	});

	it('with a fallback winner the colliding values are decided and reported, the record carries the winner', () => {
		const [crmPhone, exchangePhone] = collidingPhones();
		const fields = ['phone'];
		const base = fieldVector({ phone: '+49 30 1' }, fields);
		const result = mergeRecords({ phone: crmPhone }, { phone: exchangePhone }, base, fields, () => 'exchange');
		expect(result.decided).toEqual([{ field: 'phone', winner: 'exchange' }]);
		expect(result.record.phone).toBe(exchangePhone);
	});
});

describe('the per-field base is exact in practice', () => {
	const fields = ['lastName', 'phone'];

	it('(a) a phone change whose old 2-character code collides with the base value is detected with a new-format base', () => {
		const [before, after] = collidingPhones();
		expect(code36(before)).not.toBe(code36(after));
		const base = fieldVector({ lastName: 'Muster', phone: before }, fields);
		expect(changedSinceBase({ lastName: 'Muster', phone: after }, base, fields)).toEqual(['phone']);
	});

	it('(b) with an old-format base and such a collision, changedSinceBase falls back to the fields the record has instead of []', () => {
		const [before, after] = collidingPhones();
		const base = legacyBase({ lastName: 'Muster', phone: before }, fields);
		expect(changedSinceBase({ lastName: 'Muster', phone: after }, base, fields)).toEqual(['lastName', 'phone']);
		// A record without a phone: the fallback sends what it has, never clears what the base cannot tell.
		expect(changedSinceBase({ lastName: 'Muster' }, legacyBase({ lastName: 'Muster' }, fields), fields)).toEqual(['lastName']);
	});

	it('(b) a new-format base that shows no changed field (stale or colliding) falls back too, so an update is never empty', () => {
		const record = { lastName: 'Muster', phone: '+49 30 1' };
		expect(changedSinceBase(record, fieldVector(record, fields), fields)).toEqual(['lastName', 'phone']);
	});

	it("(c) merge with a new-format base: Exchange changed the phone to a value whose 2-character code equals the base's, and its value is taken", () => {
		const [before, after] = collidingPhones();
		const base = fieldVector({ lastName: 'Muster', phone: before }, fields);
		const crm = { lastName: 'Muster', phone: before };
		const exchange = { lastName: 'Muster', phone: after };
		const none = mergeRecords(crm, exchange, base, fields, () => null);
		expect(none.contested).toEqual([]);
		expect(none.decided).toEqual([]);
		expect(none.record).toEqual({ lastName: 'Muster', phone: after });
		// Even a policy that would favour the CRM does not apply: only Exchange changed the field.
		const crmWins = mergeRecords(crm, exchange, base, fields, () => 'crm');
		expect(crmWins.decided).toEqual([]);
		expect(crmWins.record.phone).toBe(after);
	});

	it('(c) the engine plans a CRM phone edit with a colliding old code as a change of the phone when Exchange is not read', () => {
		const [before, after] = collidingPhones();
		const table = StatusTable.load();
		const clock = MemorySide.clock();
		const crm = new MemorySide<'contact'>('crm', 'c', clock);
		const exchange = new MemorySide<'contact'>('exchange', 'AAMkAGI2THVSAAA-', clock);
		const opts: PlanOptions<'contact'> = { component: 'contact', crmInstance: 'crm1', crmModule: 'contacts' };
		const created = crm.create({ lastName: 'Muster', email: 'm@example.com', phone: before });
		runMemorySync(table, crm, exchange, opts);
		runMemorySync(table, crm, exchange, opts);
		crm.update(created.id, { ...created.record, phone: after });
		const run = runMemorySync(table, crm, exchange, opts);
		const updates = run.plan.actions.filter((a) => a.kind === 'update');
		expect(updates).toHaveLength(1);
		expect(updates[0].target).toBe('exchange');
		expect(updates[0].changedFields).toEqual(['phone']);
		expect(exchange.all()[0].record.phone).toBe(after);
	});

	it('(d) encode/decode round-trips with absent fields, for 1, 6, 7 and 16 fields', () => {
		const value = (i: number): unknown => (i % 4 === 1 ? { street: `Weg ${i}`, city: 'Köln' } : i % 4 === 2 ? [`tag ${i}`] : `value ${i}`);
		const patterns: Array<(i: number) => boolean> = [() => true, () => false, (i) => i % 2 === 0, (i) => i % 3 === 2, (i) => i === 0];
		for (const n of [1, 6, 7, 16]) {
			const names = Array.from({ length: n }, (_, i) => `f${i}`);
			for (const present of patterns) {
				const record: Record<string, unknown> = {};
				names.forEach((f, i) => {
					if (present(i)) record[f] = value(i);
				});
				const count = names.filter((_, i) => present(i)).length;
				const base = encodeBase(record, names);
				expect(base.startsWith('~')).toBe(true);
				expect(base).not.toContain('|');
				expect(base).toMatch(/^~[A-Za-z0-9_-]*$/);
				expect(base).toHaveLength(1 + Math.ceil(n / 6) + 6 * count);
				expect(fieldVector(record, names)).toBe(base);
				const entries = decodeBase(base, names);
				expect(entries).toEqual(names.map((f, i) => (present(i) ? fieldCode(record[f]) : ABSENT)));
				entries?.forEach((entry, i) => {
					if (entry !== ABSENT) expect(entry).toHaveLength(6);
					expect(differsFromBase(record[names[i]], entry)).toBe(false);
					expect(differsFromBase(present(i) ? undefined : 'new value', entry)).toBe(true);
					expect(differsFromBase(`${stableStringify(value(i))} changed`, entry)).toBe(true);
				});
				// A cut or padded copy is unusable.
				expect(decodeBase(base.slice(0, -1), names)).toBeUndefined();
				expect(decodeBase(`${base}A`, names)).toBeUndefined();
			}
		}
	});

	it('(d) rejects a base whose presence bits name fields beyond the last one, or with characters outside base64url', () => {
		const names = ['a', 'b', 'c'];
		expect(decodeBase('~A', names)).toEqual([ABSENT, ABSENT, ABSENT]);
		// Bit 3 is a fourth field: unusable for three.
		expect(decodeBase(`~I${'x'.repeat(6)}`, names)).toBeUndefined();
		expect(decodeBase(`~B${'x'.repeat(5)}.`, names)).toBeUndefined();
		expect(decodeBase('~', [])).toEqual([]);
		expect(encodeBase({}, [])).toBe('~');
	});

	it('(e) old-format bases still decode, are compared at their own length and keep merging', () => {
		const record = { lastName: 'Muster', phone: '+49 30 1' };
		const base = legacyBase(record, fields);
		expect(base).toHaveLength(4);
		expect(decodeBase(base, fields)).toEqual([legacyCode('Muster'), legacyCode('+49 30 1')]);
		// Undefined was coded like null in the old format: an absent field is still unchanged.
		const withoutPhone = legacyBase({ lastName: 'Muster' }, fields);
		expect(decodeBase(withoutPhone, fields)?.map((entry, i) => differsFromBase(['Muster', undefined][i], entry))).toEqual([false, false]);
		expect(decodeBase(base, ['lastName'])).toBeUndefined();
		expect(decodeBase(base, [...fields, 'email'])).toBeUndefined();
		expect(changedSinceBase({ lastName: 'Muster', phone: '+49 30 2' }, base, fields)).toEqual(['phone']);
		const merged = mergeRecords(record, { lastName: 'Muster', phone: '+49 30 2' }, base, fields, () => null);
		expect(merged.contested).toEqual([]);
		expect(merged.record.phone).toBe('+49 30 2');
	});
});
