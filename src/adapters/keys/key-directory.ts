import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { libtrustKeyId } from '../../core/libtrust-key-id.js';
import { generateSelfSignedKeyPair } from './self-signed-key-pair.js';
import { SigningKeyError, type SigningKey } from './signing-key.js';

const KEY_FILE = /^signing-key-(\d{8}T\d{9}Z)\.pem$/;
const CERTIFICATE_FILE = /^signing-cert-\d{8}T\d{9}Z\.pem$/;
const CERTIFICATE_COMMON_NAME = 'regauth token signing key';
export const REGISTRY_BUNDLE_FILE = 'registry-rootcertbundle.pem';

/** Loads the newest signing key in `dir`, or null when there is none. */
export async function loadSigningKey(dir: string): Promise<SigningKey | null> {
  const stamps = (await listFiles(dir))
    .map((file) => KEY_FILE.exec(file)?.[1])
    .filter((stamp): stamp is string => stamp !== undefined)
    .sort();
  const newest = stamps.at(-1);
  return newest === undefined ? null : readKeyPair(dir, newest);
}

/**
 * Writes a new key and its certificate into `dir`, named by the UTC time to the millisecond; the private
 * key is readable by its owner only. It never replaces a key: the registry may still trust the old one.
 */
export async function generateSigningKey(dir: string, now: Date): Promise<SigningKey> {
  await mkdir(dir, { recursive: true });
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  const existing = (await listFiles(dir)).filter((file) => file === keyFileName(stamp) || file === certificateFileName(stamp));
  if (existing.length > 0) {
    throw new SigningKeyError(`a key stamped ${stamp} already exists in ${dir}; try again in a moment`);
  }
  const pair = await generateSelfSignedKeyPair(CERTIFICATE_COMMON_NAME, now);
  await writeAtomically(join(dir, certificateFileName(stamp)), pair.certificatePem, 0o644);
  await writeAtomically(join(dir, keyFileName(stamp)), pair.privateKeyPem, 0o600);
  return readKeyPair(dir, stamp);
}

/** Loads the newest key, generating one first when the folder has none. */
export async function ensureSigningKey(dir: string, now: Date): Promise<{ key: SigningKey; generated: boolean }> {
  const existing = await loadSigningKey(dir);
  if (existing !== null) return { key: existing, generated: false };
  return { key: await generateSigningKey(dir, now), generated: true };
}

/**
 * Writes the bundle the registry's `rootcertbundle` names: every certificate in `dir`, oldest first, so a
 * registry given it trusts tokens of an older key until they expire as well as those of the newest.
 */
export async function writeRegistryBundle(dir: string, path: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const certificates = (await listFiles(dir)).filter((file) => CERTIFICATE_FILE.test(file)).sort();
  const pems = await Promise.all(certificates.map((file) => readFile(join(dir, file), 'utf8')));
  await writeAtomically(path, pems.map((pem) => pem.trimEnd() + '\n').join(''), 0o644);
  return path;
}

async function readKeyPair(dir: string, stamp: string): Promise<SigningKey> {
  const keyFile = join(dir, keyFileName(stamp));
  const certificateFile = join(dir, certificateFileName(stamp));
  const privateKey = await parse(keyFile, (pem) => createPrivateKey(pem), 'a PEM private key');
  const certificatePem = await readFile(certificateFile, 'utf8').catch((error: unknown) => {
    throw new SigningKeyError(`cannot read the certificate ${certificateFile} that belongs to ${keyFile}`, { cause: error });
  });
  const certificate = await parse(certificateFile, (pem) => new X509Certificate(pem), 'a PEM certificate');
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new SigningKeyError(`${keyFile} is not an RSA key`);
  }
  const publicKeyDer = certificate.publicKey.export({ type: 'spki', format: 'der' });
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new SigningKeyError(`${certificateFile} does not certify the key in ${keyFile}`);
  }
  return { privateKey, certificatePem, keyId: libtrustKeyId(publicKeyDer), keyFile, certificateFile };
}

async function parse<T>(file: string, parser: (pem: string) => T, what: string): Promise<T> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (error) {
    throw new SigningKeyError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return parser(pem);
  } catch (error) {
    throw new SigningKeyError(`${file} is not ${what}`, { cause: error });
  }
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new SigningKeyError(`cannot read the keys folder ${dir}: ${(error as Error).message}`, { cause: error });
  }
}

async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode });
  await rename(temporary, path);
}

function keyFileName(stamp: string): string {
  return `signing-key-${stamp}.pem`;
}

function certificateFileName(stamp: string): string {
  return `signing-cert-${stamp}.pem`;
}
