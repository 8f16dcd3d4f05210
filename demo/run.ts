/**
 * `npm run demo`: the product's main job on the embedded defaults. A local Exchange (the sandbox, Graph
 * over HTTPS) with anna's mailbox, an embedded CRM (a SQLite file) with her customers, and a real n8n
 * running the workflow templates: the initial sync, a day of edits on both sides, the scheduled syncs,
 * and the e-mail import. It prints what happened and checks that the two sides agree.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { createCrmBackend, seedDemoCrm, type CrmBackend, type EmbeddedCrmBackend } from '../lib/crm';
import { ClientCredentialsTokenProvider, GraphExchangeClient, HttpTransport, type SyncFolders } from '../lib/exchange';
import type { Component } from '../lib/model/types';
import { CLIENT_ID, CLIENT_SECRET, TENANT, startSandbox, type Sandbox } from '../sandbox/app';
import { generate } from '../sandbox/seed/seeds';
import { N8nInstance, nodeOutput, REPO_DIR, type N8nRun, type N8nWorkflow } from '../test/e2e/harness';
import { ANNA, CRM_CREDENTIAL_ID, GRAPH_CREDENTIAL_ID, prepareTemplate } from '../test/e2e/helpers/sync-env';
import { seedCrmBook } from './crm-data';

const DATA_DIR = path.join(REPO_DIR, 'demo-data');
const COMPONENTS: Array<{ component: Component; label: string; file: string; id: string; crmModule: 'contacts' | 'events' | 'tasks' }> = [
	{ component: 'contact', label: 'contacts', file: 'contacts-sync.json', id: 'demoContactsSync', crmModule: 'contacts' },
	{ component: 'event', label: 'appointments', file: 'calendar-sync.json', id: 'demoCalendarSync', crmModule: 'events' },
	{ component: 'task', label: 'tasks', file: 'task-sync.json', id: 'demoTaskSync0001', crmModule: 'tasks' },
];

const say = (line = '') => console.log(line);
const step = (line: string) => console.log(`\n▶ ${line}`);

function template(file: string, id: string): N8nWorkflow {
	return prepareTemplate(JSON.parse(readFileSync(path.join(REPO_DIR, 'workflows', file), 'utf8')) as N8nWorkflow, id);
}

type Counts = Record<string, number>;
function sum(into: Counts, from: Record<string, unknown>): void {
	for (const key of ['created', 'updated', 'deleted', 'conflicts', 'skipped', 'errors']) into[key] = (into[key] ?? 0) + Number(from[key] ?? 0);
}

function reportLine(label: string, r: Record<string, unknown>): string {
	return `  ${label.padEnd(13)} created ${r.created}, updated ${r.updated}, deleted ${r.deleted}, conflicts ${r.conflicts}, errors ${r.errors} (pairs: ${r.pairs})`;
}

async function pairing(crm: CrmBackend, exchange: GraphExchangeClient, folders: SyncFolders) {
	const window = { from: new Date(Date.now() - 30 * 86_400_000).toISOString(), to: new Date(Date.now() + 366 * 86_400_000).toISOString() };
	const result: Array<{ label: string; crm: number; exchange: number; paired: number }> = [];
	for (const c of COMPONENTS) {
		const crmRecords = (await crm.list(c.crmModule)).filter((r) => c.component !== 'event' || r.fields.activitytype === 'Meeting');
		const items = (await exchange.listChanges(c.component, folders[c.component] as string, undefined, c.component === 'event' ? { window } : {})).items;
		let paired = 0;
		for (const r of crmRecords) {
			const bornIn = r.exchangeIdent?.startsWith('x:') ? r.exchangeIdent.slice(2) : undefined;
			if (items.some((i) => i.ident === `crm:${c.crmModule}:${r.id}` || i.id === bornIn)) paired++;
		}
		result.push({ label: c.label, crm: crmRecords.length, exchange: items.length, paired });
	}
	return result;
}

async function main(): Promise<void> {
	const started = Date.now();
	say('Exchange ⇄ CRM connector demo: sandbox Exchange (Microsoft Graph) + embedded CRM + n8n 2.40.7');
	rmSync(DATA_DIR, { recursive: true, force: true });
	mkdirSync(DATA_DIR, { recursive: true });

	step('Starting the Exchange sandbox and the CRM');
	const sandbox: Sandbox = await startSandbox({ port: 0, host: '127.0.0.1', seed: 'default' });
	const transport = new HttpTransport({ ca: sandbox.tls.ca });
	const exchange = new GraphExchangeClient({
		protocol: 'graph',
		baseUrl: sandbox.httpsUrl,
		mailbox: ANNA,
		tokens: new ClientCredentialsTokenProvider(
			{ authorityUrl: sandbox.httpsUrl, tenantId: TENANT, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
			transport,
		),
		transport,
	});
	const folders = await exchange.ensureSyncFolders({ components: ['contact', 'event', 'task', 'mail'] });
	await generate(sandbox.store, {
		mailbox: ANNA,
		locale: 'de',
		seed: 11,
		contacts: 6,
		events: 5,
		tasks: 4,
		messages: 4,
		folders: { contacts: folders.contact, calendar: folders.event, tasks: folders.task },
	});
	const dbPath = path.join(DATA_DIR, 'crm.sqlite');
	const crm = await createCrmBackend({ kind: 'embedded', databasePath: dbPath });
	await seedDemoCrm(crm as EmbeddedCrmBackend);
	await seedCrmBook(crm, 'anna');
	say(`  Exchange: ${sandbox.httpsUrl}/v1.0, mailbox ${ANNA} (CRM-Sync folders with contacts, appointments, tasks)`);
	say(`  CRM:      ${path.relative(process.cwd(), dbPath)} (accounts, contacts, meetings, a call, tasks of user "anna")`);

	step('Starting n8n with this package (the first run installs n8n 2.40.7 into ~/.cache, about 10 minutes)');
	process.env.N8N_E2E_SKIP_BUILD = '1';
	const encryptionKey = randomBytes(24).toString('hex');
	const n8n = await N8nInstance.create({ workDir: path.join(DATA_DIR, 'n8n'), encryptionKey });
	writeFileSync(path.join(DATA_DIR, 'n8n', 'encryption-key'), encryptionKey, { mode: 0o600 });
	await n8n.importCredentials([
		{ id: CRM_CREDENTIAL_ID, name: 'CRM (demo)', type: 'crmApi', data: { backend: 'embedded', databasePath: dbPath } },
		{
			id: GRAPH_CREDENTIAL_ID,
			name: 'Microsoft 365 (demo sandbox)',
			type: 'microsoftGraphOAuth2Api',
			data: {
				grantType: 'clientCredentials',
				tenantId: TENANT,
				clientId: CLIENT_ID,
				clientSecret: CLIENT_SECRET,
				mailbox: ANNA,
				authorityUrl: sandbox.httpsUrl,
				graphBaseUrl: sandbox.httpsUrl,
				useCustomCa: true,
				caCertificate: sandbox.tls.ca,
			},
		},
	]);
	await n8n.importWorkflows([
		template('initial-sync.json', 'demoInitialSync1'),
		...COMPONENTS.map((c) => template(c.file, c.id)),
		template('cleanup.json', 'demoCleanup00001'),
	]);
	say(`  imported the templates: initial sync, ${COMPONENTS.map((c) => c.label).join(', ')} sync, cleanup`);

	const totals: Counts = {};
	step('Initial sync (both directions)');
	const initial = await n8n.executeOrThrow('demoInitialSync1');
	for (const [c, label] of COMPONENTS.map((c, i) => [c, ['Contacts', 'Calendar', 'Tasks'][i]] as const)) {
		const r = nodeOutput(initial, `${label}: Commit`)[0];
		sum(totals, r);
		say(reportLine(c.label, r));
	}

	step('A day of work: edits on both sides');
	const contacts = await crm.list('contacts');
	const becker = contacts.find((r) => r.fields.lastname === 'Becker');
	if (becker) await crm.update('contacts', becker.id, { fields: { title: 'Einkaufsleiter', mobile: '+49 170 9999999' } });
	say('  CRM:     Jonas Becker got a new title and mobile number');
	const exContacts = await exchange.listChanges('contact', folders.contact as string, undefined);
	const fromOutlook = exContacts.items.find((i) => !i.ident);
	if (fromOutlook) {
		await exchange.update('contact', folders.contact as string, fromOutlook.id, { ...fromOutlook.record, jobTitle: 'Prokurist' }, fromOutlook.ident);
		say(`  Outlook: ${fromOutlook.record.firstName ?? ''} ${fromOutlook.record.lastName ?? ''} is now "Prokurist"`);
	}
	const events = await crm.list('events');
	const workshop = events.find((r) => r.fields.subject === 'Workshop Digitalisierung');
	if (workshop) await crm.update('events', workshop.id, { fields: { location: 'Düsseldorf, Raum 4.12' } });
	say('  CRM:     the workshop moved to Düsseldorf');
	const tasks = await crm.list('tasks');
	const invoice = tasks.find((r) => r.fields.subject === 'Rechnung Wagner prüfen');
	if (invoice) await crm.update('tasks', invoice.id, { fields: { taskstatus: 'Completed' } });
	say('  CRM:     "Rechnung Wagner prüfen" is done');

	step('Scheduled sync runs');
	const runs: Record<string, N8nRun> = {};
	for (const c of COMPONENTS) {
		runs[c.id] = await n8n.executeOrThrow(c.id);
		const r = nodeOutput(runs[c.id], 'Commit')[0];
		sum(totals, r);
		say(reportLine(c.label, r));
	}
	step('An idle run (nothing changed) writes nothing');
	let idleWrites = 0;
	for (const c of COMPONENTS) {
		const r = nodeOutput(await n8n.executeOrThrow(c.id), 'Commit')[0];
		idleWrites += Number(r.created) + Number(r.updated) + Number(r.deleted);
	}
	say(`  writes in the idle runs: ${idleWrites}`);

	step('Do both sides agree?');
	const check = await pairing(crm, exchange, folders);
	let converged = idleWrites === 0;
	for (const c of check) {
		const ok = c.crm === c.exchange && c.paired === c.crm;
		converged &&= ok;
		say(`  ${c.label.padEnd(13)} CRM ${c.crm}, Exchange ${c.exchange}, paired ${c.paired} ${ok ? '✓' : '✗'}`);
	}
	const becker2 = becker ? await crm.get('contacts', becker.id) : undefined;
	say(`  e.g. Jonas Becker in Outlook: ${becker2?.fields.title ?? '?'}, ${becker2?.fields.mobile ?? '?'}`);

	step('Look at it in the n8n editor');
	say(`  N8N_USER_FOLDER=${path.relative(process.cwd(), path.join(DATA_DIR, 'n8n', 'user'))} N8N_ENCRYPTION_KEY=$(cat demo-data/n8n/encryption-key) \\`);
	say(`    ${path.join(n8n.n8nDir, 'node_modules/.bin/n8n')} start    # then open http://localhost:5678`);
	say('  (the sandbox stops with the demo; the workflows, credentials and executions stay in demo-data/)');

	exchange.close();
	await crm.close();
	await sandbox.stop();
	const seconds = Math.round((Date.now() - started) / 1000);
	const counts = COMPONENTS.map((c, i) => `${c.label} ${check[i].crm}⇄${check[i].exchange}`).join(', ');
	say(
		`\ndemo: ${counts}; created ${totals.created}, updated ${totals.updated}, deleted ${totals.deleted}, conflicts ${totals.conflicts}, errors ${totals.errors}; converged: ${converged ? 'yes' : 'NO'} (${seconds} s)`,
	);
	if (!converged || totals.errors > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
	console.error(`\ndemo: failed: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
