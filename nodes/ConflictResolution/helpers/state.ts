import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { migrateState, StatusTable, tableKey, type SyncStateRoot } from '../../../lib/engine';
import type { Component } from '../../../lib/model/types';

/** Where the sync state lives inside the workflow's global static data. */
const STATIC_KEY = 'exchangeCrmSync';

export interface TableRef {
	key: string;
	mailbox: string;
	component: Component;
	crmInstance: string;
}

export function tableRef(ctx: IExecuteFunctions, itemIndex = 0): TableRef {
	const component = ctx.getNodeParameter('component', itemIndex) as Component;
	const mailbox = String(ctx.getNodeParameter('mailbox', itemIndex, 'me') || 'me').trim();
	const crmInstance = String(ctx.getNodeParameter('crmInstance', itemIndex, 'crm') || 'crm').trim();
	// A new sync folder (after a component was switched off and on, F5) starts with a fresh state.
	const folderId = String(ctx.getNodeParameter('exchangeFolderId', itemIndex, '') ?? '').trim() || undefined;
	return { key: tableKey({ mailbox, component, crmInstance, folderId }), mailbox, component, crmInstance };
}

function root(ctx: IExecuteFunctions): SyncStateRoot {
	const staticData = ctx.getWorkflowStaticData('global');
	return migrateState(staticData[STATIC_KEY]);
}

export function loadTable(ctx: IExecuteFunctions, key: string): StatusTable {
	return StatusTable.load(root(ctx).tables[key]);
}

/**
 * Writes the table back. The root object is assigned anew so that n8n notices the change and saves the
 * static data at the end of a production execution (DESIGN.md §3).
 */
export function saveTable(ctx: IExecuteFunctions, key: string, table: StatusTable | undefined): void {
	const staticData = ctx.getWorkflowStaticData('global');
	const state = root(ctx);
	const tables = { ...state.tables };
	if (table) tables[key] = table.save();
	else delete tables[key];
	staticData[STATIC_KEY] = { v: state.v, tables } as unknown as IDataObject;
}

export function stateSizeBytes(ctx: IExecuteFunctions): number {
	const staticData = ctx.getWorkflowStaticData('global');
	return JSON.stringify(staticData[STATIC_KEY] ?? {}).length;
}
