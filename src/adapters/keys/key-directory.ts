import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { scheduleKeys } from '../../core/key-schedule.js';
import { libtrustKeyId } from '../../core/libtrust-key-id.js';
import { registryJwk, registryJwks, signingAlgorithmOf, type SigningAlgorithm } from '../../core/registry-jwk.js';
import { generateSelfSignedKeyPair } from './self-signed-key-pair.js';
import { SigningKeyError, type SigningKey } from './signing-key.js';

const KEY_FILE = /^signing-key-(\d{8}T\d{9}Z)\.pem$/;
const CERTIFICATE_FILE = /^signing-cert-(\d{8}T\d{9}Z)\.pem$/;
const CERTIFICATE_COMMON_NAME = 'regauth token signing key';
export const REGISTRY_BUNDLE_FILE = 'registry-rootcertbundle.pem';
export const REGISTRY_JWKS_FILE = 'registry-jwks.json';
/** Others may read the certificates and the bundle in it (a registry may); only the owner may add a key. */
const KEYS_FOLDER_MODE = 0o755;

/**
 * The stamp in a key's file names: the UTC time, to the millisecond, at which it starts signing
 * (`20260105T143000123Z`). For a key made by `keys generate` that is the time it was made.
 */
export function keyStamp(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, '');
}

function dateOfStamp(stamp: string): Date {
  const [, y, mo, d, h, mi, s, ms] = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(stamp) ?? [];
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
}

/** The stamps of the key files in `dir`, oldest activation first (an empty list for a missing folder). */
export async function listKeyStamps(dir: string): Promise<string[]> {
  return (await listFiles(dir))
    .map((file) => KEY_FILE.exec(file)?.[1])
    .filter((stamp): stamp is string => stamp !== undefined)
    .sort();
}

/**
 * Every key in `dir`, oldest activation first. A key that cannot be used is an error naming its file, and
 * so is a certificate whose private key is gone: quietly signing with an older key, or generating a new
 * one, would hide a lost or half-mounted key until the registry rejects tokens.
 */
export async function listSigningKeys(dir: string): Promise<SigningKey[]> {
  return [...(await readSigningKeysByStamp(dir)).values()];
}

/** The same keys by the stamp in their file names, in the same order. */
export async function readSigningKeysByStamp(dir: string): Promise<Map<string, SigningKey>> {
  await assertNoMissingKeyFiles(dir);
  const keys = new Map<string, SigningKey>();
  for (const stamp of await listKeyStamps(dir)) keys.set(stamp, await readKeyPair(dir, stamp));
  return keys;
}

/** Refuses a folder holding a key's certificate without the key itself. */
async function assertNoMissingKeyFiles(dir: string): Promise<void> {
  const files = await listFiles(dir);
  const present = new Set(files);
  for (const file of files.sort()) {
    const stamp = CERTIFICATE_FILE.exec(file)?.[1];
    if (stamp === undefined || present.has(keyFileName(stamp))) continue;
    throw new SigningKeyError(
      `the private key ${join(dir, keyFileName(stamp))} is missing, but its certificate ${join(dir, file)} is there; ` +
        'restore the key file (from the Secret or backup it came from), or delete the certificate if that key was retired on purpose',
    );
  }
}

/** The key that signs at `now` (see scheduleKeys), or null when the folder has no live key. */
export async function loadSigningKey(dir: string, now: Date = new Date()): Promise<SigningKey | null> {
  return scheduleKeys(await listSigningKeys(dir), now).signing;
}

export interface NewKeyOptions {
  /** When it starts signing; `now` when absent. */
  readonly activatesAt?: Date;
  readonly algorithm?: SigningAlgorithm;
}

/**
 * Writes a new key and its certificate into `dir`, named by its activation time; the private key is
 * readable by its owner only. It never replaces a key: the registry may still trust the old one.
 */
export async function generateSigningKey(dir: string, now: Date, options: NewKeyOptions = {}): Promise<SigningKey> {
  await mkdir(dir, { recursive: true, mode: KEYS_FOLDER_MODE });
  const stamp = keyStamp(options.activatesAt ?? now);
  const existing = (await listFiles(dir)).filter((file) => file === keyFileName(stamp) || file === certificateFileName(stamp));
  if (existing.length > 0) {
    throw new SigningKeyError(`a key stamped ${stamp} already exists in ${dir}; try again in a moment`);
  }
  const pair = await generateSelfSignedKeyPair(CERTIFICATE_COMMON_NAME, now, options.algorithm ?? 'RS256');
  await writeAtomically(join(dir, certificateFileName(stamp)), pair.certificatePem, 0o644);
  await writeAtomically(join(dir, keyFileName(stamp)), pair.privateKeyPem, 0o600);
  return readKeyPair(dir, stamp);
}

/**
 * The key that signs now, generating one first when the folder has no live key. When it cannot write
 * one (a read-only Secret mount), the error says so: the service cannot run without a key.
 */
export async function ensureSigningKey(
  dir: string,
  now: Date,
  algorithm: SigningAlgorithm = 'RS256',
): Promise<{ key: SigningKey; generated: boolean }> {
  const existing = await loadSigningKey(dir, now);
  if (existing !== null) return { key: existing, generated: false };
  try {
    return { key: await generateSigningKey(dir, now, { algorithm }), generated: true };
  } catch (error) {
    if (error instanceof SigningKeyError) throw error;
    throw new SigningKeyError(
      `no usable signing key in ${dir}, and cannot write one there (${(error as Error).message}); ` +
        'run `regauth keys generate` where the folder is writable, or mount a folder that holds a key',
      { cause: error },
    );
  }
}

/** Deletes a key's two files. */
export async function removeSigningKey(key: SigningKey): Promise<void> {
  await rm(key.keyFile, { force: true });
  await rm(key.certificateFile, { force: true });
}

export type WriteOutcome = 'written' | 'unchanged';

/**
 * Writes the bundle the registry's `rootcertbundle` names: the certificate of every live key in `dir`
 * (oldest activation first), so a registry given it trusts tokens of retired keys until they expire and
 * the next key before it signs. A file that already holds exactly this is left alone (it may be read-only).
 */
export async function writeRegistryBundle(dir: string, path: string, now: Date = new Date()): Promise<WriteOutcome> {
  const live = liveKeys(await listSigningKeys(dir), now);
  return writeIfChanged(path, live.map((key) => key.certificatePem.trimEnd() + '\n').join(''), 0o644);
}

/**
 * Writes the JWKS file registry 3 reads (`auth.token.jwks`): every live public key under its libtrust kid,
 * the kid regauth puts in token headers and registry 2.8 also looks up. Left alone when unchanged.
 */
export async function writeRegistryJwks(dir: string, path: string, now: Date = new Date()): Promise<WriteOutcome> {
  const live = liveKeys(await listSigningKeys(dir), now);
  return writeIfChanged(path, `${JSON.stringify(registryJwks(live.map((key) => key.jwk)), null, 2)}\n`, 0o644);
}

function liveKeys(keys: readonly SigningKey[], now: Date): SigningKey[] {
  return keys.filter((key) => key.notAfter.getTime() > now.getTime());
}

/** Reads the key pair stamped `stamp` in `dir`; an error naming the file when it cannot be used. */
export async function readKeyPair(dir: string, stamp: string): Promise<SigningKey> {
  const keyFile = join(dir, keyFileName(stamp));
  const certificateFile = join(dir, certificateFileName(stamp));
  const privateKey = await parse(keyFile, (pem) => createPrivateKey(pem), 'a PEM private key');
  const certificatePem = await readFile(certificateFile, 'utf8').catch((error: unknown) => {
    throw new SigningKeyError(`cannot read the certificate ${certificateFile} that belongs to ${keyFile}`, { cause: error });
  });
  const certificate = await parse(certificateFile, (pem) => new X509Certificate(pem), 'a PEM certificate');
  const publicJwk = certificate.publicKey.export({ format: 'jwk' });
  const algorithm = signingAlgorithmOf(publicJwk);
  if (algorithm === null || (privateKey.asymmetricKeyType !== 'rsa' && privateKey.asymmetricKeyType !== 'ec')) {
    throw new SigningKeyError(`${keyFile} is neither an RSA nor a P-256 key`);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new SigningKeyError(`${certificateFile} does not certify the key in ${keyFile}`);
  }
  const keyId = libtrustKeyId(certificate.publicKey.export({ type: 'spki', format: 'der' }));
  return {
    privateKey,
    certificatePem,
    certificateBase64Der: certificate.raw.toString('base64'),
    keyId,
    thumbprint: await calculateJwkThumbprint(publicJwk as JWK, 'sha256'),
    algorithm,
    activatesAt: dateOfStamp(stamp),
    notBefore: new Date(certificate.validFrom),
    notAfter: new Date(certificate.validTo),
    jwk: registryJwk(publicJwk, keyId),
    keyFile,
    certificateFile,
  };
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

async function writeIfChanged(path: string, content: string, mode: number): Promise<WriteOutcome> {
  const current = await readFile(path, 'utf8').catch(() => null);
  if (current === content) return 'unchanged';
  await mkdir(dirname(path), { recursive: true, mode: KEYS_FOLDER_MODE });
  await writeAtomically(path, content, mode);
  return 'written';
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

export interface RegistryFileResult {
  readonly path: string;
  /** `read-only`: the file differs but cannot be written (EROFS, EACCES, EPERM), and that was tolerated. */
  readonly outcome: WriteOutcome | 'read-only';
  readonly error?: string;
}

/**
 * Brings the bundle and the JWKS file up to date with the live keys in `dir`. With `tolerateReadOnly`
 * (the server on a read-only Secret mount, where whoever rotates keeps them current), a file that cannot
 * be written is reported instead of thrown.
 */
export async function writeRegistryFiles(
  dir: string,
  paths: { readonly bundlePath: string; readonly jwksPath: string },
  now: Date,
  options: { readonly tolerateReadOnly: boolean },
): Promise<RegistryFileResult[]> {
  const results: RegistryFileResult[] = [];
  for (const [path, write] of [
    [paths.bundlePath, writeRegistryBundle],
    [paths.jwksPath, writeRegistryJwks],
  ] as const) {
    try {
      results.push({ path, outcome: await write(dir, path, now) });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (!options.tolerateReadOnly || (code !== 'EROFS' && code !== 'EACCES' && code !== 'EPERM')) throw error;
      results.push({ path, outcome: 'read-only', error: (error as Error).message });
    }
  }
  return results;
}
