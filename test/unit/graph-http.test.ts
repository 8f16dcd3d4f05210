/** Retry-After parsing, bounded back-off and error classification (Microsoft's throttling and error examples). */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { batchFailure, exchangeErrorFrom, isSyncStateError } from '../../lib/exchange/graph/errors';
import { DEFAULT_RETRY_POLICY, Semaphore, backoffDelay, parseRetryAfter } from '../../lib/exchange/graph/http';

const DIR = path.resolve(__dirname, '../../../shared/fixtures/graph/docs-examples');
const load = (file: string): unknown => JSON.parse(readFileSync(path.join(DIR, file), 'utf8'));

describe('throttling', () => {
	it('reads Graph\'s fractional Retry-After ("2.128" in Microsoft\'s 429 example) and HTTP dates', () => {
		expect(parseRetryAfter('2.128')).toBe(2128);
		expect(parseRetryAfter('0')).toBe(0);
		expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:10 GMT', Date.parse('Wed, 21 Oct 2026 07:28:00 GMT'))).toBe(10_000);
		expect(parseRetryAfter('soon')).toBeUndefined();
		expect(parseRetryAfter(undefined)).toBeUndefined();
	});

	it('backs off exponentially with jitter, honours Retry-After, and stays within the bound', () => {
		const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 5000 };
		expect(backoffDelay(0, policy, () => 0)).toBe(50);
		expect(backoffDelay(3, policy, () => 1)).toBe(800);
		expect(backoffDelay(20, policy, () => 1)).toBe(5000);
		expect(backoffDelay(0, policy, () => 1, 2128)).toBe(2128);
		expect(backoffDelay(0, policy, () => 1, 600_000)).toBe(5000);
	});

	it('the semaphore never lets more than its limit through', async () => {
		const s = new Semaphore(2);
		let active = 0;
		let max = 0;
		await Promise.all(
			Array.from({ length: 10 }, async () => {
				await s.acquire();
				max = Math.max(max, ++active);
				await new Promise((r) => setTimeout(r, 2));
				active--;
				s.release();
			}),
		);
		expect(max).toBe(2);
		expect(s.inFlight).toBe(0);
	});
});

describe('error classification (A7)', () => {
	it("maps Microsoft's example error bodies and statuses to codes with hints", () => {
		const throttled = batchFailure(429, load('concepts-throttling__01_response.json'));
		expect(throttled).toEqual({ status: 429, code: 'TooManyRequests', message: 'Please retry again later.' });
		expect(exchangeErrorFrom(throttled, 'Reading', 'a@b.c')).toMatchObject({ code: 'throttled', hint: expect.stringMatching(/throttling/) });
		const invalid = batchFailure(416, load('concepts-errors__01_json.json'));
		expect(exchangeErrorFrom(invalid, 'Upload', 'a@b.c').message).toBe('Upload failed: Uploaded fragment overlaps with existing data.');
		expect(exchangeErrorFrom({ status: 412, code: 'ErrorIrresolvableConflict' }, 'Update', 'a@b.c').code).toBe('conflict');
		expect(exchangeErrorFrom({ status: 404, code: 'ErrorInvalidUser', message: "The requested user 'x' is invalid." }, 'Read', 'x').hint).toMatch(
			/mailbox x was not found/,
		);
		expect(exchangeErrorFrom({ status: 403, code: 'ErrorAccessDenied' }, 'Read', 'x').hint).toMatch(/Mail\.ReadWrite/);
		expect(exchangeErrorFrom({ status: 401, code: 'InvalidAuthenticationToken' }, 'Read', 'x').code).toBe('auth');
		expect(exchangeErrorFrom({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'Read', 'x').code).toBe('tls');
		expect(exchangeErrorFrom({ code: 'ENOTFOUND' }, 'Read', 'x').code).toBe('badUrl');
		expect(isSyncStateError(410, undefined)).toBe(true);
		expect(isSyncStateError(400, 'SyncStateNotFound')).toBe(true);
		expect(isSyncStateError(400, 'BadRequest')).toBe(false);
	});
});
