import { ServiceUnavailableError } from '../../../src/app/errors.js';
import { IdentityTokenError } from '../../../src/app/federation/federation-errors.js';
import { JwtIdentityTokenVerifier } from '../../../src/app/federation/jwt-identity-token-verifier.js';
import { CachedKeySets, type KeySetFetchOutcome } from '../../../src/adapters/federation/cached-key-sets.js';
import { KeySetFetcher } from '../../../src/adapters/federation/key-set-fetcher.js';
import { createIdentityTokenVerifier } from '../../../src/adapters/federation/identity-token-verifier-factory.js';
import type { TrustedIssuer } from '../../../src/core/federation/trusted-issuer.js';
import { DISCOVERY_PATH, JWKS_PATH, OidcTestIssuer, type IssuerFault } from '../../support/oidc-test-issuer.js';

const GITHUB = 'https://token.actions.githubusercontent.com';
const AUDIENCE = 'https://registry.example.com';
const START = new Date('2026-12-03T12:00:00Z');
const COOLDOWN_SECONDS = 60;

function trustedIssuer(overrides: Partial<TrustedIssuer> = {}): TrustedIssuer {
  return {
    id: 1,
    name: 'github',
    kind: 'github',
    issuerUrl: GITHUB,
    audience: AUDIENCE,
    keySource: { kind: 'discovery' },
    algorithms: ['RS256'],
    leewaySeconds: 30,
    maxTokenAgeSeconds: null,
    replayMode: 'once',
    multiTenant: true,
    enabled: true,
    createdAt: START,
    updatedAt: null,
    ...overrides,
  };
}

let issuer: OidcTestIssuer;

beforeAll(async () => {
  issuer = await OidcTestIssuer.start({ issuer: GITHUB });
});

afterAll(() => issuer.close());

beforeEach(() => issuer.fault('none'));

/** The production verifier stack (verifier, cached key sets, fetcher) with its clock in the test's hands. */
function stack(issuers: TrustedIssuer[] = [trustedIssuer()], options: { allowInsecureLoopbackIssuers?: boolean; server?: OidcTestIssuer; timeoutMs?: number } = {}) {
  let now = START.getTime();
  const clock = { now: () => new Date(now) };
  const outcomes: [string, KeySetFetchOutcome][] = [];
  const server = options.server ?? issuer;
  const fetcher = new KeySetFetcher({
    allowInsecureLoopbackIssuers: options.allowInsecureLoopbackIssuers ?? false,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(server.certificatePem === null ? {} : { httpsAgent: server.httpsAgent() }),
  });
  const keySets = new CachedKeySets({
    fetcher,
    clock,
    refreshCooldownSeconds: COOLDOWN_SECONDS,
    observer: { keySetFetched: (issuerName, outcome) => outcomes.push([issuerName, outcome]) },
  });
  const verifier = new JwtIdentityTokenVerifier({
    issuers: { findByIssuerUrl: async (url) => issuers.find((candidate) => candidate.issuerUrl === url) ?? null },
    keySets,
    clock,
  });
  return { verifier, outcomes, advanceSeconds: (seconds: number) => (now += seconds * 1000) };
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = START.getTime() / 1000;
  return { iss: GITHUB, aud: AUDIENCE, sub: 'repo:octo-org/app:ref:refs/heads/main', jti: 'jti-1', iat, exp: iat + 3600, ...overrides };
}

function jwksRequests(): number {
  return issuer.requestsTo(JWKS_PATH);
}

describe('JwtIdentityTokenVerifier over CachedKeySets and KeySetFetcher', () => {
  it('verifies a token under the production GitHub issuer name, fetching discovery and the JWKS once', async () => {
    const { verifier, outcomes } = stack();
    const discoveryBefore = issuer.requestsTo(DISCOVERY_PATH);
    const jwksBefore = jwksRequests();

    await expect(verifier.verify(await issuer.mint(claims()))).resolves.toMatchObject({ jwtId: 'jti-1' });
    await expect(verifier.verify(await issuer.mint(claims({ jti: 'jti-2' })))).resolves.toMatchObject({ jwtId: 'jti-2' });

    expect(issuer.requestsTo(DISCOVERY_PATH) - discoveryBefore).toBe(1);
    expect(jwksRequests() - jwksBefore).toBe(1);
    expect(outcomes).toEqual([['github', 'success']]);
  });

  it('costs at most one fetch per cooldown for a storm of 100 unknown kids, sent at once and one by one', async () => {
    const { verifier, advanceSeconds } = stack();
    await verifier.verify(await issuer.mint(claims()));
    const before = jwksRequests();
    const storm = await Promise.all(Array.from({ length: 100 }, (_, index) => issuer.mint(claims(), { kid: `storm-${index}` })));

    const refusals = await Promise.all(storm.map((token) => verifier.verify(token).catch((error: unknown) => error)));
    for (const token of storm) await verifier.verify(token).catch(() => undefined);

    expect(refusals.every((error) => error instanceof IdentityTokenError && error.code === 'invalid_identity_token')).toBe(true);
    expect(jwksRequests() - before).toBe(0);

    advanceSeconds(COOLDOWN_SECONDS);
    await Promise.all(storm.map((token) => verifier.verify(token).catch(() => undefined)));
    for (const token of storm) await verifier.verify(token).catch(() => undefined);
    expect(jwksRequests() - before).toBe(1);
  });

  it('causes no request at all to any issuer for a token whose iss is not configured', async () => {
    const { verifier } = stack();
    const before = issuer.requests;

    for (const iss of [`${GITHUB}/`, `${GITHUB}.evil.com`, 'https://evil.example.com']) {
      await expect(verifier.verify(await issuer.mint(claims({ iss })))).rejects.toMatchObject({ code: 'untrusted_issuer' });
    }

    expect(issuer.requests).toBe(before);
  });

  it('finds a rotated key after the cooldown and goes on with the cached set while the issuer is down', async () => {
    const { verifier, advanceSeconds, outcomes } = stack();
    const beforeRotation = await issuer.mint(claims());
    await verifier.verify(beforeRotation);

    await issuer.rotate({ keepPrevious: true });
    advanceSeconds(COOLDOWN_SECONDS);
    await expect(verifier.verify(await issuer.mint(claims({ jti: 'rotated' })))).resolves.toMatchObject({ jwtId: 'rotated' });

    issuer.fault('server-error');
    advanceSeconds(COOLDOWN_SECONDS);
    await expect(verifier.verify(beforeRotation)).resolves.toMatchObject({ jwtId: 'jti-1' });
    await expect(verifier.verify(await issuer.mint(claims(), { kid: 'not-yet-published' }))).rejects.toMatchObject({ code: 'invalid_identity_token' });
    expect(outcomes.map(([, outcome]) => outcome)).toEqual(['success', 'success', 'failure']);
  });

  it.each<[IssuerFault, 'discovery' | 'jwks']>([
    ['server-error', 'jwks'],
    ['redirect', 'discovery'],
    ['redirect', 'jwks'],
    ['oversized', 'discovery'],
    ['oversized', 'jwks'],
  ])('answers ServiceUnavailableError when no key set was ever had and the issuer answers %s on %s', async (fault, target) => {
    const { verifier, outcomes } = stack();
    issuer.fault(fault, target);
    const movedBefore = issuer.requestsTo(`/moved${target === 'jwks' ? JWKS_PATH : DISCOVERY_PATH}`);

    await expect(verifier.verify(await issuer.mint(claims()))).rejects.toBeInstanceOf(ServiceUnavailableError);

    expect(issuer.requestsTo(`/moved${target === 'jwks' ? JWKS_PATH : DISCOVERY_PATH}`)).toBe(movedBefore);
    expect(outcomes).toEqual([['github', 'failure']]);
  });

  it('answers ServiceUnavailableError when the issuer sends headers and then nothing', async () => {
    const { verifier } = stack([trustedIssuer()], { timeoutMs: 200 });
    issuer.fault('slow', 'jwks');

    await expect(verifier.verify(await issuer.mint(claims()))).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it.each<[IssuerFault, string]>([
    ['empty-set', 'an empty set'],
    ['kid-less-key', 'only a key without a kid'],
  ])('refuses the token, not the service, when the issuer publishes %s', async (fault) => {
    const { verifier } = stack();
    issuer.fault(fault);
    await expect(verifier.verify(await issuer.mint(claims()))).rejects.toMatchObject({ code: 'invalid_identity_token', detail: { check: 'kid' } });
  });

  it('refuses a plain-http issuer on loopback unless insecure loopback issuers are allowed', async () => {
    const plain = await OidcTestIssuer.start({ protocol: 'http' });
    try {
      const plainIssuer = trustedIssuer({ issuerUrl: plain.issuer });
      const token = await plain.mint(claims({ iss: plain.issuer }));

      await expect(stack([plainIssuer], { server: plain }).verifier.verify(token)).rejects.toBeInstanceOf(ServiceUnavailableError);
      expect(plain.requests).toBe(0);

      await expect(stack([plainIssuer], { server: plain, allowInsecureLoopbackIssuers: true }).verifier.verify(token)).resolves.toMatchObject({ jwtId: 'jti-1' });
    } finally {
      await plain.close();
    }
  });

  it('verifies against an inline key set without any request', async () => {
    const inline = trustedIssuer({ keySource: { kind: 'inline', jwks: issuer.jwks } });
    const { verifier } = stack([inline]);
    const before = issuer.requests;

    await expect(verifier.verify(await issuer.mint(claims()))).resolves.toMatchObject({ jwtId: 'jti-1' });
    expect(issuer.requests).toBe(before);
  });

  it('is what createIdentityTokenVerifier builds: https only, one fetch per cooldown, observed', async () => {
    let now = START.getTime();
    const outcomes: KeySetFetchOutcome[] = [];
    const verifier = createIdentityTokenVerifier({
      issuers: { findByIssuerUrl: async (url) => (url === GITHUB ? trustedIssuer() : null) },
      clock: { now: () => new Date(now) },
      cooldownSeconds: 600,
      observer: { keySetFetched: (_name, outcome) => outcomes.push(outcome) },
      httpsAgent: issuer.httpsAgent(),
    });
    const before = jwksRequests();

    await expect(verifier.verify(await issuer.mint(claims()))).resolves.toMatchObject({ jwtId: 'jti-1' });
    await verifier.verify(await issuer.mint(claims(), { kid: 'unknown' })).catch(() => undefined);
    now += 599_000;
    await verifier.verify(await issuer.mint(claims(), { kid: 'unknown' })).catch(() => undefined);
    expect(jwksRequests() - before).toBe(1);
    now += 1_000;
    await verifier.verify(await issuer.mint(claims(), { kid: 'unknown' })).catch(() => undefined);
    expect(jwksRequests() - before).toBe(2);
    expect(outcomes).toEqual(['success', 'success']);
  });
});
