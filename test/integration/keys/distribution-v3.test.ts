import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadConfig, type RegauthConfig } from '../../../src/adapters/config/load-config.js';
import { JoseRegistryTokenSigner } from '../../../src/adapters/keys/jose-token-signer.js';
import { generateSigningKey } from '../../../src/adapters/keys/key-directory.js';
import { KeyRing } from '../../../src/adapters/keys/key-ring.js';
import { prepareRegistryConfig } from '../../../src/composition-root.js';
import { buildRegistryClaims, type RegistryTokenClaims } from '../../../src/core/registry-claims.js';
import type { SigningAlgorithm } from '../../../src/core/registry-jwk.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { ManualClock } from '../../support/regauth-app.js';
import { goJwkThumbprint, newV3AccessController, TokenRejected, type V3AccessController } from './support/distribution-v3-verifier.js';
import { X509Certificate } from 'node:crypto';

// No registry 3 binary can be had here (Debian 12 ships docker-registry 2.8.2 only), so these tests check
// regauth's tokens with a port of distribution v3's rules: see support/distribution-v3-verifier.ts.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const ISSUER = 'regauth-v3';
const SERVICE = 'registry-v3';
const LIFETIME = 300;

interface V3Config {
  realm: string;
  service: string;
  issuer: string;
  rootcertbundle: string;
  jwks: string;
  signingalgorithms: string[];
}

async function v3Setup(config: RegauthConfig, clock: ManualClock): Promise<{ printed: V3Config; controller: V3AccessController }> {
  const { yaml } = await prepareRegistryConfig(config, clock, 3);
  const printed = (parseYaml(yaml) as { auth: { token: V3Config } }).auth.token;
  const controller = newV3AccessController({
    issuer: printed.issuer,
    service: printed.service,
    rootCertBundle: await readFile(printed.rootcertbundle, 'utf8'),
    jwks: JSON.parse(await readFile(printed.jwks, 'utf8')) as { keys: [] },
    signingAlgorithms: printed.signingalgorithms,
  });
  return { printed, controller };
}

function claimsAt(at: Date, subject = 'deploy-token-1'): RegistryTokenClaims {
  return buildRegistryClaims({
    issuer: ISSUER,
    service: SERVICE,
    subject,
    access: [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }],
    issuedAt: at,
    lifetimeSeconds: LIFETIME,
    jwtId: 'jti-v3',
  });
}

async function rejection(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (error instanceof TokenRejected) return error.reason;
    throw error;
  }
  throw new Error('expected the token to be rejected');
}

describe('registry 3 rules (distribution v3, ported) accept regauth tokens through the JWKS file', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'regauth-v3-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  function configIn(dir: string, algorithm: SigningAlgorithm): RegauthConfig {
    return loadConfig(
      {
        REGAUTH_KEYS_DIR: join(dir, 'keys'),
        REGAUTH_DATA_DIR: join(dir, 'data'),
        REGAUTH_KEYS_ALGORITHM: algorithm,
        REGAUTH_ISSUER: ISSUER,
        REGAUTH_SERVICE: SERVICE,
      },
      dir,
    );
  }

  describe.each<SigningAlgorithm>(['RS256', 'ES256'])('%s keys', (algorithm) => {
    let config: RegauthConfig;
    let clock: ManualClock;
    let ring: KeyRing;
    let printed: V3Config;
    let controller: V3AccessController;

    beforeAll(async () => {
      const dir = join(root, algorithm);
      config = configIn(dir, algorithm);
      clock = new ManualClock(NOW);
      ({ printed, controller } = await v3Setup(config, clock));
      ring = await KeyRing.open(config.keys.dir, clock, new RecordingLogger());
    }, 30_000);

    test('registry-config --registry-version 3 names the bundle, the JWKS file and the two algorithms', () => {
      expect(printed).toEqual({
        realm: config.realm,
        service: SERVICE,
        issuer: ISSUER,
        rootcertbundle: config.registryBundlePath,
        jwks: config.registryJwksPath,
        signingalgorithms: ['RS256', 'ES256'],
      });
    });

    test('the JWKS file lists the key under its libtrust kid, with alg and use', async () => {
      const key = ring.signingKey();
      const jwks = JSON.parse(await readFile(config.registryJwksPath, 'utf8')) as { keys: Record<string, unknown>[] };
      expect(jwks.keys).toEqual([expect.objectContaining({ kid: key.keyId, alg: algorithm, use: 'sig', kty: algorithm === 'ES256' ? 'EC' : 'RSA' })]);
      expect(jwks.keys[0]).not.toHaveProperty('d');
    });

    test('a token naming its key by kid is found in the JWKS file and verifies', async () => {
      const claims = claimsAt(NOW);
      const token = await new JoseRegistryTokenSigner(ring).sign(claims);

      const verified = await controller.verify(token, NOW);
      expect(verified).toEqual({ claims: { ...claims }, foundBy: 'kid' });
    });

    test('with the x5c setting the token is verified against the bundle, certificate dates included', async () => {
      const token = await new JoseRegistryTokenSigner(ring, 'x5c').sign(claimsAt(NOW));
      expect((await controller.verify(token, NOW)).foundBy).toBe('x5c');

      const certificate = new X509Certificate(ring.signingKey().certificatePem);
      const afterCertificate = new Date(new Date(certificate.validTo).getTime() + 1000);
      expect(await rejection(controller.verify(token, afterCertificate))).toBe('x509: certificate has expired or is not yet valid');
    });

    test('without the JWKS file registry 3 knows the bundle key only by thumbprint, not by the libtrust kid', async () => {
      const bundleOnly = newV3AccessController({
        issuer: ISSUER,
        service: SERVICE,
        rootCertBundle: await readFile(config.registryBundlePath, 'utf8'),
      });
      const key = ring.signingKey();
      const token = await new JoseRegistryTokenSigner(ring).sign(claimsAt(NOW));

      expect(await rejection(bundleOnly.verify(token, NOW))).toBe(`token signed by untrusted key with ID: "${key.keyId}"`);
      expect([...bundleOnly.trustedKeys.keys()]).toEqual([goJwkThumbprint(new X509Certificate(key.certificatePem).publicKey)]);
    });

    test('a token of a key regauth does not hold is refused: by its own kid, under a borrowed kid, and by x5c', async () => {
      await generateSigningKey(join(root, `${algorithm}-stranger`), NOW, { algorithm });
      const stranger = await KeyRing.open(join(root, `${algorithm}-stranger`), clock, new RecordingLogger());
      const ownKid = await new JoseRegistryTokenSigner(stranger).sign(claimsAt(NOW));
      expect(await rejection(controller.verify(ownKid, NOW))).toBe(`token signed by untrusted key with ID: "${stranger.signingKey().keyId}"`);

      const borrowed = ring.signingKey().keyId;
      const forged = await new JoseRegistryTokenSigner({ signingKey: () => ({ ...stranger.signingKey(), keyId: borrowed }) }).sign(claimsAt(NOW));
      expect(await rejection(controller.verify(forged, NOW))).toMatch(/^signature: /);

      const x5c = await new JoseRegistryTokenSigner(stranger, 'x5c').sign(claimsAt(NOW));
      expect(await rejection(controller.verify(x5c, NOW))).toBe('x509: certificate signed by unknown authority');
    });

    test('exp and nbf with the 60 s leeway; issuer and audience must match', async () => {
      const token = await new JoseRegistryTokenSigner(ring).sign(claimsAt(NOW));
      const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
      expect((await controller.verify(token, at(LIFETIME + 60))).foundBy).toBe('kid');
      expect(await rejection(controller.verify(token, at(LIFETIME + 61)))).toBe('token not to be used after exp');
      expect(await rejection(controller.verify(token, at(-66)))).toBe('token not to be used before nbf');

      const other = newV3AccessController({ issuer: 'someone-else', service: SERVICE, jwks: JSON.parse(await readFile(config.registryJwksPath, 'utf8')) as { keys: [] } });
      expect(await rejection(other.verify(token, NOW))).toBe('token from untrusted issuer: "regauth-v3"');
      const otherService = newV3AccessController({ issuer: ISSUER, service: 'elsewhere', jwks: JSON.parse(await readFile(config.registryJwksPath, 'utf8')) as { keys: [] } });
      expect(await rejection(otherService.verify(token, NOW))).toBe('token intended for another audience');
    });
  });

  test('the RSA thumbprint `keys list` shows is the kid registry 3 gives a bundle key', async () => {
    const dir = join(root, 'thumbprint');
    const key = await generateSigningKey(join(dir, 'keys'), NOW, { algorithm: 'RS256' });
    expect(goJwkThumbprint(new X509Certificate(key.certificatePem).publicKey)).toBe(key.thumbprint);
  });

  test('rotation: the JWKS file lists the next key before it signs; old and new tokens verify', async () => {
    const dir = join(root, 'rotation');
    const config = configIn(dir, 'RS256');
    const clock = new ManualClock(NOW);
    const logger = new RecordingLogger();
    await v3Setup(config, clock);
    const ring = await KeyRing.open(config.keys.dir, clock, logger);
    const signer = new JoseRegistryTokenSigner(ring);
    const oldKey = ring.signingKey();

    const next = await generateSigningKey(config.keys.dir, NOW, { activatesAt: new Date(NOW.getTime() + 3_600_000), algorithm: 'ES256' });
    const { controller } = await v3Setup(config, clock);
    expect([...controller.trustedKeys.keys()]).toEqual(expect.arrayContaining([oldKey.keyId, next.keyId]));
    expect(await ring.refresh()).toBe(true);

    const before = await signer.sign(claimsAt(clock.now()));
    clock.advance(3_600_000);
    const after = await signer.sign(claimsAt(clock.now()));

    expect(JSON.parse(Buffer.from(before.split('.')[0] as string, 'base64url').toString())).toMatchObject({ kid: oldKey.keyId, alg: 'RS256' });
    expect(JSON.parse(Buffer.from(after.split('.')[0] as string, 'base64url').toString())).toMatchObject({ kid: next.keyId, alg: 'ES256' });
    const stillValid = new Date(clock.now().getTime() - 3_600_000 + (LIFETIME - 10) * 1000);
    expect((await controller.verify(before, stillValid)).foundBy).toBe('kid');
    expect((await controller.verify(after, clock.now())).foundBy).toBe('kid');
  });
});
