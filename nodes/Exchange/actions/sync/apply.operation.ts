import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { isWriteFor, mergeFields, type ActionItem, type ActionOutcome } from '../../../../lib/engine';
import {
	ExchangeError,
	exchangeWriteFailure,
	type ExchangeClient,
	type ExchangeItem,
	type ExchangeWrite,
	type ExchangeWriteResult,
	type WriteOptions,
} from '../../../../lib/exchange';
import { DEFAULT_REMINDER_MINUTES, withCreationReminder } from '../../../../lib/model/reminder';
import type { CalendarEvent, Component, ComponentRecordMap } from '../../../../lib/model/types';

export const properties: INodeProperties[] = [
	{
		displayName: 'Sync Folder ID',
		name: 'syncFolderId',
		type: 'string',
		default: '',
		required: true,
		description: 'The folder (contacts folder, calendar or task list) the actions write to, usually the output of “Ensure Sync Folders”',
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

interface ApplyOptions {
	attendeesInBody?: boolean;
	reminderMinutes?: number;
}

/** One Exchange write of the input: the action, its parameters, and the write once prepared. */
interface PendingWrite {
	index: number;
	action: ActionItem;
	folderId: string;
	options: ApplyOptions;
	write: WriteOptions;
	/** Set when the write failed before it was sent (e.g. the item of an onlyFields update is gone). */
	failure?: unknown;
	record?: ComponentRecordMap[Component];
}

/**
 * Applies the sync actions that target Exchange; every other item passes through unchanged. Failures
 * become the action's outcome, so the run goes on and Commit knows what to retry. All items in one go:
 * with a client that has applyMany (Graph), the writes go in $batches of 20 and the reads of the
 * onlyFields updates in read batches (getMany); without (EWS), one request per write as before.
 * Output order is input order, one item each.
 */
export async function executeAll(this: IExecuteFunctions, indexes: number[], client: ExchangeClient): Promise<INodeExecutionData[][]> {
	const input = this.getInputData();
	const pending: PendingWrite[] = [];
	for (const index of indexes) {
		const json = input[index].json;
		if (!isWriteFor(json, 'exchange')) continue;
		const options = this.getNodeParameter('options', index, {}) as ApplyOptions;
		pending.push({
			index,
			action: json,
			folderId: String(this.getNodeParameter('syncFolderId', index, '')).trim(),
			options,
			write: {
				etag: json.targetEtag,
				attendeesInBody: options.attendeesInBody === true,
				...(json.kind === 'update' && json.changedFields ? { changedFields: json.changedFields } : {}),
			},
		});
	}
	await prepareRecords(client, pending);
	const applyMany = client.applyMany?.bind(client);
	const outcomes = applyMany ? await applyBatched(applyMany, pending) : await applyOneByOne(client, pending);
	const byIndex = new Map(pending.map((p, n) => [p.index, { ...p.action, outcome: outcomes[n] } as unknown as IDataObject]));
	return indexes.map((index) => [{ json: byIndex.get(index) ?? input[index].json, pairedItem: { item: index } }]);
}

/** The record each write sends: onlyFields merged into the current item (S17), the creation reminder (S19). */
async function prepareRecords(client: ExchangeClient, pending: PendingWrite[]): Promise<void> {
	const reads = pending.filter((p) => p.action.kind === 'update' && p.action.onlyFields);
	const current = new Map<PendingWrite, ExchangeItem | undefined | ExchangeError>();
	if (client.getMany) {
		const groups = new Map<string, PendingWrite[]>();
		for (const p of reads) {
			const key = `${p.action.component}|${p.folderId}`;
			groups.set(key, [...(groups.get(key) ?? []), p]);
		}
		for (const group of groups.values()) {
			const found = await client.getMany(
				group[0].action.component,
				group[0].folderId,
				group.map((p) => p.action.targetId as string),
			);
			group.forEach((p, n) => current.set(p, found[n]));
		}
	} else {
		for (const p of reads) {
			try {
				current.set(p, await client.get(p.action.component, p.folderId, p.action.targetId as string));
			} catch (error) {
				p.failure = error;
			}
		}
	}
	for (const p of pending) {
		if (p.action.kind === 'delete' || p.failure !== undefined) continue;
		let record = p.action.record as ComponentRecordMap[Component];
		if (current.has(p)) {
			const item = current.get(p);
			if (item instanceof ExchangeError) {
				p.failure = item;
				continue;
			}
			if (!item) {
				p.failure = new ExchangeError('notFound', 'The Exchange item no longer exists.');
				continue;
			}
			record = mergeFields(item.record, record, p.action.onlyFields as string[]);
		}
		if (p.action.kind === 'create' && p.action.component === 'event') record = withCreationReminder(record as CalendarEvent, p.options.reminderMinutes);
		p.record = record;
	}
}

function toWrite(p: PendingWrite): ExchangeWrite {
	const { action, folderId, write } = p;
	if (action.kind === 'delete') return { kind: 'delete', component: action.component, folderId, id: action.targetId as string, options: write };
	const record = p.record as ComponentRecordMap[Component];
	if (action.kind === 'create') return { kind: 'create', component: action.component, folderId, record, ident: action.writeIdent, options: write };
	return { kind: 'update', component: action.component, folderId, id: action.targetId as string, record, ident: action.ident, options: write };
}

function outcomeOf(p: PendingWrite, result: ExchangeWriteResult): ActionOutcome {
	if (result instanceof ExchangeError) return exchangeWriteFailure(p.action.seq, result);
	if (!result) return { seq: p.action.seq, ok: true, id: p.action.targetId };
	return { seq: p.action.seq, ok: true, id: result.id, etag: result.etag, record: result.record };
}

async function applyBatched(applyMany: NonNullable<ExchangeClient['applyMany']>, pending: PendingWrite[]): Promise<ActionOutcome[]> {
	const ready = pending.filter((p) => p.failure === undefined);
	let results: ExchangeWriteResult[];
	try {
		results = await applyMany(ready.map(toWrite));
	} catch (error) {
		// The batch call itself failed (e.g. the mailbox is unreachable): every write's outcome is that failure.
		return pending.map((p) => exchangeWriteFailure(p.action.seq, p.failure ?? error));
	}
	const byWrite = new Map(ready.map((p, n) => [p, results[n]]));
	return pending.map((p) => (p.failure !== undefined ? exchangeWriteFailure(p.action.seq, p.failure) : outcomeOf(p, byWrite.get(p))));
}

async function applyOneByOne(client: ExchangeClient, pending: PendingWrite[]): Promise<ActionOutcome[]> {
	const out: ActionOutcome[] = [];
	for (const p of pending) {
		if (p.failure !== undefined) {
			out.push(exchangeWriteFailure(p.action.seq, p.failure));
			continue;
		}
		const w = toWrite(p);
		try {
			if (w.kind === 'delete') {
				await client.delete(w.component, w.folderId, w.id, w.options);
				out.push(outcomeOf(p, undefined));
			} else if (w.kind === 'create') out.push(outcomeOf(p, await client.create(w.component, w.folderId, w.record, w.ident, w.options)));
			else out.push(outcomeOf(p, await client.update(w.component, w.folderId, w.id, w.record, w.ident, w.options)));
		} catch (error) {
			out.push(exchangeWriteFailure(p.action.seq, error));
		}
	}
	return out;
}
