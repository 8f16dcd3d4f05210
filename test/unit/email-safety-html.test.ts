/** S9 conversion rules (pure logic): what must go, and what plain text must keep. */
import { plainTextBody } from '../../lib/email/body';
import { htmlToPlainText, looksLikeEscapedHtml, toPlainText } from '../../lib/mapping/html';

describe('S9 safe plain text', () => {
	it('removes markup that arrived escaped once or twice, inside HTML and in plain text', () => {
		expect(htmlToPlainText('<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;there</p>')).toBe('Hi there');
		expect(toPlainText('&lt;b&gt;fett&lt;/b&gt; &amp;lt;script&amp;gt;x()&amp;lt;/script&amp;gt;ok')).toBe('fett ok');
		expect(toPlainText('&#60;img src=x onerror=alert(1)&#62;Bild')).toBe('Bild');
		expect(plainTextBody('Hallo\n&lt;script&gt;alert(1)&lt;/script&gt;\nTschüss', undefined)).not.toMatch(/script|alert|&lt;/);
	});

	it('keeps only http(s), mailto, tel and ftp link targets', () => {
		const text = htmlToPlainText(
			'<a href="javascript:alert(1)">A</a> <a href=" JaVa&#x0A;ScRiPt:alert(1)">B</a> <a href="vbscript:x">C</a> ' +
				'<a href="data:text/html,x">D</a> <a href="file:///etc/passwd">E</a> <a href="cid:part1">F</a> ' +
				'<a href="https://firm.example/x">G</a> <a href="mailto:anna@firm.example">H</a>',
		);
		expect(text).toBe('A B C D E F G [https://firm.example/x] H');
	});

	it('leaves plain text alone: comparisons, addresses in angle brackets, blank lines, entities as written', () => {
		const plain = 'a < b and c > d\n\n\nMail <anna@firm.example>, see <https://firm.example>\nAT&amp;T';
		expect(toPlainText(plain)).toBe(plain);
		expect(looksLikeEscapedHtml('x &lt; y')).toBe(false);
		expect(looksLikeEscapedHtml('&lt;p&gt;')).toBe(true);
	});

	it('a body nested deeper than the converter can walk still becomes its text', () => {
		const html = '<div>'.repeat(20000) + 'tief <b>innen</b> &amp; mehr' + '</div>'.repeat(20000);
		expect(htmlToPlainText(html)).toBe('tief innen & mehr');
	});

	it('a 2 MB table becomes its words within a second or two', () => {
		const html = `<table>${'<tr><td>Zelle</td><td>Wert</td></tr>'.repeat(60000)}</table>`;
		expect(html.length).toBeGreaterThan(2_000_000);
		// CPU time, not wall time: the bound is about a linear converter and must not depend on the machine's load.
		const started = process.cpuUsage();
		const text = htmlToPlainText(html);
		const used = process.cpuUsage(started);
		expect((used.user + used.system) / 1000).toBeLessThan(5000);
		expect(text.match(/Zelle\s+Wert/g)).toHaveLength(60000);
	});
});
