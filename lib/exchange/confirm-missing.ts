/**
 * "Confirm Items" of Get Changes: of the items the sync created in its last run, those the change feed
 * lists neither as changed nor as removed are looked up one by one; the ones that are gone are deletions
 * the feed could not report (created and deleted between two reads).
 */
import type { ExchangeClient } from './types';
import type { Component } from '../model/types';

/** Lookups per run at most; the rest are confirmed by a later run (they stay expected until then). */
export const MAX_CONFIRM_LOOKUPS = 100;

export async function goneAmong(
	client: Pick<ExchangeClient, 'get'>,
	component: Component,
	folderId: string,
	ids: readonly string[],
	listed: ReadonlySet<string>,
): Promise<string[]> {
	const gone: string[] = [];
	for (const id of ids.filter((candidate) => !listed.has(candidate)).slice(0, MAX_CONFIRM_LOOKUPS)) {
		if ((await client.get(component, folderId, id)) === undefined) gone.push(id);
	}
	return gone;
}
