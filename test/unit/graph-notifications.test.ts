/** Change-notification core against Microsoft's webhook examples (../shared/fixtures/graph). */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { clientStateMatches, ensureSubscription, parseNotifications, validationToken } from '../../lib/exchange/graph/notifications';

const DIR = path.resolve(__dirname, '../../../shared/fixtures/graph');
const load = (file: string): unknown => JSON.parse(readFileSync(path.join(DIR, file), 'utf8'));

describe('Graph change notifications', () => {
	it("takes the validation token from Microsoft's validation request", () => {
		const request = readFileSync(path.join(DIR, 'docs-contrib-current/notificationurl-validation__01_validation-request.http'), 'utf8');
		const url = /POST (\S+)/.exec(request)?.[1] as string;
		const query = Object.fromEntries(new URL(url.replace('{notificationUrl}', 'example.com/hook')).searchParams);
		expect(validationToken(query)).toBe('{opaqueTokenCreatedByMicrosoftGraph}');
		expect(validationToken({})).toBeUndefined();
	});

	it('accepts notifications with the right clientState only', () => {
		const body = load('docs-contrib-current/change-notifications-delivery-webhooks__02_change-notification.json');
		expect(parseNotifications(body, 'secretClientValue')).toMatchObject({ accepted: [{ changeType: 'created' }], rejected: 0 });
		expect(parseNotifications(body, 'otherValue')).toEqual({ accepted: [], rejected: 1 });
		expect(parseNotifications({ value: [{ subscriptionId: 'x' }] }, 'secretClientValue')).toEqual({ accepted: [], rejected: 1 });
		expect(parseNotifications('garbage', 'secretClientValue')).toEqual({ accepted: [], rejected: 0 });
		expect(clientStateMatches('', '')).toBe(false);
	});

	it('recognises lifecycle notifications', () => {
		for (const file of [
			'concepts-webhooks-lifecycle__01_json.json',
			'concepts-webhooks-lifecycle__02_json.json',
			'concepts-webhooks-lifecycle__03_json.json',
		]) {
			const body = load(`docs-examples/${file}`) as { value: Array<{ clientState: string; lifecycleEvent: string }> };
			const { accepted } = parseNotifications(body, body.value[0].clientState);
			expect(['reauthorizationRequired', 'subscriptionRemoved', 'missed']).toContain(accepted[0].lifecycleEvent);
		}
	});

	it('creates, keeps, renews near expiry, and re-creates a subscription Graph forgot', async () => {
		const calls: string[] = [];
		const now = Date.parse('2026-11-23T00:00:00Z');
		const client = {
			createSubscription: async (s: { resource: string; expirationDateTime: string }) => (
				calls.push('create'),
				{ id: `s${calls.length}`, ...s, changeType: 'x', notificationUrl: 'u' }
			),
			renewSubscription: async (id: string, expirationDateTime: string) => {
				calls.push('renew');
				if (id === 'gone') throw Object.assign(new Error('not found'), { code: 'notFound' });
				return { id, expirationDateTime, resource: 'r', changeType: 'x', notificationUrl: 'u' };
			},
		};
		const request = { resource: 'users/a/contacts', notificationUrl: 'https://h/w', clientState: 'c' };
		const created = await ensureSubscription(client, request, undefined, now);
		expect(Date.parse(created.expirationDateTime) - now).toBeLessThanOrEqual(4230 * 60_000);
		expect(await ensureSubscription(client, request, created, now + 3600_000)).toBe(created);
		const renewed = await ensureSubscription(client, request, created, now + 3000 * 60_000);
		expect(Date.parse(renewed.expirationDateTime)).toBeGreaterThan(Date.parse(created.expirationDateTime));
		await ensureSubscription(client, request, { ...created, id: 'gone', expirationDateTime: new Date(now).toISOString() }, now);
		expect(calls).toEqual(['create', 'renew', 'renew', 'create']);
	});
});
