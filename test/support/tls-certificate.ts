import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export interface PemCertificate {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

/**
 * A self-signed certificate for a TLS server on localhost / 127.0.0.1, to be trusted as its own CA;
 * `extraHostNames` are named too, for a test that sends a production host name to loopback.
 */
export function selfSignedServerCertificate(now: Date = new Date(), extraHostNames: readonly string[] = []): PemCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string);
  certificate.serialNumber = '01';
  certificate.validity.notBefore = new Date(now.getTime() - 60_000);
  certificate.validity.notAfter = new Date(now.getTime() + 24 * 3600_000);
  const name = [{ name: 'commonName', value: 'localhost' }];
  certificate.setSubject(name);
  certificate.setIssuer(name);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, ...extraHostNames.map((value) => ({ type: 2, value }))] },
  ]);
  certificate.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(certificate), privateKeyPem };
}
