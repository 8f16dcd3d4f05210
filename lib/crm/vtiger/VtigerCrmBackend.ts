/** The vtiger CRM backend: the four role modules over one shared VtigerContext. */
import type { VtigerCrmConfig } from '../config';
import { ComposedCrmBackend } from '../composed-backend';
import { VtigerConflictLog } from './conflict-log';
import { VtigerContext } from './context';
import { VtigerDirectory } from './directory';
import { VtigerEmailArchive } from './email-archive';
import { VtigerRecords } from './records';

/**
 * vtiger CRM 7/8 through webservice.php. Values are strings in vtiger: empty strings and
 * nulls are dropped so that "" (retrieve) and null (query/sync) read the same.
 * Each role of CrmBackend is its own module; they share the client and the describe cache
 * through one VtigerContext (context.ts).
 */
export class VtigerCrmBackend extends ComposedCrmBackend {
	readonly kind = 'vtiger';
	readonly instanceId: string;

	constructor(config: VtigerCrmConfig, options: { warn?: (message: string) => void } = {}) {
		const context = new VtigerContext(config, options);
		const directory = new VtigerDirectory(context);
		super({ records: new VtigerRecords(context, directory), directory, emails: new VtigerEmailArchive(context), conflicts: new VtigerConflictLog(context) });
		this.instanceId = `vtiger:${config.url
			.trim()
			.replace(/\/+$/, '')
			.replace(/\/webservice\.php$/, '')}`;
	}

	async close(): Promise<void> {
		// vtiger sessions expire on their own; stock 8.x answers logout with HTTP 500.
	}
}
