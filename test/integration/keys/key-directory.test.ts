import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { JoseRegistryTokenSigner } from '../../../src/adapters/keys/jose-token-signer.js';
import {
  ensureSigningKey,
  generateSigningKey,
  loadSigningKey,
  writeRegistryBundle,
} from '../../../src/adapters/keys/key-directory.js';
import { SigningKeyError, type SigningKey } from '../../../src/adapters/keys/signing-key.js';
import { libtrustKeyId } from '../../../src/core/libtrust-key-id.js';
import type { RegistryTokenClaims } from '../../../src/core/registry-claims.js';

// Whole seconds: certificate validity dates carry no milliseconds.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const DAY_MS = 86_400_000;
const LIBTRUST_KEY_ID = /^[A-Z2-7]{4}(?::[A-Z2-7]{4}){11}$/;

/** The stamp in a key's file names: its generation time in UTC, to the millisecond. */
function stampOf(date: Date): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}${pad(date.getUTCMilliseconds(), 3)}Z`
  );
}

async function signingKeyErrorOf(work: Promise<unknown>): Promise<SigningKeyError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof SigningKeyError) return error;
    throw error;
  }
  throw new Error('expected a SigningKeyError, but nothing was thrown');
}

const pemBlocks = (text: string) => text.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;

describe('key directory', () => {
  let root: string;
  /** Generated into an empty folder by ensureSigningKey at NOW. */
  let first: SigningKey;
  let firstDir: string;
  /** A folder holding two keys: one at NOW + 1 day, written first, and one at NOW, written second. */
  let rotateDir: string;
  let older: SigningKey;
  let newer: SigningKey;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'regauth-keys-'));
    firstDir = join(root, 'first');
    const ensured = await ensureSigningKey(firstDir, NOW);
    expect(ensured.generated).toBe(true);
    first = ensured.key;

    rotateDir = join(root, 'rotate');
    newer = await generateSigningKey(rotateDir, new Date(NOW.getTime() + DAY_MS));
    older = await generateSigningKey(rotateDir, NOW);
  }, 30_000);

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describe('ensureSigningKey', () => {
    test('generates a key and its certificate in an empty folder, named by the generation time', async () => {
      const stamp = stampOf(NOW);
      expect((await readdir(firstDir)).sort()).toEqual([`signing-cert-${stamp}.pem`, `signing-key-${stamp}.pem`]);
      expect(first.keyFile).toBe(join(firstDir, `signing-key-${stamp}.pem`));
      expect(first.certificateFile).toBe(join(firstDir, `signing-cert-${stamp}.pem`));
      expect(first.certificatePem).toBe(await readFile(first.certificateFile, 'utf8'));
      expect(first.privateKey.asymmetricKeyType).toBe('rsa');
      expect(first.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    });

    test('writes the private key readable by its owner only', async () => {
      expect((await stat(first.keyFile)).mode & 0o777).toBe(0o600);
    });

    test('loads the existing key afterwards instead of generating another', async () => {
      const again = await ensureSigningKey(firstDir, new Date(NOW.getTime() + DAY_MS));

      expect(again.generated).toBe(false);
      expect(again.key.keyId).toBe(first.keyId);
      expect(again.key.keyFile).toBe(first.keyFile);
      expect(await readdir(firstDir)).toHaveLength(2);
    });
  });

  describe('the generated key', () => {
    test('its id is the libtrust key id of the certificate public key', () => {
      const der = new X509Certificate(first.certificatePem).publicKey.export({ type: 'spki', format: 'der' });

      expect(first.keyId).toBe(libtrustKeyId(der));
      expect(first.keyId).toMatch(LIBTRUST_KEY_ID);
    });

    test('signs RS256 JWTs that verify with the certificate public key, carrying the key id', async () => {
      const issuedAt = Math.floor(Date.now() / 1000);
      const claims: RegistryTokenClaims = {
        iss: 'regauth',
        sub: 'deploy-token-1',
        aud: 'registry',
        iat: issuedAt,
        nbf: issuedAt - 5,
        exp: issuedAt + 300,
        jti: 'jti-1',
        access: [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }],
      };
      const token = await new JoseRegistryTokenSigner(first).sign(claims);

      const verified = await jwtVerify(token, new X509Certificate(first.certificatePem).publicKey, {
        issuer: 'regauth',
        audience: 'registry',
        algorithms: ['RS256'],
      });
      expect(verified.protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', kid: first.keyId });
      expect(verified.payload).toEqual(claims);
    });

    test('the certificate is self-signed and valid from a minute before generation for ten years', () => {
      const certificate = new X509Certificate(first.certificatePem);
      const tenYearsLater = new Date(NOW);
      tenYearsLater.setUTCFullYear(NOW.getUTCFullYear() + 10);

      expect(certificate.subject).toBe('CN=regauth token signing key');
      expect(certificate.issuer).toBe(certificate.subject);
      expect(certificate.ca).toBe(false);
      expect(certificate.verify(certificate.publicKey)).toBe(true);
      expect(certificate.checkPrivateKey(first.privateKey)).toBe(true);
      expect(new Date(certificate.validFrom)).toEqual(new Date(NOW.getTime() - 60_000));
      expect(new Date(certificate.validTo)).toEqual(tenYearsLater);
      expect(new Date(certificate.validFrom).getTime()).toBeLessThanOrEqual(Date.now());
      expect(new Date(certificate.validTo).getTime()).toBeGreaterThan(Date.now() + 9 * 365 * DAY_MS);
    });
  });

  describe('loadSigningKey', () => {
    test('is null for a folder that does not exist', async () => {
      expect(await loadSigningKey(join(root, 'nowhere'))).toBeNull();
    });

    test('is null for a folder without keys', async () => {
      const empty = join(root, 'empty');
      await mkdir(empty);
      await writeFile(join(empty, 'README'), 'not a key');
      expect(await loadSigningKey(empty)).toBeNull();
    });

    test('picks the newest key whose activation time (its stamp) has come, not the one written last', async () => {
      expect((await loadSigningKey(rotateDir, NOW))?.keyId).toBe(older.keyId);
      const later = await loadSigningKey(rotateDir, new Date(NOW.getTime() + DAY_MS));

      expect(later?.keyId).toBe(newer.keyId);
      expect(later?.keyFile).toBe(join(rotateDir, `signing-key-${stampOf(new Date(NOW.getTime() + DAY_MS))}.pem`));
      expect(newer.keyId).not.toBe(older.keyId);
    });
  });

  describe('writeRegistryBundle', () => {
    test('writes every certificate in the folder, oldest first', async () => {
      const path = join(rotateDir, 'registry-rootcertbundle.pem');

      expect(await writeRegistryBundle(rotateDir, path, NOW)).toBe('written');
      const bundle = await readFile(path, 'utf8');
      expect(pemBlocks(bundle)).toBe(2);
      expect(bundle).toBe(`${older.certificatePem.trimEnd()}\n${newer.certificatePem.trimEnd()}\n`);
    });

    test('leaves a bundle that already holds the right certificates alone (a read-only mount stays untouched)', async () => {
      const path = join(rotateDir, 'registry-rootcertbundle.pem');
      await writeRegistryBundle(rotateDir, path, NOW);
      const before = await stat(path);

      expect(await writeRegistryBundle(rotateDir, path, NOW)).toBe('unchanged');
      expect((await stat(path)).mtimeMs).toBe(before.mtimeMs);
      expect((await stat(path)).ino).toBe(before.ino);
    });

    test('leaves out the certificates of expired keys', async () => {
      const dir = join(root, 'expired');
      const elevenYearsAgo = new Date(NOW.getTime() - 11 * 365 * DAY_MS);
      await generateSigningKey(dir, elevenYearsAgo);
      const live = await generateSigningKey(dir, NOW);
      const path = join(dir, 'bundle.pem');

      await writeRegistryBundle(dir, path, NOW);
      expect(await readFile(path, 'utf8')).toBe(`${live.certificatePem.trimEnd()}\n`);
      expect((await loadSigningKey(dir, NOW))?.keyId).toBe(live.keyId);
    });

    test('writes a bundle the next load ignores', async () => {
      await writeRegistryBundle(firstDir, join(firstDir, 'registry-rootcertbundle.pem'));
      expect((await loadSigningKey(firstDir))?.keyId).toBe(first.keyId);
    });
  });

  describe('a key folder it cannot use is an error naming the file', () => {
    const stamp = '20200101T000000000Z';
    const keyFileIn = (dir: string) => join(dir, `signing-key-${stamp}.pem`);
    const certificateFileIn = (dir: string) => join(dir, `signing-cert-${stamp}.pem`);

    async function folder(name: string, files: { key?: string | null; certificate?: string | null }): Promise<string> {
      const dir = join(root, name);
      await mkdir(dir);
      if (files.key != null) await writeFile(keyFileIn(dir), files.key, { mode: 0o600 });
      if (files.certificate != null) await writeFile(certificateFileIn(dir), files.certificate);
      return dir;
    }

    test('a key whose certificate certifies another key', async () => {
      const dir = await folder('mismatch', {
        key: await readFile(first.keyFile, 'utf8'),
        certificate: newer.certificatePem,
      });
      const error = await signingKeyErrorOf(loadSigningKey(dir));
      expect(error.message).toBe(`${certificateFileIn(dir)} does not certify the key in ${keyFileIn(dir)}`);
    });

    test('a key file that is not a PEM private key', async () => {
      const dir = await folder('corrupt-key', { key: 'not a key\n', certificate: first.certificatePem });
      const error = await signingKeyErrorOf(loadSigningKey(dir));
      expect(error.message).toBe(`${keyFileIn(dir)} is not a PEM private key`);
    });

    test('a certificate file that is not a PEM certificate', async () => {
      const dir = await folder('corrupt-cert', {
        key: await readFile(first.keyFile, 'utf8'),
        certificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      });
      const error = await signingKeyErrorOf(loadSigningKey(dir));
      expect(error.message).toBe(`${certificateFileIn(dir)} is not a PEM certificate`);
    });

    test('a key without its certificate', async () => {
      const dir = await folder('no-cert', { key: await readFile(first.keyFile, 'utf8') });
      const error = await signingKeyErrorOf(loadSigningKey(dir));
      expect(error.message).toBe(`cannot read the certificate ${certificateFileIn(dir)} that belongs to ${keyFileIn(dir)}`);
    });

    // A directory in the key's place cannot be read even by root (CI runs as root, so chmod 000 would not do).
    test('a key file it cannot read', async () => {
      const dir = await folder('unreadable', { certificate: first.certificatePem });
      await mkdir(keyFileIn(dir));
      const error = await signingKeyErrorOf(loadSigningKey(dir));
      expect(error.message).toBe(`cannot read ${keyFileIn(dir)}: EISDIR: illegal operation on a directory, read`);
    });

    test('a certificate whose key file is gone', async () => {
      const dir = await folder('no-key', { certificate: first.certificatePem });
      const error = await signingKeyErrorOf(loadSigningKey(dir));
      expect(error.message).toBe(
        `the private key ${keyFileIn(dir)} is missing, but its certificate ${certificateFileIn(dir)} is there; ` +
          'restore the key file (from the Secret or backup it came from), or delete the certificate if that key was retired on purpose',
      );
    });

    test('ensureSigningKey refuses a certificate without its key rather than generating a new key', async () => {
      const dir = await folder('lost-key', { certificate: first.certificatePem });
      await expect(ensureSigningKey(dir, NOW)).rejects.toThrow(SigningKeyError);
      expect(await readdir(dir)).toEqual([`signing-cert-${stamp}.pem`]);
    });

    test('ensureSigningKey refuses a broken key rather than generating over it', async () => {
      const dir = await folder('broken-newest', { key: 'not a key\n', certificate: first.certificatePem });
      const error = await signingKeyErrorOf(ensureSigningKey(dir, NOW));
      expect(error.message).toBe(`${keyFileIn(dir)} is not a PEM private key`);
      expect((await readdir(dir)).sort()).toEqual([`signing-cert-${stamp}.pem`, `signing-key-${stamp}.pem`]);
    });
  });

  // A replaced key would leave the registry bundle while tokens it signed are still in use.
  test('a key generated with the same stamp as an existing one is refused and the existing key stays', async () => {
    const dir = join(root, 'same-stamp');
    const when = new Date('2026-01-01T00:00:00Z');
    const existing = await generateSigningKey(dir, when);
    const existingKeyPem = await readFile(existing.keyFile, 'utf8');
    await expect(generateSigningKey(dir, when)).rejects.toThrow(
      new SigningKeyError(`a key stamped 20260101T000000000Z already exists in ${dir}; try again in a moment`),
    );

    expect(await readFile(existing.keyFile, 'utf8')).toBe(existingKeyPem);
    const bundle = join(dir, 'bundle.pem');
    await writeRegistryBundle(dir, bundle, when);
    expect(await readFile(bundle, 'utf8')).toContain(existing.certificatePem.trimEnd());
  });
});
