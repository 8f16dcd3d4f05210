/** keepFailedForRetry (lib/exchange/poller.ts): a mail whose import failed is read again by the next poll. */
import { keepFailedForRetry, type MailMovedEvent, type TriggerState } from '../../lib/exchange/poller';

const event = (id: string, folderId: string, previousFolderId?: string): MailMovedEvent => ({
	folder: 'root',
	folderId,
	message: { id, folderId },
	previousFolderId,
});

describe('keepFailedForRetry', () => {
	const before: TriggerState = { v: 1, cursors: { 'mail:root': 'c1', 'mail:inbox': 'i1' }, folderIndex: { old: 'inbox' } };
	const after: TriggerState = {
		v: 1,
		cursors: { 'mail:root': 'c2', 'mail:leads': 'l1', 'mail:inbox': 'i2' },
		folderIndex: { old: 'inbox', a: 'root', b: 'root', c: 'leads' },
	};

	it('changes nothing when every mail went through', () => {
		expect(keepFailedForRetry(before, after, [])).toBe(after);
	});

	it("puts the failed folder's cursor back (or drops it when it had none) and un-remembers the failed mail only", () => {
		const kept = keepFailedForRetry(before, after, [event('a', 'root', 'inbox'), event('c', 'leads')]);
		expect(kept.cursors).toEqual({ 'mail:root': 'c1', 'mail:inbox': 'i2' });
		expect(kept.folderIndex).toEqual({ old: 'inbox', a: 'inbox', b: 'root' });
		// The input states are not changed.
		expect(after.cursors['mail:root']).toBe('c2');
	});
});
