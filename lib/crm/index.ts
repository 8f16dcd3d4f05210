import type { CrmConnectionConfig } from './config';
import { EmbeddedCrmBackend } from './embedded/EmbeddedCrmBackend';
import { VtigerCrmBackend } from './vtiger/VtigerCrmBackend';
import type { CrmBackend } from './types';
import { CrmError } from './types';

export * from './types';
export * from './config';
export * from './run-log';
export { crmWriteFailure } from './write-failure';
export { applyCrmAction, fileSyncConflict, settleWriteConflict } from './sync-actions';
export { CrmChangeWatcher, type CrmChangeCount } from './change-watch';
export { EmbeddedCrmBackend } from './embedded/EmbeddedCrmBackend';
export { VtigerCrmBackend } from './vtiger/VtigerCrmBackend';
export { VtigerApiError, VtigerClient } from './vtiger/client';
export { seedDemoCrm, type DemoSeed } from './embedded/seed';
export { MODULES as EMBEDDED_MODULES } from './embedded/modules';

/** Opens the CRM a connection config describes. The caller closes it. */
export async function createCrmBackend(config: CrmConnectionConfig): Promise<CrmBackend> {
	switch (config.kind) {
		case 'embedded':
			if (!config.databasePath || config.databasePath.trim() === '') {
				throw new CrmError(
					'invalid',
					'The CRM credential has no database file path',
					'Enter the path of the SQLite file the embedded CRM should use (it is created when missing).',
				);
			}
			return EmbeddedCrmBackend.open(config.databasePath.trim());
		case 'vtiger':
			if (!config.url || !config.userName || !config.accessKey) {
				throw new CrmError('invalid', 'The CRM credential lacks the vtiger URL, user name or access key', 'Fill in all three in the CRM credential.');
			}
			return new VtigerCrmBackend(config);
		default:
			throw new CrmError('invalid', 'Unknown CRM backend in the CRM credential', 'Choose a backend in the CRM credential.');
	}
}
export { connectedUsers, type ConnectedUser, type ConnectedUserFilter } from './users';
