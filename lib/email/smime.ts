/**
 * Signed mail is readable mail (E8 refuses only encrypted mail). This finds the part tree that
 * holds the message a signed e-mail carries:
 * - multipart/signed (RFC 8551 §3.5.3, RFC 3156 §5): the first part is the message; the
 *   signature part (smime.p7s, signature.asc) is no attachment of the user's, so it is dropped.
 * - opaque application/pkcs7-mime; smime-type=signed-data (RFC 8551 §3.5.2), smime.p7m: the
 *   message is the MIME entity inside the CMS signed-data; it is parsed like a message body.
 * Signatures are not verified: the CRM stores what the sender wrote, not a trust verdict.
 */
import type { Attachment, ParsedMail } from 'mailparser';
import { signedDataContent } from './cms';

export type SignatureKind = 'detached' | 'opaque';

const PKCS7_MIME = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime']);
const SIGNATURE_TYPES = new Set(['application/pkcs7-signature', 'application/x-pkcs7-signature', 'application/pgp-signature']);
/** Signed inside signed (a gateway re-signing) is real; deeper is not. */
const MAX_LAYERS = 3;

export interface SignedContent {
	/** The part tree with the message's text, HTML and attachments. */
	mail: ParsedMail;
	signature?: SignatureKind;
}

export async function signedContent(mail: ParsedMail, parseEntity: (entity: Buffer) => Promise<ParsedMail>): Promise<SignedContent> {
	let current = mail;
	let signature: SignatureKind | undefined;
	for (let layer = 0; layer < MAX_LAYERS; layer++) {
		const { value, params } = contentTypeOf(current);
		if (value === 'multipart/signed') {
			return { mail: { ...current, attachments: current.attachments.filter((a) => !isSignaturePart(a)) }, signature: 'detached' };
		}
		const smimeType = params['smime-type'];
		if (!PKCS7_MIME.has(value) || (smimeType !== undefined && smimeType !== 'signed-data')) break;
		const blob = current.attachments[0]?.content;
		const inner = blob ? signedDataContent(blob) : undefined;
		// Not signed-data after all (or detached, or unreadable): leave it to the encryption check,
		// and otherwise import it as it is, with smime.p7m attached, so nothing is lost.
		if (!inner) break;
		current = await parseEntity(inner);
		signature = 'opaque';
	}
	return { mail: current, signature };
}

function isSignaturePart(attachment: Attachment): boolean {
	return SIGNATURE_TYPES.has(attachment.contentType.toLowerCase());
}

/** Content-Type of a parsed entity, lower-cased; text/plain when it has none (RFC 2045 §5.2). */
export function contentTypeOf(mail: ParsedMail): { value: string; params: Record<string, string> } {
	const header = mail.headers.get('content-type');
	if (header && typeof header === 'object' && 'value' in header && 'params' in header) {
		const params: Record<string, string> = {};
		for (const [name, value] of Object.entries(header.params)) params[name.toLowerCase()] = String(value).toLowerCase();
		return { value: String(header.value).toLowerCase(), params };
	}
	return { value: 'text/plain', params: {} };
}
