import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { EmailImporter } from '../../../../lib/email';
import type { ExchangeClient } from '../../../../lib/exchange';
import { DEFAULT_SYNC_FOLDER_NAME } from '../../../../lib/exchange';
import { keepFailedForRetry, migrateTriggerState, pollMailMoves, type MailMovedEvent, type TriggerState } from '../../../../lib/exchange/poller';
import { DEFAULT_ORIGIN_FOLDERS, resolveWellKnown } from '../../../ExchangeTrigger/shared';
import { errorItem, resultError, resultItem } from '../../helpers/output';
import { TRIGGER_FOLDER_ROLES } from './import.operation';

const STATE_KEY = 'syncFolderMail';

/**
 * An input item without a message (Run Now, a schedule): the node finds the mails moved into CRM-Sync since its last run itself, the
 * way the Exchange Trigger does (same poller), with the cursors in this node's static data per mailbox.
 * So a Run Now or schedule path needs no Code node. A mail that fails is read again next run.
 */
export async function importFromSyncFolders(
	this: IExecuteFunctions,
	importer: EmailImporter,
	mailbox: ExchangeClient | undefined,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	if (!mailbox) {
		throw new NodeOperationError(node, 'Reading the CRM-Sync folders needs an Exchange connection', {
			itemIndex,
			description: 'Choose Microsoft 365 (Graph) or Exchange Server (EWS) under "Exchange Connection", or take the mails from an Exchange Trigger.',
		});
	}
	const staticData = this.getWorkflowStaticData('node');
	const byMailbox = (staticData[STATE_KEY] ?? {}) as IDataObject;
	const before = migrateTriggerState(byMailbox[mailbox.mailbox]);
	const folderName = String(this.getNodeParameter('syncFolderName', itemIndex, DEFAULT_SYNC_FOLDER_NAME) ?? '').trim() || DEFAULT_SYNC_FOLDER_NAME;
	const syncFolders = before.folders?.mail ?? (await mailbox.ensureSyncFolders({ components: ['mail'], folderName })).mail;
	if (!syncFolders)
		throw new NodeOperationError(node, `The mailbox ${mailbox.mailbox} has no "${folderName}" mail folders`, {
			description: 'Run the sync folder setup (Ensure Sync Folders) first.',
		});
	const { ids: originFolderIds, wellKnown } = await resolveWellKnown(mailbox, before, DEFAULT_ORIGIN_FOLDERS);
	// The first run imports what is already in CRM-Sync: the user put it there to be imported.
	const { events, state: polled } = await pollMailMoves(
		mailbox,
		{ ...before, folders: { mail: syncFolders } },
		{ syncFolders, originFolderIds, emitExisting: true },
	);

	// All of the run's mails in one call, so their moves back go together ($batch on Graph, issue 15).
	const results = await importer.importMessages(
		events.map((event) => ({
			exchangeId: event.message.id,
			folderId: event.folderId,
			folderRole: TRIGGER_FOLDER_ROLES[event.folder],
			previousFolderId: event.previousFolderId,
			internetMessageId: event.message.internetMessageId,
			from: event.message.from,
			size: event.message.size,
		})),
	);
	const out: INodeExecutionData[] = [];
	const failed: MailMovedEvent[] = [];
	let firstError: NodeOperationError | undefined;
	events.forEach((event, i) => {
		const result = results[i];
		if (result.status !== 'error') {
			out.push(resultItem(result, itemIndex));
			return;
		}
		failed.push(event);
		const nodeError = resultError(node, result, itemIndex);
		firstError ??= nodeError;
		out.push(errorItem(nodeError, result, itemIndex));
	});
	const after: TriggerState = keepFailedForRetry(before, { ...polled, wellKnown }, failed);
	staticData[STATE_KEY] = { ...byMailbox, [mailbox.mailbox]: after as unknown as IDataObject };
	// Every mail was tried and the failed ones are kept for the next run; only then does the node stop.
	if (firstError && !this.continueOnFail()) throw firstError;
	return out;
}
