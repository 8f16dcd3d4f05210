/**
 * A self-signed certificate for the sandbox's HTTPS side, made in-process (no openssl):
 * the key pair by node:crypto, the X.509 certificate by node-forge. SAN: localhost, 127.0.0.1, ::1.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface TlsMaterial {
	key: string;
	cert: string;
	/** the certificate again, as the CA a client must trust */
	ca: string;
}

let cached: TlsMaterial | undefined;

export function selfSignedCertificate(): TlsMaterial {
	if (cached) return cached;
	const { privateKey, publicKey } = generateKeyPairSync('rsa', {
		modulusLength: 2048,
		privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
		publicKeyEncoding: { type: 'spki', format: 'pem' },
	});
	const cert = forge.pki.createCertificate();
	cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
	cert.serialNumber = '01' + randomBytes(8).toString('hex');
	cert.validity.notBefore = new Date(Date.now() - 24 * 3600 * 1000);
	cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
	const subject = [
		{ name: 'commonName', value: 'localhost' },
		{ name: 'organizationName', value: 'Exchange sandbox' },
	];
	cert.setSubject(subject);
	cert.setIssuer(subject);
	cert.setExtensions([
		{ name: 'basicConstraints', cA: true, critical: true },
		{ name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
		{ name: 'extKeyUsage', serverAuth: true },
		{
			name: 'subjectAltName',
			altNames: [
				{ type: 2, value: 'localhost' },
				{ type: 7, ip: '127.0.0.1' },
				{ type: 7, ip: '::1' },
			],
		},
		{ name: 'subjectKeyIdentifier' },
	]);
	cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
	const pem = forge.pki.certificateToPem(cert);
	cached = { key: privateKey, cert: pem, ca: pem };
	return cached;
}
