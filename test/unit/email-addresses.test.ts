import { readFileSync } from 'node:fs';
import path from 'node:path';
import { filterParticipants, parseAddressList, collectParticipants } from '../../lib/email/addresses';
import { headerValue, parseEmail } from '../../lib/email/mime';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/emails');

interface ExpectedMailbox {
	name: string | null;
	address: string | null;
}
interface AddressCase {
	header: string;
	expected: { List?: ExpectedMailbox[]; Group?: Array<{ name: string | null; addresses: ExpectedMailbox[] }> };
}

const cases = JSON.parse(readFileSync(path.join(FIXTURES, 'addresses/stalwart__address-parsing-cases.json'), 'utf8')) as AddressCase[];

/**
 * The table is a general address-header parser's expectation (stalwart mail-parser). For CRM
 * matching only mailboxes count, so the expected addresses are reduced to mailboxes the same way
 * a person would read them: obsolete route (`@node.test:`) and folding whitespace removed,
 * lower-cased; entries that are not mailboxes (RFC 2369 List-* URLs, "mailto:" URIs, "NO",
 * group-only comments) are not addresses to match.
 */
function expectedMailboxes(expected: AddressCase['expected']): ExpectedMailbox[] {
	const flat = [...(expected.List ?? []), ...(expected.Group ?? []).flatMap((group) => group.addresses)];
	return flat
		.map((mailbox) => ({
			name: mailbox.name,
			address: (mailbox.address ?? '')
				.replace(/^@[^:]*:/, '')
				.replace(/\s+/g, '')
				.toLowerCase(),
		}))
		.filter((mailbox) => /^[^\s@:/]+@[^\s@:/]+\.[^\s@:/]+$/.test(mailbox.address ?? ''));
}

/** The value as a message would carry it: the header ends at the first unfolded line break. */
function asHeaderValue(header: string): string {
	const end = header.search(/\r?\n(?![ \t])/);
	return headerValue(`To: ${end < 0 ? header : header.slice(0, end)}`);
}

/**
 * Display names where we knowingly differ from the table: mailparser does not turn RFC 5322
 * comments into parts of the display name (8, 9, 10, 14, 22, 56), and a "name" that only repeats
 * the address is not a transmitted name (49, 51). The addresses of these cases still must match.
 */
const NAME_DEVIATIONS = new Set([8, 9, 10, 14, 22, 49, 51, 56]);

describe('address table (stalwart address-parsing-cases.json)', () => {
	it('has the 60 cases this test was written against', () => {
		expect(cases).toHaveLength(60);
	});

	it.each(cases.map((testCase, index) => [index, testCase] as const))('case %i', (index, testCase) => {
		const parsed = parseAddressList(asHeaderValue(testCase.header));
		const expected = expectedMailboxes(testCase.expected);
		const uniqueExpected = [...new Set(expected.map((mailbox) => mailbox.address))];
		expect([...new Set(parsed.map((mailbox) => mailbox.address))]).toEqual(uniqueExpected);
		if (NAME_DEVIATIONS.has(index)) return;
		for (const mailbox of expected) {
			const ours = parsed.find((candidate) => candidate.address === mailbox.address);
			expect(ours?.name).toBe(mailbox.name?.trim() || undefined);
		}
	});
});

describe('collectParticipants on the address fixtures', () => {
	async function participants(file: string) {
		const email = await parseEmail(readFileSync(path.join(FIXTURES, file)));
		return collectParticipants(email.headerLines);
	}

	it('reads every Cc header, not only the first (two Cc lines)', async () => {
		const result = await participants('addresses/cpython__msg_20.eml');
		expect(result.map((p) => p.address)).toEqual(expect.arrayContaining(['bbb@ddd.com', 'bbb@zzz.org', 'ccc@zzz.org', 'ddd@zzz.org', 'eee@zzz.org']));
		expect(result.find((p) => p.address === 'ccc@zzz.org')?.roles).toEqual(['cc']);
	});

	it('keeps group members and drops empty groups', async () => {
		const adjacent = await participants('addresses/stalwart__98-adjacent-groups.eml');
		expect(adjacent.map((p) => p.address)).toEqual(['sender@example.com', 'a@b.c', 'd@e.f']);
		const empty = await participants('addresses/mail__empty_group_lists.eml');
		expect(empty.map((p) => p.address)).toEqual(['ceciledwards@sbcglobal.net']);
	});

	it('de-duplicates an address that appears twice', async () => {
		const mixed = await participants('addresses/stalwart__98-mixed.eml');
		expect(mixed.map((p) => p.address)).toEqual(['sender@example.com', 'x@y.com']);
	});

	it('survives stray commas and line breaks in To', async () => {
		const weird = await participants('addresses/mail__weird_to_header.eml');
		expect(weird.map((p) => p.address)).toEqual(['anonymous@i.tp.host', 'user-example@aol.com', 'e-s-a-s-2200@app.ar.com']);
		const newline = await participants('addresses/mail__new_line_in_to_header.eml');
		expect(newline.map((p) => p.address)).toContain('cc@c-l-example.com');
		expect(newline).toHaveLength(7);
	});

	it('decodes encoded display names and lower-cases addresses (two From mailboxes)', async () => {
		const result = await participants('encodings/enmime__qp-utf8-header.eml');
		expect(result.slice(0, 2)).toEqual([
			{ address: 'jamehi03@jamehi03lx.noa.com', name: 'James Hillyerd', roles: ['from'] },
			{ address: 'pirard@vm1.ulg.ac.be', name: 'André Pirard', roles: ['from'] },
		]);
		expect(result[2]).toEqual({ address: 'marczak@inbucket.com', name: 'Mirosław Marczak', roles: ['to'] });
	});
});

describe('filterParticipants (E5)', () => {
	const people = ['anna@brainformatik.com', 'bob@example.com', 'owner@firm.de', 'carl@other.org'].map((address) => ({
		address,
		roles: ['to' as const],
	}));

	it('drops blacklisted substrings (case-insensitive) and the mailbox owner', () => {
		const { kept, ignored } = filterParticipants(people, ['BRAIN', '@example.com', '  '], ['Owner@Firm.de']);
		expect(kept.map((p) => p.address)).toEqual(['carl@other.org']);
		expect(ignored.map((p) => p.address)).toEqual(['anna@brainformatik.com', 'bob@example.com', 'owner@firm.de']);
	});
});
