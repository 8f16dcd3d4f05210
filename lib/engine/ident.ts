/**
 * Idents (DESIGN.md §2). A pair is identified by the CRM record: `<instance>:<module>:<crmId>`, written on
 * the Exchange item. Records born in Exchange carry `x:<exchangeId>` on the CRM side instead, so the pairing
 * can be rebuilt from the two systems without writing back to Exchange.
 */
const EXCHANGE_BORN = 'x:';

export function crmIdent(instance: string, module: string, crmId: string): string {
	return `${instance}:${module}:${crmId}`;
}

/** The CRM id an Exchange item's ident points to, if it belongs to this instance and module. */
export function parseCrmIdent(ident: string | undefined, instance: string, module: string): string | undefined {
	if (!ident) return undefined;
	const prefix = `${instance}:${module}:`;
	return ident.startsWith(prefix) && ident.length > prefix.length ? ident.slice(prefix.length) : undefined;
}

/** True when the ident belongs to another CRM instance or module (S25): such items are not ours. */
export function isForeignIdent(ident: string | undefined, instance: string, module: string): boolean {
	if (!ident || ident.startsWith(EXCHANGE_BORN)) return false;
	return parseCrmIdent(ident, instance, module) === undefined;
}

export function exchangeBornIdent(exchangeId: string): string {
	return EXCHANGE_BORN + exchangeId;
}

export function parseExchangeBornIdent(ident: string | undefined): string | undefined {
	return ident?.startsWith(EXCHANGE_BORN) ? ident.slice(EXCHANGE_BORN.length) : undefined;
}
