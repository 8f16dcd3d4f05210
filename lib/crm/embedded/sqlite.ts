import type { DatabaseSync } from 'node:sqlite';

import { CrmError } from '../types';

const MIN_NODE = '22.13.0';

function nodeVersionAtLeast(required: string): boolean {
	const have = process.versions.node.split('.').map(Number);
	const need = required.split('.').map(Number);
	for (let i = 0; i < need.length; i++) {
		if ((have[i] ?? 0) !== need[i]) return (have[i] ?? 0) > need[i];
	}
	return true;
}

/** Opens a SQLite file through node:sqlite, or explains which Node.js version is needed. */
export function openSqlite(path: string): DatabaseSync {
	let sqlite: typeof import('node:sqlite');
	try {
		// Loaded lazily: on Node < 22.13 the module is missing or behind a flag, and the rest of
		// the package must still load there.
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, see above
		sqlite = require('node:sqlite') as typeof import('node:sqlite');
	} catch {
		throw new CrmError(
			'unavailable',
			`The embedded CRM needs Node.js ${MIN_NODE} or newer (this is Node.js ${process.versions.node})`,
			`Run n8n on Node.js ${MIN_NODE} or newer, or choose another CRM backend in the CRM credential.`,
		);
	}
	if (!nodeVersionAtLeast(MIN_NODE)) {
		throw new CrmError(
			'unavailable',
			`The embedded CRM needs Node.js ${MIN_NODE} or newer (this is Node.js ${process.versions.node})`,
			`Run n8n on Node.js ${MIN_NODE} or newer, or choose another CRM backend in the CRM credential.`,
		);
	}
	try {
		return new sqlite.DatabaseSync(path);
	} catch (error) {
		throw new CrmError(
			'unavailable',
			`The CRM database file "${path}" cannot be opened: ${(error as Error).message}`,
			'Check that the folder exists and that n8n may write to it.',
		);
	}
}
