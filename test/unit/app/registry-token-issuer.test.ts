import { randomBytes } from 'node:crypto';
import { randomOpaqueTokens as opaqueTokens } from '../../../src/adapters/crypto/opaque-tokens.js';
import { AuditTrail } from '../../../src/app/audit-trail.js';
import { DeployTokenAuthenticator } from '../../../src/app/deploy-token-authenticator.js';
import { DeployTokenUseRecorder } from '../../../src/app/deploy-token-use-recorder.js';
import { RefreshTokens } from '../../../src/app/refresh-tokens.js';
import { AccountMismatchError, ServiceUnavailableError, UnknownServiceError } from '../../../src/app/errors.js';
import type { RegistryTokenSigner } from '../../../src/app/ports.js';
import { RegistryTokenIssuer, type RegistryTokenRequest } from '../../../src/app/registry-token-issuer.js';
import { composeSecret, SECRET_RANDOM_LENGTH } from '../../../src/core/deploy-token-secret.js';
import type { RegistryTokenClaims } from '../../../src/core/registry-claims.js';
import { ScopeSyntaxError } from '../../../src/core/scope.js';
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

/** Signs nothing: returns the claims as JSON so tests can read exactly what would be signed. */
class ClaimsEchoSigner implements RegistryTokenSigner {
  readonly keyId = 'TEST';
  signed: RegistryTokenClaims[] = [];
  async sign(claims: RegistryTokenClaims): Promise<string> {
    this.signed.push(claims);
    return JSON.stringify(claims);
  }
}

describe('RegistryTokenIssuer', () => {
  let store: InMemoryDeployTokenStore;
  let signer: ClaimsEchoSigner;
  let logger: RecordingLogger;
  let issuer: RegistryTokenIssuer;
  let auditLog: InMemoryAuditLog;
  let audit: AuditTrail;
  let secret: string;

  const request = (overrides: Partial<RegistryTokenRequest> = {}): RegistryTokenRequest => ({
    credentials: { kind: 'password', username: 'ci-bot', secret },
    account: null,
    service: 'registry',
    scopeParameters: ['repository:team/app:pull,push'],
    clientIp: '10.1.2.3',
    ...overrides,
  });

  beforeEach(async () => {
    store = new InMemoryDeployTokenStore();
    const hasher = new TransparentHasher();
    const clock = new ManualClock(T0);
    logger = new RecordingLogger();
    signer = new ClaimsEchoSigner();
    auditLog = new InMemoryAuditLog();
    audit = new AuditTrail(auditLog, logger);
    issuer = new RegistryTokenIssuer({
      authenticator: new DeployTokenAuthenticator({ store, hasher, clock }),
      refreshTokens: new RefreshTokens({ store: new InMemoryRefreshTokenStore(store), tokens: opaqueTokens, clock, idleExpirySeconds: 90 * 86_400 }),
      signer,
      clock,
      jwtIds: { next: () => 'jti-1' },
      audit,
      uses: new DeployTokenUseRecorder(store, logger),
      throttle: new RecordingLoginThrottle(),
      settings: { issuer: 'regauth', service: 'registry', lifetimeSeconds: 900, maxLifetimeSeconds: 3600, publicRepositories: [] },
    });
    secret = composeSecret(randomBytes(SECRET_RANDOM_LENGTH));
    await store.create({
      name: 'ci',
      username: 'ci-bot',
      secretHash: await hasher.hash(secret),
      repositories: ['team/app'],
      scopes: ['read_registry'],
      expiresAt: null,
      tokenLifetimeSeconds: null,
      createdAt: T0,
    });
  });

  test('signs exactly the granted subset for the authenticated deploy token', async () => {
    const issued = await issuer.issue(request());
    expect(signer.signed).toEqual([
      {
        iss: 'regauth',
        sub: 'ci-bot',
        aud: 'registry',
        iat: T0.getTime() / 1000,
        nbf: T0.getTime() / 1000 - 5,
        exp: T0.getTime() / 1000 + 900,
        jti: 'jti-1',
        access: [{ type: 'repository', name: 'team/app', actions: ['pull'] }],
      },
    ]);
    expect(issued).toMatchObject({ expiresIn: 900, issuedAt: T0, subject: 'ci-bot' });
    expect(issued.decision.refused).toEqual([{ type: 'repository', name: 'team/app', actions: ['push'] }]);
  });

  test('logs and audits the issue with who, from where, what was granted and what was refused', async () => {
    await issuer.issue(request());
    const granted = [{ type: 'repository', name: 'team/app', actions: ['pull'] }];
    const refused = [{ type: 'repository', name: 'team/app', actions: ['push'] }];
    expect(logger.records.find((record) => record.fields?.event === 'token.issued')?.fields).toEqual({
      event: 'token.issued',
      actor: 'ci-bot',
      tokenId: 1,
      username: 'ci-bot',
      clientIp: '10.1.2.3',
      granted,
      refused,
      grant: 'password',
      jti: 'jti-1',
    });
    // Durable by default: committed before issue() resolved, with no flush.
    expect(auditLog.events).toEqual([
      {
        id: 1,
        occurredAt: T0,
        event: 'token.issued',
        actor: 'ci-bot',
        deployTokenId: 1,
        username: 'ci-bot',
        clientIp: '10.1.2.3',
        details: { granted, refused, grant: 'password', jti: 'jti-1' },
      },
    ]);
  });

  test('a wrong service is refused before any credential is checked', async () => {
    await expect(issuer.issue(request({ service: 'elsewhere' }))).rejects.toBeInstanceOf(UnknownServiceError);
    expect(store.lookups).toBe(0);
  });

  test('a malformed scope is refused before any credential is checked', async () => {
    await expect(issuer.issue(request({ scopeParameters: ['nope'] }))).rejects.toBeInstanceOf(ScopeSyntaxError);
    expect(store.lookups).toBe(0);
  });

  test('an account that is not the username is refused without a lookup, and logged', async () => {
    await expect(issuer.issue(request({ account: 'someone-else' }))).rejects.toBeInstanceOf(AccountMismatchError);
    expect(store.lookups).toBe(0);
    expect(logger.records.find((record) => record.fields?.event === 'auth.failed')).toMatchObject({
      level: 'warn',
      fields: {
        event: 'auth.failed',
        actor: null,
        tokenId: null,
        username: 'ci-bot',
        clientIp: '10.1.2.3',
        reason: 'account_mismatch',
        grant: 'password',
      },
    });
  });

  test('anonymous callers get a token with no subject and no access', async () => {
    await issuer.issue(request({ credentials: null }));
    expect(signer.signed[0]).not.toHaveProperty('sub');
    expect(signer.signed[0]?.access).toEqual([]);
  });

  test('an unavailable store signs nothing', async () => {
    store.failWith = new Error('connection refused');
    await expect(issuer.issue(request())).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(signer.signed).toEqual([]);
    expect(logger.records.map((record) => record.fields?.event)).not.toContain('auth.failed');
  });
});
