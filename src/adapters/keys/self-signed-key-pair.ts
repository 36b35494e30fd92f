import { createHash, generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import type { SigningAlgorithm } from '../../core/registry-jwk.js';

export interface PemKeyPair {
  readonly privateKeyPem: string;
  readonly certificatePem: string;
}

const CERTIFICATE_YEARS = 10;
const generate = promisify(generateKeyPair);
const { asn1 } = forge;

/**
 * A key for `algorithm` (RSA-2048 for RS256, P-256 for ES256) and a self-signed X.509 v3 certificate for it.
 * Node makes the key and signs; node-forge's ASN.1 encoder writes the certificate (node-forge cannot sign
 * with EC keys, node cannot write certificates). Registry 2.8 ignores the certificate's dates when it
 * finds the key by `kid`; they matter on the `x5c` path, so the certificate is valid from a minute
 * before `now` (clock skew) for ten years.
 */
export async function generateSelfSignedKeyPair(
  commonName: string,
  now: Date,
  algorithm: SigningAlgorithm = 'RS256',
): Promise<PemKeyPair> {
  const { privateKey, publicKey } =
    algorithm === 'ES256' ? await generate('ec', { namedCurve: 'P-256' }) : await generate('rsa', { modulusLength: 2048 });
  const notAfter = new Date(now.getTime());
  notAfter.setUTCFullYear(now.getUTCFullYear() + CERTIFICATE_YEARS);
  const certificateDer = selfSignedCertificateDer({
    commonName,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter,
    publicKey,
    privateKey,
    algorithm,
  });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    certificatePem: pem('CERTIFICATE', certificateDer),
  };
}

interface CertificateRequest {
  readonly commonName: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
  readonly algorithm: SigningAlgorithm;
}

const OID = {
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
};

function selfSignedCertificateDer(request: CertificateRequest): Buffer {
  const spkiDer = request.publicKey.export({ type: 'spki', format: 'der' });
  // Keep the BIT STRING as bytes: the key is copied into the certificate exactly as node wrote it.
  const spki = (asn1.fromDer as unknown as (bytes: string, options: { decodeBitStrings: boolean }) => forge.asn1.Asn1)(
    spkiDer.toString('binary'),
    { decodeBitStrings: false },
  );
  const subjectPublicKey = ((spki.value as forge.asn1.Asn1[])[1] as forge.asn1.Asn1).value as string;
  // RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits (without the unused-bits byte).
  const keyIdentifier = createHash('sha1').update(Buffer.from(subjectPublicKey.slice(1), 'binary')).digest('binary');
  const signatureAlgorithm = algorithmIdentifier(request.algorithm);
  const name = seq([
    set([seq([oid(OID.commonName), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTF8, false, forge.util.encodeUtf8(request.commonName))])]),
  ]);
  const tbs = seq([
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [integer('\x02')]),
    // A positive serial: the leading 0x01 keeps the top bit clear.
    integer(`\x01${randomBytes(15).toString('binary')}`),
    signatureAlgorithm,
    name,
    seq([time(request.notBefore), time(request.notAfter)]),
    name,
    spki,
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 3, true, [
      seq([
        // cA defaults to FALSE, and DER leaves defaults out: an empty SEQUENCE.
        extension(OID.basicConstraints, false, seq([])),
        extension(OID.keyUsage, true, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\x07\x80')),
        extension(OID.subjectKeyIdentifier, false, octets(keyIdentifier)),
      ]),
    ]),
  ]);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  // RSA: PKCS #1 v1.5; EC: the DER ECDSA-Sig-Value X.509 wants (node's default encoding).
  const signature = sign('sha256', tbsDer, request.privateKey);
  const certificate = seq([
    tbs,
    signatureAlgorithm,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\x00${signature.toString('binary')}`),
  ]);
  return Buffer.from(asn1.toDer(certificate).getBytes(), 'binary');
}

function algorithmIdentifier(algorithm: SigningAlgorithm): forge.asn1.Asn1 {
  return algorithm === 'ES256'
    ? seq([oid(OID.ecdsaWithSHA256)])
    : seq([oid(OID.sha256WithRSAEncryption), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]);
}

function extension(id: string, critical: boolean, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  const members = [oid(id)];
  if (critical) members.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, '\xff'));
  members.push(octets(asn1.toDer(value).getBytes()));
  return seq(members);
}

/** RFC 5280: UTCTime through 2049, GeneralizedTime from 2050. */
function time(date: Date): forge.asn1.Asn1 {
  return date.getUTCFullYear() < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

const seq = (value: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, value);
const set = (value: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, value);
const oid = (id: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
const integer = (bytes: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, bytes);
const octets = (bytes: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
