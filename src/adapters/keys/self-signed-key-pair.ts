import { randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface PemKeyPair {
  readonly privateKeyPem: string;
  readonly certificatePem: string;
}

const CERTIFICATE_YEARS = 10;

/**
 * An RSA-2048 key and a self-signed certificate for it. Registry 2.8 ignores the certificate's dates when
 * it finds the key by `kid`; they only matter on the `x5c` path, so the certificate is long-lived.
 */
export async function generateSelfSignedKeyPair(commonName: string, now: Date): Promise<PemKeyPair> {
  const keys = await new Promise<forge.pki.rsa.KeyPair>((resolve, reject) => {
    forge.pki.rsa.generateKeyPair({ bits: 2048, workers: -1 }, (error, pair) => (error ? reject(error) : resolve(pair)));
  });
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = keys.publicKey;
  // A positive serial: the leading 0x01 keeps the top bit clear.
  certificate.serialNumber = `01${randomBytes(15).toString('hex')}`;
  certificate.validity.notBefore = new Date(now.getTime() - 60_000);
  certificate.validity.notAfter = new Date(now.getTime());
  certificate.validity.notAfter.setUTCFullYear(now.getUTCFullYear() + CERTIFICATE_YEARS);
  const subject = [{ name: 'commonName', value: commonName }];
  certificate.setSubject(subject);
  certificate.setIssuer(subject);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', critical: true, digitalSignature: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  certificate.sign(keys.privateKey, forge.md.sha256.create());
  const privateKeyInfo = forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keys.privateKey));
  return {
    privateKeyPem: forge.pki.privateKeyInfoToPem(privateKeyInfo),
    certificatePem: forge.pki.certificateToPem(certificate),
  };
}
