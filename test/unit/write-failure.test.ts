/** Issue 17: one rule for what a refused sync write means, per side (lib/crm/write-failure.ts, lib/exchange/write-failure.ts). */
import { CrmError, crmWriteFailure } from '../../lib/crm';
import { ExchangeError, exchangeWriteFailure } from '../../lib/exchange';

it('a CRM refusal becomes the outcome Commit acts on, with the message for the user', () => {
	expect(crmWriteFailure(3, new CrmError('mandatoryField', 'Last name is required.'))).toEqual({
		seq: 3,
		ok: false,
		code: 'invalid',
		error: 'Last name is required.',
	});
	expect(crmWriteFailure(1, new CrmError('permission', 'no')).code).toBe('permission');
	expect(crmWriteFailure(1, new CrmError('conflict', 'changed')).code).toBe('conflict');
	expect(crmWriteFailure(1, new CrmError('notFound', 'gone')).code).toBe('notFound');
	expect(crmWriteFailure(1, new CrmError('unavailable', 'down')).code).toBe('transient');
	expect(crmWriteFailure(1, new CrmError('duplicate', 'twice')).code).toBe('transient');
});

it('an Exchange refusal likewise; "forbidden" is a permission problem, throttling is retried', () => {
	expect(exchangeWriteFailure(7, new ExchangeError('forbidden', 'Access is denied.'))).toEqual({
		seq: 7,
		ok: false,
		code: 'permission',
		error: 'Access is denied.',
	});
	expect(exchangeWriteFailure(1, new ExchangeError('conflict', 'ChangeKey')).code).toBe('conflict');
	expect(exchangeWriteFailure(1, new ExchangeError('invalid', 'bad')).code).toBe('invalid');
	expect(exchangeWriteFailure(1, new ExchangeError('throttled', '429')).code).toBe('transient');
});

it("anything that is not the side's own error is transient: retried, never taken for a deletion", () => {
	expect(crmWriteFailure(1, new ExchangeError('notFound', 'wrong side'))).toMatchObject({ code: 'transient' });
	expect(exchangeWriteFailure(1, Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toEqual({
		seq: 1,
		ok: false,
		code: 'transient',
		error: 'socket hang up',
	});
	expect(exchangeWriteFailure(1, 'text')).toMatchObject({ code: 'transient', error: 'text' });
});
