/** Issue 12 §2: merge compares real values, never short codes. */
import { fieldCode } from '../../lib/engine/content';
import { fieldVector, mergeRecords } from '../../lib/engine/merge';

/** Two different phone numbers whose 2-character field codes collide. */
function collidingPhones(): [string, string] {
	const seen = new Map<string, string>();
	for (let i = 0; ; i++) {
		const phone = `+49 30 ${1_000_000 + i}`;
		const code = fieldCode(phone);
		const other = seen.get(code);
		if (other) return [other, phone];
		seen.set(code, phone);
	}
}

it('two different phone numbers with colliding codes are a contested field under policy "none", never equal', () => {
	const [crmPhone, exchangePhone] = collidingPhones();
	expect(fieldCode(crmPhone)).toBe(fieldCode(exchangePhone));
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
