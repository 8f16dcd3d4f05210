/**
 * S10: the CRM has one first-name field; Exchange has given name and middle name. The canonical
 * `firstName` holds the CRM value ("given middle"); the Exchange mappers split and join it here.
 */
export function splitFirstName(firstName: string | undefined): { givenName?: string; middleName?: string } {
	const trimmed = firstName?.trim().replace(/\s+/g, ' ');
	if (!trimmed) return {};
	const space = trimmed.indexOf(' ');
	if (space < 0) return { givenName: trimmed };
	return { givenName: trimmed.slice(0, space), middleName: trimmed.slice(space + 1) };
}

export function joinFirstName(givenName: string | undefined, middleName: string | undefined): string | undefined {
	const parts = [givenName, middleName].map((p) => p?.trim()).filter((p): p is string => !!p);
	return parts.length ? parts.join(' ') : undefined;
}
