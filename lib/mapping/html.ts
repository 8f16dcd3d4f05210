import { convert } from 'html-to-text';

const LOOKS_LIKE_HTML = /<(?:[a-z][a-z0-9-]*|!--|!doctype)[\s>/]/i;

/** True when the text contains markup (a tag, a comment or a doctype). */
export function looksLikeHtml(text: string): boolean {
	return LOOKS_LIKE_HTML.test(text);
}

/**
 * S9: HTML → plain text that carries no markup. Scripts, styles, images and <head> vanish;
 * links keep their text and show the address in brackets; lines are not wrapped.
 */
export function htmlToPlainText(html: string): string {
	const text = convert(html, {
		wordwrap: false,
		selectors: [
			{ selector: 'a', options: { hideLinkHrefIfSameAsText: true, ignoreHref: false } },
			{ selector: 'img', format: 'skip' },
			{ selector: 'script', format: 'skip' },
			{ selector: 'style', format: 'skip' },
			{ selector: 'head', format: 'skip' },
			{ selector: 'h1', options: { uppercase: false } },
			{ selector: 'h2', options: { uppercase: false } },
			{ selector: 'h3', options: { uppercase: false } },
			{ selector: 'h4', options: { uppercase: false } },
			{ selector: 'h5', options: { uppercase: false } },
			{ selector: 'h6', options: { uppercase: false } },
			{ selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
		],
	});
	return text
		.replace(/\r\n?/g, '\n')
		.replace(/[ \t]+\n/g, '\n')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}

/** Plain text as it is; HTML converted (S9). Line endings normalised to \n. */
export function toPlainText(value: string): string {
	if (looksLikeHtml(value)) return htmlToPlainText(value);
	return value.replace(/\r\n?/g, '\n').trim();
}
