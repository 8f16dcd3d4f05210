/**
 * Replays every request recorded against a real vtiger 8.3.0 (../shared/fixtures/vtiger/)
 * on the sandbox endpoint and compares status, envelope, error code and message, and the
 * shape of results. Session names, tokens and record ids are mapped to the sandbox's own.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';

import { startVtigerSandbox, type VtigerSandbox } from '../../sandbox/vtiger/server';

const FIXTURES = resolve(__dirname, '../../../shared/fixtures/vtiger');

interface Recorded {
	name: string;
	method: 'GET' | 'POST';
	params: URLSearchParams;
	status: number;
	body: string;
}

function parseLog(folder: string): Recorded[] {
	const text = readFileSync(join(FIXTURES, folder, 'requests.log'), 'utf8');
	return text
		.split(/^### /m)
		.filter((block) => block.trim() !== '')
		.map((block) => {
			const [name, requestLine, responseLine] = block.split('\n');
			const get = /^GET \S+ \? (.*)$/.exec(requestLine);
			const post = /^POST \S+ body: (.*)$/.exec(requestLine);
			const raw = get?.[1] ?? post?.[1] ?? '';
			// The log shows the parameters unencoded; split on "&" before a known parameter name.
			const params = new URLSearchParams();
			for (const part of raw.split(/&(?=(?:operation|username|accessKey|sessionName|elementType|element|query|id|modifiedTime)=)/)) {
				const eq = part.indexOf('=');
				params.append(part.slice(0, eq), part.slice(eq + 1));
			}
			const status = /^HTTP (\d+)/.exec(responseLine)?.[1];
			return {
				name: name.trim(),
				method: get ? 'GET' : 'POST',
				params,
				status: Number(status),
				body: readFileSync(join(FIXTURES, folder, name.trim()), 'utf8'),
			} as Recorded;
		});
}

function recordedServerTime(folder: string): number {
	const first = JSON.parse(readFileSync(join(FIXTURES, folder, '01-getchallenge.json'), 'utf8')) as { result: { serverTime: number } };
	return first.result.serverTime;
}

function send(url: string, method: 'GET' | 'POST', params: URLSearchParams): Promise<{ status: number; body: string }> {
	const target = new URL('/webservice.php', url);
	const form = params.toString();
	if (method === 'GET') target.search = form;
	return new Promise((resolvePromise, reject) => {
		const req = request(target, { method, headers: method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {} }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
		});
		req.on('error', reject);
		if (method === 'POST') req.write(form);
		req.end();
	});
}

type Json = { success: boolean; result?: unknown; error?: { code: string; message: string } };

describe.each([
	['patched-8.3.0', 'patched'],
	['unpatched-8.3.0', 'stock'],
	['fresh-run', 'patched'],
] as const)('vtiger replay of %s on the sandbox', (folder, flavour) => {
	let sandbox: VtigerSandbox;
	const recorded = parseLog(folder);

	beforeAll(async () => {
		sandbox = await startVtigerSandbox({
			flavour,
			users: [{ userName: 'admin', accessKey: 'adminkey', isAdmin: true, firstName: 'Admin', lastName: 'Administrator' }],
			// The recorded server's clock, so that the recorded sync times select the same records.
			clock: () => new Date((recordedServerTime(folder) + 2) * 1000),
		});
	});
	afterAll(async () => sandbox.close());

	test(`all ${recorded.length} recorded requests answer like the real vtiger`, async () => {
		const ids = new Map<string, string>();
		const sessions = new Map<string, string>();
		let token = '';
		const mismatches: string[] = [];

		for (const r of recorded) {
			const params = new URLSearchParams(r.params);
			const operation = params.get('operation');
			if (operation === 'login' && r.status === 200 && (JSON.parse(r.body) as Json).success) {
				params.set(
					'accessKey',
					createHash('md5')
						.update(token + 'adminkey')
						.digest('hex'),
				);
			}
			const recordedSession = params.get('sessionName');
			if (recordedSession && sessions.has(recordedSession)) params.set('sessionName', sessions.get(recordedSession) as string);
			for (const key of ['id', 'element', 'query']) {
				let value = params.get(key);
				if (value === null) continue;
				for (const [from, to] of ids) value = value.split(from).join(to);
				params.set(key, value);
			}
			const answer = await send(sandbox.url, r.method, params);
			const where = `${r.name} (${r.method} ${operation})`;
			if (answer.status !== r.status) mismatches.push(`${where}: HTTP ${answer.status}, real ${r.status}`);
			if (r.body === '' || answer.body === '') {
				if (r.body !== answer.body) mismatches.push(`${where}: body "${answer.body.slice(0, 80)}", real "${r.body.slice(0, 80)}"`);
				continue;
			}
			const real = JSON.parse(r.body) as Json;
			const ours = JSON.parse(answer.body) as Json;
			if (real.success !== ours.success) {
				mismatches.push(`${where}: success ${ours.success} (${JSON.stringify(ours.error)}), real ${real.success} (${JSON.stringify(real.error)})`);
				continue;
			}
			if (!real.success) {
				if (real.error?.code !== ours.error?.code) mismatches.push(`${where}: code ${ours.error?.code}, real ${real.error?.code}`);
				else if (!/^Syntax Error/.test(real.error?.message ?? '') && real.error?.message !== ours.error?.message) {
					mismatches.push(`${where}: message "${ours.error?.message}", real "${real.error?.message}"`);
				} else if (/^Syntax Error/.test(real.error?.message ?? '') && !/^Syntax Error on line 1: token '/.test(ours.error?.message ?? '')) {
					mismatches.push(`${where}: message "${ours.error?.message}"`);
				}
				continue;
			}
			const realResult = real.result as Record<string, unknown> | Array<Record<string, unknown>>;
			const ourResult = ours.result as Record<string, unknown> | Array<Record<string, unknown>>;
			if (operation === 'getchallenge') token = String((ourResult as Record<string, unknown>).token);
			if (operation === 'login') {
				sessions.set(String((realResult as Record<string, unknown>).sessionName), String((ourResult as Record<string, unknown>).sessionName));
			}
			if (Array.isArray(realResult) !== Array.isArray(ourResult)) {
				mismatches.push(`${where}: result ${Array.isArray(ourResult) ? 'array' : 'object'}, real ${Array.isArray(realResult) ? 'array' : 'object'}`);
				continue;
			}
			const realRows = Array.isArray(realResult) ? realResult : [realResult];
			const ourRows = Array.isArray(ourResult) ? ourResult : [ourResult];
			if (realRows.length !== ourRows.length) mismatches.push(`${where}: ${ourRows.length} rows, real ${realRows.length}`);
			realRows.forEach((row, i) => {
				const mine = ourRows[i] ?? {};
				if (typeof row.id === 'string' && typeof mine.id === 'string' && row.id !== mine.id) ids.set(row.id, mine.id);
				const missing = Object.keys(row).filter((k) => !(k in mine));
				if (missing.length) mismatches.push(`${where}: result lacks ${missing.join(', ')}`);
				for (const [k, v] of Object.entries(row)) {
					// Empty values: "" in retrieve/create, null in query/sync — the same kind of empty as vtiger.
					if ((v === '' || v === null) && k in mine && mine[k] !== v && !(v === '' && mine[k] === '0')) {
						mismatches.push(`${where}: ${k} is ${JSON.stringify(mine[k])}, real ${JSON.stringify(v)}`);
					}
				}
			});
			if (operation === 'sync') {
				const realSync = realResult as { deleted: string[]; more: boolean };
				const ourSync = ourResult as { deleted: string[]; more: boolean };
				if (realSync.deleted.length !== ourSync.deleted.length) mismatches.push(`${where}: ${ourSync.deleted.length} deleted, real ${realSync.deleted.length}`);
			}
		}
		expect(mismatches).toEqual([]);
	});

	test('describe Contacts has every real field with the same mandatory flag and type', async () => {
		const real = JSON.parse(readFileSync(join(FIXTURES, 'patched-8.3.0', 'describe-Contacts-full.json'), 'utf8')) as {
			result: { fields: Array<{ name: string; mandatory: boolean; type: { name: string } }> };
		};
		const challenge = JSON.parse((await send(sandbox.url, 'GET', new URLSearchParams({ operation: 'getchallenge', username: 'admin' }))).body) as Json;
		const login = JSON.parse(
			(
				await send(
					sandbox.url,
					'POST',
					new URLSearchParams({
						operation: 'login',
						username: 'admin',
						accessKey: createHash('md5')
							.update((challenge.result as { token: string }).token + 'adminkey')
							.digest('hex'),
					}),
				)
			).body,
		) as Json;
		const sessionName = (login.result as { sessionName: string }).sessionName;
		const ours = JSON.parse((await send(sandbox.url, 'GET', new URLSearchParams({ operation: 'describe', sessionName, elementType: 'Contacts' }))).body) as {
			result: { fields: Array<{ name: string; mandatory: boolean; type: { name: string } }> };
		};
		const byName = new Map(ours.result.fields.map((f) => [f.name, f]));
		const differences = real.result.fields
			.filter((f) => byName.get(f.name)?.mandatory !== f.mandatory || byName.get(f.name)?.type.name !== f.type.name)
			.map((f) => `${f.name}: ${JSON.stringify(byName.get(f.name) ?? 'missing')}`);
		expect(differences).toEqual([]);
	});
});
