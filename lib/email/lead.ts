/** E4: the mandatory fields of a lead created for an unknown address. */
import { toPlainText } from '../mapping/html';
import type { LeadCompanySource, LeadLastNameSource } from './types';

export interface LeadNameOptions {
	leadLastName: LeadLastNameSource;
	leadCompany: LeadCompanySource;
	placeholder: string;
}

export interface LeadNames {
	lastName: string;
	company: string;
}

/**
 * "max.mustermann@mail.example.de" (display name "Max Mustermann"):
 * last name  localPart → "max.mustermann", displayName → "Max Mustermann", placeholder → "???";
 * company    domainWithoutTld → "mail.example", domain → "mail.example.de", placeholder → "???".
 * A display-name choice without a transmitted name falls back to the local part. A display name
 * is sender-controlled: markup in it is removed (S9), and one that is only markup counts as none.
 */
export function leadNames(address: string, displayName: string | undefined, options: LeadNameOptions): LeadNames {
	const at = address.lastIndexOf('@');
	const localPart = address.slice(0, at);
	const domain = address.slice(at + 1);
	const placeholder = options.placeholder.trim() || '???';

	let lastName: string;
	const name = displayName === undefined ? '' : toPlainText(displayName).replace(/\s+/g, ' ').trim();
	if (options.leadLastName === 'placeholder') lastName = placeholder;
	else if (options.leadLastName === 'displayName' && name) lastName = name;
	else lastName = localPart || placeholder;

	let company: string;
	if (options.leadCompany === 'placeholder') company = placeholder;
	else if (options.leadCompany === 'domainWithoutTld') company = withoutTopLevelDomain(domain) || placeholder;
	else company = domain || placeholder;

	return { lastName, company };
}

function withoutTopLevelDomain(domain: string): string {
	const lastDot = domain.lastIndexOf('.');
	return lastDot > 0 ? domain.slice(0, lastDot) : domain;
}
