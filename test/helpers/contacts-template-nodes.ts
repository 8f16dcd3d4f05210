/**
 * The nodes of workflows/contacts-sync.json run in-process in the template's order, against the Graph
 * sandbox over HTTPS and an embedded CRM in a real SQLite file: a run of the template without n8n's
 * process around it, for tests that need to step between (or interleave) the halves of a run. Static
 * data is held per run, as n8n loads it at an execution's start and saves it at its end.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INode, INodeExecutionData, INodeType } from 'n8n-workflow';

import { ConflictResolution } from '../../nodes/ConflictResolution/ConflictResolution.node';
import { Crm } from '../../nodes/Crm/Crm.node';
import { closeSharedCrmBackends } from '../../nodes/Crm/transport/backend';
import { Exchange } from '../../nodes/Exchange/Exchange.node';
import { FieldMapping } from '../../nodes/FieldMapping/FieldMapping.node';
import { startTestSandbox, type TestSandbox } from './sandbox';

export const ANNA = 'anna@contoso.example';

export interface PlannedRun {
	data: IDataObject;
	/** The n8n execution id this run stands for (the holder of Sync State's lease). */
	executionId: string;
	/** Sync State's output item. */
	state: IDataObject;
	folderId: string;
	table: IDataObject;
	actions: INodeExecutionData[];
	notifications: IDataObject[];
	/** Field Mapping settings of this run (RunOptions.mapping). */
	mapping: IDataObject;
}

export interface RunOptions {
	policy?: string;
	planOptions?: IDataObject;
	/** Reset State before Sync State, as workflows/initial-sync.json does. */
	resetFirst?: boolean;
	/** The builder's Field Mapping settings (e.g. `{ 'fieldPairs.pair': [...] }`), for both directions. */
	mapping?: IDataObject;
}

export interface TemplateOptions {
	/**
	 * Sync State and Commit carry the CRM credential as in the templates, so the CRM's run log holds the
	 * lease and keeps the committed state (docs/decisions.md §12, §17). Off by default: the overlap tests
	 * interleave two runs' halves, which the lease exists to prevent.
	 */
	runLog?: boolean;
}

export interface ContactsTemplate {
	sb: TestSandbox;
	dbPath: string;
	/** The reading half of a run: its own copy of `saved` static data, both sides read, the plan made. */
	readAndPlan(saved: IDataObject, options?: RunOptions): Promise<PlannedRun>;
	/** The writing half: both sides written, committed into that run's static data. */
	applyAndCommit(run: PlannedRun): Promise<IDataObject>;
	/** One whole run on the workflow's saved static data; the report of Commit plus folderId and notifications. */
	syncRun(options?: RunOptions): Promise<IDataObject>;
	/** The workflow's static data as last saved. */
	saved: IDataObject;
	close(): Promise<void>;
}

const exchange = new Exchange();
const crmNode = new Crm();
const mapping = new FieldMapping();
const resolution = new ConflictResolution();

export async function startContactsTemplate(templateOptions: TemplateOptions = {}): Promise<ContactsTemplate> {
	const sb = await startTestSandbox();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contacts-template-'));
	const dbPath = path.join(dir, 'crm.sqlite');
	const credentials: Record<string, ICredentialDataDecryptedObject> = {
		microsoftGraphOAuth2Api: {
			grantType: 'clientCredentials',
			tenantId: sb.tenant,
			clientId: sb.clientId,
			clientSecret: sb.clientSecret,
			mailbox: ANNA,
			authorityUrl: sb.authorityUrl,
			graphBaseUrl: sb.authorityUrl,
			useCustomCa: true,
			caCertificate: sb.ca,
		},
		crmApi: { backend: 'embedded', databasePath: dbPath },
	};

	let executions = 0;
	async function runNode(
		data: IDataObject,
		node: INodeType,
		params: Record<string, unknown>,
		inputs: INodeExecutionData[][],
		executionId = 'execution',
	): Promise<INodeExecutionData[][]> {
		const withRunLog = templateOptions.runLog === true && node === resolution;
		const meta: INode = {
			id: 'n',
			name: 'node',
			type: 'x',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
			...(withRunLog ? { credentials: { crmApi: { id: '1', name: 'CRM' } } } : {}),
		};
		const ctx = {
			getInputData: (index = 0) => inputs[index] ?? [],
			getNode: () => meta,
			getExecutionId: () => executionId,
			continueOnFail: () => false,
			getCredentials: async (type: string) => credentials[type],
			getWorkflowStaticData: () => data,
			getMode: () => 'trigger',
			getNodeParameter(name: string, _i: number, fallback?: unknown) {
				if (name in params) return params[name];
				if (fallback !== undefined) return fallback;
				throw new Error(`test did not set parameter "${name}"`);
			},
			helpers: {},
		} as unknown as IExecuteFunctions;
		return (await (node.execute as (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>).call(ctx)) ?? [];
	}

	const template: ContactsTemplate = {
		sb,
		dbPath,
		saved: {},
		async readAndPlan(saved, options = {}) {
			const data = JSON.parse(JSON.stringify(saved)) as IDataObject;
			const executionId = String(++executions);
			const [[folders]] = await runNode(
				data,
				exchange,
				{ resource: 'folder', operation: 'ensureSyncFolders', components: ['contact'], useDefault: [], folderName: 'CRM-Sync' },
				[[{ json: {} }]],
			);
			const folderId = (folders.json as { contact: string }).contact;
			const table = { component: 'contact', mailbox: 'me', exchangeFolderId: folderId, crmInstance: 'crm' };
			if (options.resetFirst) await runNode(data, resolution, { operation: 'resetState', ...table }, [[folders]]);
			const [[state]] = await runNode(data, resolution, { operation: 'readState', ...table }, [[folders]], executionId);
			const [crmChanges] = await runNode(data, crmNode, { resource: 'contact', operation: 'getChanges', cursor: (state.json.crmCursor as string) ?? '' }, [
				[state],
			]);
			const [canonical] = await runNode(data, mapping, { component: 'contact', operation: 'toCanonical', ...options.mapping }, [crmChanges]);
			const [exChanges] = await runNode(
				data,
				exchange,
				{
					resource: 'contact',
					operation: 'getChanges',
					contactFolder: { __rl: true, mode: 'id', value: folderId },
					cursor: (state.json.exchangeCursor as string) ?? '',
				},
				[canonical],
			);
			const planParams = {
				operation: 'plan',
				...table,
				direction: 'both',
				policy: options.policy ?? 'lastModifiedWins',
				planOptions: options.planOptions ?? {},
			};
			const [actions, notes] = await runNode(data, resolution, planParams, [canonical, exChanges]);
			const notifications = (notes ?? []).map((n) => n.json);
			return { data, executionId, state: state.json, folderId, table, actions, notifications, mapping: options.mapping ?? {} };
		},
		async applyAndCommit(run) {
			const [toCrm] = await runNode(run.data, mapping, { component: 'contact', operation: 'toCrm', ...run.mapping }, [run.actions]);
			const [crmWritten] = await runNode(run.data, crmNode, { resource: 'syncAction', operation: 'apply', crmUserId: '', recordConflicts: true }, [toCrm]);
			const [exWritten] = await runNode(run.data, exchange, { resource: 'syncAction', operation: 'apply', syncFolderId: run.folderId, options: {} }, [
				crmWritten,
			]);
			const [[report]] = await runNode(run.data, resolution, { operation: 'commit', ...run.table }, [exWritten], run.executionId);
			return { ...report.json, folderId: run.folderId, notifications: run.notifications };
		},
		async syncRun(options) {
			const run = await template.readAndPlan(template.saved, options);
			const report = await template.applyAndCommit(run);
			template.saved = run.data;
			return report;
		},
		async close() {
			await closeSharedCrmBackends();
			await sb.stop();
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
	return template;
}
