import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { isWriteFor, mergeFields, type ActionOutcome } from '../../../../lib/engine';
import { ExchangeError, exchangeWriteFailure, type ExchangeClient } from '../../../../lib/exchange';
import { DEFAULT_REMINDER_MINUTES, withCreationReminder } from '../../../../lib/model/reminder';
import type { CalendarEvent, ComponentRecordMap } from '../../../../lib/model/types';

export const properties: INodeProperties[] = [
	{
		displayName: 'Sync Folder ID',
		name: 'syncFolderId',
		type: 'string',
		default: '',
		required: true,
		description:
			'The folder (contacts folder, calendar or task list) the actions write to, usually the output of “Ensure Sync Folders”',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Attendees in Body',
				name: 'attendeesInBody',
				type: 'boolean',
				default: false,
				description: 'Whether attendees are written into the appointment text (they are never invited, S18)',
			},
			{
				displayName: 'Reminder for New Appointments (Minutes)',
				name: 'reminderMinutes',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: DEFAULT_REMINDER_MINUTES,
				description: 'Set once when an appointment is created in Exchange and not kept in sync afterwards (S19)',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['syncAction'], operation: ['apply'] } }, properties);

/**
 * Applies the sync actions that target Exchange; every other item passes through unchanged. Failures
 * become the action's outcome, so the run goes on and Commit knows what to retry.
 */
export async function execute(this: IExecuteFunctions, i: number, client: ExchangeClient): Promise<INodeExecutionData[]> {
	const json = this.getInputData()[i].json;
	const pairedItem = { item: i };
	if (!isWriteFor(json, 'exchange')) return [{ json, pairedItem }];
	const action = json;
	const folderId = String(this.getNodeParameter('syncFolderId', i, '')).trim();
	const options = this.getNodeParameter('options', i, {}) as { attendeesInBody?: boolean; reminderMinutes?: number };
	const writeOptions = {
		etag: action.targetEtag,
		attendeesInBody: options.attendeesInBody === true,
		...(action.kind === 'update' && action.changedFields ? { changedFields: action.changedFields } : {}),
	};
	let outcome: ActionOutcome;
	try {
		if (action.kind === 'delete') {
			await client.delete(action.component, folderId, action.targetId as string, writeOptions);
			outcome = { seq: action.seq, ok: true, id: action.targetId };
		} else {
			let record = action.record as ComponentRecordMap[typeof action.component];
			if (action.kind === 'update' && action.onlyFields) {
				const current = await client.get(action.component, folderId, action.targetId as string);
				if (!current) throw new ExchangeError('notFound', 'The Exchange item no longer exists.');
				record = mergeFields(current.record, record, action.onlyFields);
			}
			if (action.kind === 'create' && action.component === 'event') {
				record = withCreationReminder(record as CalendarEvent, options.reminderMinutes);
			}
			const item =
				action.kind === 'create'
					? await client.create(action.component, folderId, record, action.writeIdent, writeOptions)
					: await client.update(action.component, folderId, action.targetId as string, record, action.ident, writeOptions);
			outcome = { seq: action.seq, ok: true, id: item.id, etag: item.etag, record: item.record };
		}
	} catch (error) {
		outcome = exchangeWriteFailure(action.seq, error);
	}
	return [{ json: { ...action, outcome } as unknown as IDataObject, pairedItem }];
}
