/** Graph's error shape: { error: { code, message, innerError: { date, request-id, client-request-id } } }. */
import { StoreError } from '../store';

export class GraphError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly headers: Record<string, string> = {},
	) {
		super(message);
		this.name = 'GraphError';
	}
}

export function graphErrorBody(code: string, message: string, requestId: string, clientRequestId?: string): unknown {
	return {
		error: {
			code,
			message,
			innerError: {
				date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
				'request-id': requestId,
				requestId,
				'client-request-id': clientRequestId ?? requestId,
			},
		},
	};
}

export const notFound = (what = 'The specified object was not found in the store.'): GraphError => new GraphError(404, 'ErrorItemNotFound', what);
export const badRequest = (message: string, code = 'ErrorInvalidRequest'): GraphError => new GraphError(400, code, message);

/** Store errors as Graph reports them for Outlook resources. */
export function fromStoreError(error: StoreError): GraphError {
	switch (error.code) {
		case 'notFound':
			return notFound();
		case 'conflict':
			return new GraphError(412, 'ErrorIrresolvableConflict', 'The change key passed in the request does not match the current change key for the item.');
		case 'folderExists':
			return new GraphError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
		case 'syncStateInvalid':
			return new GraphError(
				410,
				'SyncStateNotFound',
				'The sync state is not found or has expired; restart the synchronisation without a delta token. (syncStateNotFound)',
			);
		case 'forbidden':
			return new GraphError(403, 'ErrorAccessDenied', error.message);
		default:
			return badRequest(error.message);
	}
}
