/** EWS Contact ⇄ canonical Contact (S7, S10, S22). Field choices match the Graph mapper. */
import { Contact as EwsContact, EmailAddress, EmailAddressKey, IOutParam, PhoneNumberKey, PhysicalAddressEntry, PhysicalAddressKey } from 'ews-javascript-api';

import { normalizeContact } from '../../../model/normalize';
import type { Contact, PostalAddress } from '../../../model/types';
import { bodyText, categories, dateOf, fromDate, read, stringList, text, textBody } from './values';

function outParam<T>(): IOutParam<T> {
	return { outValue: null } as unknown as IOutParam<T>;
}

function email(c: EwsContact, key: EmailAddressKey): string | undefined {
	const out = outParam<EmailAddress>();
	const found = read(() => c.EmailAddresses.TryGetValue(key, out));
	return found ? text(out.outValue?.Address) : undefined;
}

function phone(c: EwsContact, key: PhoneNumberKey): string | undefined {
	const out = outParam<string>();
	const found = read(() => c.PhoneNumbers.TryGetValue(key, out));
	return found ? text(out.outValue) : undefined;
}

function address(c: EwsContact, key: PhysicalAddressKey): PostalAddress | undefined {
	const out = outParam<PhysicalAddressEntry>();
	const found = read(() => c.PhysicalAddresses.TryGetValue(key, out));
	const a = found ? out.outValue : null;
	if (!a) return undefined;
	return {
		street: text(a.Street),
		city: text(a.City),
		postalCode: text(a.PostalCode),
		state: text(a.State),
		country: text(a.CountryOrRegion),
	};
}

export function contactFromEws(c: EwsContact): Contact {
	const given = text(read(() => c.GivenName));
	const middle = text(read(() => c.MiddleName));
	return normalizeContact({
		firstName: [given, middle].filter((p) => p !== undefined).join(' ') || undefined,
		lastName: text(read(() => c.Surname)),
		jobTitle: text(read(() => c.JobTitle)),
		department: text(read(() => c.Department)),
		description: bodyText(read(() => c.Body)),
		accountName: text(read(() => c.CompanyName)),
		email: email(c, EmailAddressKey.EmailAddress1),
		otherEmail: email(c, EmailAddressKey.EmailAddress2),
		phone: phone(c, PhoneNumberKey.BusinessPhone),
		otherPhone: phone(c, PhoneNumberKey.HomePhone),
		mobile: phone(c, PhoneNumberKey.MobilePhone),
		billingAddress: address(c, PhysicalAddressKey.Business),
		shippingAddress: address(c, PhysicalAddressKey.Other),
		birthday: dateOf(read(() => c.Birthday)),
		website: text(read(() => c.BusinessHomePage)),
		categories: categories(read(() => c.Categories)),
	});
}

function setAddress(c: EwsContact, key: PhysicalAddressKey, a: PostalAddress | undefined): void {
	if (!a) {
		c.PhysicalAddresses._setItem(key, null as unknown as PhysicalAddressEntry);
		return;
	}
	const entry = new PhysicalAddressEntry();
	if (a.street) entry.Street = a.street;
	if (a.city) entry.City = a.city;
	if (a.postalCode) entry.PostalCode = a.postalCode;
	if (a.state) entry.State = a.state;
	if (a.country) entry.CountryOrRegion = a.country;
	c.PhysicalAddresses._setItem(key, entry);
}

/**
 * Write the mapped fields onto an EWS contact; absent canonical fields are cleared
 * (null → DeleteItemField on update). S10: the first name splits at the first space into
 * given name and middle name. With `changed` (an update's changedFields) only the properties of those
 * canonical fields are touched, so everything else stays as it is in Exchange (issue 12 §1).
 */
export function applyContactToEws(c: EwsContact, input: Contact, isNew: boolean, changed?: ReadonlySet<string>): void {
	const r = normalizeContact(input);
	const writes = (...fields: string[]) => !changed || fields.some((f) => changed.has(f));
	const set = <T>(assign: (v: T) => void, v: T | undefined) => {
		if (v !== undefined) assign(v);
		else if (!isNew) assign(null as unknown as T);
	};
	const [given, ...rest] = (r.firstName ?? '').split(' ');
	if (writes('firstName')) {
		set((v: string) => (c.GivenName = v), given || undefined);
		set((v: string) => (c.MiddleName = v), rest.join(' ') || undefined);
	}
	if (writes('lastName')) set((v: string) => (c.Surname = v), r.lastName);
	// Outlook derives these from the names (and the company when there is no name).
	if (writes('firstName', 'lastName', 'accountName')) {
		const fileAs = [r.lastName, r.firstName].filter(Boolean).join(', ') || r.accountName;
		set((v: string) => (c.FileAs = v), fileAs);
		set((v: string) => (c.DisplayName = v), [r.firstName, r.lastName].filter(Boolean).join(' ') || r.accountName);
	}
	if (writes('jobTitle')) set((v: string) => (c.JobTitle = v), r.jobTitle);
	if (writes('department')) set((v: string) => (c.Department = v), r.department);
	if (writes('accountName')) set((v: string) => (c.CompanyName = v), r.accountName);
	if (writes('description') && (r.description !== undefined || !isNew)) c.Body = textBody(r.description);
	const setEmail = (key: EmailAddressKey, v: string | undefined) => {
		if (v) c.EmailAddresses._setItem(key, new EmailAddress(v));
		else if (!isNew) c.EmailAddresses._setItem(key, null as unknown as EmailAddress);
	};
	if (writes('email')) setEmail(EmailAddressKey.EmailAddress1, r.email);
	if (writes('otherEmail')) setEmail(EmailAddressKey.EmailAddress2, r.otherEmail);
	const setPhone = (key: PhoneNumberKey, v: string | undefined) => {
		if (v) c.PhoneNumbers._setItem(key, v);
		else if (!isNew) c.PhoneNumbers._setItem(key, null as unknown as string);
	};
	if (writes('phone')) setPhone(PhoneNumberKey.BusinessPhone, r.phone);
	if (writes('otherPhone')) setPhone(PhoneNumberKey.HomePhone, r.otherPhone);
	if (writes('mobile')) setPhone(PhoneNumberKey.MobilePhone, r.mobile);
	if (writes('billingAddress') && (r.billingAddress || !isNew)) setAddress(c, PhysicalAddressKey.Business, r.billingAddress);
	if (writes('shippingAddress') && (r.shippingAddress || !isNew)) setAddress(c, PhysicalAddressKey.Other, r.shippingAddress);
	if (writes('birthday')) set((v) => (c.Birthday = v), r.birthday ? fromDate(r.birthday) : undefined);
	if (writes('website')) set((v: string) => (c.BusinessHomePage = v), r.website);
	if (writes('categories') && (r.categories || !isNew)) c.Categories = stringList(r.categories);
}
