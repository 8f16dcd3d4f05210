/**
 * S9 through the sync path of the templates: Field Mapping (canonical → CRM) then CRM Sync
 * Action → Apply creates a contact, an appointment and a task whose Exchange description holds
 * escaped script, javascript:/data: links and (task) 2 MB of nested HTML. Checked on the embedded
 * CRM (SQLite file), the vtiger sandbox over HTTP, and the real vtiger when VTIGER_URL,
 * VTIGER_USERNAME and VTIGER_ACCESS_KEY are set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import type { CrmBackend, CrmRecord } from '../../lib/crm';
import { EmbeddedCrmBackend, VtigerCrmBackend } from '../../lib/crm';
import type { ActionItem } from '../../lib/engine';
import type { Component } from '../../lib/model/types';
import { Crm } from '../../nodes/Crm/Crm.node';
import { closeSharedCrmBackends } from '../../nodes/Crm/transport/backend';
import { FieldMapping } from '../../nodes/FieldMapping/FieldMapping.node';
import { startVtigerSandbox } from '../../sandbox/vtiger/server';

const NODE: INode = { id: 'n', name: 'node', type: 'test', typeVersion: 1, position: [0, 0], parameters: {} };
const run = `s9${Date.now().toString(36)}`;

function context(credentials: ICredentialDataDecryptedObject, params: Record<string, unknown>, items: INodeExecutionData[]): IExecuteFunctions {
	return {
		getInputData: () => items,
		getNode: () => NODE,
		continueOnFail: () => false,
		getCredentials: async () => credentials,
		getNodeParameter(name: string, _i: number, fallback?: unknown) {
			if (name in params) return params[name];
			if (fallback !== undefined) return fallback;
			throw new Error(`test did not set parameter "${name}"`);
		},
	} as unknown as IExecuteFunctions;
}

interface Backend {
	name: string;
	open(): Promise<{ crm: CrmBackend; credentials: ICredentialDataDecryptedObject; close(): Promise<void> }>;
}

const live = process.env.VTIGER_URL && process.env.VTIGER_USERNAME && process.env.VTIGER_ACCESS_KEY;
const backends: Backend[] = [
	{
		name: 'embedded (SQLite file)',
		async open() {
			const dir = mkdtempSync(join(tmpdir(), 'email-safety-nodes-'));
			const databasePath = join(dir, 'crm.sqlite');
			const crm = EmbeddedCrmBackend.open(databasePath);
			return { crm, credentials: { backend: 'embedded', databasePath }, close: async () => rmSync(dir, { recursive: true, force: true }) };
		},
	},
	{
		name: 'vtiger sandbox (HTTP)',
		async open() {
			const sandbox = await startVtigerSandbox({ users: [{ userName: 'admin', accessKey: 'k3y', isAdmin: true }] });
			const config = { kind: 'vtiger' as const, url: sandbox.url, userName: 'admin', accessKey: 'k3y' };
			return {
				crm: new VtigerCrmBackend(config),
				credentials: { backend: 'vtiger', url: sandbox.url, userName: 'admin', accessKey: 'k3y' },
				close: () => sandbox.close(),
			};
		},
	},
	...(live
		? [
				{
					name: `real vtiger (${process.env.VTIGER_URL})`,
					async open() {
						const config = {
							kind: 'vtiger' as const,
							url: process.env.VTIGER_URL as string,
							userName: process.env.VTIGER_USERNAME as string,
							accessKey: process.env.VTIGER_ACCESS_KEY as string,
						};
						return {
							crm: new VtigerCrmBackend(config),
							credentials: { backend: 'vtiger', url: config.url, userName: config.userName, accessKey: config.accessKey },
							close: async () => undefined,
						};
					},
				},
			]
		: []),
];

if (!live) {
	test('real vtiger part skipped: set VTIGER_URL, VTIGER_USERNAME and VTIGER_ACCESS_KEY', () => expect(live).toBeFalsy());
}

const HOSTILE =
	'<p>Hallo &lt;script&gt;alert(1)&lt;/script&gt;Anna</p><a href="javascript:alert(2)">Klick</a> ' +
	'<a href="data:text/html;base64,PHNjcmlwdD4=">Daten</a><img src="data:image/png;base64,iVBORw0KGgo="> ' +
	'<a href="https://firm.example/agenda">Agenda</a>';

function hugeNested(): { html: string; paragraphs: number } {
	const parts: string[] = [];
	let size = 0;
	while (size < 2 * 1024 * 1024) {
		const part = `<div><font face="Calibri"><span>Absatz ${parts.length} &amp; Text`;
		parts.push(part);
		size += part.length;
	}
	return { html: `<html><body>${parts.join('')}<p>Ende</p></body></html>`, paragraphs: parts.length };
}

function createAction(component: Component, record: object): ActionItem {
	return {
		syncAction: true,
		runId: run,
		table: 'test',
		component,
		seq: 1,
		ident: `test:${component}:${run}`,
		kind: 'create',
		target: 'crm',
		record,
		reason: 'New in Exchange.',
		rowEffect: 'pair',
	} as unknown as ActionItem;
}

function expectSafe(text: unknown): void {
	expect(typeof text).toBe('string');
	expect(text).not.toMatch(/<\/?[a-z!][^>]*>?/i);
	expect(text).not.toMatch(/&(?:lt|#0*60|#x0*3c);/i);
	expect(text).not.toMatch(/javascript:|data:|alert/i);
}

describe.each(backends)('S9 descriptions through Field Mapping and CRM Apply: $name', (backend) => {
	let crm: CrmBackend;
	let credentials: ICredentialDataDecryptedObject;
	let close: () => Promise<void>;
	const written: Array<{ module: 'contacts' | 'events' | 'tasks'; id: string }> = [];

	beforeAll(async () => {
		({ crm, credentials, close } = await backend.open());
	});
	afterAll(async () => {
		for (const { module, id } of written.reverse()) await crm.delete(module, id).catch(() => undefined);
		await closeSharedCrmBackends();
		await crm.close();
		await close();
	});

	async function createThroughNodes(module: 'contacts' | 'events' | 'tasks', action: ActionItem): Promise<CrmRecord> {
		const before = JSON.stringify(action);
		const [mapped] = await new FieldMapping().execute.call(
			context(credentials, { operation: 'toCrm', component: action.component, recordField: 'record', crmFieldsField: 'fields' }, [
				{ json: action as unknown as IDataObject },
			]),
		);
		const [applied] = await new Crm().execute.call(
			context(credentials, { resource: 'syncAction', operation: 'apply', crmUserId: '', recordConflicts: true }, mapped),
		);
		expect(applied[0].json.outcome).toMatchObject({ ok: true });
		const id = String((applied[0].json.outcome as { id: string }).id);
		written.push({ module, id });
		expect(JSON.stringify(action)).toBe(before); // the Exchange record is not modified on the way
		return (await crm.get(module, id)) as CrmRecord;
	}

	test('contact, appointment and task: no markup, no live link; 2 MB HTML stored as its text', async () => {
		const bystander = await crm.create('contacts', { fields: { lastname: `Bystander ${run}`, description: 'Keep this' } });
		written.push({ module: 'contacts', id: bystander.id });

		const contact = await createThroughNodes('contacts', createAction('contact', { lastName: `Schmidt ${run}`, description: HOSTILE }));
		expectSafe(contact.fields.description);
		expect(contact.fields.description).toContain('Hallo Anna');
		expect(contact.fields.description).toContain('Agenda [https://firm.example/agenda]');

		const event = await createThroughNodes(
			'events',
			createAction('event', {
				subject: `Termin ${run}`,
				start: { dateTime: '2026-11-24T09:00:00.0000000', timeZone: 'Europe/Berlin' },
				end: { dateTime: '2026-11-24T10:00:00.0000000', timeZone: 'Europe/Berlin' },
				body: '&lt;iframe src=&quot;javascript:alert(1)&quot;&gt;&lt;/iframe&gt;Agenda &lt;b&gt;fett&lt;/b&gt;',
			}),
		);
		expectSafe(event.fields.description);
		expect(event.fields.description).toBe('Agenda fett');

		const huge = hugeNested();
		const task = await createThroughNodes(
			'tasks',
			createAction('task', { subject: `Aufgabe ${run}`, dueDate: '2026-11-30', status: 'notStarted', priority: 'normal', body: huge.html }),
		);
		const text = String(task.fields.description);
		expect(text.match(/Absatz \d+ & Text/g)).toHaveLength(huge.paragraphs);
		expect(text).not.toContain('TextAbsatz');
		expect(text.endsWith('Ende')).toBe(true);
		expect(text).not.toMatch(/<[a-z/!]/i);

		expect((await crm.get('contacts', bystander.id))?.fields.description).toBe('Keep this');
	});
});
