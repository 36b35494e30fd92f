import { randomBytes } from 'node:crypto';
import { randomOpaqueTokens } from '../../../src/adapters/crypto/opaque-tokens.js';
import { AuditTrail } from '../../../src/app/audit-trail.js';
import { DeployTokenAuthenticator } from '../../../src/app/deploy-token-authenticator.js';
import { DeployTokenUseRecorder } from '../../../src/app/deploy-token-use-recorder.js';
import { OverloadedError, ServiceUnavailableError, TooManyAttemptsError } from '../../../src/app/errors.js';
import type { RegistryTokenSigner } from '../../../src/app/ports.js';
import { RefreshTokens } from '../../../src/app/refresh-tokens.js';
import { RegistryTokenIssuer, type RegistryTokenRequest, type TokenCredentials } from '../../../src/app/registry-token-issuer.js';
import { composeSecret, SECRET_RANDOM_LENGTH } from '../../../src/core/deploy-token-secret.js';
import { REFRESH_TOKEN_PREFIX } from '../../../src/core/opaque-token.js';
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
const CLIENT_IP = '10.1.2.3';

const signer: RegistryTokenSigner = { keyId: 'TEST', sign: async (claims) => JSON.stringify(claims) };

describe('RegistryTokenIssuer with the brute-force protection', () => {
  let store: InMemoryDeployTokenStore;
  let hasher: TransparentHasher;
  let throttle: RecordingLoginThrottle;
  let auditLog: InMemoryAuditLog;
  let audit: AuditTrail;
  let issuer: RegistryTokenIssuer;
  let refreshTokens: RefreshTokens;
  const secrets = new Map<string, string>();

  const issue = (credentials: TokenCredentials | null, overrides: Partial<RegistryTokenRequest> = {}) =>
    issuer.issue({ credentials, account: null, service: 'registry', scopeParameters: [], clientIp: CLIENT_IP, ...overrides });
  const password = (username: string, secret = secrets.get(username) as string): TokenCredentials => ({ kind: 'password', username, secret });

  async function createToken(username: string, changes: { expiresAt?: Date; revoked?: boolean } = {}) {
    const secret = composeSecret(randomBytes(SECRET_RANDOM_LENGTH));
    secrets.set(username, secret);
    const token = await store.create({
      name: username,
      username,
      secretHash: await hasher.hash(secret),
      repositories: ['team/app'],
      scopes: ['read_registry'],
      expiresAt: changes.expiresAt ?? null,
      tokenLifetimeSeconds: null,
      createdAt: new Date(T0.getTime() - 7_200_000),
    });
    if (changes.revoked === true) await store.revoke(token.id, T0);
    return token;
  }

  async function failedReasons(): Promise<unknown[]> {
    await audit.flush();
    return auditLog.events.filter((event) => event.event === 'auth.failed').map((event) => event.details.reason);
  }

  beforeEach(async () => {
    store = new InMemoryDeployTokenStore();
    hasher = new TransparentHasher();
    throttle = new RecordingLoginThrottle();
    auditLog = new InMemoryAuditLog();
    const logger = new RecordingLogger();
    audit = new AuditTrail(auditLog, logger);
    const clock = new ManualClock(T0);
    refreshTokens = new RefreshTokens({ store: new InMemoryRefreshTokenStore(store), tokens: randomOpaqueTokens, clock, idleExpirySeconds: 90 * 86_400 });
    issuer = new RegistryTokenIssuer({
      authenticator: new DeployTokenAuthenticator({ store, hasher, clock }),
      refreshTokens,
      signer,
      clock,
      jwtIds: { next: () => 'jti' },
      audit,
      uses: new DeployTokenUseRecorder(store, logger),
      throttle,
      settings: { issuer: 'regauth', service: 'registry', lifetimeSeconds: 300, maxLifetimeSeconds: 3600, publicRepositories: [] },
    });
    await createToken('ci-bot');
    await createToken('old-bot', { expiresAt: new Date(T0.getTime() - 1000) });
    await createToken('leaked-bot', { revoked: true });
  });

  test('a locked-out attempt is refused before any secret is compared, and audited as too_many_attempts', async () => {
    throttle.lockedFor = 42;

    const refusal = issue(password('ci-bot'));

    await expect(refusal).rejects.toThrow(new TooManyAttemptsError(42));
    await expect(refusal).rejects.toMatchObject({ code: 'too_many_attempts', retryAfterSeconds: 42 });
    expect(hasher.comparedAgainst).toEqual([]);
    expect(store.lookups).toBe(0);
    expect(throttle.calls).toEqual([['assertAllowed', { username: 'ci-bot', clientIp: CLIENT_IP }]]);
    expect(await failedReasons()).toEqual(['too_many_attempts']);
  });

  test('a right secret is checked, then clears the failures of its username and address', async () => {
    await issue(password('ci-bot'));

    const attempt = { username: 'ci-bot', clientIp: CLIENT_IP };
    expect(throttle.calls).toEqual([
      ['assertAllowed', attempt],
      ['recordSuccess', attempt],
    ]);
  });

  test.each<[string, string, boolean]>([
    ['a wrong secret', 'ci-bot', true],
    ['an unknown username (compared against a dummy hash)', 'nobody', true],
  ])('%s counts as a hashed failure', async (_case, username, hashed) => {
    await expect(issue(password(username, composeSecret(randomBytes(SECRET_RANDOM_LENGTH))))).rejects.toMatchObject({ code: 'invalid_credentials' });

    const attempt = { username, clientIp: CLIENT_IP };
    expect(throttle.calls).toEqual([
      ['assertAllowed', attempt],
      ['recordFailure', attempt, hashed],
    ]);
    expect(await failedReasons()).toEqual(['invalid_credentials']);
  });

  test('an unknown username from an address over its budget is refused without a hash, and counted as unhashed', async () => {
    throttle.addressOverBudget = true;

    await expect(issue(password('nobody', composeSecret(randomBytes(SECRET_RANDOM_LENGTH))))).rejects.toMatchObject({ code: 'invalid_credentials' });

    expect(hasher.comparedAgainst).toEqual([]);
    const attempt = { username: 'nobody', clientIp: CLIENT_IP };
    expect(throttle.calls).toEqual([
      ['assertAllowed', attempt],
      ['recordFailure', attempt, false],
    ]);
  });

  test('the right secret from an address over its budget is checked and granted', async () => {
    throttle.addressOverBudget = true;
    await expect(issue(password('ci-bot'))).resolves.toMatchObject({ subject: 'ci-bot' });
  });

  test.each<[string, () => TokenCredentials, Partial<RegistryTokenRequest>, string]>([
    ['a malformed secret', () => password('ci-bot', 'hunter2'), {}, 'invalid_credentials'],
    ['an impossible username', () => password('No Such User!', composeSecret(randomBytes(SECRET_RANDOM_LENGTH))), {}, 'invalid_credentials'],
    ['an account that is not the username', () => password('ci-bot'), { account: 'other-bot' }, 'account_mismatch'],
    ['an unknown refresh token', () => ({ kind: 'refresh_token', refreshToken: randomOpaqueTokens.generate(REFRESH_TOKEN_PREFIX) }), {}, 'invalid_refresh_token'],
  ])('%s is refused and audited without touching the counters: it costs no lookup of a secret', async (_case, credentials, overrides, reason) => {
    await expect(issue(credentials(), overrides)).rejects.toMatchObject({ code: reason });

    expect(throttle.calls).toEqual([]);
    expect(hasher.comparedAgainst).toEqual([]);
    expect(await failedReasons()).toEqual([reason]);
  });

  test('a check turned away by a full bcrypt queue counts for the address', async () => {
    hasher.verify = async () => {
      throw new OverloadedError('secret verification');
    };

    await expect(issue(password('ci-bot'))).rejects.toBeInstanceOf(OverloadedError);

    expect(throttle.calls).toEqual([
      ['assertAllowed', { username: 'ci-bot', clientIp: CLIENT_IP }],
      ['recordTurnedAway', CLIENT_IP],
    ]);
  });

  test.each([
    ['an expired token', 'old-bot', 'token_expired'],
    ['a revoked token', 'leaked-bot', 'token_revoked'],
  ])('the right secret of %s is refused but proves the secret, so it is not counted', async (_case, username, reason) => {
    await expect(issue(password(username))).rejects.toMatchObject({ code: reason });

    expect(throttle.calls).toEqual([['assertAllowed', { username, clientIp: CLIENT_IP }]]);
  });

  test('a valid refresh token needs no counters, even while every login is locked', async () => {
    const refreshToken = await refreshTokens.issue((await store.findByUsername('ci-bot'))!, 'docker');
    throttle.lockedFor = 900;

    await expect(issue({ kind: 'refresh_token', refreshToken })).resolves.toMatchObject({ subject: 'ci-bot' });

    expect(throttle.calls).toEqual([]);
  });

  test('anonymous requests are not throttled', async () => {
    await issue(null);
    expect(throttle.calls).toEqual([]);
  });

  test('without a client address the attempt is keyed on an empty one', async () => {
    await issue(password('ci-bot'), { clientIp: undefined });
    expect(throttle.calls[0]).toEqual(['assertAllowed', { username: 'ci-bot', clientIp: '' }]);
  });

  test.each(['assertAllowed', 'recordFailure', 'recordSuccess'] as const)(
    'fails closed: when the throttle cannot %s, the answer is unavailable and nothing is granted',
    async (method) => {
      const broken = new Error('connect ECONNREFUSED 127.0.0.1:5432');
      throttle[method] = async () => {
        throw broken;
      };
      const credentials = method === 'recordFailure' ? password('ci-bot', composeSecret(randomBytes(SECRET_RANDOM_LENGTH))) : password('ci-bot');

      const refusal = issue(credentials);

      await expect(refusal).rejects.toBeInstanceOf(ServiceUnavailableError);
      await expect(refusal).rejects.toMatchObject({ message: 'login throttle is unavailable', cause: broken });
      if (method === 'assertAllowed') expect(hasher.comparedAgainst).toEqual([]);
      // A failure to count is not a refusal the caller earned: the audit shows only what was decided.
      expect(await failedReasons()).toEqual([]);
    },
  );
});
