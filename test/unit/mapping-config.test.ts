import { buildMappingConfig, canonicalToCrm, crmToCanonical, htmlToPlainText, looksLikeHtml, MappingError, syncedFields, toPlainText } from '../../lib/mapping';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures');

describe('builder overrides', () => {
	it('adds, drops and overrides field pairs', () => {
		const config = buildMappingConfig('contact', {
			drop: ['website', 'otherphone'],
			pairs: [
				{ canonical: 'jobTitle', crm: 'cf_position', kind: 'text' },
				{ canonical: 'categories', crm: 'cf_categories', kind: 'text', direction: 'toCrm' },
			],
		});
		expect(config.pairs.find((p) => p.canonical === 'website')).toBeUndefined();
		expect(config.pairs.find((p) => p.canonical === 'otherPhone')).toBeUndefined();
		expect(config.pairs.filter((p) => p.canonical === 'jobTitle')).toEqual([{ canonical: 'jobTitle', crm: 'cf_position', kind: 'text' }]);
		const canonical = crmToCanonical('contact', { lastname: 'X', cf_position: 'CEO', title: 'ignored', website: 'w', cf_categories: 'A' }, config);
		expect(canonical).toEqual({ lastName: 'X', jobTitle: 'CEO' });
		const crm = canonicalToCrm('contact', { lastName: 'X', jobTitle: 'CEO', website: 'w' }, config, { creating: true });
		expect(crm).toEqual({ lastname: 'X', cf_position: 'CEO' });
		expect(syncedFields('contact', config)).not.toContain('website');
		expect(syncedFields('contact', config)).toContain('categories');
	});

	it('one-way pairs copy only in their direction', () => {
		const config = buildMappingConfig('contact', {
			pairs: [{ canonical: 'description', crm: 'description', kind: 'plainText', direction: 'toCanonical' }],
		});
		expect(crmToCanonical('contact', { lastname: 'X', description: 'kept' }, config).description).toBe('kept');
		expect('description' in canonicalToCrm('contact', { lastName: 'X', description: 'from Exchange' }, config)).toBe(false);
	});

	it('rejects broken overrides with a clear message', () => {
		expect(() => buildMappingConfig('task', { pairs: [{ canonical: 'status', crm: 'taskstatus', kind: 'picklist', picklist: 'nope' }] })).toThrow(MappingError);
		expect(() => buildMappingConfig('task', { pairs: [{ canonical: '', crm: 'x', kind: 'text' }] })).toThrow(/canonical field/);
	});

	it('does not change the presets when a config is customised', () => {
		buildMappingConfig('task', { picklists: { taskStatus: { replace: true, entries: [] } }, drop: ['subject'] });
		expect(buildMappingConfig('task').picklists.taskStatus.entries).toHaveLength(6);
		expect(buildMappingConfig('task').pairs.some((p) => p.canonical === 'subject')).toBe(true);
	});
});

describe('S9 HTML → safe plain text', () => {
	it('drops scripts, styles and markup and keeps the text', () => {
		const html =
			'<html><head><style>p{color:red}</style><script>alert(1)</script></head><body><p>Hello <b>World</b></p><script>steal()</script><img src="x" onerror="x()"><p>Line&nbsp;2 &amp; more</p></body></html>';
		const text = htmlToPlainText(html);
		expect(text).toBe('Hello World\n\nLine\u00a02 & more');
		expect(text).not.toMatch(/alert|steal|<|onerror/);
	});

	it('keeps plain text as it is, only normalising line endings', () => {
		expect(looksLikeHtml('a < b and c > d')).toBe(false);
		expect(toPlainText('a < b\r\nc > d ')).toBe('a < b\nc > d');
	});

	it('turns a real HTML e-mail (fixture) into text without markup', async () => {
		const mail = await simpleParser(readFileSync(path.join(FIXTURES, 'emails/html/enmime__non-mime-html.eml')));
		const html = typeof mail.html === 'string' ? mail.html : '';
		expect(looksLikeHtml(html)).toBe(true);
		const text = toPlainText(html);
		expect(text.length).toBeGreaterThan(0);
		expect(text).not.toMatch(/<\/?[a-z][^>]*>/i);
	});
});
