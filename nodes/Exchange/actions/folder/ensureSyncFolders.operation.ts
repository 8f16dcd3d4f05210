import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ExchangeClient, SyncFolderKind } from '../../../../lib/exchange';
import { withAuthPause, type AuthPauseState } from '../../../../lib/exchange/poller';
import { credentialFingerprint } from '../../transport';
import { toNodeError } from '../../helpers/errors';

export const componentsParameter: INodeProperties = {
	displayName: 'Components',
	name: 'components',
	type: 'multiOptions',
	options: [
		{ name: 'Appointments (Calendar)', value: 'event' },
		{ name: 'Contacts', value: 'contact' },
		{ name: 'E-Mails (Mail Folder With Subfolders)', value: 'mail' },
		{ name: 'Tasks (To Do List)', value: 'task' },
	],
	default: ['contact', 'event', 'task', 'mail'],
};

export const properties: INodeProperties[] = [
	componentsParameter,
	{
		displayName: 'Use Default Folder For',
		name: 'useDefault',
		type: 'multiOptions',
		options: [
			{ name: 'Appointments', value: 'event' },
			{ name: 'Contacts', value: 'contact' },
			{ name: 'E-Mails (Inbox)', value: 'mail' },
			{ name: 'Tasks', value: 'task' },
		],
		default: [],
		description: "Components that sync the mailbox's own folder instead of a CRM-Sync folder (F2)",
	},
	{ displayName: 'Folder Name', name: 'folderName', type: 'string', default: 'CRM-Sync' },
	{
		displayName: 'Max Failed Sign-Ins',
		name: 'maxAuthFailures',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 2,
		description:
			'After this many failed sign-ins in a row the mailbox is paused instead of trying again every run, so a wrong password does not lock the account (A5). 0 never pauses.',
	},
];

/** Node static data key: per mailbox, the failed sign-ins in a row (A5). */
const AUTH_PAUSE_KEY = 'signIn';

export const description = updateDisplayOptions({ show: { resource: ['folder'], operation: ['ensureSyncFolders'] } }, properties);

/**
 * F1/F2: finds or creates the sync folders and returns their ids. As the first Exchange call of every sync
 * run it also keeps A5: after "Max Failed Sign-Ins" in a row, the mailbox is not signed in to again until
 * the credential changes or someone runs the workflow by hand. n8n saves static data at the end of a
 * production execution also when it failed (hookFunctionsSave in n8n's execution-lifecycle-hooks.ts), so
 * the count survives the failing runs it counts.
 */
export async function execute(this: IExecuteFunctions, i: number, client: ExchangeClient): Promise<INodeExecutionData[]> {
	const components = this.getNodeParameter('components', i) as SyncFolderKind[];
	const useDefault = this.getNodeParameter('useDefault', i, []) as SyncFolderKind[];
	const staticData = this.getWorkflowStaticData('node');
	const pauses = (staticData[AUTH_PAUSE_KEY] ?? {}) as Record<string, AuthPauseState>;
	const manual = this.getMode() === 'manual';
	const save = (auth: AuthPauseState | undefined) => {
		if (manual) return;
		const next = { ...pauses };
		if (auth && (auth.failures > 0 || auth.pausedAt)) next[client.mailbox] = auth;
		else delete next[client.mailbox];
		staticData[AUTH_PAUSE_KEY] = next as unknown as IDataObject;
	};
	try {
		const { result: folders, state } = await withAuthPause(
			{ auth: pauses[client.mailbox] },
			{
				maxFailures: this.getNodeParameter('maxAuthFailures', i, 2) as number,
				fingerprint: await credentialFingerprint(this),
				force: manual,
				hint: 'Fix the Microsoft credential (password, secret, consent). The pause ends as soon as the credential is changed, or run the workflow once by hand ("Execute workflow") to try again.',
			},
			async () =>
				client.ensureSyncFolders({
					components,
					useDefaultFolder: Object.fromEntries(useDefault.map((k) => [k, true])),
					folderName: String(this.getNodeParameter('folderName', i, 'CRM-Sync')).trim() || undefined,
				}),
		);
		save(state.auth);
		return [{ json: { mailbox: client.mailbox, ...folders } as IDataObject, pairedItem: { item: i } }];
	} catch (error) {
		const failed = (error as { state?: { auth?: AuthPauseState } }).state;
		if (failed) save(failed.auth);
		throw toNodeError(this.getNode(), error, i);
	}
}
