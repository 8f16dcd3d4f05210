import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { createCrmBackend } from '../../../lib/crm';
import { credentialsToConfig } from '../transport/backend';

/** Opens (or creates) the CRM the credential describes and reads its users. */
export async function crmApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	try {
		const crm = await createCrmBackend(credentialsToConfig(credential.data ?? {}));
		try {
			const users = await crm.listUsers();
			return { status: 'OK', message: `Connected to the ${crm.kind} CRM (${users.length} users)` };
		} finally {
			await crm.close();
		}
	} catch (error) {
		const hint = (error as { hint?: string }).hint;
		return { status: 'Error', message: `${(error as Error).message}${hint ? `. ${hint}` : ''}` };
	}
}
