/**
 * Windows ⇄ IANA time-zone names. Graph (originalStartTimeZone, recurrenceTimeZone) and EWS
 * speak Windows names; the canonical model speaks IANA (lib/model/types.ts).
 */
import { IANAZone } from 'luxon';

import { WINDOWS_ZONES } from './windows-zones.generated';

const ianaToWindowsTable = new Map<string, string>();
for (const [windows, names] of Object.entries(WINDOWS_ZONES)) {
	for (const iana of names.split(' ')) {
		// Etc/UTC appears under several Windows names; the first listed in CLDR order is "UTC".
		if (!ianaToWindowsTable.has(iana)) ianaToWindowsTable.set(iana, windows);
	}
}
const windowsByLowerCase = new Map(Object.keys(WINDOWS_ZONES).map((w) => [w.toLowerCase(), w]));

const UTC_NAMES = new Set(['utc', 'etc/utc', 'etc/gmt', 'gmt', 'z', 'coordinated universal time']);

/** Windows (or already IANA) zone name → IANA name; undefined when unknown (e.g. "tzone://Microsoft/Custom"). */
export function windowsToIana(name: string | undefined | null): string | undefined {
	if (!name) return undefined;
	const trimmed = name.trim();
	if (UTC_NAMES.has(trimmed.toLowerCase())) return 'UTC';
	const windows = windowsByLowerCase.get(trimmed.toLowerCase());
	if (windows) return WINDOWS_ZONES[windows].split(' ')[0];
	if (IANAZone.isValidZone(trimmed)) return trimmed;
	return undefined;
}

/** IANA name → Windows name for Graph/EWS writes. Unknown zones fall back to the zone's own name. */
export function ianaToWindows(name: string | undefined): string {
	if (!name) return 'UTC';
	if (UTC_NAMES.has(name.toLowerCase())) return 'UTC';
	if (windowsByLowerCase.has(name.toLowerCase())) return windowsByLowerCase.get(name.toLowerCase()) as string;
	return ianaToWindowsTable.get(name) ?? name;
}

export function isKnownZone(name: string): boolean {
	return windowsToIana(name) !== undefined;
}
