import { CachedKeySets, KeySetUnavailableError, type KeySetFetchOutcome } from '../../../src/adapters/federation/cached-key-sets.js';
import { KeySetFetcher } from '../../../src/adapters/federation/key-set-fetcher.js';
import { ServiceUnavailableError } from '../../../src/app/errors.js';
import { IdentityTokenError } from '../../../src/app/federation/federation-errors.js';
import { JwtIdentityTokenVerifier } from '../../../src/app/federation/jwt-identity-token-verifier.js';
import type { Clock } from '../../../src/app/ports.js';
import type { JsonWebKeySet, KeySource, TrustedIssuer } from '../../../src/core/federation/trusted-issuer.js';
import { LoopbackIssuerAgents } from '../../support/loopback-issuer-agents.js';
import { JWKS_PATH, OidcTestIssuer } from '../../support/oidc-test-issuer.js';

const GITHUB = 'https://token.actions.githubusercontent.com';
const AUDIENCE = 'https://registry.example.com';
const START = new Date('2026-12-03T12:00:00Z');
const COOLDOWN_SECONDS = 60;

class SteppedClock implements Clock {
  private current = START.getTime();
  now(): Date {
    return new Date(this.current);
  }
  advanceSeconds(seconds: number): void {
    this.current += seconds * 1000;
  }
}

class RecordingObserver {
  readonly fetches: [string, KeySetFetchOutcome][] = [];
  keySetFetched(issuerName: string, outcome: KeySetFetchOutcome): void {
    this.fetches.push([issuerName, outcome]);
  }
}

function trustedIssuer(keySource: KeySource = { kind: 'discovery' }): TrustedIssuer {
  return {
    id: 1,
    name: 'github',
    kind: 'github',
    issuerUrl: GITHUB,
    audience: AUDIENCE,
    keySource,
    algorithms: ['RS256'],
    leewaySeconds: 30,
    maxTokenAgeSeconds: null,
    replayMode: 'once',
    multiTenant: true,
    enabled: true,
    createdAt: START,
    updatedAt: null,
  };
}

describe('CachedKeySets', () => {
  let github: OidcTestIssuer;
  let agents: LoopbackIssuerAgents;
  let clock: SteppedClock;
  let observer: RecordingObserver;
  let keySets: CachedKeySets;

  beforeAll(async () => {
    github = await OidcTestIssuer.start({ issuer: GITHUB });
  });
  afterAll(() => github.close());

  beforeEach(async () => {
    github.fault('none');
    await github.rotate();
    agents = new LoopbackIssuerAgents(new Map([['token.actions.githubusercontent.com', github]]));
    clock = new SteppedClock();
    observer = new RecordingObserver();
    const fetcher = new KeySetFetcher({ allowInsecureLoopbackIssuers: false, httpsAgent: agents.https, timeoutMs: 500 });
    keySets = new CachedKeySets({ fetcher, clock, refreshCooldownSeconds: COOLDOWN_SECONDS, observer });
  });

  /** JWKS requests the issuer receives while `during` runs. */
  async function jwksFetchesDuring(during: () => Promise<unknown>): Promise<number> {
    const before = github.requestsTo(JWKS_PATH);
    await during();
    return github.requestsTo(JWKS_PATH) - before;
  }

  it('fetches on the first need and answers the same kid from the cache afterwards', async () => {
    const kid = github.currentKeyId;
    expect(await jwksFetchesDuring(() => keySets.keySetFor(trustedIssuer(), kid))).toBe(1);
    expect(await jwksFetchesDuring(async () => expect(await keySets.keySetFor(trustedIssuer(), kid)).toEqual(github.jwks))).toBe(0);
    expect(observer.fetches).toEqual([['github', 'success']]);
  });

  it('shares one fetch between concurrent misses', async () => {
    const kid = github.currentKeyId;
    const fetches = await jwksFetchesDuring(async () => {
      const answers = await Promise.all(Array.from({ length: 20 }, () => keySets.keySetFor(trustedIssuer(), kid)));
      for (const answer of answers) expect(answer).toEqual(github.jwks);
    });
    expect(fetches).toBe(1);
  });

  it('picks up a rotated key once the cooldown is over, and refuses it no sooner', async () => {
    await keySets.keySetFor(trustedIssuer(), github.currentKeyId);
    const rotated = await github.rotate();
    expect(await jwksFetchesDuring(async () => expect(await keySets.keySetFor(trustedIssuer(), rotated)).toBeNull())).toBe(0);
    clock.advanceSeconds(COOLDOWN_SECONDS);
    expect(await jwksFetchesDuring(async () => expect(await keySets.keySetFor(trustedIssuer(), rotated)).toEqual(github.jwks))).toBe(1);
  });

  it('spends at most one fetch per cooldown on a storm of unknown kids', async () => {
    await keySets.keySetFor(trustedIssuer(), github.currentKeyId);
    clock.advanceSeconds(COOLDOWN_SECONDS);
    const storm = () =>
      Promise.all(Array.from({ length: 50 }, (_, index) => keySets.keySetFor(trustedIssuer(), `forged-${index}`).then((found) => expect(found).toBeNull())));
    expect(await jwksFetchesDuring(async () => {
      await storm();
      await storm();
      clock.advanceSeconds(COOLDOWN_SECONDS - 1);
      await storm();
    })).toBe(1);
    clock.advanceSeconds(1);
    expect(await jwksFetchesDuring(storm)).toBe(1);
  });

  it('keeps the last good set while the issuer is down, and counts the failure', async () => {
    const kid = github.currentKeyId;
    await keySets.keySetFor(trustedIssuer(), kid);
    github.fault('server-error');
    clock.advanceSeconds(COOLDOWN_SECONDS);
    expect(await keySets.keySetFor(trustedIssuer(), 'unknown-during-outage')).toBeNull();
    expect(await keySets.keySetFor(trustedIssuer(), kid)).toEqual(github.jwks);
    expect(observer.fetches).toEqual([
      ['github', 'success'],
      ['github', 'failure'],
    ]);
  });

  it('is unavailable with no set cached, and lets the cooldown cover the failed fetch', async () => {
    github.fault('server-error');
    const kid = github.currentKeyId;
    await expect(keySets.keySetFor(trustedIssuer(), kid)).rejects.toBeInstanceOf(KeySetUnavailableError);
    github.fault('none');
    expect(await jwksFetchesDuring(() => expect(keySets.keySetFor(trustedIssuer(), kid)).rejects.toBeInstanceOf(KeySetUnavailableError))).toBe(0);
    clock.advanceSeconds(COOLDOWN_SECONDS);
    expect(await keySets.keySetFor(trustedIssuer(), kid)).toEqual(github.jwks);
  });

  it('replaces its set with the issuer’s, so a withdrawn key stops being found', async () => {
    const withdrawn = github.currentKeyId;
    await keySets.keySetFor(trustedIssuer(), withdrawn);
    const current = await github.rotate();
    clock.advanceSeconds(COOLDOWN_SECONDS);
    await keySets.keySetFor(trustedIssuer(), current);
    expect(await keySets.keySetFor(trustedIssuer(), withdrawn)).toBeNull();
  });

  it('starts afresh when the issuer’s key source changes', async () => {
    await keySets.keySetFor(trustedIssuer(), github.currentKeyId);
    const moved = trustedIssuer({ kind: 'jwks_uri', uri: `${GITHUB}${JWKS_PATH}` });
    expect(await jwksFetchesDuring(() => keySets.keySetFor(moved, github.currentKeyId))).toBe(1);
  });

  it('never fetches for an inline key set', async () => {
    const inline: JsonWebKeySet = github.jwks;
    const issuer = trustedIssuer({ kind: 'inline', jwks: inline });
    expect(await keySets.keySetFor(issuer, github.currentKeyId)).toEqual(inline);
    expect(await keySets.keySetFor(issuer, 'not-there')).toBeNull();
    expect(agents.connections).toEqual([]);
    expect(observer.fetches).toEqual([]);
  });

  describe('behind the identity-token verifier', () => {
    const nowSeconds = START.getTime() / 1000;
    const claims = {
      iss: GITHUB,
      aud: AUDIENCE,
      sub: 'repo:octo-org/app:ref:refs/heads/main',
      jti: 'c0ffee00-0000-4000-8000-000000000001',
      iat: nowSeconds - 10,
      exp: nowSeconds + 300,
      repository_owner_id: '4242',
    };

    function verifier(issuers: TrustedIssuer[] = [trustedIssuer()]): JwtIdentityTokenVerifier {
      const findByIssuerUrl = async (issuerUrl: string) => issuers.find((issuer) => issuer.issuerUrl === issuerUrl) ?? null;
      return new JwtIdentityTokenVerifier({ issuers: { findByIssuerUrl }, keySets, clock });
    }

    it('goes on verifying through an issuer outage with a cached set', async () => {
      await verifier().verify(await github.mint(claims));
      github.fault('server-error');
      clock.advanceSeconds(COOLDOWN_SECONDS);
      await expect(verifier().verify(await github.mint({ ...claims, jti: 'second' }))).resolves.toMatchObject({ jwtId: 'second' });
    });

    it('answers ServiceUnavailableError when no set was ever had', async () => {
      github.fault('server-error');
      await expect(verifier().verify(await github.mint(claims))).rejects.toBeInstanceOf(ServiceUnavailableError);
    });

    it('makes no request at all for an unconfigured iss', async () => {
      const before = github.requests;
      const token = await github.mint({ ...claims, iss: `${GITHUB}.evil.com` });
      await expect(verifier().verify(token)).rejects.toMatchObject({ code: 'untrusted_issuer' });
      await expect(verifier().verify(await github.mint({ ...claims, iss: `${GITHUB}/` }))).rejects.toBeInstanceOf(IdentityTokenError);
      expect(github.requests).toBe(before);
      expect(agents.connections).toEqual([]);
    });
  });
});
