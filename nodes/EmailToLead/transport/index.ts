import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ExchangeClient } from '../../../lib/exchange';
import { ExchangeError } from '../../../lib/exchange';
import { EWS_CREDENTIAL, GRAPH_CREDENTIAL, getExchangeClient } from '../../Exchange/transport';

export { getCrmBackend } from '../../Crm/transport/backend';

/**
 * The connected mailbox, or undefined for "no Exchange connection" (the node then works on
 * raw messages from binary data and can neither fetch nor move messages).
 */
export async function getMailbox(ctx: IExecuteFunctions): Promise<ExchangeClient | undefined> {
	const connection = ctx.getNodeParameter('exchangeConnection', 0, 'graph') as 'graph' | 'ews' | 'none';
	if (connection === 'none') return undefined;
	const mailbox = String(ctx.getNodeParameter('mailbox', 0, '') ?? '').trim();
	const credentialType = connection === 'ews' ? EWS_CREDENTIAL : GRAPH_CREDENTIAL;
	try {
		return await getExchangeClient(ctx, { mailbox: mailbox || undefined, credentialType });
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), `The mailbox cannot be opened: ${(error as Error).message}`, {
			description: error instanceof ExchangeError ? error.hint : `Check the ${connection === 'ews' ? 'Exchange (EWS)' : 'Microsoft'} credential.`,
		});
	}
}
