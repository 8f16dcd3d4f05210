/**
 * What to do with the copies of one template: the connected users against the copies that exist.
 * Pure: the node carries the plan out through n8n's public API.
 */
import { mailboxKey } from './copy';
import type { CopyMarker, CopyUser } from './types';

/** A copy as the workflow list shows it. */
export interface ExistingCopy {
	id: string;
	name: string;
	active: boolean;
	marker: CopyMarker;
}

export type RemovedCopyPolicy = 'deactivate' | 'delete';

export interface DiffOptions {
	/** Activate copies that are not active (new ones included). */
	activate: boolean;
	/** What happens to the copy of a user who is no longer connected. */
	removed: RemovedCopyPolicy;
}

/** The desired copy of one user: its content hash comes from buildCopy(). */
export interface DesiredCopy {
	user: CopyUser;
	hash: string;
}

export type CopyPlan =
	| { action: 'create'; desired: DesiredCopy; activate: boolean }
	/** The content differs: rewrite it (its static data, the sync state, stays). */
	| { action: 'update'; desired: DesiredCopy; copy: ExistingCopy; activate: boolean }
	/** The content is the same; `activate` when it is inactive and should not be. */
	| { action: 'unchanged'; desired: DesiredCopy; copy: ExistingCopy; activate: boolean }
	| { action: 'deactivate'; copy: ExistingCopy }
	| { action: 'delete'; copy: ExistingCopy }
	/** A removed user's copy that is already inactive. */
	| { action: 'keepInactive'; copy: ExistingCopy };

/**
 * One plan per desired user (in their order), then one per copy no user wants: users no longer connected,
 * and duplicates (two copies for one mailbox: the active one, else the first, is kept).
 */
export function diffCopies(templateId: string, desired: readonly DesiredCopy[], existing: readonly ExistingCopy[], options: DiffOptions): CopyPlan[] {
	const byMailbox = new Map<string, ExistingCopy>();
	const extra: ExistingCopy[] = [];
	for (const copy of existing.filter((c) => c.marker.templateId === templateId)) {
		const key = mailboxKey(copy.marker.mailbox);
		const kept = byMailbox.get(key);
		if (!kept) byMailbox.set(key, copy);
		else if (copy.active && !kept.active) {
			extra.push(kept);
			byMailbox.set(key, copy);
		} else extra.push(copy);
	}
	const plans: CopyPlan[] = [];
	const wanted = new Set<string>();
	for (const want of desired) {
		const key = mailboxKey(want.user.mailbox);
		if (wanted.has(key)) continue;
		wanted.add(key);
		const copy = byMailbox.get(key);
		if (!copy) plans.push({ action: 'create', desired: want, activate: options.activate });
		else {
			const activate = options.activate && !copy.active;
			plans.push(copy.marker.hash === want.hash ? { action: 'unchanged', desired: want, copy, activate } : { action: 'update', desired: want, copy, activate });
		}
	}
	const unwanted = [...[...byMailbox.entries()].filter(([key]) => !wanted.has(key)).map(([, copy]) => copy), ...extra];
	for (const copy of unwanted) {
		if (options.removed === 'delete') plans.push({ action: 'delete', copy });
		else plans.push(copy.active ? { action: 'deactivate', copy } : { action: 'keepInactive', copy });
	}
	return plans;
}
