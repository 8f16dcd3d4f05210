/**
 * S9: every description and e-mail body reaches the CRM as plain text only. No markup, no
 * markup that arrives entity-escaped (`&lt;script&gt;`), no live javascript:/data: links, and
 * a huge or pathologically nested HTML body still becomes its text (never an empty field).
 */
import { convert, type HtmlToTextOptions } from 'html-to-text';

const LOOKS_LIKE_HTML = /<(?:[a-z][a-z0-9-]*|!--|!doctype)[\s>/]/i;
/** `&lt;b&gt;`, `&#60;script `, `&#x3c;/p&gt;`, `&lt;!--`: a tag whose angle bracket was escaped. */
const LOOKS_LIKE_ESCAPED_HTML = /&(?:lt|#0*60|#x0*3c);(?:\/?[a-z][a-z0-9-]*(?:[\s/]|&(?:gt|#0*62|#x0*3e);)|!--)/i;
/** Escaped markup can be escaped again; each round peels one layer. Deeper than this is hostile. */
const MAX_UNWRAP_ROUNDS = 4;
/**
 * Above this size, tables are laid out as plain blocks: the column layout of dataTable costs
 * seconds for a 2 MB table and a description needs the words, not the grid.
 */
const LARGE_HTML = 256 * 1024;
/** Only these link targets are kept (shown in brackets after the link text); the rest is dropped. */
const SAFE_LINK = /^(?:https?|mailto|tel|ftp):/i;

/** True when the text contains markup (a tag, a comment or a doctype). */
export function looksLikeHtml(text: string): boolean {
	return LOOKS_LIKE_HTML.test(text);
}

/** True when the text contains entity-escaped markup such as `&lt;script&gt;`. */
export function looksLikeEscapedHtml(text: string): boolean {
	return LOOKS_LIKE_ESCAPED_HTML.test(text);
}

const HTML_TO_TEXT: HtmlToTextOptions = {
	wordwrap: false,
	selectors: [
		{
			selector: 'a',
			options: {
				hideLinkHrefIfSameAsText: true,
				ignoreHref: false,
				noAnchorUrl: true,
				pathRewrite: safeLinkTarget,
			},
		},
		// Images carry no text worth keeping; their src may be a huge data: or cid: URL.
		{ selector: 'img', format: 'skip' },
		{ selector: 'script', format: 'skip' },
		{ selector: 'style', format: 'skip' },
		{ selector: 'head', format: 'skip' },
		{ selector: 'noscript', format: 'skip' },
		{ selector: 'template', format: 'skip' },
		{ selector: 'object', format: 'skip' },
		{ selector: 'embed', format: 'skip' },
		{ selector: 'iframe', format: 'skip' },
		{ selector: 'svg', format: 'skip' },
		{ selector: 'h1', options: { uppercase: false } },
		{ selector: 'h2', options: { uppercase: false } },
		{ selector: 'h3', options: { uppercase: false } },
		{ selector: 'h4', options: { uppercase: false } },
		{ selector: 'h5', options: { uppercase: false } },
		{ selector: 'h6', options: { uppercase: false } },
		{ selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
	],
};

const LARGE_HTML_TO_TEXT: HtmlToTextOptions = {
	...HTML_TO_TEXT,
	selectors: [
		...(HTML_TO_TEXT.selectors ?? []).filter((selector) => selector.selector !== 'table'),
		{ selector: 'table', format: 'block' },
		{ selector: 'tr', format: 'block' },
		{ selector: 'td', format: 'block' },
		{ selector: 'th', format: 'block' },
	],
};

/** A link target a CRM reader may follow, or '' (html-to-text then shows only the link text). */
function safeLinkTarget(href: string): string {
	// Browsers ignore whitespace and control characters inside a scheme ("java\tscript:").
	// eslint-disable-next-line no-control-regex
	const compact = href.replace(/[\u0000-\u0020]/g, '');
	return SAFE_LINK.test(compact) ? href.trim() : '';
}

/**
 * S9: HTML → plain text that carries no markup. Scripts, styles, images and <head> vanish;
 * links keep their text and show a safe (http, https, mailto, tel, ftp) address in brackets;
 * lines are not wrapped. Markup that was entity-escaped inside the HTML is removed as well.
 */
export function htmlToPlainText(html: string): string {
	return unwrapMarkup(convertOnce(html));
}

/** Plain text as it is (line endings normalised to \n); HTML or escaped HTML converted (S9). */
export function toPlainText(value: string): string {
	return unwrapMarkup(value);
}

/** Converts until no markup and no escaped markup is left, then removes what survives. */
function unwrapMarkup(value: string): string {
	let text = value;
	for (let round = 0; round < MAX_UNWRAP_ROUNDS; round++) {
		if (looksLikeHtml(text)) text = convertOnce(text);
		else if (looksLikeEscapedHtml(text)) text = convertOnce(decodeEntities(text));
		else break;
	}
	const stripped = stripTags(text);
	// Plain text without markup keeps its blank lines, so a round trip does not change it.
	return text === value && stripped === text ? value.replace(/\r\n?/g, '\n').trim() : tidy(stripped);
}

function convertOnce(html: string): string {
	try {
		return tidy(convert(html, html.length > LARGE_HTML ? LARGE_HTML_TO_TEXT : HTML_TO_TEXT));
	} catch {
		// html-to-text walks the DOM recursively: thousands of nested (or unclosed) elements, as
		// broken mail generators produce, overflow the stack. The text still matters more than
		// the layout, so fall back to removing the tags.
		return tidy(decodeEntities(stripTags(dropInvisibleElements(html))));
	}
}

/** Elements whose content is no text a reader saw. */
function dropInvisibleElements(html: string): string {
	return html
		.replace(/<!--[\s\S]*?(?:-->|$)/g, '')
		.replace(/<(script|style|head|noscript|template|object|iframe|svg)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, '')
		.replace(/<\/?(?:br|p|div|tr|li|h[1-6]|table|blockquote)\b[^>]*>/gi, '\n');
}

/** Last line of defence: no tag, comment or doctype survives, even an unterminated one. */
function stripTags(text: string): string {
	return text.replace(/<!--[\s\S]*?(?:-->|$)/g, '').replace(/<(?:\/?[a-z][a-z0-9-]*|!doctype)(?:>|[\s/][^<>]*(?:>|$))/gi, '');
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: '\u00a0' };

/** The entities that escaped markup is made of; anything else is left as it is. */
function decodeEntities(text: string): string {
	return text.replace(/&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z]+));/gi, (entity, dec?: string, hex?: string, name?: string) => {
		if (name !== undefined) return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
		const code = dec !== undefined ? Number(dec) : Number.parseInt(hex ?? '', 16);
		return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
	});
}

function tidy(text: string): string {
	return text
		.replace(/\r\n?/g, '\n')
		.replace(/[ \t]+\n/g, '\n')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}
