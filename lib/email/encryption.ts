/**
 * E8: encrypted mail is not imported. Signed mail (multipart/signed, or S/MIME signed-data)
 * is readable and is imported.
 */
import type { ParsedEmail } from './mime';

const PKCS7_TYPES = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime']);
const PGP_ARMOR = '-----BEGIN PGP MESSAGE-----';

/** CMS content types (RFC 5652 / RFC 5083), as DER-encoded OID bodies in hex. */
const CMS_SIGNED_DATA = '2a864886f70d010702';
const CMS_ENVELOPED_DATA = '2a864886f70d010703';
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- an OID (RFC 5083 id-ct-authEnvelopedData), not a secret
const CMS_AUTH_ENVELOPED_DATA = '2a864886f70d0109100117';

/** Why the message counts as encrypted, or undefined when it is readable. */
export function encryptionReason(email: ParsedEmail): string | undefined {
	const { value: contentType, params } = email.contentType;

	if (PKCS7_TYPES.has(contentType)) {
		const smimeType = params['smime-type'];
		if (smimeType === 'signed-data' || smimeType === 'certs-only') return undefined;
		if (smimeType === 'enveloped-data' || smimeType === 'authenveloped-data') {
			return `The e-mail is S/MIME encrypted (${contentType}; smime-type=${smimeType}); encrypted e-mails are not imported.`;
		}
		// No smime-type (older clients): the CMS content type inside tells signed from encrypted.
		const cmsType = cmsContentType(email.attachments[0]?.content);
		if (cmsType === CMS_SIGNED_DATA) return undefined;
		return `The e-mail is S/MIME encrypted (${contentType}${
			cmsType === undefined ? ', content not readable' : ', CMS enveloped data'
		}); encrypted e-mails are not imported.`;
	}

	if (contentType === 'multipart/encrypted') {
		const protocol = params.protocol ? ` (${params.protocol})` : '';
		return `The e-mail is encrypted (multipart/encrypted${protocol}, PGP/MIME); encrypted e-mails are not imported.`;
	}

	// Exchange/Outlook re-wraps PGP/MIME as multipart/mixed with the version part as an attachment.
	if (email.attachments.some((attachment) => attachment.contentType.toLowerCase() === 'application/pgp-encrypted')) {
		return 'The e-mail is PGP/MIME encrypted (re-packed by Exchange as an application/pgp-encrypted attachment); encrypted e-mails are not imported.';
	}

	if (email.text?.includes(PGP_ARMOR) || email.html?.includes(PGP_ARMOR)) {
		return 'The e-mail body is inline PGP encrypted ("-----BEGIN PGP MESSAGE-----"); encrypted e-mails are not imported.';
	}
	return undefined;
}

/**
 * Reads the contentType OID of a DER/BER CMS ContentInfo (SEQUENCE { OID, [0] ... }).
 * Returns its hex body, or undefined when the bytes are not a ContentInfo.
 */
export function cmsContentType(der: Buffer | undefined): string | undefined {
	if (!der || der.length < 4 || der[0] !== 0x30) return undefined;
	let offset = 1;
	const lengthByte = der[offset++];
	if (lengthByte > 0x80) offset += lengthByte & 0x7f; // long form; 0x80 is BER indefinite length
	if (der[offset] !== 0x06) return undefined;
	const oidLength = der[offset + 1];
	if (oidLength === undefined || oidLength > 0x7f || offset + 2 + oidLength > der.length) return undefined;
	return der.subarray(offset + 2, offset + 2 + oidLength).toString('hex');
}

export const CMS_CONTENT_TYPES = {
	signedData: CMS_SIGNED_DATA,
	envelopedData: CMS_ENVELOPED_DATA,
	authEnvelopedData: CMS_AUTH_ENVELOPED_DATA,
} as const;
