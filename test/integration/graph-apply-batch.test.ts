/**
 * Issue 15 "Request economy": Sync Apply writes through $batch. The nodes of workflows/contacts-sync.json
 * run in-process against the sandbox over HTTPS (requests counted where the sandbox answers them) and an
 * embedded CRM in a real SQLite file; the Exchange node's Apply also gets hand-made actions for the
 * per-item failures (412 changed meanwhile, 404 gone).
 */
import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import { EmbeddedCrmBackend } from '../../lib/crm';
import type { ActionItem } from '../../lib/engine';
import { ClientCredentialsTokenProvider, GraphExchangeClient, HttpTransport } from '../../lib/exchange';
import { GRAPH_IDENT_PROPERTY_ID } from '../../lib/exchange/ident';
import { Exchange } from '../../nodes/Exchange/Exchange.node';
import { ANNA, startContactsTemplate, type ContactsTemplate } from '../helpers/contacts-template-nodes';
import type { GraphExchange } from '../helpers/sandbox';

jest.setTimeout(180_000);

const OTHER_PROPERTY = 'String {0b3c51ec-8b7d-4c4e-9a6a-6a53d4c1f00d} Name OtherApp';
const HTML = '<html><body><p>Met at <b>the fair</b></p></body></html>';

let t: ContactsTemplate;
let sb: ContactsTemplate['sb'];

beforeAll(async () => {
	t = await startContactsTemplate();
	sb = t.sb;
});

afterAll(async () => {
	await t.close();
});

/** The sandbox's view of a phase: outer $batch calls, single (non-batched) writes, and batched sub-requests. */
function requestsOf(exchanges: GraphExchange[]): { batches: number; singleWrites: number; batchedWrites: number; batchedReads: number; all: number } {
	const outer = exchanges.filter((e) => !e.inBatch);
	return {
		all: outer.length,
		batches: outer.filter((e) => e.path === '/$batch').length,
		singleWrites: outer.filter((e) => e.path !== '/$batch' && e.method !== 'GET').length,
		batchedWrites: exchanges.filter((e) => e.inBatch && e.method !== 'GET').length,
		batchedReads: exchanges.filter((e) => e.inBatch && e.method === 'GET').length,
	};
}

async function recorded<T>(run: () => Promise<T>): Promise<{ result: T; exchanges: GraphExchange[] }> {
	const rec = sb.recordGraph();
	try {
		return { result: await run(), exchanges: rec.exchanges };
	} finally {
		rec.stop();
	}
}

it("a scheduled run with 45 changes to write sends them in 3 $batches; categories, the nickname and another app's property survive", async () => {
	const crm = EmbeddedCrmBackend.open(dbPath());
	const ids: string[] = [];
	for (let i = 0; i < 45; i++)
		ids.push((await crm.create('contacts', { fields: { firstname: `Vor${i}`, lastname: `Batch${i}`, email: `batch${i}@example.com`, title: 'Old' } })).id);

	// Run 1: 45 creates.
	const run1 = await t.readAndPlan(t.saved);
	const written1 = await recorded(() => t.applyAndCommit(run1));
	t.saved = run1.data;
	expect(written1.result).toMatchObject({ created: 45, errors: 0 });
	expect(requestsOf(written1.exchanges)).toMatchObject({ batches: 3, singleWrites: 0, batchedWrites: 45 });

	// Outlook-only data on every contact: categories, a nickname, another application's extended property.
	const mailbox = sb.sandbox.store.mailbox(ANNA);
	const folderId = run1.folderId;
	const contacts = mailbox.listItems(folderId, 'contact');
	expect(contacts).toHaveLength(45);
	for (const c of contacts) {
		mailbox.updateItem<'contact'>(
			c.id,
			(d) => {
				d.categories = ['Messe'];
				d.nickName = 'Anni';
			},
			{ extendedProperties: { [OTHER_PROPERTY]: `other-${c.id}` } },
		);
	}
	// Their echo: the Outlook edits come back once (categories/notes are not written to the CRM's fields here).
	await t.syncRun();

	// Run 3: 30 updates (title only), 10 deletes, 5 creates in the CRM → 45 Exchange writes.
	for (const id of ids.slice(0, 30)) await crm.update('contacts', id, { fields: { title: 'New' } });
	for (const id of ids.slice(30, 40)) await crm.delete('contacts', id);
	for (let i = 45; i < 50; i++) await crm.create('contacts', { fields: { firstname: `Vor${i}`, lastname: `Batch${i}` } });
	await crm.close();
	const before = new Map(mailbox.listItems(folderId, 'contact').map((c) => [c.id, c]));
	const run3 = await t.readAndPlan(t.saved, { planOptions: {} });
	const toExchange = run3.actions.filter((a) => (a.json as { target?: string }).target === 'exchange');
	expect(toExchange).toHaveLength(45);
	const written3 = await recorded(() => t.applyAndCommit(run3));
	t.saved = run3.data;
	expect(written3.result).toMatchObject({ created: 5, updated: 30, deleted: 10, errors: 0 });
	expect(requestsOf(written3.exchanges)).toEqual({ all: 3, batches: 3, singleWrites: 0, batchedWrites: 45, batchedReads: 0 });

	const after = mailbox.listItems(folderId, 'contact');
	expect(after).toHaveLength(40);
	const updated = after.filter((c) => c.data.jobTitle === 'New');
	expect(updated).toHaveLength(30);
	for (const c of updated) {
		expect(c.data.categories).toEqual(['Messe']);
		expect(c.extendedProperties[OTHER_PROPERTY]).toBe(`other-${c.id}`);
		// Everything but the one changed property is as it was before the batched PATCH.
		const was = before.get(c.id);
		expect({ ...c.data, jobTitle: 'Old' }).toEqual(was?.data);
		expect(c.extendedProperties).toEqual(was?.extendedProperties);
	}
	expect(await t.syncRun()).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0, conflicts: 0 });
});

it('a batch in which one write gets 412 (changed meanwhile) and one 404 (gone) reports those outcomes and writes the others', async () => {
	const mailbox = sb.sandbox.store.mailbox(ANNA);
	const folderId = mailbox.listFolders({ kind: 'contacts' }).find((f) => f.displayName === 'CRM-Sync')?.id as string;
	const made = Array.from({ length: 4 }, (_, i) =>
		mailbox.createItem(folderId, 'contact', { givenName: `Fail${i}`, surname: 'Case', jobTitle: 'Before', categories: ['Keep'] }),
	);
	const etag = (id: string) => `W/"${mailbox.getItem(id)?.changeKey}"`;
	const etags = made.map((m) => etag(m.id));
	mailbox.updateItem<'contact'>(made[1].id, (d) => void (d.department = 'Changed in Outlook'));
	mailbox.deleteItem(made[2].id);

	const action = (seq: number, kind: 'update' | 'delete' | 'create', m?: { id: string }, e?: string): ActionItem => ({
		syncAction: true,
		runId: 'r',
		table: 't',
		component: 'contact',
		seq,
		ident: `crm:Contacts:${seq}`,
		kind,
		target: 'exchange',
		reason: 'test',
		rowEffect: 'pair',
		...(m ? { targetId: m.id, targetEtag: e } : {}),
		...(kind !== 'delete' ? { record: { firstName: `Fail${seq}`, lastName: 'Case', jobTitle: 'After' }, changedFields: ['jobTitle'] } : {}),
		...(kind === 'create' ? { writeIdent: `crm:Contacts:${seq}` } : {}),
	});
	const items: INodeExecutionData[] = [
		{ json: action(0, 'update', made[0], etags[0]) as unknown as IDataObject },
		{ json: { passThrough: true, note: 'not an action' } },
		{ json: action(1, 'update', made[1], etags[1]) as unknown as IDataObject },
		{ json: action(2, 'update', made[2], etags[2]) as unknown as IDataObject },
		{ json: action(3, 'delete', made[3], etags[3]) as unknown as IDataObject },
		{ json: action(4, 'create') as unknown as IDataObject },
	];
	const { result: out, exchanges } = await recorded(() => applyNode(folderId, items));
	expect(requestsOf(exchanges)).toMatchObject({ all: 1, batches: 1, batchedWrites: 5 });

	expect(out.map((o) => o.pairedItem)).toEqual(items.map((_, i) => ({ item: i })));
	expect(out[1].json).toEqual(items[1].json);
	const outcomes = out.map((o) => (o.json as { outcome?: { ok: boolean; code?: string } }).outcome);
	expect(outcomes.map((o) => (o ? (o.ok ? 'ok' : o.code) : 'none'))).toEqual(['ok', 'none', 'conflict', 'notFound', 'ok', 'ok']);

	expect(mailbox.getItem(made[0].id)?.data).toMatchObject({ jobTitle: 'After', categories: ['Keep'] });
	expect(mailbox.getItem(made[1].id)?.data).toMatchObject({ jobTitle: 'Before', department: 'Changed in Outlook' });
	expect(mailbox.getItem(made[3].id)).toBeUndefined();
	const created = mailbox.listItems(folderId, 'contact').find((c) => c.data.givenName === 'Fail4');
	expect(created?.extendedProperties[GRAPH_IDENT_PROPERTY_ID]).toBe('crm:Contacts:4');
});

it('a write that gets 429 inside the batch is sent again after Retry-After and succeeds; the others are written once', async () => {
	const mailbox = sb.sandbox.store.mailbox(ANNA);
	const folderId = mailbox.listFolders({ kind: 'contacts' }).find((f) => f.displayName === 'CRM-Sync')?.id as string;
	const made = Array.from({ length: 3 }, (_, i) => mailbox.createItem(folderId, 'contact', { givenName: `Retry${i}`, surname: 'Case', jobTitle: 'Before' }));
	await sb.control.addFault({
		match: { protocol: 'graph', method: 'PATCH', path: made[1].id.replace(/[^A-Za-z0-9]/g, '.') },
		action: { type: 'status', status: 429, retryAfterSeconds: 0 },
		times: 1,
	});
	const items: INodeExecutionData[] = made.map((m, i) => ({
		json: {
			syncAction: true,
			runId: 'r',
			table: 't',
			component: 'contact',
			seq: i,
			ident: `crm:Contacts:r${i}`,
			kind: 'update',
			target: 'exchange',
			reason: 'test',
			rowEffect: 'pair',
			targetId: m.id,
			targetEtag: `W/"${m.changeKey}"`,
			record: { firstName: `Retry${i}`, lastName: 'Case', jobTitle: 'After' },
			changedFields: ['jobTitle'],
		},
	}));
	const { result: out, exchanges } = await recorded(() => applyNode(folderId, items));
	expect(out.map((o) => (o.json as { outcome?: { ok: boolean } }).outcome?.ok)).toEqual([true, true, true]);
	// The first batch with all three, the second with the throttled one only (the injected 429 is answered before the sandbox records a write).
	expect(requestsOf(exchanges)).toMatchObject({ all: 2, batches: 2, singleWrites: 0, batchedWrites: 3 });
	expect(made.map((m) => (mailbox.getItem(m.id)?.data as { jobTitle?: string }).jobTitle)).toEqual(['After', 'After', 'After']);
});

it('appointments: a subject edit in the batch leaves the HTML body, categories and another property as they are; onlyFields reads go in a read batch', async () => {
	const transport = new HttpTransport({ ca: sb.ca });
	const client = new GraphExchangeClient({
		protocol: 'graph',
		baseUrl: sb.authorityUrl,
		mailbox: ANNA,
		tokens: new ClientCredentialsTokenProvider(
			{ authorityUrl: sb.authorityUrl, tenantId: sb.tenant, clientId: sb.clientId, clientSecret: sb.clientSecret },
			transport,
		),
		transport,
	});
	try {
		const calendar = (await client.ensureSyncFolders({ components: ['event'] })).event as string;
		const mailbox = sb.sandbox.store.mailbox(ANNA);
		const made = [];
		for (let i = 0; i < 3; i++) {
			const day = `2026-12-${String(10 + i)}`;
			const item = await client.create(
				'event',
				calendar,
				{
					subject: `Termin ${i}`,
					start: { dateTime: `${day}T09:00:00`, timeZone: 'Europe/Berlin' },
					end: { dateTime: `${day}T10:00:00`, timeZone: 'Europe/Berlin' },
				},
				`crm:Events:${i}`,
			);
			mailbox.updateItem<'event'>(
				item.id,
				(d) => {
					d.body = { contentType: 'html', content: HTML };
					d.categories = ['Messe'];
				},
				{ extendedProperties: { [OTHER_PROPERTY]: `other-${i}` } },
			);
			made.push({ ...item, etag: `W/"${mailbox.getItem(item.id)?.changeKey}"` });
		}
		const before = made.map((m) => mailbox.getItem(m.id));
		const items: INodeExecutionData[] = made.map((m, i) => ({
			json: {
				syncAction: true,
				runId: 'r',
				table: 't',
				component: 'event',
				seq: i,
				ident: `crm:Events:${i}`,
				kind: 'update',
				target: 'exchange',
				reason: 'test',
				rowEffect: 'pair',
				targetId: m.id,
				targetEtag: m.etag,
				record: { ...m.record, subject: `Termin ${i} (verschoben)` },
				changedFields: ['subject'],
				// S17-style: the second one updates only the subject of what is in Exchange now (read first).
				...(i === 1 ? { onlyFields: ['subject'] } : {}),
			},
		}));
		const { result: out, exchanges } = await recorded(() => applyNode(calendar, items));
		expect(out.map((o) => (o.json as { outcome?: { ok: boolean } }).outcome?.ok)).toEqual([true, true, true]);
		// One read batch (the onlyFields read) and one write batch; nothing one by one.
		expect(requestsOf(exchanges)).toMatchObject({ all: 2, batches: 2, singleWrites: 0, batchedWrites: 3 });
		made.forEach((m, i) => {
			const now = mailbox.getItem(m.id);
			expect(now?.data).toEqual({ ...before[i]?.data, subject: `Termin ${i} (verschoben)` });
			expect(now?.extendedProperties).toEqual(before[i]?.extendedProperties);
		});
	} finally {
		client.close();
	}
});

it('after a calendar delta the 25 changed appointments are read in 2 $batches, not one by one', async () => {
	const transport = new HttpTransport({ ca: sb.ca });
	const client = new GraphExchangeClient({
		protocol: 'graph',
		baseUrl: sb.authorityUrl,
		mailbox: ANNA,
		tokens: new ClientCredentialsTokenProvider(
			{ authorityUrl: sb.authorityUrl, tenantId: sb.tenant, clientId: sb.clientId, clientSecret: sb.clientSecret },
			transport,
		),
		transport,
	});
	try {
		const calendar = (await client.ensureSyncFolders({ components: ['event'], folderName: 'Delta-Reads' })).event as string;
		const mailbox = sb.sandbox.store.mailbox(ANNA);
		const ids: string[] = [];
		for (let i = 0; i < 25; i++) {
			const day = `2026-12-${String(1 + i).padStart(2, '0')}`;
			ids.push(
				(
					await client.create(
						'event',
						calendar,
						{
							subject: `Delta ${i}`,
							start: { dateTime: `${day}T09:00:00`, timeZone: 'Europe/Berlin' },
							end: { dateTime: `${day}T10:00:00`, timeZone: 'Europe/Berlin' },
						},
						`crm:Events:d${i}`,
					)
				).id,
			);
		}
		let cursor: string | undefined;
		for (let more = true; more; ) {
			const page = await client.listChanges('event', calendar, cursor);
			cursor = page.cursor;
			more = page.hasMore;
		}
		for (const id of ids) mailbox.updateItem<'event'>(id, (d) => void (d.location = { displayName: 'Moved' }));
		const { result: page, exchanges } = await recorded(() => client.listChanges('event', calendar, cursor));
		expect(page.items.map((i) => [i.record.location, i.ident])).toEqual(ids.map((_, i) => ['Moved', `crm:Events:d${i}`]));
		expect(requestsOf(exchanges)).toMatchObject({ all: 3, batches: 2, singleWrites: 0 });
	} finally {
		client.close();
	}
});

function dbPath(): string {
	return t.dbPath;
}

/** The Exchange node's Sync Apply on these items, as the template's "Apply to Exchange" node runs it. */
async function applyNode(folderId: string, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const meta: INode = { id: 'n', name: 'Apply', type: 'x', typeVersion: 1, position: [0, 0], parameters: {} };
	const params: Record<string, unknown> = { resource: 'syncAction', operation: 'apply', syncFolderId: folderId, options: {} };
	const ctx = {
		getInputData: () => items,
		getNode: () => meta,
		continueOnFail: () => false,
		getCredentials: async () => ({
			grantType: 'clientCredentials',
			tenantId: sb.tenant,
			clientId: sb.clientId,
			clientSecret: sb.clientSecret,
			mailbox: ANNA,
			authorityUrl: sb.authorityUrl,
			graphBaseUrl: sb.authorityUrl,
			useCustomCa: true,
			caCertificate: sb.ca,
		}),
		getWorkflowStaticData: () => ({}),
		getMode: () => 'trigger',
		getNodeParameter(name: string, _i: number, fallback?: unknown) {
			if (name in params) return params[name];
			if (fallback !== undefined) return fallback;
			throw new Error(`test did not set parameter "${name}"`);
		},
		helpers: {},
	} as unknown as IExecuteFunctions;
	const [out] = await new Exchange().execute.call(ctx);
	return out;
}
