/**
 * What a real vtiger CRM 8.3.0 answered (probed on loopback, 2026-12-05, with ../shared/real-servers/vtiger-up),
 * asserted on the sandbox and — when VTIGER_URL, VTIGER_USERNAME and VTIGER_ACCESS_KEY are set — on the
 * real server with the very same requests, so a sandbox that drifts from the real one fails here.
 * Every record written is deleted again (the real instance is left as it was found).
 */
import { VtigerApiError, VtigerClient } from '../../lib/crm';
import { startVtigerSandbox, type VtigerSandbox } from '../../sandbox/vtiger/server';

type Values = Record<string, string | null>;

/** Mandatory fields of the real describe (vtiger 8.3.0, stock install plus cf_crmsync_ident). */
const RECORDED_MANDATORY: Record<string, string[]> = {
	Contacts: ['assigned_user_id', 'lastname'],
	Accounts: ['accountname', 'assigned_user_id'],
	Events: ['activitytype', 'assigned_user_id', 'date_start', 'due_date', 'duration_hours', 'eventstatus', 'subject', 'time_end', 'time_start'],
	Calendar: ['assigned_user_id', 'date_start', 'due_date', 'subject', 'taskstatus', 'time_start'],
};

interface Target {
	name: string;
	open(): Promise<{ client: VtigerClient; close(): Promise<void> }>;
}

const live = process.env.VTIGER_URL && process.env.VTIGER_USERNAME && process.env.VTIGER_ACCESS_KEY;
const targets: Target[] = [
	{
		name: 'sandbox',
		async open() {
			const sandbox: VtigerSandbox = await startVtigerSandbox({ users: [{ userName: 'admin', accessKey: 'k3y', isAdmin: true }] });
			return { client: new VtigerClient({ kind: 'vtiger', url: sandbox.url, userName: 'admin', accessKey: 'k3y' }), close: () => sandbox.close() };
		},
	},
	...(live
		? [
				{
					name: `real vtiger (${process.env.VTIGER_URL})`,
					async open() {
						const client = new VtigerClient({
							kind: 'vtiger',
							url: process.env.VTIGER_URL as string,
							userName: process.env.VTIGER_USERNAME as string,
							accessKey: process.env.VTIGER_ACCESS_KEY as string,
						});
						return { client, close: async () => undefined };
					},
				},
			]
		: []),
];

if (!live) {
	test('real vtiger part skipped: set VTIGER_URL, VTIGER_USERNAME and VTIGER_ACCESS_KEY (eval "$(../shared/real-servers/vtiger-up)")', () => {
		expect(live).toBeFalsy();
	});
}

async function vtError(promise: Promise<unknown>): Promise<VtigerApiError> {
	try {
		await promise;
	} catch (error) {
		if (error instanceof VtigerApiError) return error;
		throw error;
	}
	throw new Error('expected vtiger to refuse the request');
}

const run = `par${Date.now().toString(36)}`;

describe.each(targets)('vtiger 8.3.0 behaviour: $name', (target) => {
	let client: VtigerClient;
	let close: () => Promise<void>;
	let owner: string;
	const written: string[] = [];

	beforeAll(async () => {
		({ client, close } = await target.open());
		owner = await client.userId();
	});
	afterAll(async () => {
		for (const id of written.reverse()) await client.post('delete', { id }).catch(() => undefined);
		await close();
	});

	async function create(elementType: string, element: Values): Promise<Values> {
		const values = (await client.post('create', { elementType, element: JSON.stringify({ assigned_user_id: owner, ...element }) })) as Values;
		written.push(String(values.id));
		return values;
	}
	const retrieve = async (id: string) => (await client.get('retrieve', { id })) as Values;
	const changedKeys = (a: Values, b: Values) =>
		Object.keys({ ...a, ...b })
			.filter((k) => !['modifiedtime', 'label'].includes(k) && a[k] !== b[k])
			.sort();

	test('describe: the same mandatory fields as the real 8.3.0', async () => {
		for (const [module, mandatory] of Object.entries(RECORDED_MANDATORY)) {
			const describe = (await client.get('describe', { elementType: module })) as { fields: Array<{ name: string; mandatory: boolean }> };
			expect([
				module,
				describe.fields
					.filter((f) => f.mandatory)
					.map((f) => f.name)
					.sort(),
			]).toEqual([module, mandatory]);
		}
	});

	test('revise changes only the fields it is given; the rest stays bit-identical', async () => {
		const account = await create('Accounts', { accountname: `Acc ${run}`, description: 'CRM-only account text' });
		const contact = await create('Contacts', {
			lastname: `Rev ${run}`,
			firstname: `O'Neil "Q" <x> & y`,
			description: 'D<b>x</b> & y',
			cf_crmsync_ident: `ident-${run}`,
			mobile: '+49 170 1',
			donotcall: '1',
			birthday: '1980-02-03',
			mailingstreet: 'Street 1\nLine 2',
			account_id: String(account.id),
		});
		const before = await retrieve(String(contact.id));
		const revised = (await client.post('revise', { element: JSON.stringify({ id: contact.id, title: 'CTO' }) })) as Values;
		expect(revised.title).toBe('CTO');
		const after = await retrieve(String(contact.id));
		expect(changedKeys(before, after)).toEqual(['title']);
		expect((await retrieve(String(account.id))).description).toBe('CRM-only account text');
		// A mandatory field given empty is refused; one not given is not needed.
		expect((await vtError(client.post('revise', { element: JSON.stringify({ id: contact.id, lastname: '' }) }))).code).toBe('MANDATORY_FIELDS_MISSING');
	});

	test('update keeps absent fields but demands every mandatory field and HTML-escapes absent text fields', async () => {
		const contact = await create('Contacts', { lastname: `Upd ${run}`, firstname: 'Erika', description: 'D<b>x</b> & y', cf_crmsync_ident: `u-${run}` });
		const missing = await vtError(client.post('update', { element: JSON.stringify({ id: contact.id, title: 'x' }) }));
		expect([missing.code, missing.message]).toEqual(['MANDATORY_FIELDS_MISSING', 'lastname does not have a value']);
		await client.post('update', { element: JSON.stringify({ id: contact.id, lastname: `Upd ${run}`, assigned_user_id: owner, title: 'CEO' }) });
		const after = await retrieve(String(contact.id));
		expect([after.firstname, after.title, after.cf_crmsync_ident]).toEqual(['Erika', 'CEO', `u-${run}`]);
		expect(after.description).toBe('D&lt;b&gt;x&lt;/b&gt; &amp; y');
	});

	test('events: duration_hours is mandatory and recomputed from start and end; reminder_time is seconds in, minutes out; a revise without it clears it', async () => {
		const base = {
			subject: `Ev ${run}`,
			date_start: '2026-11-24',
			time_start: '09:00:00',
			due_date: '2026-11-24',
			time_end: '10:30:00',
			activitytype: 'Meeting',
			eventstatus: 'Planned',
		};
		const refused = await vtError(client.post('create', { elementType: 'Events', element: JSON.stringify({ ...base, assigned_user_id: owner }) }));
		expect([refused.code, refused.message]).toEqual(['MANDATORY_FIELDS_MISSING', 'duration_hours does not have a value']);
		const event = await create('Events', { ...base, duration_hours: '0', reminder_time: '900' });
		expect([event.duration_hours, event.duration_minutes, event.reminder_time]).toEqual(['1', '30', '15']);
		const moved = (await client.post('revise', { element: JSON.stringify({ id: event.id, time_end: '11:00:00' }) })) as Values;
		expect([moved.duration_hours, moved.duration_minutes, moved.reminder_time]).toEqual(['2', '0', '']);
		expect((await vtError(client.post('revise', { element: JSON.stringify({ id: event.id, duration_hours: '' }) }))).code).toBe('MANDATORY_FIELDS_MISSING');
	});

	test('tasks: time_start, due_date and taskstatus are mandatory; without activitytype "Task" a task is filed as an event', async () => {
		const task = { subject: `Task ${run}`, date_start: '2026-11-23', time_start: '09:00:00', due_date: '2026-11-30', taskstatus: 'Not Started' };
		for (const field of ['time_start', 'due_date', 'taskstatus']) {
			const rest = Object.fromEntries(Object.entries(task).filter(([k]) => k !== field));
			const error = await vtError(
				client.post('create', { elementType: 'Calendar', element: JSON.stringify({ ...rest, activitytype: 'Task', assigned_user_id: owner }) }),
			);
			expect([error.code, error.message]).toEqual(['MANDATORY_FIELDS_MISSING', `${field} does not have a value`]);
		}
		const typed = await create('Calendar', { ...task, activitytype: 'Task' });
		expect([typed.activitytype, typed.duration_hours]).toEqual(['Task', '183']);
		const untyped = (await client.post('create', {
			elementType: 'Calendar',
			element: JSON.stringify({ ...task, subject: `Untyped ${run}`, assigned_user_id: owner }),
		})) as Values;
		expect(untyped.id).toMatch(/^9x/);
		expect(untyped.activitytype).toBe('');
		const asEvent = (await client.query(`SELECT id FROM Events WHERE subject = 'Untyped ${run}';`)) as Values[];
		expect(asEvent).toHaveLength(1);
		written.push(String(asEvent[0].id));
		expect(await client.query(`SELECT id FROM Calendar WHERE subject = 'Untyped ${run}';`)).toEqual([]);
		expect((await vtError(client.get('retrieve', { id: String(untyped.id) }))).code).toBe('INVALID_ID_ATTRIBUTE');
		expect((await client.query(`SELECT id FROM Calendar WHERE subject = 'Task ${run}';`)).map((v) => v.id)).toEqual([typed.id]);
	});
});
