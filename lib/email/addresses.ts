/**
 * E2/E5: every FROM, TO, CC and BCC address of a message, lower-cased and de-duplicated.
 * Parsing is mailparser's (parseAddressHeader: groups, encoded display names); this module
 * only feeds it every occurrence of each header and removes RFC 5322 obsolete-syntax noise
 * (comments and folding whitespace inside an addr-spec) that it would otherwise split on.
 */
import { parseAddressHeader, type EmailAddress, type HeaderLines } from 'mailparser';
import { headerValue } from './mime';

export type AddressRole = 'from' | 'to' | 'cc' | 'bcc';

export interface Participant {
	/** Lower-case addr-spec. */
	address: string;
	/** First non-empty display name the message gave for it. */
	name?: string;
	roles: AddressRole[];
}

const ROLE_HEADERS: Readonly<Record<string, AddressRole>> = { from: 'from', to: 'to', cc: 'cc', bcc: 'bcc' };
const ROLE_ORDER: readonly AddressRole[] = ['from', 'to', 'cc', 'bcc'];

/** A plain local@domain with a dotted domain (or an address literal); no URLs, no "mailto:". */
const ADDR_SPEC = /^[^\s@<>()",;:]+@(?:[^\s@<>()",;:.]+(?:\.[^\s@<>()",;:.]+)+|\[[^\]\s]+\])$/;

/** All participants, From first, then To, Cc, Bcc (each in header order), from every such header line. */
export function collectParticipants(headerLines: HeaderLines): Participant[] {
	const byAddress = new Map<string, Participant>();
	const ordered = headerLines
		.filter(({ key }) => ROLE_HEADERS[key] !== undefined)
		.sort((a, b) => ROLE_ORDER.indexOf(ROLE_HEADERS[a.key]) - ROLE_ORDER.indexOf(ROLE_HEADERS[b.key]));
	for (const { key, line } of ordered) {
		const role = ROLE_HEADERS[key];
		for (const mailbox of parseAddressList(headerValue(line))) {
			const existing = byAddress.get(mailbox.address);
			if (!existing) {
				byAddress.set(mailbox.address, { address: mailbox.address, name: mailbox.name, roles: [role] });
				continue;
			}
			if (!existing.roles.includes(role)) existing.roles.push(role);
			existing.name ??= mailbox.name;
		}
	}
	return [...byAddress.values()];
}

/** Mailboxes of one address-list header value, groups flattened, invalid entries dropped. */
export function parseAddressList(value: string): Array<{ address: string; name?: string }> {
	const result: Array<{ address: string; name?: string }> = [];
	const visit = (entries: EmailAddress[]): void => {
		for (const entry of entries) {
			if (entry.group) {
				visit(entry.group);
				continue;
			}
			const address = normalizeAddress(entry.address);
			if (!address) continue;
			const name = entry.name.trim();
			result.push({ address, name: name && name.toLowerCase() !== address ? name : undefined });
		}
	};
	visit(parseAddressHeader(withoutObsoleteAddrSpecNoise(value)).value);
	return result;
}

/** Lower-cased addr-spec, or undefined when the value is not a usable e-mail address. */
export function normalizeAddress(value: string | undefined): string | undefined {
	if (!value) return undefined;
	const address = value.trim().toLowerCase();
	return ADDR_SPEC.test(address) ? address : undefined;
}

/**
 * RFC 5322 §4.4 allows comments and folding whitespace inside an addr-spec
 * (`<pete(his account)@silly.test(his host)>`, `jdoe@test . example`). Removes them, leaving
 * display names, quoted strings and comments outside angle brackets as they are.
 */
export function withoutObsoleteAddrSpecNoise(value: string): string {
	let out = '';
	let inQuote = false;
	let inAngle = false;
	let commentDepth = 0;
	for (let i = 0; i < value.length; i++) {
		const char = value[i];
		if (commentDepth > 0) {
			if (char === '\\') i++;
			else if (char === '(') commentDepth++;
			else if (char === ')') commentDepth--;
			continue;
		}
		if (inQuote) {
			out += char;
			if (char === '\\' && i + 1 < value.length) out += value[++i];
			else if (char === '"') inQuote = false;
			continue;
		}
		if (char === '"') inQuote = true;
		else if (char === '<') inAngle = true;
		else if (char === '>') inAngle = false;
		else if (inAngle && char === '(') {
			commentDepth = 1;
			continue;
		} else if (inAngle && /\s/.test(char)) continue;
		out += char;
	}
	return collapseSpacedDomainDots(out);
}

/** `jdoe@test  . example` → `jdoe@test.example`, outside quoted strings only. */
function collapseSpacedDomainDots(value: string): string {
	return value
		.split(/("(?:[^"\\]|\\.)*")/)
		.map((segment, index) => {
			if (index % 2 === 1) return segment;
			let previous: string;
			let current = segment;
			do {
				previous = current;
				current = current.replace(/(@[\w-]+(?:\.[\w-]+)*)[ \t]*\.[ \t]*(?=[\w-])/g, '$1.');
			} while (current !== previous);
			return current;
		})
		.join('');
}

/** E5 + owner: splits participants into the ones to match and the ones to ignore. */
export function filterParticipants(
	participants: Participant[],
	blacklist: readonly string[],
	ownerAddresses: readonly string[],
): { kept: Participant[]; ignored: Participant[] } {
	const entries = blacklist.map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== '');
	const owners = new Set(ownerAddresses.map((address) => address.trim().toLowerCase()));
	const kept: Participant[] = [];
	const ignored: Participant[] = [];
	for (const participant of participants) {
		const blocked = owners.has(participant.address) || entries.some((entry) => participant.address.includes(entry));
		(blocked ? ignored : kept).push(participant);
	}
	return { kept, ignored };
}
