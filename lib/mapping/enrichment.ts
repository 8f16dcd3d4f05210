import type { CrmFields, EnrichmentOptions, RelatedRecords } from './types';

function text(value: unknown): string | undefined {
	if (typeof value === 'number') return String(value);
	if (typeof value !== 'string') return undefined;
	const trimmed = value.replace(/\s+/g, ' ').trim();
	return trimmed === '' ? undefined : trimmed;
}

function joined(parts: Array<string | undefined>, separator: string): string | undefined {
	const present = parts.filter((p): p is string => p !== undefined);
	return present.length ? present.join(separator) : undefined;
}

function companyLine(account: CrmFields): string | undefined {
	const name = text(account.accountname);
	const cityLine = joined([text(account.bill_code), text(account.bill_city)], ' ');
	const address = joined([text(account.bill_street), cityLine, text(account.bill_state), text(account.bill_country)], ', ');
	return joined([name, address], ', ');
}

function contactLine(contact: CrmFields): string | undefined {
	const name = joined([text(contact.firstname), text(contact.lastname)], ' ');
	const phone = text(contact.phone);
	const mobile = text(contact.mobile);
	const email = text(contact.email);
	return joined([name, phone && `Phone: ${phone}`, mobile && `Mobile: ${mobile}`, email && `E-mail: ${email.toLowerCase()}`], ', ');
}

/**
 * S21: the block appended to an appointment's body towards Exchange: category, company name and
 * address, website, contact person with phone/mobile/e-mail, the remark line and a deep link.
 * Undefined when there is nothing to add.
 */
export function buildEnrichment(options: EnrichmentOptions, event: { fields: CrmFields; recordId?: string; related?: RelatedRecords }): string | undefined {
	const lines: string[] = [];
	const add = (label: string, value: string | undefined) => {
		if (value) lines.push(`${label}: ${value}`);
	};
	add('Category', text(event.fields.activitytype));
	if (event.related?.account) {
		add('Company', companyLine(event.related.account));
		add('Website', text(event.related.account.website));
	}
	if (event.related?.contact) add('Contact', contactLine(event.related.contact));
	add('Remark', text(event.fields[options.remarkField]));
	if (options.deepLinkTemplate && event.recordId) {
		add('Open in CRM', options.deepLinkTemplate.replace(/\{id\}/gi, encodeURIComponent(event.recordId)));
	}
	return lines.length ? [options.marker, ...lines].join('\n') : undefined;
}

/** The body without the enrichment block (towards the CRM, so it never grows on each round). */
export function stripEnrichment(body: string, marker: string): string {
	const lines = body.replace(/\r\n?/g, '\n').split('\n');
	const at = lines.findIndex((line) => line.trim() === marker.trim());
	return (at < 0 ? lines : lines.slice(0, at)).join('\n').trim();
}
