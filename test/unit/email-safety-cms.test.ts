/** The CMS signed-data reader (pure logic): DER and BER forms, and what it must not accept. */
import { signedDataContent } from '../../lib/email/cms';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const SIGNED_DATA = '06092a864886f70d010702';
const DATA = '06092a864886f70d010701';
const HEAD = '020101 3100'; // version 1, no digest algorithms (enough for the reader)

/** A definite-length element (short form, under 128 bytes) in hex. */
function tlv(tag: string, body: string): string {
	const length = body.replace(/\s+/g, '').length / 2;
	return `${tag}${length.toString(16).padStart(2, '0')} ${body}`;
}

describe('signedDataContent', () => {
	it('reads a definite-length (DER) eContent', () => {
		const encap = tlv('30', `${DATA} ${tlv('a0', '0403 414243')}`);
		const signedData = tlv('30', `${HEAD} ${encap} 3100`);
		expect(signedDataContent(hex(tlv('30', `${SIGNED_DATA} ${tlv('a0', signedData)}`)))?.toString()).toBe('ABC');
	});

	it('reads BER: indefinite lengths everywhere and the content split into nested chunks', () => {
		const chunks = '2480 0402 4142 2480 0401 43 0000 0000';
		const ber = hex(`3080 ${SIGNED_DATA} a080 3080 ${HEAD} 3080 ${DATA} a080 ${chunks} 0000 0000 3100 0000 0000 0000`);
		expect(signedDataContent(ber)?.toString()).toBe('ABC');
	});

	it('returns undefined for a detached signature, another content type, truncation and hostile nesting', () => {
		expect(signedDataContent(hex(`3080 ${SIGNED_DATA} a080 3080 ${HEAD} 3080 ${DATA} 0000 3100 0000 0000 0000`))).toBeUndefined();
		expect(signedDataContent(hex(`3080 06092a864886f70d010703 a080 0000 0000`))).toBeUndefined();
		expect(signedDataContent(hex(`3080 ${SIGNED_DATA} a080 3080 ${HEAD} 3080 ${DATA} a080 0410 4142`))).toBeUndefined();
		const deep = Buffer.concat([hex(`3080 ${SIGNED_DATA} a080`), Buffer.alloc(400_000, 0x30).map((byte, i) => (i % 2 ? 0x80 : byte))]);
		expect(signedDataContent(deep)).toBeUndefined();
		expect(signedDataContent(Buffer.from('not cms'))).toBeUndefined();
	});
});
