/**
 * S9: the CRM gets plain text only. HTML is converted with html-to-text; scripts, styles,
 * images and other non-text elements are dropped, never passed on as markup.
 */
import { convert, type HtmlToTextOptions } from 'html-to-text';

const HTML_TO_TEXT: HtmlToTextOptions = {
	wordwrap: false,
	selectors: [
		{ selector: 'script', format: 'skip' },
		{ selector: 'style', format: 'skip' },
		{ selector: 'head', format: 'skip' },
		{ selector: 'noscript', format: 'skip' },
		{ selector: 'template', format: 'skip' },
		{ selector: 'object', format: 'skip' },
		{ selector: 'iframe', format: 'skip' },
		{ selector: 'svg', format: 'skip' },
		// Images carry no text worth keeping; their src may be a huge data: or cid: URL.
		{ selector: 'img', format: 'skip' },
		{
			selector: 'a',
			options: {
				hideLinkHrefIfSameAsText: true,
				noAnchorUrl: true,
				// A javascript:/data:/vbscript: target is not a link a reader can follow; drop it.
				pathRewrite: (href: string) => (/^\s*(?:javascript|data|vbscript):/i.test(href) ? '' : href),
			},
		},
	],
};

export function htmlToPlainText(html: string): string {
	return cleanText(convert(html, HTML_TO_TEXT));
}

/** The body to store: the text/plain part when it has content, else the HTML converted. */
export function plainTextBody(text: string | undefined, html: string | undefined): string | undefined {
	if (text !== undefined && text.trim() !== '') return cleanText(text);
	if (html !== undefined && html.trim() !== '') return htmlToPlainText(html) || undefined;
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
