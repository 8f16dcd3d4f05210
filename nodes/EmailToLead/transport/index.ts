import type { IExecuteFunctions } from 'n8n-workflow';

import type { ExchangeClient } from '../../../lib/exchange';

export { getCrmBackend } from '../../Crm/transport/backend';

/**
 * The connected mailbox, when the node has an Exchange connection. Without one the node
 * works on raw messages from binary data and cannot fetch or move messages.
 */
export async function getMailbox(_ctx: IExecuteFunctions): Promise<ExchangeClient | undefined> {
	return undefined;
}
