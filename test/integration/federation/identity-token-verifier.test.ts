import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { ServiceUnavailableError } from '../../../src/app/errors.js';
import { IdentityTokenError } from '../../../src/app/federation/federation-errors.js';
import type { TrustedIssuerStore } from '../../../src/app/federation/federation-ports.js';
import { JwtIdentityTokenVerifier } from '../../../src/app/federation/jwt-identity-token-verifier.js';
import type { TrustedIssuer } from '../../../src/core/federation/trusted-issuer.js';
import { LoopbackKeySets } from '../../support/loopback-key-sets.js';
import { OidcTestIssuer, unsignedToken } from '../../support/oidc-test-issuer.js';

const GITHUB = 'https://token.actions.githubusercontent.com';
const AUDIENCE = 'https://registry.example.com';
const NOW = new Date('2026-12-03T12:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;

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
    createdAt: NOW,
    updatedAt: null,
    ...overrides,
  };
}

/** Looks issuers up by exact URL and remembers what it was asked. */
class InMemoryTrustedIssuers implements Pick<TrustedIssuerStore, 'findByIssuerUrl'> {
  readonly lookups: string[] = [];
  constructor(readonly issuers: TrustedIssuer[]) {}
  async findByIssuerUrl(issuerUrl: string): Promise<TrustedIssuer | null> {
    this.lookups.push(issuerUrl);
    return this.issuers.find((issuer) => issuer.issuerUrl === issuerUrl) ?? null;
  }
}

function githubClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: GITHUB,
    aud: AUDIENCE,
    sub: 'repo:octo-org/app:ref:refs/heads/main',
    jti: '5a1f0f6e-3b3c-4c5e-9d5e-0e6c1a2b3c4d',
    iat: NOW_SECONDS - 10,
    nbf: NOW_SECONDS - 10,
    exp: NOW_SECONDS + 300,
    repository: 'octo-org/app',
    repository_owner_id: '4242',
    ...overrides,
  };
}

let issuer: OidcTestIssuer;
let impostor: OidcTestIssuer;

beforeAll(async () => {
  issuer = await OidcTestIssuer.start({ issuer: GITHUB });
  impostor = await OidcTestIssuer.start({ issuer: GITHUB });
});

afterAll(async () => {
  await issuer.close();
  await impostor.close();
});

beforeEach(() => issuer.fault('none'));

function verifierFor(issuers: TrustedIssuer[] = [trustedIssuer()]) {
  const store = new InMemoryTrustedIssuers(issuers);
  const keySets = new LoopbackKeySets(new Map([[GITHUB, issuer]]));
  const verifier = new JwtIdentityTokenVerifier({ issuers: store, keySets, clock: { now: () => NOW } });
  return { verifier, store, keySets };
}

async function refusal(promise: Promise<unknown>): Promise<IdentityTokenError> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(IdentityTokenError);
  return error as IdentityTokenError;
}

describe('JwtIdentityTokenVerifier', () => {
  it('accepts a GitHub-shaped token and reports its subject, jti, times and digest', async () => {
    const { verifier } = verifierFor();
    const token = await issuer.mint(githubClaims());

    const verified = await verifier.verify(token);

    expect(verified.issuer.name).toBe('github');
    expect(verified.subject).toBe('repo:octo-org/app:ref:refs/heads/main');
    expect(verified.jwtId).toBe('5a1f0f6e-3b3c-4c5e-9d5e-0e6c1a2b3c4d');
    expect(verified.issuedAt).toEqual(new Date((NOW_SECONDS - 10) * 1000));
    expect(verified.expiresAt).toEqual(new Date((NOW_SECONDS + 300) * 1000));
    expect(verified.claims.repository).toBe('octo-org/app');
    expect(verified.tokenDigest).toBe(createHash('sha256').update(token).digest('hex'));
  });

  it('accepts a token expired by less than the leeway', async () => {
    const { verifier } = verifierFor();
    const verified = await verifier.verify(await issuer.mint(githubClaims({ exp: NOW_SECONDS - 29, iat: NOW_SECONDS - 600, nbf: undefined })));
    expect(verified.expiresAt).toEqual(new Date((NOW_SECONDS - 29) * 1000));
  });

  const hostileTokens: [string, () => Promise<string>, Record<string, unknown>][] = [
    ['alg none', async () => unsignedToken(githubClaims(), { kid: issuer.currentKeyId }), { check: 'alg' }],
    [
      'HS256 signed with the public key',
      async () =>
        new SignJWT(githubClaims())
          .setProtectedHeader({ alg: 'HS256', kid: issuer.currentKeyId })
          .sign(new TextEncoder().encode(issuer.publicKeyPem)),
      { check: 'alg', reason: 'not_pinned', got: 'HS256' },
    ],
    ['a validly signed but unpinned algorithm (PS256)', () => issuer.mint(githubClaims(), { alg: 'PS256' }), { check: 'alg', got: 'PS256' }],
    ['no kid', () => issuer.mint(githubClaims(), { kid: null }), { check: 'kid' }],
    ['a kid that is a number', () => issuer.mint(githubClaims(), { header: { kid: 7 as unknown as string } }), { check: 'kid' }],
    ['an unknown kid', () => issuer.mint(githubClaims(), { kid: 'no-such-key' }), { check: 'kid', reason: 'unknown_key' }],
    ['a signature by another key under a known kid', () => impostor.mint(githubClaims(), { kid: issuer.currentKeyId }), { check: 'signature' }],
    ['aud as an array holding the audience', () => issuer.mint(githubClaims({ aud: [AUDIENCE] })), { check: 'aud', reason: 'not_a_single_string' }],
    ['a wrong aud', () => issuer.mint(githubClaims({ aud: 'https://other.example.com' })), { check: 'aud', reason: 'mismatch' }],
    ['aud as a number', () => issuer.mint(githubClaims({ aud: 5 })), { check: 'aud' }],
    ['no exp', () => issuer.mint(githubClaims({ exp: undefined })), { check: 'exp' }],
    ['exp as text', () => issuer.mint(githubClaims({ exp: String(NOW_SECONDS + 300) })), { check: 'exp' }],
    ['expired just outside the leeway', () => issuer.mint(githubClaims({ exp: NOW_SECONDS - 31, iat: NOW_SECONDS - 600, nbf: undefined })), { check: 'exp' }],
    ['no iat', () => issuer.mint(githubClaims({ iat: undefined })), { check: 'iat' }],
    ['iat in the future beyond the leeway', () => issuer.mint(githubClaims({ iat: NOW_SECONDS + 31, nbf: undefined })), { check: 'iat' }],
    ['nbf in the future beyond the leeway', () => issuer.mint(githubClaims({ nbf: NOW_SECONDS + 31 })), { check: 'nbf' }],
    ['sub as a number', () => issuer.mint(githubClaims({ sub: 123 })), { check: 'sub' }],
    ['an empty sub', () => issuer.mint(githubClaims({ sub: '' })), { check: 'sub' }],
    ['no jti', () => issuer.mint(githubClaims({ jti: undefined })), { check: 'jti' }],
    ['jti as a number', () => issuer.mint(githubClaims({ jti: 42 })), { check: 'jti' }],
    ['a jti of 2 KiB', () => issuer.mint(githubClaims({ jti: 'j'.repeat(2048) })), { check: 'jti' }],
    ['iss as a number', () => issuer.mint(githubClaims({ iss: 7 })), { check: 'iss' }],
    ['no iss', () => issuer.mint(githubClaims({ iss: undefined })), { check: 'iss' }],
    ['not a JWT', async () => 'not.a-jwt', { check: 'format' }],
    ['a JWE (five parts)', async () => `${(await issuer.mint(githubClaims())).split('.').slice(0, 2).join('.')}.a.b.c`, { check: 'format' }],
    ['a JWS in JSON serialization', async () => JSON.stringify({ payload: 'e30', signatures: [] }), { check: 'format' }],
    ['a token of 17 KiB', async () => 'a'.repeat(17 * 1024), { check: 'format', reason: 'length' }],
  ];

  it.each(hostileTokens)('refuses %s as invalid_identity_token, naming the check and never the token', async (_name, makeToken, detail) => {
    const { verifier } = verifierFor();
    const token = await makeToken();

    const error = await refusal(verifier.verify(token));

    expect(error.code).toBe('invalid_identity_token');
    expect(error.detail).toMatchObject(detail);
    const signature = token.split('.')[2] ?? '';
    const written = JSON.stringify(error.detail) + error.message;
    expect(written).not.toContain(token);
    if (signature.length >= 16) expect(written).not.toContain(signature);
  });

  it('ignores keys the token carries or points to: an embedded jwk and a jku are never used nor fetched', async () => {
    const { verifier } = verifierFor();
    const impostorRequests = impostor.requests;
    const attackerKey = impostor.jwks.keys[0];
    const token = await impostor.mint(githubClaims(), {
      kid: issuer.currentKeyId,
      header: { jwk: attackerKey as never, jku: `${impostor.url}/.well-known/jwks`, x5u: `${impostor.url}/cert.pem` },
    });

    const error = await refusal(verifier.verify(token));

    expect(error.detail).toMatchObject({ check: 'signature' });
    expect(impostor.requests).toBe(impostorRequests);
  });

  it('refuses a token older than the maximum age, and takes one within it', async () => {
    const { verifier } = verifierFor([trustedIssuer({ maxTokenAgeSeconds: 600 })]);
    const old = await issuer.mint(githubClaims({ iat: NOW_SECONDS - 631, nbf: undefined, exp: NOW_SECONDS + 300 }));
    const young = await issuer.mint(githubClaims({ iat: NOW_SECONDS - 629, nbf: undefined, exp: NOW_SECONDS + 300 }));

    expect((await refusal(verifier.verify(old))).detail).toMatchObject({ check: 'iat', reason: 'too_old' });
    await expect(verifier.verify(young)).resolves.toMatchObject({ subject: 'repo:octo-org/app:ref:refs/heads/main' });
  });

  it.each([
    ['a trailing slash', `${GITHUB}/`],
    ['an extra domain suffix', 'https://token.actions.githubusercontent.com.evil.com'],
    ['another scheme', 'http://token.actions.githubusercontent.com'],
    ['a different case', 'https://Token.Actions.GitHubUserContent.com'],
  ])('refuses an iss with %s as untrusted_issuer, looking up only that exact string and never reaching the issuer', async (_name, iss) => {
    const { verifier, store, keySets } = verifierFor();
    const requestsBefore = issuer.requests;
    const token = await issuer.mint(githubClaims({ iss }));

    const error = await refusal(verifier.verify(token));

    expect(error.code).toBe('untrusted_issuer');
    expect(error.detail).toEqual({ check: 'iss', reason: 'unknown', got: iss });
    expect(store.lookups).toEqual([iss]);
    expect(keySets.fetches).toBe(0);
    expect(issuer.requests).toBe(requestsBefore);
  });

  it('refuses a disabled issuer as untrusted before fetching its keys', async () => {
    const { verifier, keySets } = verifierFor([trustedIssuer({ enabled: false })]);
    const error = await refusal(verifier.verify(await issuer.mint(githubClaims())));
    expect(error.code).toBe('untrusted_issuer');
    expect(error.detail).toMatchObject({ reason: 'disabled' });
    expect(keySets.fetches).toBe(0);
  });

  it('refuses a pinned algorithm that the key, published for RS256 only, may not be used with', async () => {
    const { verifier } = verifierFor([trustedIssuer({ algorithms: ['RS256', 'PS256'] })]);
    await expect(verifier.verify(await issuer.mint(githubClaims(), { alg: 'PS256' }))).rejects.toMatchObject({ code: 'invalid_identity_token', detail: { check: 'kid', reason: 'no_usable_key' } });
  });

  it('follows a key rotation at the issuer: the new key verifies, the withdrawn one no longer does', async () => {
    const { verifier, keySets } = verifierFor();
    const beforeRotation = await issuer.mint(githubClaims());
    await verifier.verify(beforeRotation);

    await issuer.rotate();
    const afterRotation = await issuer.mint(githubClaims());

    await expect(verifier.verify(afterRotation)).resolves.toMatchObject({ subject: 'repo:octo-org/app:ref:refs/heads/main' });
    expect(keySets.fetches).toBe(2);
    expect((await refusal(verifier.verify(beforeRotation))).detail).toMatchObject({ check: 'kid', reason: 'unknown_key' });
  });

  it('goes on verifying from the cached key set while the issuer is down', async () => {
    const { verifier } = verifierFor();
    await verifier.verify(await issuer.mint(githubClaims()));
    issuer.fault('server-error');

    await expect(verifier.verify(await issuer.mint(githubClaims({ jti: 'second' })))).resolves.toMatchObject({ jwtId: 'second' });
  });

  it('answers ServiceUnavailableError when the issuer is down and no key set was ever fetched', async () => {
    const { verifier } = verifierFor();
    issuer.fault('server-error');

    await expect(verifier.verify(await issuer.mint(githubClaims()))).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('answers ServiceUnavailableError when the trusted-issuer store fails', async () => {
    const store: Pick<TrustedIssuerStore, 'findByIssuerUrl'> = { findByIssuerUrl: () => Promise.reject(new Error('connection refused')) };
    const verifier = new JwtIdentityTokenVerifier({ issuers: store, keySets: new LoopbackKeySets(new Map()), clock: { now: () => NOW } });

    await expect(verifier.verify(await issuer.mint(githubClaims()))).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('refuses any forged token with an IdentityTokenError, whatever its header and claims hold', async () => {
    const store = new InMemoryTrustedIssuers([trustedIssuer()]);
    const keySets = { keySetFor: async () => issuer.jwks };
    const verifier = new JwtIdentityTokenVerifier({ issuers: store, keySets, clock: { now: () => NOW } });
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const headers = fc.record({ alg: fc.constantFrom('RS256', 'none', 'HS256', 'PS256', 'ES256', 7), kid: fc.oneof(fc.constant(issuer.currentKeyId), fc.string(), fc.integer()) }, { requiredKeys: [] });
    const payloads = fc.oneof(
      fc.dictionary(fc.string(), fc.jsonValue()).map((extra) => ({ ...githubClaims(), ...extra })),
      fc.jsonValue(),
    );

    await fc.assert(
      fc.asyncProperty(headers, payloads, fc.base64String(), async (header, payload, signature) => {
        const token = `${encode(header)}.${encode(payload)}.${signature.replace(/[+/=]/g, '')}`;
        const outcome = await verifier.verify(token).then(
          () => 'verified',
          (error: unknown) => error,
        );
        expect(outcome).toBeInstanceOf(IdentityTokenError);
      }),
      { numRuns: 200 },
    );
  });
});
