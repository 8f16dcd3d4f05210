import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { readMarker } from '../../../lib/provision';
import { listWorkflows } from '../transport';

/** The instance's workflows a copy can be made from (not the copies themselves), by name. */
export async function searchWorkflows(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const needle = (filter ?? '').toLowerCase();
	const workflows = await listWorkflows(this);
	const results = workflows
		.filter((w) => !readMarker(w.nodes ?? []) && !w.isArchived)
		.filter((w) => !needle || w.name.toLowerCase().includes(needle) || w.id === filter)
		.sort((a, b) => a.name.localeCompare(b.name))
		.map((w) => ({ name: w.name, value: w.id }));
	return { results };
}
