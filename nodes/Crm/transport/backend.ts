import { homedir } from 'node:os';
import { resolve } from 'node:path';

import type { ICredentialDataDecryptedObject, IExecuteFunctions, ILoadOptionsFunctions, ITriggerFunctions } from 'n8n-workflow';

import type { CrmBackend, CrmConnectionConfig } from '../../../lib/crm';
import { connectionKey, createCrmBackend } from '../../../lib/crm';

const openBackends = new Map<string, Promise<CrmBackend>>();
/** The same backends once open; an 'exit' handler cannot wait for promises. */
const readyBackends = new Set<CrmBackend>();
let exitHookInstalled = false;

function expandPath(path: string): string {
	const trimmed = path.trim();
	if (trimmed === '~' || trimmed.startsWith('~/')) return resolve(homedir(), trimmed.slice(2));
	return resolve(trimmed);
}

/** The CRM credential's values → a connection config for the core. */
export function credentialsToConfig(credentials: ICredentialDataDecryptedObject): CrmConnectionConfig {
	if (credentials.backend === 'vtiger') {
		return {
			kind: 'vtiger',
			url: String(credentials.url ?? '').trim(),
			userName: String(credentials.userName ?? '').trim(),
			accessKey: String(credentials.accessKey ?? '').trim(),
			...(credentials.partnerModule ? { partnerModule: String(credentials.partnerModule).trim() } : {}),
			allowUnauthorizedCerts: credentials.allowUnauthorizedCerts === true,
		};
	}
	const databasePath = String(credentials.databasePath ?? '');
	return { kind: 'embedded', databasePath: databasePath.trim() === '' ? '' : expandPath(databasePath) };
}

/** Opens a CRM once per process and connection (database file / URL + user); later calls share it. */
export async function openSharedCrmBackend(config: CrmConnectionConfig): Promise<CrmBackend> {
	const key = connectionKey(config);
	let backend = openBackends.get(key);
	if (!backend) {
		backend = createCrmBackend(config);
		openBackends.set(key, backend);
		backend.then(
			(b) => readyBackends.add(b),
			() => openBackends.delete(key),
		);
		installExitHook();
	}
	return backend;
}

/**
 * The CRM the node's credential points at. Shared within the process: callers must not close
 * it (it is closed when the process exits).
 */
export async function getCrmBackend(ctx: IExecuteFunctions | ILoadOptionsFunctions | ITriggerFunctions, credentialName = 'crmApi'): Promise<CrmBackend> {
	const credentials = await ctx.getCredentials(credentialName);
	return openSharedCrmBackend(credentialsToConfig(credentials));
}

/** Closes every shared backend (tests, shutdown). */
export async function closeSharedCrmBackends(): Promise<void> {
	const all = [...openBackends.values()];
	openBackends.clear();
	readyBackends.clear();
	await Promise.all(all.map(async (b) => (await b.catch(() => undefined))?.close()));
}

function installExitHook(): void {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.once('exit', () => {
		for (const backend of readyBackends) {
			const closable = backend as CrmBackend & { closeSync?: () => void };
			if (closable.closeSync) closable.closeSync();
		}
	});
}
