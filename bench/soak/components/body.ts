/**
 * Item bodies as the soak reads and writes them (appointments and tasks): the description is the text
 * above the CRM's enrichment marker (S21); an HTML body the owner formatted is recognised by its `<b>`,
 * which a text body Graph renders as HTML can never contain (its markup characters are escaped).
 */
const ENRICHMENT_MARKER = '-- CRM --';

export interface GraphBody {
	contentType?: string;
	content?: string;
}

function decodeEntities(text: string): string {
	return text
		.replace(/&nbsp;/g, ' ')
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&#39;/g, "'")
		.replace(/&amp;/g, '&');
}

/** The description in a Graph body (text or HTML), without the enrichment block; undefined when empty. */
export function descriptionOf(body: GraphBody | undefined): string | undefined {
	let text = body?.content ?? '';
	if (body?.contentType === 'html') {
		text = decodeEntities(
			text
				.replace(/<br\s*\/?>/gi, '\n')
				.replace(/<\/(p|div)>/gi, '\n')
				.replace(/<head>[\s\S]*?<\/head>/i, '')
				.replace(/<[^>]*>/g, ''),
		);
	}
	const lines = text.replace(/\r\n?/g, '\n').split('\n');
	const at = lines.findIndex((line) => line.trim() === ENRICHMENT_MARKER);
	const description = (at < 0 ? lines : lines.slice(0, at)).join('\n').trim();
	return description === '' ? undefined : description;
}

/** The owner's formatted body, when there is one. */
export function formattedHtmlOf(body: GraphBody | undefined): string | undefined {
	return body?.contentType === 'html' && body.content?.includes('<b>') ? body.content : undefined;
}

/** An HTML body showing `description` in bold: the same description, other formatting. */
export function formattedHtml(description: string): string {
	return `<div class="soak"><b>${description}</b></div>`;
}

export function textBody(description: string | undefined): GraphBody {
	return { contentType: 'text', content: description ?? '' };
}

/** Graph requests of the soak's owner read bodies as stored (HTML shows formatting) and times in UTC. */
export const READ_HEADERS = { prefer: 'outlook.body-content-type="html", outlook.timezone="UTC"' };
