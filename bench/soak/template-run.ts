/**
 * The nodes of a sync template (workflows/contacts-sync.json, calendar-sync.json, task-sync.json) run
 * in-process in the template's order, over Graph or EWS
 * against the sandbox and an embedded CRM in a real SQLite file: a run of the template without n8n's
 * process around it, so the soak can stop a run between its halves the way a kill or a failed execution
 * would. Static data is the object n8n loads at an execution's start; what survives the run is up to the
 * caller (saved after a success or a failure, lost on a kill).
 */
import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INode, INodeExecutionData, INodeType } from 'n8n-workflow';

import { ConflictResolution } from '../../nodes/ConflictResolution/ConflictResolution.node';
import { Crm } from '../../nodes/Crm/Crm.node';
import { Exchange } from '../../nodes/Exchange/Exchange.node';
import { FieldMapping } from '../../nodes/FieldMapping/FieldMapping.node';
import type { Component } from '../../lib/model/types';
import type { TemplateShape } from './profile';

export type SoakProtocol = 'graph' | 'ews';
/** The template's conflict policy (S3): its default, or field-by-field merge. */
export type SoakPolicy = 'lastModifiedWins' | 'merge';

/** Where a run stops: after all steps, or killed after one of the writing steps. */
export type RunEnd = 'complete' | 'killAfterCrmWrite' | 'killAfterExchangeWrite';

export interface CommitReport {
	created: number;
	updated: number;
	deleted: number;
	errors: number;
	pendingRetries: number;
}

const CREDENTIAL_TYPE: Record<SoakProtocol, string> = { graph: 'microsoftGraphOAuth2Api', ews: 'exchangeEwsApi' };

const exchange = new Exchange();
const crmNode = new Crm();
const mapping = new FieldMapping();
const resolution = new ConflictResolution();

export class TemplateRun {
	constructor(
		private readonly protocol: SoakProtocol,
		private readonly component: Component,
		private readonly shape: TemplateShape,
		private readonly credentials: Record<string, ICredentialDataDecryptedObject>,
		private readonly policy: SoakPolicy = 'lastModifiedWins',
		/** Prints every planned write (SOAK_TRACE=1), to follow a defect back to its decision. */
		private readonly trace?: (line: string) => void,
	) {}

	private async node(data: IDataObject, node: INodeType, params: Record<string, unknown>, inputs: INodeExecutionData[][]): Promise<INodeExecutionData[][]> {
		const meta: INode = { id: 'soak', name: 'node', type: 'soak', typeVersion: 1, position: [0, 0], parameters: {} };
		const all: Record<string, unknown> = { authentication: CREDENTIAL_TYPE[this.protocol], ...params };
		const ctx = {
			getInputData: (index = 0) => inputs[index] ?? [],
			getNode: () => meta,
			continueOnFail: () => false,
			getCredentials: async (type: string) => this.credentials[type],
			getWorkflowStaticData: () => data,
			getMode: () => 'trigger',
			getNodeParameter(name: string, _i: number, fallback?: unknown) {
				if (name in all) return all[name];
				if (fallback !== undefined) return fallback;
				throw new Error(`the soak did not set parameter "${name}"`);
			},
			helpers: {},
		} as unknown as IExecuteFunctions;
		return (await (node.execute as (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>).call(ctx)) ?? [];
	}

	/**
	 * One run of the template on `data` (mutated in place, as n8n's static data is). Throws what a node
	 * throws; returns Commit's counts, or undefined when the run was killed before Commit.
	 */
	async run(data: IDataObject, end: RunEnd = 'complete'): Promise<CommitReport | undefined> {
		const component = this.component;
		const window = this.shape.pastDays === undefined ? {} : { pastDays: this.shape.pastDays };
		const [[folders]] = await this.node(
			data,
			exchange,
			{ resource: 'folder', operation: 'ensureSyncFolders', components: [component], useDefault: [], folderName: 'CRM-Sync' },
			[[{ json: {} }]],
		);
		const folderId = (folders.json as Record<string, string>)[component];
		const table = { component, mailbox: 'me', exchangeFolderId: folderId, crmInstance: 'crm' };
		const [[state]] = await this.node(data, resolution, { operation: 'readState', ...table }, [[folders]]);
		const [crmChanges] = await this.node(data, crmNode, { resource: component, operation: 'getChanges', cursor: (state.json.crmCursor as string) ?? '' }, [
			[state],
		]);
		const [canonical] = await this.node(data, mapping, { component, operation: 'toCanonical' }, [crmChanges]);
		const [exChanges] = await this.node(
			data,
			exchange,
			{
				resource: component,
				operation: 'getChanges',
				[this.shape.folderParameter]: { __rl: true, mode: 'id', value: folderId },
				cursor: (state.json.exchangeCursor as string) ?? '',
				confirmIds: state.json.confirmIds ?? [],
				...window,
			},
			[canonical],
		);
		const [actions] = await this.node(
			data,
			resolution,
			{ operation: 'plan', ...table, direction: 'both', policy: this.policy, mergeFallback: 'lastModifiedWins', ...window, planOptions: {} },
			[canonical, exChanges],
		);
		if (this.trace)
			for (const { json } of exChanges)
				this.trace(
					`  exchange changes: ${(json.changes as unknown[]).length} changed, deleted ${JSON.stringify(json.deletedIds)}, fullResync ${String(json.fullResync)}`,
				);
		if (this.trace)
			for (const { json } of actions)
				if (json.kind && json.kind !== 'noop')
					this.trace(`  plan ${json.kind} → ${json.target}: ${json.reason} ${JSON.stringify(json.changedFields ?? [])} ${JSON.stringify(json.record)}`);
		const [toCrm] = await this.node(data, mapping, { component, operation: 'toCrm' }, [actions]);
		const [crmWritten] = await this.node(data, crmNode, { resource: 'syncAction', operation: 'apply', crmUserId: '', recordConflicts: true }, [toCrm]);
		if (end === 'killAfterCrmWrite') return undefined;
		const [exWritten] = await this.node(data, exchange, { resource: 'syncAction', operation: 'apply', syncFolderId: folderId, options: {} }, [crmWritten]);
		if (end === 'killAfterExchangeWrite') return undefined;
		const [[report]] = await this.node(data, resolution, { operation: 'commit', ...table }, [exWritten]);
		const counts = report.json as IDataObject;
		const n = (key: string) => Number(counts[key] ?? 0);
		return { created: n('created'), updated: n('updated'), deleted: n('deleted'), errors: n('errors'), pendingRetries: n('pendingRetries') };
	}
}
