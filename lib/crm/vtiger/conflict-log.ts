/** vtiger's conflict log role (CrmConflictLog): conflicts as ModComments on the record, detached ones in memory. */
import type { CrmConflictInput, CrmConflictLog, CrmConflictRecord, CrmModule } from '../types';
import type { VtigerContext } from './context';
import { notFound } from './errors';
import { lit, vtToIso, type VtValues } from './values';

const CONFLICT_MARK = 'CRM-Sync conflict';

export class VtigerConflictLog implements CrmConflictLog {
	/** Conflicts without a record to comment on (vtiger comments need one); kept for this process only. */
	private readonly detachedConflicts: CrmConflictRecord[] = [];

	constructor(private readonly ctx: VtigerContext) {}

	async recordConflict(input: CrmConflictInput): Promise<CrmConflictRecord> {
		if (!input.recordId) {
			const conflict: CrmConflictRecord = { ...input, id: `local-${this.detachedConflicts.length + 1}`, createdAt: new Date().toISOString(), resolved: false };
			this.detachedConflicts.push(conflict);
			return conflict;
		}
		const content = `${CONFLICT_MARK} (${input.side}, ${input.module}): ${input.reason}\n${JSON.stringify({ payload: input.payload, mailbox: input.mailbox })}`;
		const values = (await this.ctx.client.post('create', {
			elementType: 'ModComments',
			element: JSON.stringify({ commentcontent: content, related_to: input.recordId, assigned_user_id: await this.ctx.client.userId() }),
		})) as VtValues;
		return toConflict(values);
	}

	async listConflicts(options: { resolved?: boolean } = {}): Promise<CrmConflictRecord[]> {
		const rows = await this.ctx.queryAll(`SELECT * FROM ModComments WHERE commentcontent LIKE ${lit(`${CONFLICT_MARK}%`)}`);
		const all = [...rows.map((v) => toConflict(v)), ...this.detachedConflicts];
		return options.resolved === undefined ? all : all.filter((c) => c.resolved === options.resolved);
	}

	async resolveConflict(id: string): Promise<CrmConflictRecord> {
		const local = this.detachedConflicts.find((c) => c.id === id);
		if (local) {
			local.resolved = true;
			return local;
		}
		const values = await this.ctx.retrieve('conflicts', id);
		if (!values) throw notFound('conflicts', id);
		const content = String(values.commentcontent);
		if (content.startsWith(`${CONFLICT_MARK} [resolved]`)) return toConflict(values);
		const revised = (await this.ctx.client.post('revise', {
			element: JSON.stringify({ id, commentcontent: content.replace(CONFLICT_MARK, `${CONFLICT_MARK} [resolved]`) }),
		})) as VtValues;
		return toConflict(revised);
	}
}

function toConflict(v: VtValues): CrmConflictRecord {
	const content = String(v.commentcontent ?? '');
	const match = /^CRM-Sync conflict( \[resolved\])? \((crm|exchange), (\w+)\): (.*)\n?([\s\S]*)$/.exec(content);
	let extra: { payload?: unknown; mailbox?: string } = {};
	try {
		extra = match?.[5] ? (JSON.parse(match[5]) as typeof extra) : {};
	} catch {
		extra = {};
	}
	return {
		id: String(v.id),
		createdAt: vtToIso(v.createdtime),
		module: (match?.[3] ?? 'contacts') as CrmModule,
		...(v.related_to ? { recordId: v.related_to } : {}),
		side: (match?.[2] ?? 'crm') as 'crm' | 'exchange',
		reason: match?.[4] ?? content,
		payload: extra.payload ?? null,
		...(extra.mailbox ? { mailbox: extra.mailbox } : {}),
		resolved: Boolean(match?.[1]),
	};
}
