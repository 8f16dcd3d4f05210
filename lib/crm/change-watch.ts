/**
 * Watches the CRM's change feed for the CRM Trigger (issue 14): a cheap look every few seconds whether
 * anything changed in the synced modules since the last look. It only tells "something changed"; the sync
 * run reads the changes with its own cursor, so nothing is read twice or missed.
 */
import type { CrmModule, CrmRecords } from './types';

export interface CrmChangeCount {
	module: CrmModule;
	/** Records changed or deleted since the last look. */
	changes: number;
}

/** Pages of one look; a look that finds more stops counting (it only has to say "changed"). */
const MAX_PAGES_PER_LOOK = 20;
/** Pages of the start: through a big CRM once, so the first look does not report the existing records. */
const MAX_PAGES_AT_START = 1000;

export class CrmChangeWatcher {
	private readonly cursors = new Map<CrmModule, string>();

	constructor(
		private readonly crm: Pick<CrmRecords, 'listChanges'>,
		private readonly modules: readonly CrmModule[],
	) {}

	/** Moves every cursor to the head of the feed, so the first look reports only what changes from now on. */
	async start(): Promise<void> {
		for (const module of this.modules) await this.readToHead(module, undefined, MAX_PAGES_AT_START);
	}

	/** What changed since the last look (or start), per module with changes. */
	async look(): Promise<CrmChangeCount[]> {
		const found: CrmChangeCount[] = [];
		for (const module of this.modules) {
			const changes = await this.readToHead(module, this.cursors.get(module), MAX_PAGES_PER_LOOK);
			if (changes > 0) found.push({ module, changes });
		}
		return found;
	}

	private async readToHead(module: CrmModule, from: string | undefined, maxPages: number): Promise<number> {
		let cursor = from;
		let changes = 0;
		for (let page = 0; page < maxPages; page++) {
			const result = await this.crm.listChanges(module, cursor, { limit: 500 });
			changes += result.changed.length + result.deletedIds.length;
			cursor = result.cursor;
			if (!result.hasMore) break;
		}
		if (cursor !== undefined) this.cursors.set(module, cursor);
		return changes;
	}
}
