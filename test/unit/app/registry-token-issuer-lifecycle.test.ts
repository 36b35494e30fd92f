import { randomBytes } from 'node:crypto';
import { randomOpaqueTokens } from '../../../src/adapters/crypto/opaque-tokens.js';
import { AuditTrail } from '../../../src/app/audit-trail.js';
import { DeployTokenAuthenticator } from '../../../src/app/deploy-token-authenticator.js';
import { DeployTokenUseRecorder } from '../../../src/app/deploy-token-use-recorder.js';
import { DeployTokenRevokedError, InvalidRefreshTokenError, ServiceUnavailableError } from '../../../src/app/errors.js';
import type { NewDeployToken, RegistryTokenSigner } from '../../../src/app/ports.js';
import { RefreshTokens } from '../../../src/app/refresh-tokens.js';
import {
  RegistryTokenIssuer,
  type RegistryTokenRequest,
  type RegistryTokenSettings,
} from '../../../src/app/registry-token-issuer.js';
import { composeSecret, SECRET_RANDOM_LENGTH } from '../../../src/core/deploy-token-secret.js';
import { isWellFormedOpaqueToken, REFRESH_TOKEN_PREFIX } from '../../../src/core/opaque-token.js';
import type { RegistryTokenClaims } from '../../../src/core/registry-claims.js';
import {
  InMemoryAuditLog,
  InMemoryDeployTokenStore,
  InMemoryRefreshTokenStore,
  RecordingLoginThrottle,
  TransparentHasher,
} from '../../support/fake-ports.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { ManualClock } from '../../support/regauth-app.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');
const T0_SECONDS = T0.getTime() / 1000;

class ClaimsEchoSigner implements RegistryTokenSigner {
  readonly keyId = 'TEST';
  signed: RegistryTokenClaims[] = [];
  async sign(claims: RegistryTokenClaims): Promise<string> {
    this.signed.push(claims);
    return JSON.stringify(claims);
  }
}

const DEFAULT_SETTINGS: RegistryTokenSettings = {
  issuer: 'regauth',
  service: 'registry',
  lifetimeSeconds: 300,
  maxLifetimeSeconds: 3600,
  publicRepositories: [],
};

describe('RegistryTokenIssuer: refresh tokens, lifetimes, public pull, audit and last use', () => {
  let store: InMemoryDeployTokenStore;
  let refreshStore: InMemoryRefreshTokenStore;
  let hasher: TransparentHasher;
  let clock: ManualClock;
  let signer: ClaimsEchoSigner;
  let logger: RecordingLogger;
  let auditLog: InMemoryAuditLog;
  let audit: AuditTrail;
  let uses: DeployTokenUseRecorder;
  let secret: string;

  function issuerWith(settings: Partial<RegistryTokenSettings> = {}): RegistryTokenIssuer {
    return new RegistryTokenIssuer({
      authenticator: new DeployTokenAuthenticator({ store, hasher, clock }),
      refreshTokens: new RefreshTokens({ store: refreshStore, tokens: randomOpaqueTokens, clock, idleExpirySeconds: 90 * 86_400 }),
      signer,
      clock,
      jwtIds: { next: () => 'jti' },
      audit,
      uses,
      throttle: new RecordingLoginThrottle(),
      settings: { ...DEFAULT_SETTINGS, ...settings },
    });
  }

  async function deployToken(overrides: Partial<NewDeployToken> = {}) {
    return store.create({
      name: 'ci',
      username: 'ci-bot',
      secretHash: await hasher.hash(secret),
      repositories: ['team/app'],
      scopes: ['read_registry'],
      expiresAt: null,
      tokenLifetimeSeconds: null,
      createdAt: T0,
      ...overrides,
    });
  }

  const password = (overrides: Partial<RegistryTokenRequest> = {}): RegistryTokenRequest => ({
    credentials: { kind: 'password', username: 'ci-bot', secret },
    account: null,
    service: 'registry',
    scopeParameters: ['repository:team/app:pull,push'],
    clientIp: '10.1.2.3',
    ...overrides,
  });

  const refresh = (refreshToken: string, overrides: Partial<RegistryTokenRequest> = {}): RegistryTokenRequest => ({
    credentials: { kind: 'refresh_token', refreshToken },
    account: null,
    service: 'registry',
    scopeParameters: ['repository:team/app:pull,push'],
    clientIp: '10.1.2.3',
    ...overrides,
  });

  const auditEvents = async () => {
    await audit.flush();
    return auditLog.events;
  };

  beforeEach(() => {
    store = new InMemoryDeployTokenStore();
    refreshStore = new InMemoryRefreshTokenStore(store);
    hasher = new TransparentHasher();
    clock = new ManualClock(T0);
    signer = new ClaimsEchoSigner();
    logger = new RecordingLogger();
    auditLog = new InMemoryAuditLog();
    audit = new AuditTrail(auditLog, logger);
    uses = new DeployTokenUseRecorder(store, logger);
    secret = composeSecret(randomBytes(SECRET_RANDOM_LENGTH));
  });

  describe('refresh tokens', () => {
    test('offline access with a password gets a refresh token, stored only as its digest', async () => {
      await deployToken();
      const issued = await issuerWith().issue(password({ offline: true, clientId: 'docker' }));
      expect(issued.refreshToken).toBeDefined();
      const refreshToken = issued.refreshToken as string;
      expect(isWellFormedOpaqueToken(refreshToken, REFRESH_TOKEN_PREFIX)).toBe(true);
      expect([...refreshStore.tokens.entries()]).toStrictEqual([
        [randomOpaqueTokens.digest(refreshToken), { id: 1, deployTokenId: 1, secretGeneration: 1, clientId: 'docker', createdAt: T0, lastUsedAt: null }],
      ]);
      const [event] = await auditEvents();
      expect(event?.details).toMatchObject({ grant: 'password', refreshTokenIssued: true, clientId: 'docker' });
      expect(JSON.stringify(auditLog.events)).not.toContain(refreshToken);
      expect(JSON.stringify(logger.records)).not.toContain(refreshToken);
    });

    test('no refresh token unless offline access is asked for', async () => {
      await deployToken();
      for (const offline of [undefined, false]) {
        const issued = await issuerWith().issue(password(offline === undefined ? {} : { offline }));
        expect(issued).not.toHaveProperty('refreshToken');
      }
      expect(refreshStore.tokens.size).toBe(0);
      expect((await auditEvents()).map((event) => event.details.refreshTokenIssued)).toStrictEqual([undefined, undefined]);
    });

    test('anonymous callers asking for offline access get no refresh token', async () => {
      const issued = await issuerWith().issue(password({ credentials: null, offline: true }));
      expect(issued).not.toHaveProperty('refreshToken');
      expect(refreshStore.tokens.size).toBe(0);
    });

    test('a refresh grant is answered without a new refresh token, for the deploy token’s username', async () => {
      await deployToken();
      const issuer = issuerWith();
      const { refreshToken } = await issuer.issue(password({ offline: true }));
      const issued = await issuer.issue(refresh(refreshToken as string, { offline: true }));
      expect(issued).not.toHaveProperty('refreshToken');
      expect(issued.subject).toBe('ci-bot');
      expect(signer.signed[1]?.sub).toBe('ci-bot');
      expect(refreshStore.tokens.size).toBe(1);
      const events = await auditEvents();
      expect(events[1]).toMatchObject({ event: 'token.issued', actor: 'ci-bot', deployTokenId: 1, details: { grant: 'refresh_token' } });
      expect(events[1]?.details).not.toHaveProperty('refreshTokenIssued');
    });

    test('a refresh grant gets the deploy token’s rights as they are now', async () => {
      await deployToken();
      const issuer = issuerWith();
      const { refreshToken } = await issuer.issue(password({ offline: true }));
      expect((await issuer.issue(refresh(refreshToken as string))).decision.granted).toStrictEqual([
        { type: 'repository', name: 'team/app', actions: ['pull'] },
      ]);
      await store.update(1, { scopes: ['write_registry'] }, T0);
      expect((await issuer.issue(refresh(refreshToken as string))).decision.granted).toStrictEqual([
        { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
      ]);
      await store.update(1, { repositories: ['other/app'] }, T0);
      expect((await issuer.issue(refresh(refreshToken as string))).decision.granted).toStrictEqual([]);
    });

    test('a refresh grant of a revoked deploy token is refused, signs nothing, and is audited', async () => {
      await deployToken();
      const issuer = issuerWith();
      const { refreshToken } = await issuer.issue(password({ offline: true }));
      await store.revoke(1, T0);
      await expect(issuer.issue(refresh(refreshToken as string))).rejects.toBeInstanceOf(DeployTokenRevokedError);
      expect(signer.signed).toHaveLength(1);
      expect((await auditEvents())[1]).toMatchObject({
        event: 'auth.failed',
        details: { reason: 'token_revoked', grant: 'refresh_token' },
      });
    });

    test.each([
      ['a malformed refresh token', 'not-a-refresh-token'],
      ['an unknown refresh token', randomOpaqueTokens.generate(REFRESH_TOKEN_PREFIX)],
    ])('%s is refused and audited as auth.failed with grant refresh_token', async (_label, refreshToken) => {
      await deployToken();
      await expect(issuerWith().issue(refresh(refreshToken, { account: 'ci-bot', clientIp: '10.9.9.9' }))).rejects.toBeInstanceOf(
        InvalidRefreshTokenError,
      );
      expect(signer.signed).toStrictEqual([]);
      expect(await auditEvents()).toStrictEqual([
        {
          id: 1,
          occurredAt: T0,
          event: 'auth.failed',
          actor: null,
          deployTokenId: null,
          username: 'ci-bot',
          clientIp: '10.9.9.9',
          details: { reason: 'invalid_refresh_token', grant: 'refresh_token' },
        },
      ]);
      expect(logger.records.find((record) => record.fields.event === 'auth.failed')?.level).toBe('warn');
      expect(JSON.stringify(auditLog.events)).not.toContain(refreshToken);
    });

    test('a refresh grant without account audits the failure with no username', async () => {
      await expect(issuerWith().issue(refresh('nope'))).rejects.toBeInstanceOf(InvalidRefreshTokenError);
      expect((await auditEvents())[0]).toMatchObject({ username: null, details: { grant: 'refresh_token' } });
    });

    test('a refresh-token store that fails answers unavailable and audits no auth failure', async () => {
      await deployToken();
      const issuer = issuerWith();
      const { refreshToken } = await issuer.issue(password({ offline: true }));
      refreshStore.find = () => Promise.reject(new Error('connection refused'));
      await expect(issuer.issue(refresh(refreshToken as string))).rejects.toBeInstanceOf(ServiceUnavailableError);
      expect((await auditEvents()).map((event) => event.event)).toStrictEqual(['token.issued']);
    });
  });

  describe('lifetimes', () => {
    test.each<[string, number | null, Partial<RegistryTokenSettings>, number]>([
      ['the service default without a lifetime of its own', null, {}, 300],
      ['the deploy token’s own lifetime', 1800, {}, 1800],
      ['its own lifetime may be below the default', 60, { lifetimeSeconds: 900 }, 60],
      ['clamped to the maximum when the maximum was lowered', 7200, { maxLifetimeSeconds: 3600 }, 3600],
      ['the default is clamped too', null, { lifetimeSeconds: 900, maxLifetimeSeconds: 600 }, 600],
    ])('%s', async (_label, tokenLifetimeSeconds, settings, expected) => {
      await deployToken({ tokenLifetimeSeconds });
      const issued = await issuerWith(settings).issue(password());
      expect(issued.expiresIn).toBe(expected);
      expect(signer.signed[0]?.exp).toBe(T0_SECONDS + expected);
      expect(signer.signed[0]?.iat).toBe(T0_SECONDS);
    });

    test('a refresh grant uses the deploy token’s current lifetime', async () => {
      await deployToken({ tokenLifetimeSeconds: 1800 });
      const issuer = issuerWith();
      const { refreshToken } = await issuer.issue(password({ offline: true }));
      await store.update(1, { tokenLifetimeSeconds: 600 }, T0);
      expect((await issuer.issue(refresh(refreshToken as string))).expiresIn).toBe(600);
    });

    test('anonymous callers get the default lifetime', async () => {
      expect((await issuerWith({ lifetimeSeconds: 240 }).issue(password({ credentials: null }))).expiresIn).toBe(240);
    });
  });

  describe('public repositories', () => {
    test('anonymous callers get pull on public repositories only, and the audit says anonymous', async () => {
      const issued = await issuerWith({ publicRepositories: ['public/**'] }).issue(
        password({ credentials: null, scopeParameters: ['repository:public/tools:pull,push', 'repository:team/app:pull'] }),
      );
      expect(signer.signed[0]?.access).toStrictEqual([{ type: 'repository', name: 'public/tools', actions: ['pull'] }]);
      expect(signer.signed[0]).not.toHaveProperty('sub');
      expect(issued.decision.refused).toStrictEqual([
        { type: 'repository', name: 'public/tools', actions: ['push'] },
        { type: 'repository', name: 'team/app', actions: ['pull'] },
      ]);
      expect((await auditEvents())[0]).toMatchObject({
        event: 'token.issued',
        actor: null,
        deployTokenId: null,
        username: null,
        details: { grant: 'anonymous' },
      });
    });

    test('authenticated callers get public pull on top of their own rights', async () => {
      await deployToken();
      await issuerWith({ publicRepositories: ['library/*'] }).issue(
        password({ scopeParameters: ['repository:team/app:pull', 'repository:library/busybox:pull,push'] }),
      );
      expect(signer.signed[0]?.access).toStrictEqual([
        { type: 'repository', name: 'team/app', actions: ['pull'] },
        { type: 'repository', name: 'library/busybox', actions: ['pull'] },
      ]);
    });

    test('a catalog token gets registry:catalog:*', async () => {
      await deployToken({ repositories: ['*'], scopes: ['read_catalog'] });
      await issuerWith().issue(password({ scopeParameters: ['registry:catalog:*'] }));
      expect(signer.signed[0]?.access).toStrictEqual([{ type: 'registry', name: 'catalog', actions: ['*'] }]);
    });
  });

  describe('last use', () => {
    test('is recorded with the client address, written only when flushed', async () => {
      await deployToken();
      await issuerWith().issue(password({ clientIp: '10.4.5.6' }));
      expect(store.recordedUses).toStrictEqual([]);
      await uses.flush();
      expect(store.recordedUses).toStrictEqual([{ id: 1, at: T0, clientIp: '10.4.5.6' }]);
      expect(await store.findById(1)).toMatchObject({ lastUsedAt: T0, lastUsedIp: '10.4.5.6' });
    });

    test('a refresh grant records a use too; a request without an address records null', async () => {
      await deployToken();
      const issuer = issuerWith();
      const { refreshToken } = await issuer.issue(password({ offline: true, clientIp: '10.0.0.1' }));
      clock.advance(120_000);
      const { clientIp: _ignored, ...withoutIp } = refresh(refreshToken as string);
      await issuer.issue(withoutIp);
      await uses.flush();
      expect(store.recordedUses).toStrictEqual([
        { id: 1, at: T0, clientIp: '10.0.0.1' },
        { id: 1, at: new Date(T0.getTime() + 120_000), clientIp: null },
      ]);
    });

    test('anonymous and refused requests record no use', async () => {
      await deployToken();
      const issuer = issuerWith();
      await issuer.issue(password({ credentials: null }));
      await expect(issuer.issue(password({ credentials: { kind: 'password', username: 'ci-bot', secret: composeSecret(randomBytes(SECRET_RANDOM_LENGTH)) } }))).rejects.toThrow();
      await uses.flush();
      expect(store.recordedUses).toStrictEqual([]);
    });
  });
});
