/**
 * Reads the signed content out of an S/MIME signed-data blob (smime.p7m), without verifying the
 * signature: the import needs the message inside, not a trust decision. CMS is RFC 5652:
 *
 *   ContentInfo ::= SEQUENCE { contentType OID (signedData), content [0] EXPLICIT SignedData }
 *   SignedData  ::= SEQUENCE { version INTEGER, digestAlgorithms SET,
 *                              encapContentInfo SEQUENCE { eContentType OID, eContent [0] EXPLICIT OCTET STRING OPTIONAL },
 *                              ... }
 *
 * Outlook and OpenSSL's streaming mode write BER: indefinite lengths and the OCTET STRING split
 * into a constructed string of chunks, so both are read here (X.690 §8.1.3.6, §8.7.3).
 */

const SIGNED_DATA_OID = Buffer.from('2a864886f70d010702', 'hex');
const TAG_SEQUENCE = 0x30;
const TAG_SET = 0x31;
const TAG_INTEGER = 0x02;
const TAG_OID = 0x06;
const TAG_OCTET_STRING = 0x04;
const TAG_OCTET_STRING_CONSTRUCTED = 0x24;
const TAG_CONTEXT_0 = 0xa0;
/** Chunks of a constructed OCTET STRING may nest; real encoders use one level. */
const MAX_DEPTH = 16;

interface Tlv {
	tag: number;
	/** Offset of the first content byte. */
	start: number;
	/** Offset after the last content byte (before the end-of-contents octets when indefinite). */
	end: number;
	/** Offset after the whole element. */
	next: number;
}

class BerError extends Error {}

/** The encapsulated content of a CMS signed-data ContentInfo, or undefined when it is none (or detached). */
export function signedDataContent(der: Buffer): Buffer | undefined {
	try {
		const contentInfo = element(der, 0, TAG_SEQUENCE);
		const contentType = element(der, contentInfo.start, TAG_OID);
		if (!der.subarray(contentType.start, contentType.end).equals(SIGNED_DATA_OID)) return undefined;
		const explicit = element(der, contentType.next, TAG_CONTEXT_0);
		const signedData = element(der, explicit.start, TAG_SEQUENCE);
		const version = element(der, signedData.start, TAG_INTEGER);
		const digestAlgorithms = element(der, version.next, TAG_SET);
		const encapContentInfo = element(der, digestAlgorithms.next, TAG_SEQUENCE);
		const eContentType = element(der, encapContentInfo.start, TAG_OID);
		if (eContentType.next >= encapContentInfo.end) return undefined; // detached signature
		const eContent = element(der, eContentType.next, TAG_CONTEXT_0);
		return octetString(der, eContent.start, 0).value;
	} catch {
		// A BerError, or a RangeError from hostile nesting of indefinite lengths: not readable.
		return undefined;
	}
}

/** A primitive OCTET STRING, or the concatenated chunks of a constructed one. */
function octetString(der: Buffer, offset: number, depth: number): { value: Buffer; next: number } {
	if (depth > MAX_DEPTH) throw new BerError('OCTET STRING nested too deeply');
	const tlv = readTlv(der, offset);
	if (tlv.tag === TAG_OCTET_STRING) return { value: der.subarray(tlv.start, tlv.end), next: tlv.next };
	if (tlv.tag !== TAG_OCTET_STRING_CONSTRUCTED) throw new BerError('eContent is not an OCTET STRING');
	const chunks: Buffer[] = [];
	let position = tlv.start;
	while (position < tlv.end) {
		const chunk = octetString(der, position, depth + 1);
		chunks.push(chunk.value);
		position = chunk.next;
	}
	return { value: Buffer.concat(chunks), next: tlv.next };
}

function element(der: Buffer, offset: number, tag: number): Tlv {
	const tlv = readTlv(der, offset);
	if (tlv.tag !== tag) throw new BerError(`expected tag 0x${tag.toString(16)} at ${offset}`);
	return tlv;
}

function readTlv(der: Buffer, offset: number): Tlv {
	if (offset + 2 > der.length) throw new BerError('truncated');
	const tag = der[offset];
	if ((tag & 0x1f) === 0x1f) throw new BerError('high tag numbers do not occur in CMS headers');
	const first = der[offset + 1];
	let start = offset + 2;
	if (first === 0x80) {
		if ((tag & 0x20) === 0) throw new BerError('indefinite length on a primitive element');
		const end = endOfContents(der, start);
		return { tag, start, end, next: end + 2 };
	}
	let length = first;
	if (first > 0x80) {
		const bytes = first & 0x7f;
		if (bytes > 4 || start + bytes > der.length) throw new BerError('length too long');
		length = 0;
		for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i];
		start += bytes;
	}
	const end = start + length;
	if (end > der.length) throw new BerError('truncated');
	return { tag, start, end, next: end };
}

/** Offset of the 00 00 that closes an indefinite-length element whose content starts at `start`. */
function endOfContents(der: Buffer, start: number): number {
	let position = start;
	while (position + 1 < der.length) {
		if (der[position] === 0 && der[position + 1] === 0) return position;
		position = readTlv(der, position).next;
	}
	throw new BerError('missing end-of-contents');
}
