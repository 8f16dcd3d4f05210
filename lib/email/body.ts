/**
 * S9: the CRM gets plain text only. The conversion itself (HTML, escaped HTML, unsafe links,
 * huge or deeply nested bodies) is the one the sync mappings use: lib/mapping/html.ts.
 */
import { htmlToPlainText, looksLikeEscapedHtml, looksLikeHtml, toPlainText } from '../mapping/html';

export { htmlToPlainText };

/** The body to store: the text/plain part when it has content, else the HTML converted. */
export function plainTextBody(text: string | undefined, html: string | undefined): string | undefined {
	if (text !== undefined && text.trim() !== '') {
		const clean = cleanText(text);
		// A text/plain part that carries markup (mislabelled HTML, pasted or escaped tags).
		return looksLikeHtml(clean) || looksLikeEscapedHtml(clean) ? cleanText(toPlainText(clean)) || undefined : clean;
	}
	if (html !== undefined && html.trim() !== '') return cleanText(htmlToPlainText(html)) || undefined;
	return undefined;
}

/** Unix newlines, no control characters but tab and newline, no trailing blank lines. */
function cleanText(text: string): string {
	return (
		text
			.replace(/\r\n?/g, '\n')
			// eslint-disable-next-line no-control-regex
			.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
			.replace(/\s+$/, '')
	);
}
