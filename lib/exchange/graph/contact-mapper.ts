/** Graph contacts ⇄ canonical contacts. Pure functions. */
import type { Contact, PostalAddress } from '../../model/types';
import { normalizeContact } from '../../model/normalize';
import type { GraphContact, GraphPhysicalAddress } from './graph-types';
import { text, dateFromInstant } from './graph-values';

type Json = Record<string, unknown>;

function addressFromGraph(a: GraphPhysicalAddress | null | undefined): PostalAddress | undefined {
	if (!a) return undefined;
	return {
		street: text(a.street),
		city: text(a.city),
		postalCode: text(a.postalCode),
		state: text(a.state),
		country: text(a.countryOrRegion),
	};
}

function addressToGraph(a: PostalAddress | undefined): GraphPhysicalAddress {
	return {
		street: a?.street ?? null,
		city: a?.city ?? null,
		postalCode: a?.postalCode ?? null,
		state: a?.state ?? null,
		countryOrRegion: a?.country ?? null,
	};
}

export function contactFromGraph(g: GraphContact): Contact {
	const emails = (g.emailAddresses ?? []).map((e) => text(e.address)).filter((e): e is string => !!e);
	// S10: CRM first name = given name + middle name.
	const first = [text(g.givenName), text(g.middleName)].filter(Boolean).join(' ');
	return normalizeContact({
		firstName: first || undefined,
		lastName: text(g.surname),
		jobTitle: text(g.jobTitle),
		department: text(g.department),
		description: text(g.personalNotes),
		accountName: text(g.companyName),
		email: emails[0],
		otherEmail: emails[1],
		phone: text(g.businessPhones?.[0]),
		otherPhone: text(g.homePhones?.[0]),
		mobile: text(g.mobilePhone),
		billingAddress: addressFromGraph(g.businessAddress),
		shippingAddress: addressFromGraph(g.otherAddress),
		birthday: dateFromInstant(g.birthday),
		website: text(g.businessHomePage),
		categories: g.categories,
	});
}

/** Full representation: fields absent in the record are cleared, so PATCH and POST agree. */
export function contactToGraph(c: Contact): Json {
	const first = c.firstName?.trim() ?? '';
	const space = first.indexOf(' ');
	const given = space < 0 ? first : first.slice(0, space);
	const middle = space < 0 ? '' : first.slice(space + 1).trim();
	const emails = [c.email, c.otherEmail].filter((e): e is string => !!e).map((address) => ({ address, name: address }));
	const display = [first, c.lastName].filter(Boolean).join(' ') || c.accountName || c.email || '';
	return {
		givenName: given || null,
		middleName: middle || null,
		surname: c.lastName ?? null,
		displayName: display || null,
		fileAs: display || null,
		jobTitle: c.jobTitle ?? null,
		department: c.department ?? null,
		personalNotes: c.description ?? null,
		companyName: c.accountName ?? null,
		emailAddresses: emails,
		businessPhones: c.phone ? [c.phone] : [],
		homePhones: c.otherPhone ? [c.otherPhone] : [],
		mobilePhone: c.mobile ?? null,
		businessAddress: addressToGraph(c.billingAddress),
		otherAddress: addressToGraph(c.shippingAddress),
		birthday: c.birthday ? `${c.birthday}T00:00:00Z` : null,
		businessHomePage: c.website ?? null,
		categories: c.categories ?? [],
	};
}
