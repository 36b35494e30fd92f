import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { loadConfig } from '../../../src/adapters/config/load-config.js';
import { JoseRegistryTokenSigner } from '../../../src/adapters/keys/jose-token-signer.js';
import { generateSigningKey, keyStamp, listSigningKeys, writeRegistryJwks } from '../../../src/adapters/keys/key-directory.js';
import { KeyRing } from '../../../src/adapters/keys/key-ring.js';
import { SigningKeyError } from '../../../src/adapters/keys/signing-key.js';
import { createRegauthApp } from '../../../src/composition-root.js';
import { libtrustKeyId } from '../../../src/core/libtrust-key-id.js';
import { buildRegistryClaims } from '../../../src/core/registry-claims.js';
import { inMemoryStores } from '../../support/fake-ports.js';
import { missingDependency } from '../../support/missing-dependency.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { ManualClock } from '../../support/regauth-app.js';

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const MINUTE = 60_000;
const claims = (at: Date) =>
  buildRegistryClaims({ issuer: 'regauth', service: 'registry', access: [], issuedAt: at, lifetimeSeconds: 300, jwtId: 'j' });

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'regauth-ring-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ES256 keys', () => {
  test('a P-256 key with a self-signed certificate; tokens are ES256 with the libtrust kid', async () => {
    const key = await generateSigningKey(join(root, 'es256'), NOW, { algorithm: 'ES256' });
    const certificate = new X509Certificate(key.certificatePem);

    expect(key.algorithm).toBe('ES256');
    expect(key.privateKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(key.keyId).toBe(libtrustKeyId(certificate.publicKey.export({ type: 'spki', format: 'der' })));
    expect(key.thumbprint).toBe(await calculateJwkThumbprint(certificate.publicKey.export({ format: 'jwk' }) as JWK, 'sha256'));

    const token = await new JoseRegistryTokenSigner(key).sign(claims(NOW));
    const verified = await jwtVerify(token, certificate.publicKey, { algorithms: ['ES256'] });
    expect(verified.protectedHeader).toEqual({ alg: 'ES256', typ: 'JWT', kid: key.keyId });
  });

  test('x5c mode adds the signing certificate, base64 DER, to the header next to the kid', async () => {
    const key = (await listSigningKeys(join(root, 'es256')))[0]!;
    const header = decodeProtectedHeader(await new JoseRegistryTokenSigner(key, 'x5c').sign(claims(NOW)));
    expect(header).toEqual({ alg: 'ES256', typ: 'JWT', kid: key.keyId, x5c: [new X509Certificate(key.certificatePem).raw.toString('base64')] });
  });

  test('the JWKS file lists RSA and P-256 keys, oldest first, under their libtrust kids', async () => {
    const dir = join(root, 'mixed');
    const rsa = await generateSigningKey(dir, NOW, { algorithm: 'RS256' });
    const ec = await generateSigningKey(dir, NOW, { activatesAt: new Date(NOW.getTime() + MINUTE), algorithm: 'ES256' });
    await writeRegistryJwks(dir, join(dir, 'jwks.json'), NOW);
    const jwks = JSON.parse(await readFile(join(dir, 'jwks.json'), 'utf8')) as { keys: { kid: string; alg: string }[] };
    expect(jwks.keys.map(({ kid, alg }) => [kid, alg])).toEqual([
      [rsa.keyId, 'RS256'],
      [ec.keyId, 'ES256'],
    ]);
  });
});

describe('KeyRing', () => {
  let dir: string;
  let clock: ManualClock;
  let logger: RecordingLogger;
  let ring: KeyRing;
  let first: Awaited<ReturnType<typeof generateSigningKey>>;

  beforeAll(async () => {
    dir = join(root, 'ring');
    clock = new ManualClock(NOW);
    logger = new RecordingLogger();
    first = await generateSigningKey(dir, NOW);
    ring = await KeyRing.open(dir, clock, logger);
  });
  afterAll(() => ring.stop());

  test('signs with the only key', () => {
    expect(ring.signingKey().keyId).toBe(first.keyId);
  });

  test('a refresh with no new key file reads nothing but the folder listing', async () => {
    // Replace the key file by a directory: reading it would fail, so a quiet `false` shows it was not read.
    await rm(first.keyFile);
    await mkdir(first.keyFile);
    try {
      expect(await ring.refresh()).toBe(false);
      expect(logger.records.filter((record) => record.level === 'warn')).toEqual([]);
    } finally {
      await rm(first.keyFile, { recursive: true });
      await writeFile(first.keyFile, first.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
    }
  });

  test('a staged key is picked up on refresh and signs from its activation time on, by the clock', async () => {
    const staged = await generateSigningKey(dir, clock.now(), { activatesAt: new Date(clock.now().getTime() + 10 * MINUTE) });
    expect(ring.all().map((key) => key.keyId)).toEqual([first.keyId]);

    expect(await ring.refresh()).toBe(true);
    expect(ring.all().map((key) => key.keyId)).toEqual([first.keyId, staged.keyId]);
    expect(ring.signingKey().keyId).toBe(first.keyId);

    clock.advance(10 * MINUTE - 1);
    expect(ring.signingKey().keyId).toBe(first.keyId);
    clock.advance(1);
    expect(ring.signingKey().keyId).toBe(staged.keyId);
    expect(logger.records).toContainEqual(expect.objectContaining({ level: 'info', message: 'signing key activated', fields: expect.objectContaining({ keyId: staged.keyId }) }));
  });

  test('a new key file it cannot use is a warning; the ring keeps its keys and takes the file once it is whole', async () => {
    const stamp = keyStamp(new Date(clock.now().getTime() + MINUTE));
    const keyFile = join(dir, `signing-key-${stamp}.pem`);
    await writeFile(keyFile, 'half a key', { mode: 0o600 });
    const signing = ring.signingKey().keyId;

    expect(await ring.refresh()).toBe(false);
    expect(logger.records.at(-1)).toMatchObject({ level: 'warn', message: 'a new key file cannot be used yet; keeping the keys already loaded' });
    expect(ring.signingKey().keyId).toBe(signing);

    await rm(keyFile);
    const whole = await generateSigningKey(dir, clock.now(), { activatesAt: new Date(clock.now().getTime() + MINUTE) });
    expect(await ring.refresh()).toBe(true);
    expect(ring.all().map((key) => key.keyId)).toContain(whole.keyId);
  });

  test('SIGHUP re-reads the folder, and removed key files are dropped', async () => {
    ring.start(0);
    const removed = ring.all()[0]!;
    await rm(removed.keyFile);
    await rm(removed.certificateFile);
    process.emit('SIGHUP', 'SIGHUP');
    // The signal started a refresh; refresh() joins the one in flight.
    await ring.refresh();
    expect(ring.all().map((key) => key.keyId)).not.toContain(removed.keyId);
  });

  test('a folder that lost every key keeps the keys held, with a warning', async () => {
    const emptied = join(root, 'emptied');
    await generateSigningKey(emptied, NOW);
    const lonely = await KeyRing.open(emptied, clock, logger);
    await rm(emptied, { recursive: true });

    expect(await lonely.refresh()).toBe(false);
    expect(lonely.all()).toHaveLength(1);
    expect(logger.records.at(-1)).toMatchObject({ level: 'warn', message: 'the keys folder has no key any more; signing with the keys already loaded' });
  });
});

/**
 * Makes `dir` read-only the way a Kubernetes Secret mount is: a read-only bind mount (EROFS) as root, a
 * mode of 0555 (EACCES) otherwise. Returns the undo.
 */
async function makeReadOnly(dir: string): Promise<(() => Promise<void>) | null> {
  if (process.getuid?.() !== 0) {
    await chmod(dir, 0o555);
    return () => chmod(dir, 0o755);
  }
  try {
    execFileSync('mount', ['--bind', dir, dir], { stdio: 'ignore' });
    execFileSync('mount', ['-o', 'remount,bind,ro', dir], { stdio: 'ignore' });
    return async () => {
      execFileSync('umount', [dir], { stdio: 'ignore' });
    };
  } catch {
    return null;
  }
}

describe('the server on a read-only keys folder (a Kubernetes Secret mount)', () => {
  const configFor = (dir: string) => loadConfig({ REGAUTH_KEYS_DIR: join(dir, 'keys'), REGAUTH_DATA_DIR: join(dir, 'data') }, dir);
  const start = (dir: string, logger: RecordingLogger) =>
    createRegauthApp(configFor(dir), { logger, stores: inMemoryStores(), clock: new ManualClock(NOW) });

  async function readOnlyFolder(name: string, fill: (keysDir: string) => Promise<void>): Promise<{ dir: string; undo: () => Promise<void> } | null> {
    const dir = join(root, name);
    await mkdir(join(dir, 'keys'), { recursive: true });
    await fill(join(dir, 'keys'));
    const undo = await makeReadOnly(join(dir, 'keys'));
    if (undo === null) return missingDependency('a read-only folder: root may bind-mount one (CAP_SYS_ADMIN)') || null;
    return { dir, undo };
  }

  test('starts without touching a folder whose bundle and JWKS file are already current', async () => {
    const folder = await readOnlyFolder('ro-current', async (keysDir) => {
      // A first start on a writable folder writes the key, the bundle and the JWKS file.
      const app = await start(join(keysDir, '..'), new RecordingLogger());
      await app.close();
    });
    if (folder === null) return;
    try {
      const before = await Promise.all((await readdir(join(folder.dir, 'keys'))).map(async (file) => [file, (await stat(join(folder.dir, 'keys', file))).mtimeMs]));
      const logger = new RecordingLogger();
      const app = await start(folder.dir, logger);
      await app.close();

      expect(logger.records.filter((record) => record.level === 'warn')).toEqual([]);
      const after = await Promise.all((await readdir(join(folder.dir, 'keys'))).map(async (file) => [file, (await stat(join(folder.dir, 'keys', file))).mtimeMs]));
      expect(after).toEqual(before);
    } finally {
      await folder.undo();
    }
  });

  test('starts with a warning when the bundle is stale and cannot be rewritten', async () => {
    const folder = await readOnlyFolder('ro-stale', async (keysDir) => {
      await generateSigningKey(keysDir, NOW);
    });
    if (folder === null) return;
    try {
      const logger = new RecordingLogger();
      const app = await start(folder.dir, logger);
      await app.close();

      const warnings = logger.records.filter((record) => record.level === 'warn');
      expect(warnings.map((record) => [record.message, record.fields.path, record.fields.outcome])).toEqual([
        ['cannot update a registry trust file; it may be stale', join(folder.dir, 'keys', 'registry-rootcertbundle.pem'), 'read-only'],
        ['cannot update a registry trust file; it may be stale', join(folder.dir, 'keys', 'registry-jwks.json'), 'read-only'],
      ]);
    } finally {
      await folder.undo();
    }
  });

  test('refuses to start, saying why, when there is no key and it cannot write one', async () => {
    const folder = await readOnlyFolder('ro-empty', async () => undefined);
    if (folder === null) return;
    try {
      const started = start(folder.dir, new RecordingLogger());
      await expect(started).rejects.toThrow(SigningKeyError);
      await expect(started).rejects.toThrow(
        new RegExp(`^no usable signing key in ${join(folder.dir, 'keys')}, and cannot write one there \\(E(ROFS|ACCES)`),
      );
    } finally {
      await folder.undo();
    }
  });
});
