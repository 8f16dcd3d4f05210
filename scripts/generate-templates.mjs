#!/usr/bin/env node
/**
 * Writes the sync templates in workflows/ from one description, so the contacts, calendar and task
 * workflows stay alike. Run `node scripts/generate-templates.mjs` after changing this file; a unit test
 * checks that the committed JSON matches.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = 'n8n-nodes-exchange-crm-sync';
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'workflows');
const CRM_CREDENTIAL = { crmApi: { id: 'REPLACE_WITH_CRM_CREDENTIAL_ID', name: 'CRM account' } };
const GRAPH_CREDENTIAL = { microsoftGraphOAuth2Api: { id: 'REPLACE_WITH_MICROSOFT_CREDENTIAL_ID', name: 'Microsoft Graph account' } };

const COMPONENTS = {
	contact: { label: 'Contacts', crmResource: 'contact', file: 'contacts-sync.json', folderKey: 'contact' },
	event: { label: 'Calendar', crmResource: 'event', file: 'calendar-sync.json', folderKey: 'event' },
	task: { label: 'Tasks', crmResource: 'task', file: 'task-sync.json', folderKey: 'task' },
};

function uuid(component, n) {
	const hex = Buffer.from(`${component}-${n}`).toString('hex').padEnd(32, '0').slice(0, 32);
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function node(component, n, name, type, position, parameters, extra = {}) {
	return { parameters, id: uuid(component, n), name, type, typeVersion: 1, position, ...extra };
}

function syncTemplate(component) {
	const c = COMPONENTS[component];
	const windowed = component !== 'contact';
	const state = { component, mailbox: 'me', crmInstance: 'crm' };
	const folderExpr = `={{ $('Ensure Sync Folders').first().json.${c.folderKey} }}`;
	const nodes = [
		node(component, 0, 'About this workflow', 'n8n-nodes-base.stickyNote', [-460, -420], {
			content: [
				`## ${c.label} sync: CRM ⇄ Exchange, both ways`,
				'',
				`Every 5 minutes (or on **Run Now**) this workflow reads what changed in the CRM and in the mailbox's **CRM-Sync** ${c.label.toLowerCase()} folder since the last run, decides per record what to do, writes both sides, and records the result.`,
				'',
				'1. **Sync State** gives the cursors where the last run stopped (kept in this workflow\'s static data).',
				'2. **Ensure Sync Folders** finds or creates the CRM-Sync folder (F1).',
				'3. **CRM Changes** → **Map CRM → Canonical** and **Exchange Changes** read both sides.',
				'4. **Plan** compares them with the state: new, changed, deleted, conflicts (policy: *last modified wins*; change it there, with direction, past days and filters).',
				'5. **Map Canonical → CRM**, **Write to CRM**, **Write to Exchange** apply the actions; **Commit** records what succeeded and outputs the counts.',
				'',
				'A run that fails half-way is repeated safely by the next one: nothing is duplicated or lost. Conflicts go to the CRM\'s sync conflicts and to Plan\'s *Conflicts* output (connect an e-mail node there to notify the user).',
				'',
				'**Before activating:** choose your credentials in the CRM and Exchange nodes, set **Mailbox** in *Sync State*, *Plan* and *Commit* to the synced address (and in the Exchange nodes when you use an app-only credential), and pick the mailbox owner\'s CRM user in *Write to CRM*.',
			].join('\n'),
			height: 560,
			width: 560,
		}),
		node(component, 1, 'Every 5 Minutes', 'n8n-nodes-base.scheduleTrigger', [-440, 200], { rule: { interval: [{ field: 'minutes', minutesInterval: 5 }] } }, { typeVersion: 1.2 }),
		node(component, 2, 'Run Now', 'n8n-nodes-base.manualTrigger', [-440, 380], {}),
		node(component, 3, 'Sync State', `${PKG}.conflictResolution`, [-200, 280], { operation: 'readState', ...state }),
		node(component, 4, 'Ensure Sync Folders', `${PKG}.exchange`, [20, 280], { resource: 'folder', operation: 'ensureSyncFolders', components: [c.folderKey] }, { credentials: GRAPH_CREDENTIAL }),
		node(
			component,
			5,
			'CRM Changes',
			`${PKG}.crm`,
			[240, 280],
			{ resource: c.crmResource, operation: 'getChanges', cursor: "={{ $('Sync State').first().json.crmCursor }}" },
			{ credentials: CRM_CREDENTIAL },
		),
		node(component, 6, 'Map CRM → Canonical', `${PKG}.fieldMapping`, [460, 280], { component, operation: 'toCanonical' }),
		node(
			component,
			7,
			'Exchange Changes',
			`${PKG}.exchange`,
			[700, 420],
			{
				resource: component,
				operation: 'getChanges',
				[`${component}Folder`]: { __rl: true, mode: 'id', value: folderExpr },
				cursor: "={{ $('Sync State').first().json.exchangeCursor }}",
				...(windowed ? { pastDays: 30 } : {}),
			},
			{ credentials: GRAPH_CREDENTIAL },
		),
		node(component, 8, 'Plan', `${PKG}.conflictResolution`, [940, 280], {
			operation: 'plan',
			...state,
			direction: 'both',
			policy: 'lastModifiedWins',
			...(windowed ? { pastDays: 30 } : {}),
			planOptions: {},
		}),
		node(component, 9, 'Map Canonical → CRM', `${PKG}.fieldMapping`, [1180, 200], { component, operation: 'toCrm' }),
		node(component, 10, 'Write to CRM', `${PKG}.crm`, [1400, 200], { resource: 'syncAction', operation: 'apply', crmUserId: '', recordConflicts: true }, { credentials: CRM_CREDENTIAL }),
		node(component, 11, 'Write to Exchange', `${PKG}.exchange`, [1620, 200], { resource: 'syncAction', operation: 'apply', syncFolderId: folderExpr, options: {} }, { credentials: GRAPH_CREDENTIAL }),
		node(component, 12, 'Commit', `${PKG}.conflictResolution`, [1840, 200], { operation: 'commit', ...state }),
		node(component, 13, 'Conflicts (notify here)', 'n8n-nodes-base.noOp', [1180, 420], {}),
	];
	const to = (name, index = 0) => ({ node: name, type: 'main', index });
	const connections = {
		'Every 5 Minutes': { main: [[to('Sync State')]] },
		'Run Now': { main: [[to('Sync State')]] },
		'Sync State': { main: [[to('Ensure Sync Folders')]] },
		'Ensure Sync Folders': { main: [[to('CRM Changes')]] },
		'CRM Changes': { main: [[to('Map CRM → Canonical')]] },
		'Map CRM → Canonical': { main: [[to('Exchange Changes'), to('Plan', 0)], []] },
		'Exchange Changes': { main: [[to('Plan', 1)]] },
		Plan: { main: [[to('Map Canonical → CRM')], [to('Conflicts (notify here)')]] },
		'Map Canonical → CRM': { main: [[to('Write to CRM')], []] },
		'Write to CRM': { main: [[to('Write to Exchange')]] },
		'Write to Exchange': { main: [[to('Commit')]] },
	};
	return {
		name: `CRM ⇄ Exchange: ${c.label.toLowerCase()} sync`,
		nodes,
		connections,
		active: false,
		settings: { executionOrder: 'v1', saveManualExecutions: true },
		pinData: {},
		meta: { templateCredsSetupCompleted: false },
		tags: [],
	};
}

for (const component of Object.keys(COMPONENTS)) {
	const file = join(OUT, COMPONENTS[component].file);
	writeFileSync(file, `${JSON.stringify(syncTemplate(component), null, 2)}\n`);
	console.log(`wrote ${file}`);
}
