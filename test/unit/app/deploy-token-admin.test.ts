import { AuditTrail } from '../../../src/app/audit-trail.js';
import { StoreDeployTokenAdmin } from '../../../src/app/deploy-token-admin.js';
import { DeployTokenNotFoundError, InvalidInputError } from '../../../src/app/errors.js';
import { RegistryScopeError } from '../../../src/core/deploy-token.js';
import { ExpiryError } from '../../../src/core/expiry.js';
import { RepositoryPatternError } from '../../../src/core/repository-pattern.js';
import { UsernameError } from '../../../src/core/username.js';
import { InMemoryAuditLog, InMemoryDeployTokenStore,
  InMemoryRefreshTokenStore, TransparentHasher } from '../../support/fake-ports.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { ManualClock } from '../../support/regauth-app.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');
const SECRET = 'regauth_fixed-for-this-test';

describe('StoreDeployTokenAdmin', () => {
  let store: InMemoryDeployTokenStore;
  let clock: ManualClock;
  let admin: StoreDeployTokenAdmin;

  let auditLog: InMemoryAuditLog;

  beforeEach(() => {
    store = new InMemoryDeployTokenStore();
    auditLog = new InMemoryAuditLog();
    clock = new ManualClock(T0);
    admin = new StoreDeployTokenAdmin({
      store,
      refreshTokens: new InMemoryRefreshTokenStore(store),
      refreshTokenIdleSeconds: 90 * 86_400,
      hasher: new TransparentHasher(),
      secrets: { generate: () => SECRET },
      clock,
      audit: new AuditTrail(auditLog, new RecordingLogger()),
      auditLog,
      maxTokenLifetimeSeconds: 3600,
    });
  });

  test('create stores only the hash, de-duplicates, and shows the secret once', async () => {
    const created = await admin.create({
      name: '  ci of team/app ',
      repositories: ['team/app', 'team/app', 'shared'],
      scopes: ['write_registry', 'read_registry', 'write_registry'],
      expires: '90d',
    });
    expect(created).toEqual({
      secret: SECRET,
      token: {
        id: 1,
        name: 'ci of team/app',
        username: 'deploy-token-1',
        repositories: ['team/app', 'shared'],
        scopes: ['write_registry', 'read_registry'],
        status: 'active',
        expiresAt: '2027-02-21T10:00:00.000Z',
        revokedAt: null,
        createdAt: T0.toISOString(),
        lastUsedAt: null,
        lastUsedIp: null,
        tokenLifetimeSeconds: null,
        updatedAt: null,
        secretIssuedAt: T0.toISOString(),
        secretIssuedBy: 'cli',
      },
      credentials: expect.objectContaining({
        dockerLogin: `printf '%s' '${SECRET}' | docker login <registry-host> --username deploy-token-1 --password-stdin\n`,
      }),
    });
    expect(store.tokens[0]?.secretHash).toBe(`hash(${SECRET})`);
    expect(JSON.stringify(await admin.list())).not.toContain(SECRET);
  });

  test.each([
    ['an empty name', { name: ' ' }, InvalidInputError],
    ['a name with a control character', { name: 'a\u0007b' }, InvalidInputError],
    ['no repository', { repositories: [] }, InvalidInputError],
    ['a bad repository', { repositories: ['Team/App'] }, RepositoryPatternError],
    ['no scope', { scopes: [] }, InvalidInputError],
    ['an unknown scope', { scopes: ['admin'] }, RegistryScopeError],
    ['a reserved username', { username: 'deploy-token-7' }, UsernameError],
    ['an expiry in the past', { expires: '2020-01-01' }, ExpiryError],
  ])('create refuses %s and stores nothing', async (_case, change, errorType) => {
    const input = { name: 'ci', repositories: ['team/app'], scopes: ['read_registry'], ...change };
    await expect(admin.create(input)).rejects.toBeInstanceOf(errorType);
    expect(store.tokens).toEqual([]);
  });

  test('revoke finds a token by id or by username and keeps the first revocation time', async () => {
    await admin.create({ name: 'a', repositories: ['x'], scopes: ['read_registry'] });
    await admin.create({ name: 'b', repositories: ['x'], scopes: ['read_registry'], username: 'k8s.pull' });
    expect(await admin.revoke('1')).toMatchObject({ id: 1, status: 'revoked', revokedAt: T0.toISOString() });
    clock.advance(1000);
    expect(await admin.revoke('k8s.pull')).toMatchObject({ id: 2, status: 'revoked', revokedAt: '2026-11-23T10:00:01.000Z' });
    expect(await admin.revoke('deploy-token-1')).toMatchObject({ id: 1, revokedAt: T0.toISOString() });
  });

  test('revoking an unknown reference is an error that names it', async () => {
    await expect(admin.revoke('42')).rejects.toEqual(new DeployTokenNotFoundError('42'));
    await expect(admin.revoke('ghost')).rejects.toBeInstanceOf(DeployTokenNotFoundError);
  });

  test('list reports each token’s status at the current time', async () => {
    await admin.create({ name: 'short', repositories: ['x'], scopes: ['read_registry'], expires: '1h' });
    expect((await admin.list()).items[0]?.status).toBe('active');
    clock.advance(3_600_000);
    expect((await admin.list()).items[0]?.status).toBe('expired');
  });
});
