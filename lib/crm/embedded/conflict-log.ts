/** The embedded CRM's conflict log role (CrmConflictLog): conflicts stored as records of the 'conflicts' module. */
import type { CrmConflictInput, CrmConflictLog, CrmConflictRecord, CrmModule, CrmRecord, CrmRecords } from '../types';
import { dropUndefined, RECORD_COLUMNS, toRecord, type RecordRow } from './rows';
import type { EmbeddedStore } from './store';

export class EmbeddedConflictLog implements CrmConflictLog {
	constructor(
		private readonly store: EmbeddedStore,
		/** Resolving is an ordinary record update. */
		private readonly records: Pick<CrmRecords, 'update'>,
	) {}

	async recordConflict(input: CrmConflictInput): Promise<CrmConflictRecord> {
		const fields = dropUndefined({
			module: input.module,
			recordId: input.recordId,
			side: input.side,
			reason: input.reason,
			payload: input.payload,
			mailbox: input.mailbox,
			resolved: false,
		});
		const row = this.store.transaction(() => this.store.insertRecord('conflicts', { fields }));
		return toConflict(toRecord(row));
	}

	async listConflicts(options: { resolved?: boolean } = {}): Promise<CrmConflictRecord[]> {
		const rows =
			options.resolved === undefined
				? this.store.stmt(`SELECT ${RECORD_COLUMNS} FROM records WHERE module = 'conflicts' ORDER BY id`).all()
				: this.store
						.stmt(`SELECT ${RECORD_COLUMNS} FROM records WHERE module = 'conflicts' AND json_extract(fields, '$.resolved') = ? ORDER BY id`)
						.all(options.resolved ? 1 : 0);
		return (rows as unknown as RecordRow[]).map((r) => toConflict(toRecord(r)));
	}

	async resolveConflict(id: string): Promise<CrmConflictRecord> {
		const record = await this.records.update('conflicts', id, { fields: { resolved: true, resolvedAt: this.store.timestamp() } });
		return toConflict(record);
	}
}

function toConflict(record: CrmRecord): CrmConflictRecord {
	const f = record.fields;
	return {
		id: record.id,
		createdAt: record.createdAt,
		module: f.module as CrmModule,
		...(f.recordId !== undefined ? { recordId: String(f.recordId) } : {}),
		side: f.side as CrmConflictRecord['side'],
		reason: String(f.reason),
		payload: f.payload,
		...(f.mailbox !== undefined ? { mailbox: String(f.mailbox) } : {}),
		resolved: f.resolved === true,
	};
}
