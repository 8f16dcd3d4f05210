/**
 * Issue 12 §1, CRM side: an update from Exchange writes only the CRM fields of the canonical fields that
 * changed; CRM fields the mapping does not know (and mapped ones whose CRM spelling the canonical model
 * cannot hold, like an HTML description) survive bit-identical. Through the real Field Mapping (canonical →
 * CRM) and CRM (Sync Action → Apply) nodes, on an embedded CRM in a real SQLite file, on the vtiger sandbox
 * over HTTP, and on the real vtiger when VTIGER_URL, VTIGER_USERNAME and VTIGER_ACCESS_KEY are set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import type { CrmBackend, CrmRecord } from '../../lib/crm';
import { EmbeddedCrmBackend, VtigerCrmBackend } from '../../lib/crm';
import type { ActionItem } from '../../lib/engine';
import { buildMappingConfig, crmToCanonical, withAccountName } from '../../lib/mapping';
import type { Component, Contact } from '../../lib/model/types';
import { Crm } from '../../nodes/Crm/Crm.node';
import { closeSharedCrmBackends } from '../../nodes/Crm/transport/backend';
import { FieldMapping } from '../../nodes/FieldMapping/FieldMapping.node';
import { startVtigerSandbox } from '../../sandbox/vtiger/server';

const NODE: INode = { id: 'n', name: 'node', type: 'test', typeVersion: 1, position: [0, 0], parameters: {} };

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
			const dir = mkdtempSync(join(tmpdir(), 'crm-changed-'));
			const databasePath = join(dir, 'crm.sqlite');
			const crm = EmbeddedCrmBackend.open(databasePath);
			return {
				crm,
				credentials: { backend: 'embedded', databasePath },
				close: async () => {
					await crm.close();
					rmSync(dir, { recursive: true, force: true });
				},
			};
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

const run = `chg${Date.now().toString(36)}`;

/** The Plan's update action for the CRM, as Conflict Resolution emits it. */
function updateAction(component: Component, target: CrmRecord, record: object, changedFields: string[]): ActionItem {
	return {
		syncAction: true,
		runId: run,
		table: 'test',
		component,
		seq: 1,
		ident: `test:${target.id}`,
		crmId: target.id,
		kind: 'update',
		target: 'crm',
		targetId: target.id,
		record: record as Contact,
		changedFields,
		reason: 'Changed in Exchange.',
		rowEffect: 'pair',
	} as ActionItem;
}

/** Field Mapping (canonical → CRM, preset) then CRM Sync Action → Apply, as in the sync templates. */
async function applyThroughNodes(credentials: ICredentialDataDecryptedObject, action: ActionItem): Promise<IDataObject> {
	const [mapped] = await new FieldMapping().execute.call(
		context(credentials, { operation: 'toCrm', component: action.component, recordField: 'record', crmFieldsField: 'fields' }, [
			{ json: action as unknown as IDataObject },
		]),
	);
	expect(mapped).toHaveLength(1);
	const [applied] = await new Crm().execute.call(
		context(credentials, { resource: 'syncAction', operation: 'apply', crmUserId: '', recordConflicts: true }, mapped),
	);
	return applied[0].json;
}

function changedKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
	return Object.keys({ ...a, ...b })
		.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
		.sort();
}

describe.each(backends)('updates from Exchange write only the changed fields: $name', (backend) => {
	let crm: CrmBackend;
	let credentials: ICredentialDataDecryptedObject;
	let close: () => Promise<void>;
	const written: Array<{ module: 'contacts' | 'accounts' | 'events' | 'tasks'; id: string }> = [];

	beforeAll(async () => {
		({ crm, credentials, close } = await backend.open());
	});
	afterAll(async () => {
		for (const { module, id } of written.reverse()) await crm.delete(module, id).catch(() => undefined);
		await closeSharedCrmBackends();
		await crm.close();
		await close();
	});

	test('contact: an Exchange phone edit changes the phone only; CRM-only fields, the HTML description and the account stay identical', async () => {
		const account = await crm.create('accounts', { fields: { accountname: `Acme ${run}`, description: 'CRM-only account text <b>kept</b>' } });
		written.push({ module: 'accounts', id: account.id });
		const contact = await crm.create('contacts', {
			exchangeIdent: `x:exchange-${run}`,
			fields: {
				firstname: 'Erika',
				lastname: `Muster ${run}`,
				phone: '+49 221 1',
				mobile: '+49 170 1',
				email: `erika.${run}@example.com`,
				description: 'Met at <b>the fair</b> &amp; liked it',
				account_id: account.id,
				leadsource: 'Partner',
				assistant: 'Max',
				homephone: '+49 221 9',
				donotcall: '1',
			},
		});
		written.push({ module: 'contacts', id: contact.id });
		const before = (await crm.get('contacts', contact.id)) as CrmRecord;
		const accountBefore = (await crm.get('accounts', account.id)) as CrmRecord;

		// What the Plan holds: the CRM record in canonical form, edited in Exchange (the phone).
		const config = buildMappingConfig('contact');
		const canonical = crmToCanonical('contact', await withAccountName(crm, before.fields), config);
		const applied = await applyThroughNodes(credentials, updateAction('contact', before, { ...canonical, phone: '+49 221 2' }, ['phone']));
		expect(applied.outcome).toMatchObject({ ok: true, id: contact.id });
		// Written: the phone, plus clears of the mapped fields the record lacks (empty in the CRM too).
		expect(Object.fromEntries(Object.entries(applied.fields as IDataObject).filter(([, v]) => v !== ''))).toEqual({ phone: '+49 221 2' });

		const after = (await crm.get('contacts', contact.id)) as CrmRecord;
		expect(changedKeys(before.fields, after.fields)).toEqual(['phone']);
		expect(after.fields.phone).toBe('+49 221 2');
		expect(after.exchangeIdent).toBe(before.exchangeIdent);
		expect((await crm.get('accounts', account.id))?.fields).toEqual(accountBefore.fields);
		expect(await crm.findAccountByName(`Acme ${run}`)).toMatchObject({ id: account.id });

		// A field cleared in Exchange is cleared in the CRM even when the Plan did not see it change (it had
		// not read the CRM record); nothing else moves.
		const { mobile: _dropped, ...withoutMobile } = canonical as Contact & { mobile?: string };
		await applyThroughNodes(credentials, updateAction('contact', after, { ...withoutMobile, phone: '+49 221 2' }, ['phone']));
		const cleared = (await crm.get('contacts', contact.id)) as CrmRecord;
		expect(changedKeys(after.fields, cleared.fields)).toEqual(['mobile']);
	});

	test('appointment and task from Exchange: created with what the CRM demands, then a subject edit changes the subject only', async () => {
		const eventConfig = buildMappingConfig('event');
		const start = { dateTime: '2026-11-24T09:00:00.0000000', timeZone: 'Europe/Berlin' };
		const end = { dateTime: '2026-11-24T10:30:00.0000000', timeZone: 'Europe/Berlin' };
		const createEvent = {
			...updateAction('event', { id: '' } as CrmRecord, { subject: `Kick-off ${run}`, start, end, location: 'Room 1' }, []),
			kind: 'create' as const,
			targetId: undefined,
			changedFields: undefined,
			writeIdent: `x:ev-${run}`,
		};
		const created = await applyThroughNodes(credentials, createEvent as ActionItem);
		expect(created.outcome).toMatchObject({ ok: true });
		const eventId = String((created.outcome as { id: string }).id);
		written.push({ module: 'events', id: eventId });
		const event = (await crm.get('events', eventId)) as CrmRecord;
		expect(event.fields).toMatchObject({
			subject: `Kick-off ${run}`,
			date_start: '2026-11-24',
			time_start: '08:00:00',
			time_end: '09:30:00',
			activitytype: 'Meeting',
		});
		expect(Number(event.fields.reminder_time)).toBe(15); // S19: the default reminder, on create only
		// The CRM user changes the type and adds a remark the mapping does not sync.
		const edited = await crm.update('events', eventId, { fields: { activitytype: 'Call', location: 'Room 2' } });
		const canonical = crmToCanonical('event', edited.fields, eventConfig, { recordId: eventId });
		const applied = await applyThroughNodes(
			credentials,
			updateAction('event', edited, { ...canonical, subject: `Kick-off moved ${run}`, body: undefined }, ['subject']),
		);
		expect(applied.outcome).toMatchObject({ ok: true });
		const after = (await crm.get('events', eventId)) as CrmRecord;
		expect(changedKeys(edited.fields, after.fields)).toEqual(['subject']);
		expect(after.fields.activitytype).toBe('Call');

		const createTask = {
			...updateAction('task', { id: '' } as CrmRecord, { subject: `Report ${run}`, dueDate: '2026-11-30', status: 'notStarted', priority: 'normal' }, []),
			kind: 'create' as const,
			targetId: undefined,
			changedFields: undefined,
		};
		const task = await applyThroughNodes(credentials, createTask as ActionItem);
		expect(task.outcome).toMatchObject({ ok: true });
		const taskId = String((task.outcome as { id: string }).id);
		written.push({ module: 'tasks', id: taskId });
		expect((await crm.list('tasks')).map((r) => r.id)).toContain(taskId);
		const stored = (await crm.get('tasks', taskId)) as CrmRecord;
		expect(stored.fields).toMatchObject({ subject: `Report ${run}`, due_date: '2026-11-30', taskstatus: 'Not Started' });
	});
});
