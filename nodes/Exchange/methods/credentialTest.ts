import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { ExchangeError, GraphExchangeClient } from '../../../lib/exchange';
import { graphConfigFromCredentials } from '../transport';

/** Signs in and reads the mailbox's Inbox: proves tenant, app, secret, scopes and mailbox. */
export async function microsoftGraphConnectionTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	let client: GraphExchangeClient | undefined;
	try {
		client = new GraphExchangeClient(graphConfigFromCredentials(credential.data ?? {}));
		await client.ping();
		return { status: 'OK', message: `Connected to the mailbox ${client.mailbox}` };
	} catch (error) {
		const hint = error instanceof ExchangeError ? error.hint : undefined;
		return { status: 'Error', message: `${(error as Error).message}${hint ? `. ${hint}` : ''}` };
	} finally {
		client?.close();
	}
}
