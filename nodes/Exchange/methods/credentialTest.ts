import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { ExchangeError, GraphExchangeClient, testEwsConnection, type EwsCredentialData } from '../../../lib/exchange';
import { graphConfigFromCredentials } from '../transport';

/** Signs in and reads the mailbox's Inbox: proves tenant, app, secret, scopes and mailbox. */
export async function microsoftGraphConnectionTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
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

/**
 * Binds the Inbox over EWS and says which of A7's cases failed: wrong password, wrong URL,
 * untrusted certificate, unreachable server, missing permission.
 */
export async function exchangeEwsConnectionTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const data = (credential.data ?? {}) as unknown as Partial<EwsCredentialData>;
	const { status, message } = await testEwsConnection({ ...data, url: String(data.url ?? '').trim(), authentication: data.authentication ?? 'basic' });
	return { status, message };
}
