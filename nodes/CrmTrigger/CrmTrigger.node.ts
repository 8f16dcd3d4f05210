import type { INodeType, INodeTypeDescription, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { COMPONENT_MODULE, CrmChangeWatcher, type CrmChangeCount, type CrmModule } from '../../lib/crm';
import type { Component } from '../../lib/model/types';
import { toNodeError } from '../Crm/helpers/errors';
import { crmApiTest } from '../Crm/methods/credentialTest';
import { getCrmBackend } from '../Crm/transport/backend';

/** Looks that fail in a row before the trigger reports it (each is logged); a flaky CRM is not an outage. */
const FAILURES_BEFORE_ERROR = 5;

/**
 * Starts the sync within seconds of a CRM change (issue 14): looks at the CRM's change feed every few
 * seconds and emits one item when the synced modules changed. It reads no records for the sync; the sync
 * reads them with its own cursor. A look that overlaps the previous one is left out, never queued.
 */
export class CrmTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'CRM Trigger',
		name: 'crmTrigger',
		icon: { light: 'file:crmTrigger.svg', dark: 'file:crmTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"every " + $parameter["intervalSeconds"] + " s"}}',
		description: 'Starts the workflow within seconds of a change of contacts, appointments or tasks in the CRM',
		defaults: { name: 'CRM Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'crmApi', required: true, testedBy: 'crmApiTest' }],
		properties: [
			{
				displayName: 'Components',
				name: 'components',
				type: 'multiOptions',
				options: [
					{ name: 'Appointments', value: 'event' },
					{ name: 'Contacts', value: 'contact' },
					{ name: 'Tasks', value: 'task' },
				],
				default: ['contact'],
				description: 'The CRM modules whose changes start the workflow',
			},
			{
				displayName: 'Look Every (Seconds)',
				name: 'intervalSeconds',
				type: 'number',
				typeOptions: { minValue: 2 },
				default: 30,
				description:
					'How often the CRM is asked whether anything changed. The embedded CRM answers from its database at almost no cost; vtiger answers a query per module (its change list), so keep it at 30 seconds or more there.',
			},
		],
	};

	methods = { credentialTest: { crmApiTest } };

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const components = this.getNodeParameter('components', []) as Component[];
		const modules = components.map((c) => COMPONENT_MODULE[c]).filter((m): m is CrmModule => m !== undefined);
		const intervalMs = Math.max(2, this.getNodeParameter('intervalSeconds', 30) as number) * 1000;
		const crm = await getCrmBackend(this);
		const watcher = new CrmChangeWatcher(crm, modules);
		const emitChanges = (found: CrmChangeCount[]) =>
			this.emit([
				[{ json: { changed: true, changes: found.reduce((n, f) => n + f.changes, 0), modules: found.map((f) => f.module), at: new Date().toISOString() } }],
			]);

		if (this.getMode() === 'manual') {
			// "Execute workflow" in the editor: start one run at once.
			return { manualTriggerFunction: async () => emitChanges(modules.map((module) => ({ module, changes: 0 }))) };
		}

		try {
			await watcher.start();
		} catch (error) {
			throw toNodeError(this.getNode(), error, 0);
		}
		let looking = false;
		let failures = 0;
		const timer = setInterval(() => {
			if (looking) return;
			looking = true;
			watcher
				.look()
				.then((found) => {
					failures = 0;
					if (found.length) emitChanges(found);
				})
				.catch((error: unknown) => {
					failures++;
					this.logger.warn(`CRM Trigger: could not look for CRM changes (${failures} in a row): ${(error as Error).message}`);
					if (failures === FAILURES_BEFORE_ERROR) this.emitError(toNodeError(this.getNode(), error, 0));
				})
				.finally(() => {
					looking = false;
				});
		}, intervalMs);
		return {
			closeFunction: async () => {
				clearInterval(timer);
			},
		};
	}
}
