/** vtiger webservice errors as CrmErrors a person can act on. */
import type { CrmModule } from '../types';
import { CrmError } from '../types';
import { VtigerApiError } from './client';

export function mapError(error: unknown, module?: CrmModule, id?: string): Error {
	if (!(error instanceof VtigerApiError)) return error as Error;
	switch (error.code) {
		case 'MANDATORY_FIELDS_MISSING': {
			const field = /^(\S+) does not have a value/.exec(error.message)?.[1];
			return new CrmError(
				'mandatoryField',
				`${module ?? 'vtiger'}: the field "${field ?? '?'}" is mandatory but has no value`,
				`Fill in "${field ?? 'the mandatory field'}" (map a value to it), then run again.`,
				field,
			);
		}
		case 'ACCESS_DENIED':
			return id
				? new CrmError('permission', `vtiger refused the change of ${id}: ${error.message}`, 'Check that the vtiger user may edit this record and module.')
				: new CrmError('permission', `vtiger refused the request: ${error.message}`, "Check the vtiger user's profile and the module name.");
		case 'INVALID_ID_ATTRIBUTE':
			return new CrmError('invalid', `vtiger rejected an id: ${error.message}`, 'Check the referenced record ids (account, contact, assigned user).');
		case 'INVALID_SESSIONID':
			return new CrmError('auth', 'The vtiger session expired and a new login failed', 'Check the credential.');
		case 'QUERY_SYNTAX_ERROR':
			return new CrmError('invalid', `vtiger rejected a query: ${error.message}`, 'This is a bug in the connector; please report it.');
		default:
			return new CrmError('unavailable', `vtiger failed: ${error.message}`, 'Try again later; if it persists, check the vtiger server log.');
	}
}

export function notFound(module: CrmModule, id: string): CrmError {
	return new CrmError('notFound', `There is no ${module} record with the id "${id}" in vtiger`, 'Check the id; the record may have been deleted.');
}
