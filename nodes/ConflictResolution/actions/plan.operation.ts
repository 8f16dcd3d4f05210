import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	EmptySideError,
	plan,
	readSideInput,
	SideInputError,
	applyCrmScope,
	DEFAULT_ALLOW_EMPTY_UP_TO,
	planOptionsFromSettings,
	syncNotifications,
	type ActionItem,
	type ConflictPolicy,
	type Direction,
	type MergeFallback,
	type CrmScope,
	type PlanSettings,
	type RunMarkerItem,
} from '../../../lib/engine';
import { COMPONENT_MODULE } from '../../../lib/crm';
import type { Component } from '../../../lib/model/types';
import { loadTable, saveTable, tableRef } from '../helpers/state';

const show = { operation: ['plan'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Direction',
		name: 'direction',
		type: 'options',
		displayOptions: { show },
		options: [
			{ name: 'Both Ways', value: 'both' },
			{ name: 'CRM → Exchange Only', value: 'crmToExchange' },
			{ name: 'Exchange → CRM Only', value: 'exchangeToCrm' },
		],
		default: 'both',
		description: 'Which way changes flow (S2)',
	},
	{
		displayName: 'When Both Sides Changed',
		name: 'policy',
		type: 'options',
		displayOptions: { show },
		options: [
			{ name: 'CRM Wins', value: 'crmWins' },
			{ name: 'Do Nothing and Notify', value: 'none', description: 'Leave both versions and output a notification' },
			{ name: 'Exchange Wins', value: 'exchangeWins' },
			{ name: 'Last Modified Wins', value: 'lastModifiedWins', description: 'The version changed last is kept' },
			{
				name: 'Merge Fields',
				value: 'merge',
				description: 'Changes to different fields are both kept; a field changed on both sides is decided by the fallback',
			},
		],
		default: 'lastModifiedWins',
		description: 'Conflict policy (S3)',
	},
	{
		displayName: 'Merge Fallback',
		name: 'mergeFallback',
		type: 'options',
		displayOptions: { show: { ...show, policy: ['merge'] } },
		options: [
			{ name: 'CRM Wins', value: 'crmWins' },
			{ name: 'Do Nothing and Notify', value: 'none' },
			{ name: 'Exchange Wins', value: 'exchangeWins' },
			{ name: 'Last Modified Wins', value: 'lastModifiedWins' },
		],
		default: 'lastModifiedWins',
		description: 'Decides a field that was changed on both sides',
	},
	{
		displayName: 'Past Days',
		name: 'pastDays',
		type: 'number',
		typeOptions: { minValue: 0 },
		displayOptions: { show: { ...show, component: ['event', 'task'] } },
		default: 30,
		description: 'Appointments and tasks that ended more than this many days ago are not synced; current and future ones always are (A2)',
	},
	{
		displayName: 'Options',
		name: 'planOptions',
		type: 'collection',
		placeholder: 'Add Option',
		displayOptions: { show },
		default: {},
		options: [
			{
				displayName: 'Allow Emptying a Side',
				name: 'allowEmptySide',
				type: 'boolean',
				default: false,
				description:
					'Whether to go on when one side suddenly reports no records although several were synced. Off: the run stops instead of deleting everything on the other side.',
			},
			{
				displayName: 'Allow Emptying Up To (Records)',
				name: 'allowEmptyUpTo',
				type: 'number',
				typeOptions: { minValue: 2 },
				default: DEFAULT_ALLOW_EMPTY_UP_TO,
				description:
					'With "Allow Emptying a Side": go on only when at most this many synced records would be deleted on the other side. To empty a bigger folder on purpose, enter its size for that run.',
			},
			{
				displayName: 'Delete in CRM When Deleted in Exchange',
				name: 'deleteInCrm',
				type: 'boolean',
				default: true,
				description: 'Whether deleting an appointment or task in Outlook deletes it in the CRM (S6). CRM contacts are never deleted by the sync.',
			},
			{
				displayName: 'Delete in Exchange When Deleted in CRM',
				name: 'deleteInExchange',
				type: 'boolean',
				default: true,
			},
			{
				displayName: 'Dry Run',
				name: 'dryRun',
				type: 'boolean',
				default: false,
				description: 'Whether to only list the planned changes: nothing is written and the state stays as it is (O3)',
			},
			{
				displayName: 'Mandatory CRM Fields',
				name: 'requiredCrmFields',
				type: 'string',
				default: '',
				placeholder: 'e.g. lastName',
				description:
					'Canonical fields a record needs before it is written to the CRM, comma-separated. Records without them become sync conflicts (S12). Default: lastName for contacts, subject/start/end for appointments, subject for tasks.',
			},
			{
				displayName: 'Only Records Assigned To',
				name: 'assignedUserId',
				type: 'string',
				default: '',
				description:
					'CRM user ID: only records assigned to this user (not to a group) are synced to this mailbox (S5). A record assigned to someone else leaves the mailbox.',
			},
			{
				displayName: 'Only Records Modified in the Last Days',
				name: 'modifiedWithinDays',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Records not modified for longer are not brought into the sync (S13); 0 means no limit',
			},
			{
				displayName: 'Only Records With Tags',
				name: 'tags',
				type: 'string',
				default: '',
				description: 'Comma-separated CRM tags; only records with at least one of them are synced (S14)',
			},
			{
				displayName: 'Required Outlook Category',
				name: 'requiredCategory',
				type: 'string',
				default: '',
				placeholder: 'e.g. Kunde',
				description: 'New Exchange items become CRM records only with this category (S15)',
			},
		],
	},
];

interface PlanNodeOptions extends Omit<PlanSettings, 'direction' | 'policy' | 'mergeFallback' | 'pastDays'>, CrmScope {
	dryRun?: boolean;
}

/** Inputs: [CRM changes, Exchange changes]. Outputs: [actions + run marker, conflict notifications]. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const ref = tableRef(this);
	const crmInput = this.getInputData(0).map((i) => i.json);
	const exchangeInput = this.getInputData(1).map((i) => i.json);
	const direction = this.getNodeParameter('direction', 0, 'both') as Direction;
	const policy = this.getNodeParameter('policy', 0, 'lastModifiedWins') as ConflictPolicy;
	const mergeFallback = this.getNodeParameter('mergeFallback', 0, 'lastModifiedWins') as MergeFallback;
	const pastDays = this.getNodeParameter('pastDays', 0, 30) as number; // A2: ignored for contacts
	const options = this.getNodeParameter('planOptions', 0, {}) as PlanNodeOptions;

	const table = loadTable(this, ref.key);
	let crm: ReturnType<typeof readSideInput<Component>>;
	let exchange: ReturnType<typeof readSideInput<Component>>;
	try {
		crm = readSideInput(crmInput, 'CRM input', table.cursors.crm === undefined);
		exchange = readSideInput(exchangeInput, 'Exchange input', table.cursors.ex === undefined);
	} catch (error) {
		if (error instanceof SideInputError) {
			throw new NodeOperationError(this.getNode(), error.message, {
				description: 'Connect the CRM changes (after Field Mapping: CRM → Canonical) to the first input and the Exchange changes to the second.',
			});
		}
		throw new NodeOperationError(this.getNode(), error as Error);
	}
	applyCrmScope(
		crm,
		crmInput.flatMap((json) => (Array.isArray(json.changed) ? (json.changed as IDataObject[]) : [json])),
		options,
	);
	const planOptions = planOptionsFromSettings(
		{ ...options, direction, policy, mergeFallback, pastDays },
		{ component: ref.component, crmInstance: ref.crmInstance, crmModule: COMPONENT_MODULE[ref.component], table: ref.key },
		{ syncedFields: crm.syncedFields ?? exchange.syncedFields, mappingCodes: crm.mappingCodes, enrichmentMarker: crm.enrichmentMarker },
	);

	let result: ReturnType<typeof plan>;
	try {
		result = plan(table, crm, exchange, planOptions);
	} catch (error) {
		if (error instanceof EmptySideError) {
			throw new NodeOperationError(this.getNode(), error.message, {
				description:
					error.allowedUpTo === undefined
						? 'Check that the right folder and CRM module are connected and that the account still has access. If emptying is intended, turn on "Allow Emptying a Side" for one run.'
						: `If emptying all ${error.knownItems} is intended, set "Allow Emptying Up To (Records)" to ${error.knownItems} for one run; otherwise check the folder, the CRM module and the account's access.`,
			});
		}
		throw new NodeOperationError(this.getNode(), error as Error);
	}
	const dryRun = options.dryRun === true;
	if (!dryRun) {
		table.pending = result.pending;
		saveTable(this, ref.key, table);
	}

	const base = { syncAction: true as const, runId: result.runId, table: ref.key, component: ref.component, ...(dryRun ? { dryRun } : {}) };
	const actions: INodeExecutionData[] = [];
	let skipped = 0;
	for (const action of result.actions) {
		if (action.kind === 'noop' && action.rowEffect === 'keep') {
			skipped++;
			continue;
		}
		const json: ActionItem = { ...base, ...action };
		actions.push({ json: json as unknown as IDataObject, pairedItem: { item: 0, input: 0 } });
	}
	const invalidInputs = [...crm.invalid.map((i) => ({ ...i, side: 'crm' })), ...exchange.invalid.map((i) => ({ ...i, side: 'exchange' }))];
	const marker: RunMarkerItem & { skipped: number; invalidInputs: number } = {
		syncRun: true,
		runId: result.runId,
		table: ref.key,
		component: ref.component,
		mailbox: ref.mailbox,
		counts: result.counts,
		...(planOptions.syncedFields ? { syncedFields: [...planOptions.syncedFields] } : {}),
		policy,
		...(planOptions.enrichmentMarker ? { enrichmentMarker: planOptions.enrichmentMarker } : {}),
		skipped,
		invalidInputs: invalidInputs.length,
		...(dryRun ? { dryRun } : {}),
	};
	actions.push({ json: marker as unknown as IDataObject, pairedItem: { item: 0, input: 0 } });

	const notifications = syncNotifications(result.actions, invalidInputs, ref.mailbox).map((n) => ({
		json: n as unknown as IDataObject,
		pairedItem: { item: 0, input: 0 },
	}));
	return [actions, notifications];
}
