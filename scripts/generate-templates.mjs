#!/usr/bin/env node
/**
 * Writes the sync templates in workflows/ from one description, so the contacts, calendar and task
 * workflows, the initial sync and the cleanup stay alike. Run `node scripts/generate-templates.mjs` after
 * changing this file; a unit test checks that the committed JSON matches.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = 'n8n-nodes-exchange-crm-sync';
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'workflows');
const CRM_CREDENTIAL = { crmApi: { id: 'REPLACE_WITH_CRM_CREDENTIAL_ID', name: 'CRM account' } };
const GRAPH_CREDENTIAL = { microsoftGraphOAuth2Api: { id: 'REPLACE_WITH_MICROSOFT_CREDENTIAL_ID', name: 'Microsoft Graph account' } };

const COMPONENTS = {
	contact: { label: 'Contacts', file: 'contacts-sync.json' },
	event: { label: 'Calendar', file: 'calendar-sync.json' },
	task: { label: 'Tasks', file: 'task-sync.json' },
};

/** Stable, unique node ids (n8n wants UUIDs; these are deterministic so regenerating changes nothing). */
function uuid(seed) {
	let h = 0x811c9dc5;
	const bytes = [];
	for (let round = 0; round < 16; round++) {
		for (const ch of `${seed}#${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
		bytes.push(h & 0xff);
	}
	const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const to = (name, index = 0) => ({ node: name, type: 'main', index });

function sticky(seed, name, position, lines, height = 560, width = 560) {
	return {
		parameters: { content: lines.join('\n'), height, width },
		id: uuid(`${seed}/${name}`),
		name,
		type: 'n8n-nodes-base.stickyNote',
		typeVersion: 1,
		position,
	};
}

function triggers(seed, first, x, y, { schedule = true } = {}) {
	const nodes = [{ parameters: {}, id: uuid(`${seed}/run`), name: 'Run Now', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [x, y + 180] }];
	const connections = { 'Run Now': { main: [[to(first)]] } };
	if (schedule) {
		nodes.push({
			parameters: { rule: { interval: [{ field: 'minutes', minutesInterval: 5 }] } },
			id: uuid(`${seed}/schedule`),
			name: 'Every 5 Minutes',
			type: 'n8n-nodes-base.scheduleTrigger',
			typeVersion: 1.2,
			position: [x, y],
		});
		connections['Every 5 Minutes'] = { main: [[to(first)]] };
	}
	return { nodes, connections };
}

/**
 * One component's pipeline: Ensure Sync Folders → Sync State → CRM Changes → Map CRM → Canonical →
 * Exchange Changes → Plan → Map Canonical → CRM → Write to CRM → Write to Exchange → Commit.
 * `prefix` names the nodes when several pipelines share a workflow; `reset` starts with Reset State.
 */
function pipeline(component, { prefix = '', x = 0, y = 0, reset = false, user, onSkipped, waitSeconds } = {}) {
	const n = (name) => `${prefix}${name}`;
	const seed = `${component}/${prefix}${user ? '/user' : ''}`;
	const windowed = component !== 'contact';
	const folderExpr = `={{ $('${n('Ensure Sync Folders')}').first().json.${component} }}`;
	// Per-user variant: every mailbox-specific parameter comes from the user being synced.
	const mailbox = user ? `={{ $('${user}').first().json.mailbox }}` : 'me';
	const crmUserId = user ? `={{ $('${user}').first().json.crmUserId }}` : '';
	const exchangeMailbox = user ? { mailbox } : {};
	const state = { component, mailbox, exchangeFolderId: folderExpr, crmInstance: 'crm' };
	// The mailbox is entered once, in Sync State; Plan and Commit take it from there (issue 16).
	const stateFromSyncState = { ...state, mailbox: `={{ $('${n('Sync State')}').first().json.mailbox }}` };
	const node = (name, type, dx, dy, parameters, extra = {}) => ({
		parameters,
		id: uuid(`${seed}/${name}`),
		name: n(name),
		type,
		typeVersion: 1,
		position: [x + dx, y + dy],
		...extra,
	});
	const nodes = [
		node(
			'Ensure Sync Folders',
			`${PKG}.exchange`,
			0,
			0,
			{ resource: 'folder', ...exchangeMailbox, operation: 'ensureSyncFolders', components: [component] },
			{ credentials: GRAPH_CREDENTIAL },
		),
		...(reset ? [node('Reset State', `${PKG}.conflictResolution`, 110, -160, { operation: 'resetState', ...state })] : []),
		// With the CRM credential, Sync State and Commit keep one run at a time per mailbox and component (issue 14).
		node(
			'Sync State',
			`${PKG}.conflictResolution`,
			220,
			0,
			{ operation: 'readState', ...state, ...(waitSeconds ? { waitSeconds } : {}) },
			{ credentials: CRM_CREDENTIAL },
		),
		node(
			'CRM Changes',
			`${PKG}.crm`,
			440,
			0,
			{ resource: component, operation: 'getChanges', cursor: `={{ $('${n('Sync State')}').first().json.crmCursor }}` },
			{ credentials: CRM_CREDENTIAL },
		),
		node('Map CRM → Canonical', `${PKG}.fieldMapping`, 660, 0, { component, operation: 'toCanonical' }),
		node(
			'Exchange Changes',
			`${PKG}.exchange`,
			880,
			160,
			{
				resource: component,
				...exchangeMailbox,
				operation: 'getChanges',
				[`${component}Folder`]: { __rl: true, mode: 'id', value: folderExpr },
				cursor: `={{ $('${n('Sync State')}').first().json.exchangeCursor }}`,
				...(windowed ? { pastDays: 30 } : {}),
				// Appointments the last run created that no calendar delta can report as deleted (lib/engine/echo.ts).
				...(component === 'event' ? { confirmIds: `={{ $('${n('Sync State')}').first().json.confirmIds }}` } : {}),
			},
			{ credentials: GRAPH_CREDENTIAL },
		),
		node('Plan', `${PKG}.conflictResolution`, 1100, 0, {
			operation: 'plan',
			...stateFromSyncState,
			direction: 'both',
			policy: 'lastModifiedWins',
			...(windowed ? { pastDays: 30 } : {}),
			planOptions: user ? { assignedUserId: crmUserId } : {},
		}),
		node('Conflicts (notify here)', 'n8n-nodes-base.noOp', 1320, 180, {}),
		// One mapping for both directions (issue 17): field pairs are set in Map CRM → Canonical only.
		node('Map Canonical → CRM', `${PKG}.fieldMapping`, 1320, 0, {
			component,
			operation: 'toCrm',
			mappingFrom: 'node',
			mappingSource: `={{ $('${n('Map CRM → Canonical')}').params }}`,
		}),
		node(
			'Write to CRM',
			`${PKG}.crm`,
			1540,
			0,
			{ resource: 'syncAction', operation: 'apply', crmUserId, recordConflicts: true },
			{ credentials: CRM_CREDENTIAL },
		),
		node(
			'Write to Exchange',
			`${PKG}.exchange`,
			1760,
			0,
			{ resource: 'syncAction', ...exchangeMailbox, operation: 'apply', syncFolderId: folderExpr, options: {} },
			{ credentials: GRAPH_CREDENTIAL },
		),
		node('Commit', `${PKG}.conflictResolution`, 1980, 0, { operation: 'commit', ...stateFromSyncState }, { credentials: CRM_CREDENTIAL }),
	];
	const connections = {
		[n('Ensure Sync Folders')]: { main: [[to(reset ? n('Reset State') : n('Sync State'))]] },
		...(reset ? { [n('Reset State')]: { main: [[to(n('Sync State'))]] } } : {}),
		// A start skipped because another run holds the lease goes on where the pipeline would have ended.
		[n('Sync State')]: { main: [[to(n('CRM Changes'))], onSkipped ? [to(onSkipped)] : []] },
		[n('CRM Changes')]: { main: [[to(n('Map CRM → Canonical'))]] },
		[n('Map CRM → Canonical')]: { main: [[to(n('Exchange Changes')), to(n('Plan'), 0)], []] },
		[n('Exchange Changes')]: { main: [[to(n('Plan'), 1)]] },
		[n('Plan')]: { main: [[to(n('Map Canonical → CRM'))], [to(n('Conflicts (notify here)'))]] },
		[n('Map Canonical → CRM')]: { main: [[to(n('Write to CRM'))], []] },
		[n('Write to CRM')]: { main: [[to(n('Write to Exchange'))]] },
		[n('Write to Exchange')]: { main: [[to(n('Commit'))]] },
	};
	return { nodes, connections, first: n('Ensure Sync Folders'), syncState: n('Sync State'), last: n('Commit') };
}

// n8n's editor links an imported node to the user's credential only when the parameter that selects the
// credential type is in the node's parameters (it does not apply defaults there): so the templates carry
// the protocol switch explicitly, or every Exchange node shows "Credentials for Exchange are not set".
const PROTOCOL_SWITCH = {
	[`${PKG}.exchange`]: { authentication: 'microsoftGraphOAuth2Api' },
	[`${PKG}.exchangeTrigger`]: { authentication: 'microsoftGraphOAuth2Api' },
	[`${PKG}.emailToLead`]: { exchangeConnection: 'graph' },
};

function withProtocolSwitch(node) {
	const protocol = PROTOCOL_SWITCH[node.type];
	return protocol ? { ...node, parameters: { ...protocol, ...node.parameters } } : node;
}

function workflow(name, nodes, connections) {
	return {
		name,
		nodes: nodes.map(withProtocolSwitch),
		connections,
		active: false,
		settings: { executionOrder: 'v1', saveManualExecutions: true },
		pinData: {},
		meta: { templateCredsSetupCompleted: false },
		tags: [],
	};
}

const SETUP_NOTE =
	"**Before activating:** choose your credentials in the CRM and Exchange nodes, set **Mailbox** in *Sync State* to the synced address (*Plan* and *Commit* take it from there; the initial sync also has it in each *Reset State*; an app-only credential names the mailbox itself), and pick the mailbox owner's CRM user in *Write to CRM*.";

function syncTemplate(component) {
	const c = COMPONENTS[component];
	const p = pipeline(component, { x: -200, y: 280, waitSeconds: 120 });
	const t = triggers(component, p.first, -440, 200);
	// Issue 14: changes in Outlook start a sync within seconds once n8n is reachable by Microsoft (public HTTPS).
	const push = {
		parameters: { event: 'itemChanged', components: [component], output: 'signal', collectSeconds: 5, options: {} },
		id: uuid(`${component}/push`),
		name: 'On Change in Outlook',
		type: `${PKG}.exchangeNotificationTrigger`,
		typeVersion: 1,
		position: [-440, 560],
		disabled: true,
		credentials: GRAPH_CREDENTIAL,
	};
	const crmPush = {
		parameters: { components: [component], intervalSeconds: 30 },
		id: uuid(`${component}/crm-push`),
		name: 'On Change in the CRM',
		type: `${PKG}.crmTrigger`,
		typeVersion: 1,
		position: [-440, 740],
		disabled: true,
		credentials: CRM_CREDENTIAL,
	};
	const note = sticky(
		component,
		'About this workflow',
		[-460, -420],
		[
			`## ${c.label} sync: CRM ⇄ Exchange, both ways`,
			'',
			`Every 5 minutes (or on **Run Now**) this workflow reads what changed in the CRM and in the mailbox's **CRM-Sync** ${c.label.toLowerCase()} folder since the last run, decides per record what to do, writes both sides, and records the result.`,
			'',
			'1. **Ensure Sync Folders** finds or creates the CRM-Sync folder (F1).',
			"2. **Sync State** gives the cursors where the last run stopped (kept in this workflow's static data) and lets only one run at a time work on this mailbox's sync (a lease in the CRM): a start while another run is still working leaves through its *Skipped* output, and the next run picks up its changes.",
			'3. **CRM Changes** → **Map CRM → Canonical** and **Exchange Changes** read both sides.',
			'4. **Plan** compares them with the state: new, changed, deleted, conflicts (policy: *last modified wins*; change it there, with direction, past days and filters).',
			'5. **Map Canonical → CRM**, **Write to CRM**, **Write to Exchange** apply the actions; **Commit** records what succeeded and outputs the counts.',
			'',
			"A run that fails half-way is repeated safely by the next one: nothing is duplicated or lost. Conflicts go to the CRM's sync conflicts and to Plan's *Conflicts* output (connect an e-mail node there to notify the user).",
			'',
			'**Within seconds:** when Microsoft can reach this n8n over HTTPS (Microsoft 365, a public webhook URL), enable **On Change in Outlook**: Outlook changes then start a sync within seconds (a burst of changes is one run). Enable **On Change in the CRM** for CRM changes (it asks the CRM every 30 seconds; almost free with the embedded CRM, a query per look with vtiger). The 5-minute schedule stays as the safety net; one run at a time, the others wait.',
			'',
			SETUP_NOTE,
		],
		640,
	);
	return workflow(`CRM ⇄ Exchange: ${c.label.toLowerCase()} sync`, [note, ...t.nodes, push, crmPush, ...p.nodes], {
		...t.connections,
		[push.name]: { main: [[to(p.first)]] },
		[crmPush.name]: { main: [[to(p.first)]] },
		...p.connections,
	});
}

/**
 * S5: one workflow for every connected user. The list of users (mailbox + CRM user) feeds a loop; each
 * pass syncs that user's mailbox with the CRM records assigned to them (not to a group). Needs an app-only
 * Microsoft credential (client credentials), which may open every mailbox.
 */
function allUsersTemplate(component) {
	const c = COMPONENTS[component];
	// The connected users come from the CRM (its users with a mailbox address), a list the admin maintains anyway.
	const users = {
		parameters: { resource: 'user', operation: 'getAll', options: {} },
		id: uuid(`${component}/all/users`),
		name: 'Connected Users',
		type: `${PKG}.crm`,
		typeVersion: 1,
		position: [-200, 280],
		credentials: CRM_CREDENTIAL,
	};
	const loop = {
		parameters: { batchSize: 1, options: {} },
		id: uuid(`${component}/all/loop`),
		name: 'Each User',
		type: 'n8n-nodes-base.splitInBatches',
		typeVersion: 3,
		position: [20, 280],
	};
	const done = {
		parameters: {},
		id: uuid(`${component}/all/done`),
		name: 'All Users Synced',
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [240, 60],
	};
	const p = pipeline(component, { x: 240, y: 280, user: 'Each User', onSkipped: 'Each User' });
	const t = triggers(`${component}/all`, users.name, -440, 200);
	const note = sticky(
		`${component}/all`,
		'About this workflow',
		[-460, -420],
		[
			`## ${c.label} sync for every connected user`,
			'',
			`The same sync as the single-mailbox ${c.label.toLowerCase()} workflow, once per user in **Connected Users** (the CRM's active users with an e-mail address, taken as their mailbox): each user's CRM-Sync folder gets the CRM records **assigned to that user** (records assigned to a group are not synced, S5), and what they change in Outlook comes back assigned to them.`,
			'',
			'Use an **app-only** Microsoft credential (client credentials with admin consent), so that one credential serves every mailbox. Each mailbox keeps its own sync state in this workflow.',
			'',
			'**Before activating:** choose your credentials in the CRM and Exchange nodes. To leave users out, set *Mailbox Domains* in *Connected Users*, or mark them inactive in the CRM.',
		],
	);
	return workflow(`CRM ⇄ Exchange: ${c.label.toLowerCase()} sync for every user`, [note, ...t.nodes, users, loop, done, ...p.nodes], {
		...t.connections,
		[users.name]: { main: [[to(loop.name)]] },
		[loop.name]: { main: [[to(done.name)], [to(p.first)]] },
		...p.connections,
		[p.last]: { main: [[to(loop.name)]] },
	});
}

const N8N_API_CREDENTIAL = { n8nApi: { id: 'REPLACE_WITH_N8N_API_CREDENTIAL_ID', name: 'n8n API account' } };

/**
 * Issue 15: instead of one workflow looping over every user (all mailboxes' state in one static data, no
 * parallel runs), keep one copy of each single-mailbox sync workflow per connected user via n8n's public API.
 */
function provisionTemplate() {
	const users = {
		parameters: { resource: 'user', operation: 'getAll', options: {} },
		id: uuid('provision/users'),
		name: 'Connected Users',
		type: `${PKG}.crm`,
		typeVersion: 1,
		position: [0, 280],
		// With nobody connected the next nodes still run, and deactivate every copy.
		alwaysOutputData: true,
		credentials: CRM_CREDENTIAL,
	};
	const keep = Object.entries(COMPONENTS).map(([component, c], i) => ({
		parameters: {
			resource: 'workflowCopy',
			operation: 'keepOnePerUser',
			templateWorkflow: { __rl: true, mode: 'list', value: '' },
			removedUsers: 'deactivate',
			activateCopies: true,
		},
		id: uuid(`provision/${component}`),
		name: `Keep ${c.label} Sync Per User`,
		type: `${PKG}.syncWorkflows`,
		typeVersion: 1,
		position: [260, 100 + i * 180],
		credentials: N8N_API_CREDENTIAL,
	}));
	const schedule = {
		parameters: { rule: { interval: [{ field: 'hours', hoursInterval: 1 }] } },
		id: uuid('provision/schedule'),
		name: 'Every Hour',
		type: 'n8n-nodes-base.scheduleTrigger',
		typeVersion: 1.2,
		position: [-240, 190],
	};
	const t = triggers('provision', users.name, -240, 190, { schedule: false });
	const note = sticky(
		'provision',
		'About this workflow',
		[-260, -420],
		[
			'## One sync workflow per connected user',
			'',
			"Every hour (or on **Run Now**) this workflow gives each user in **Connected Users** (the CRM's active users with an e-mail address, taken as their mailbox) a copy of each sync workflow below, with their mailbox and CRM user filled in: each copy keeps only that mailbox's sync state, so the copies stay small and n8n's queue mode can run them on several workers at once. Users who leave get their copy deactivated (or deleted: *Users No Longer Connected*). A changed template is copied to every user on the next run; their sync state stays.",
			'',
			'1. Import the single-mailbox *contacts*, *calendar* and *task sync* templates and set them up with an **app-only** Microsoft credential (client credentials with admin consent: one credential for every mailbox) and your CRM credential. Leave them inactive: they are the templates.',
			'2. In n8n, **Settings → n8n API → Create an API key** (scopes: workflow read, list, create, update, delete, activate, deactivate). Create an *n8n API* credential with it and the base URL, e.g. `http://localhost:5678/api/v1`, and pick it in the three *Keep … Per User* nodes.',
			'3. Pick each template in **Template Workflow** (remove the node of a component you do not sync), then activate this workflow.',
			'',
			'Prefer this to the *for every user* templates from a few dozen mailboxes on, or when n8n runs in queue mode.',
		],
		520,
		600,
	);
	return workflow('CRM ⇄ Exchange: one sync workflow per user (provisioning)', [note, ...t.nodes, schedule, users, ...keep], {
		...t.connections,
		[schedule.name]: { main: [[to(users.name)]] },
		[users.name]: { main: [keep.map((k) => to(k.name))] },
	});
}

/** A3/A4: every component, both directions, from a fresh state; safe to run again or after an interruption. */
function initialSyncTemplate() {
	const nodes = [];
	const connections = {};
	let previous;
	Object.keys(COMPONENTS).forEach((component, i) => {
		const p = pipeline(component, { prefix: `${COMPONENTS[component].label}: `, x: 0, y: i * 480, reset: true, waitSeconds: 120 });
		nodes.push(...p.nodes);
		Object.assign(connections, p.connections);
		if (previous) {
			connections[previous.last] = { main: [[to(p.first)]] };
			connections[previous.syncState].main[1] = [to(p.first)];
		}
		previous = p;
	});
	const t = triggers('initial', nodes[0].name, -260, 0, { schedule: false });
	const note = sticky(
		'initial',
		'About this workflow',
		[-300, -560],
		[
			'## Initial sync / re-sync (contacts, calendar, tasks)',
			'',
			'Run it by hand when a mailbox is connected (A3) or whenever the two sides should be compared from scratch (A4). For each component it forgets the sync state, reads **both sides completely** (appointments and tasks within the past-days window), pairs the records that are already linked, copies what is missing in either direction, and records the pairs.',
			'',
			'Records are linked through an id stored on the records themselves, so running it twice — or again after it was interrupted — creates **no duplicates** (S24). The scheduled sync workflows pick up from there on their next run.',
			'',
			"Remove a component's row of nodes if you do not sync it.",
			'',
			SETUP_NOTE,
		],
		420,
		620,
	);
	return workflow('CRM ⇄ Exchange: initial sync / re-sync', [note, ...t.nodes, ...nodes], { ...t.connections, ...connections });
}

/** F5/F6: remove the CRM-Sync folders (and everything synced into them) from a mailbox. */
function cleanupTemplate() {
	const remove = {
		parameters: { resource: 'folder', operation: 'removeSyncFolders', components: ['contact', 'event', 'task', 'mail'] },
		id: uuid('cleanup/remove'),
		name: 'Remove Sync Folders',
		type: `${PKG}.exchange`,
		typeVersion: 1,
		position: [0, 0],
		credentials: GRAPH_CREDENTIAL,
	};
	const t = triggers('cleanup', remove.name, -260, -90, { schedule: false });
	const note = sticky(
		'cleanup',
		'About this workflow',
		[-300, -480],
		[
			'## Switch a component off / disconnect a user',
			'',
			'Deletes the **CRM-Sync** folders of the chosen components — with everything the sync put into them — from the mailbox (F5), or all of them when a user is disconnected or set inactive with clean-up (F6). The CRM keeps its records.',
			'',
			'1. Deactivate the sync workflows of the components you switch off.',
			'2. Pick them in **Remove Sync Folders** (and the mailbox, for an app-only credential) and run this workflow.',
			'',
			'To switch a component on again, run the *initial sync* workflow and activate its sync workflow: a new CRM-Sync folder gets a fresh sync state.',
		],
		360,
		560,
	);
	return workflow('CRM ⇄ Exchange: remove sync folders (component off, user cleanup)', [note, ...t.nodes, remove], t.connections);
}

/** A6: the account status for the admin, every morning (or on Run Now), without reading execution logs. */
function syncStatusTemplate() {
	const daily = {
		parameters: { rule: { interval: [{ field: 'days', daysInterval: 1, triggerAtHour: 7 }] } },
		id: uuid('status/daily'),
		name: 'Every Morning',
		type: 'n8n-nodes-base.scheduleTrigger',
		typeVersion: 1.2,
		position: [-260, 0],
	};
	const status = {
		parameters: { resource: 'syncStatus', operation: 'getAll', onlyProblems: false },
		id: uuid('status/get'),
		name: 'Sync Status',
		type: `${PKG}.crm`,
		typeVersion: 1,
		position: [0, 90],
		credentials: CRM_CREDENTIAL,
	};
	const notify = { parameters: {}, id: uuid('status/notify'), name: 'Send the summary here', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 90] };
	const t = triggers('status', status.name, -260, -90, { schedule: false });
	const note = sticky(
		'status',
		'About this workflow',
		[-300, -480],
		[
			'## Sync status of every mailbox (A6)',
			'',
			'Lists, per mailbox and component, whether a sync is **running**, went **ok**, is **failing** (with the last problem in plain words) or **never finished**, when it last succeeded, what its last run did, and how many sync conflicts are open. The sync workflows write it into the CRM at every run.',
			'',
			'Run it by hand to look, or leave *Every Morning* on and connect an e-mail or chat node to **Send the summary here**. Switch on *Only With Problems* in **Sync Status** for a summary that stays empty while all is well.',
		],
		360,
		560,
	);
	return workflow('CRM ⇄ Exchange: sync status of every mailbox', [note, ...t.nodes, daily, status, notify], {
		...t.connections,
		[daily.name]: { main: [[to(status.name)]] },
		[status.name]: { main: [[to(notify.name)]] },
	});
}

const files = {
	...Object.fromEntries(Object.entries(COMPONENTS).map(([component, c]) => [c.file, syncTemplate(component)])),
	'contacts-sync-all-users.json': allUsersTemplate('contact'),
	'calendar-sync-all-users.json': allUsersTemplate('event'),
	'task-sync-all-users.json': allUsersTemplate('task'),
	'provision-sync-workflows.json': provisionTemplate(),
	'initial-sync.json': initialSyncTemplate(),
	'cleanup.json': cleanupTemplate(),
	'sync-status.json': syncStatusTemplate(),
};

export function templates() {
	return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const check = process.argv.includes('--check');
	let stale = 0;
	for (const [file, content] of Object.entries(files)) {
		const text = `${JSON.stringify(content, null, 2)}\n`;
		const path = join(OUT, file);
		if (check) {
			const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
			if (current !== text) {
				console.error(`workflows/${file} is not what scripts/generate-templates.mjs writes; run it`);
				stale++;
			}
		} else {
			writeFileSync(path, text);
			console.log(`wrote workflows/${file}`);
		}
	}
	process.exitCode = stale ? 1 : 0;
}
