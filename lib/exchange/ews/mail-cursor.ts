/** The cursor of a mail folder's change feed: SyncFolderItems' SyncState and the pull subscription for moves. */
export interface MailCursor {
	v: 1;
	/** SyncFolderItems SyncState */
	s?: string;
	/** pull subscription id and watermark; absent when the server has none (Gromox) */
	sub?: string;
	wm?: string;
	/** item id → folder it was moved from, from MovedEvents not yet matched to a message */
	moved?: Record<string, string>;
}

export function encodeMailCursor(cursor: MailCursor): string {
	return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeMailCursor(cursor: string | undefined): MailCursor {
	if (!cursor) return { v: 1 };
	try {
		const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as MailCursor;
		return parsed.v === 1 ? parsed : { v: 1 };
	} catch {
		return { v: 1 };
	}
}
