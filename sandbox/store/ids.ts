/**
 * Ids and change keys shaped like Exchange's: Graph immutable ids (base64url, stable across
 * moves) and change keys (base64, new on every write). Deterministic per mailbox so seeded
 * data and test runs are reproducible.
 */
import { createHash } from 'node:crypto';

const ITEM_ID_PREFIX = 'AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A';
const FOLDER_ID_PREFIX = 'AAMkAGVmMDEzMTM4LTZmYWUtNDdkNC1hMDZiLTU1OGY5OTZhYmY4OAAuAAAAAAAiQ8W967B7TKBjgx9rVEURAQ';

export function mailboxHash(address: string, bytes = 6): Buffer {
	return createHash('sha256').update(address.toLowerCase()).digest().subarray(0, bytes);
}

function counterBytes(counter: number): Buffer {
	const buf = Buffer.alloc(6);
	buf.writeUIntBE(counter, 0, 6);
	return buf;
}

const KIND_BYTE: Record<string, number> = { folder: 1, message: 2, contact: 3, event: 4, task: 5, attachment: 6, linkedResource: 7 };

export function newId(mailbox: string, kind: keyof typeof KIND_BYTE, counter: number): string {
	const body = Buffer.concat([mailboxHash(mailbox), Buffer.from([KIND_BYTE[kind] ?? 0]), counterBytes(counter)]).toString('base64url');
	return (kind === 'folder' ? FOLDER_ID_PREFIX : ITEM_ID_PREFIX) + body + 'AAA=';
}

/** Change key for the write with mailbox journal sequence `seq`. */
export function changeKey(mailbox: string, seq: number): string {
	return Buffer.concat([mailboxHash(mailbox, 12), counterBytes(seq)]).toString('base64');
}

/** Id of one occurrence of a series: stable, derived from the master id and the original start. */
export function occurrenceId(masterId: string, originalStart: string): string {
	const compact = originalStart.replace(/[-:.]/g, '').replace(/000Z$/, 'Z');
	return `${masterId.replace(/=+$/, '')}_${compact}`;
}

export function parseOccurrenceId(id: string): { masterId: string; originalStart: string } | undefined {
	const match = /^(.+)_(\d{8})(T\d{6}Z)?$/.exec(id);
	if (!match) return undefined;
	const [, master, date, time] = match;
	const day = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`;
	const originalStart = time ? `${day}T${time.slice(1, 3)}:${time.slice(3, 5)}:${time.slice(5, 7)}.000Z` : day;
	return { masterId: `${master}=`, originalStart };
}
