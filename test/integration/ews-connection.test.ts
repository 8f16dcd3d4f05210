/**
 * A7 through the "Exchange (EWS)" credential test against the sandbox EWS, over HTTP and
 * over HTTPS with a self-signed certificate (made with openssl for this test).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { ewsOptionsFromCredential, testEwsConnection, type EwsCredentialData } from '../../lib/exchange/ews/connection';
import { startStandaloneEws, type StandaloneEws } from '../../sandbox/ews/standalone';
import { SandboxStore } from '../../sandbox/store';

const ANNA = 'anna@contoso.example';
let plain: StandaloneEws;
let secure: StandaloneEws;
let cert: string;
let dir: string;

beforeAll(async () => {
	const store = new SandboxStore();
	store.addUser({ address: ANNA, displayName: 'Anna', password: 'Passw0rd!' });
	dir = mkdtempSync(path.join(tmpdir(), 'ews-tls-'));
	execFileSync(
		'openssl',
		[
			'req',
			'-x509',
			'-newkey',
			'rsa:2048',
			'-nodes',
			'-days',
			'2',
			'-subj',
			'/CN=127.0.0.1',
			'-addext',
			'subjectAltName=IP:127.0.0.1,DNS:localhost',
			'-keyout',
			path.join(dir, 'key.pem'),
			'-out',
			path.join(dir, 'cert.pem'),
		],
		{ stdio: 'ignore' },
	);
	cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
	plain = await startStandaloneEws({ store });
	secure = await startStandaloneEws({ store, tls: { key: readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert } });
});

afterAll(async () => {
	await plain?.close();
	await secure?.close();
	rmSync(dir, { recursive: true, force: true });
});

const cred = (patch: Partial<EwsCredentialData>): EwsCredentialData => ({
	url: plain.url,
	authentication: 'basic',
	username: ANNA,
	password: 'Passw0rd!',
	...patch,
});

test('right settings → OK', async () => {
	expect(await testEwsConnection(cred({}))).toMatchObject({ status: 'OK' });
});

test('wrong password → says so', async () => {
	const r = await testEwsConnection(cred({ password: 'wrong' }));
	expect(r).toMatchObject({ status: 'Error', code: 'auth' });
	expect(r.message).toMatch(/password/i);
});

test('wrong URL path, malformed URL, unreachable host → told apart', async () => {
	expect(await testEwsConnection(cred({ url: plain.url.replace('Exchange.asmx', 'Nope.asmx') }))).toMatchObject({ status: 'Error', code: 'badUrl' });
	expect(await testEwsConnection(cred({ url: 'mail.example.com/EWS' }))).toMatchObject({ status: 'Error', code: 'badUrl' });
	expect(await testEwsConnection(cred({ url: 'http://127.0.0.1:1/EWS/Exchange.asmx' }))).toMatchObject({ status: 'Error', code: 'unavailable' });
});

test('TLS: self-signed certificate refused by default; accepted with its CA or with "allow self-signed"', async () => {
	const r = await testEwsConnection(cred({ url: secure.url }));
	expect(r).toMatchObject({ status: 'Error', code: 'tls' });
	expect(r.message).toMatch(/certificate/i);
	expect(await testEwsConnection(cred({ url: secure.url, ca: cert }))).toMatchObject({ status: 'OK' });
	expect(await testEwsConnection(cred({ url: secure.url, allowSelfSigned: true }))).toMatchObject({ status: 'OK' });
});

test('credential fields → client options (impersonation, NTLM domain, bearer)', () => {
	expect(ewsOptionsFromCredential(cred({ mailbox: 'ben@contoso.example', impersonate: true }))).toMatchObject({
		mailbox: 'ben@contoso.example',
		impersonate: 'ben@contoso.example',
	});
	expect(ewsOptionsFromCredential(cred({ authentication: 'ntlm', domain: 'CONTOSO' })).auth).toEqual({
		type: 'ntlm',
		username: ANNA,
		password: 'Passw0rd!',
		domain: 'CONTOSO',
	});
	expect(ewsOptionsFromCredential({ url: plain.url, authentication: 'bearer', token: 't', mailbox: ANNA }).auth).toEqual({ type: 'bearer', token: 't' });
});
