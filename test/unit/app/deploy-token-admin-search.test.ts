import { AuditTrail } from '../../../src/app/audit-trail.js';
import { StoreDeployTokenAdmin } from '../../../src/app/deploy-token-admin.js';
import { InvalidInputError } from '../../../src/app/errors.js';
import { RegistryScopeError } from '../../../src/core/deploy-token.js';
import { DeployTokenSortError } from '../../../src/core/deploy-token-sort.js';
import { ExpiryError } from '../../../src/core/expiry.js';
import { RepositoryPatternError } from '../../../src/core/repository-pattern.js';
import { InMemoryAuditLog, InMemoryDeployTokenStore, InMemoryRefreshTokenStore, TransparentHasher } from '../../support/fake-ports.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { ManualClock } from '../../support/regauth-app.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');
const DAY = 86_400_000;

describe('StoreDeployTokenAdmin: search, extend, pattern test, secret issued, credential formats', () => {
  let store: InMemoryDeployTokenStore;
  let clock: ManualClock;
  let auditLog: InMemoryAuditLog;
  let audit: AuditTrail;
  let admin: StoreDeployTokenAdmin;

  const create = (overrides: Partial<Parameters<StoreDeployTokenAdmin['create']>[0]> = {}) =>
    admin.create({ name: 'ci', repositories: ['team/app'], scopes: ['read_registry'], ...overrides }, { actor: 'admin-key:alice' });
  const names = async (input: Parameters<StoreDeployTokenAdmin['list']>[0]) => (await admin.list(input)).items.map((item) => item.name);

  beforeEach(() => {
    store = new InMemoryDeployTokenStore();
    clock = new ManualClock(T0);
    auditLog = new InMemoryAuditLog();
    audit = new AuditTrail(auditLog, new RecordingLogger());
    let counter = 0;
    admin = new StoreDeployTokenAdmin({
      store,
      refreshTokens: new InMemoryRefreshTokenStore(store),
      refreshTokenIdleSeconds: 90 * 86_400,
      hasher: new TransparentHasher(),
      secrets: { generate: () => `regauth_secret-${(counter += 1)}` },
      clock,
      audit,
      auditLog,
      maxTokenLifetimeSeconds: 3600,
      registryHost: 'registry.example.com:5000',
    });
  });

  describe('list', () => {
    beforeEach(async () => {
      await create({ name: 'Old Puller', expires: '10d' });
      clock.advance(100 * DAY);
      await create({ name: 'pusher', repositories: ['team/*'], scopes: ['write_registry'], expires: '20d' });
      await create({ name: 'forever', repositories: ['other/x'] });
      await admin.revoke('3');
    });

    test('search is case-insensitive over name, username and patterns; blank means no search', async () => {
      expect(await names({ search: '  old ' })).toStrictEqual(['Old Puller']);
      expect(await names({ search: 'TEAM/*' })).toStrictEqual(['pusher']);
      expect(await names({ search: 'deploy-token-3' })).toStrictEqual(['forever']);
      expect(await names({ search: '   ' })).toStrictEqual(['Old Puller', 'pusher', 'forever']);
    });

    test('status, scope, expiring within, unused for and revoked within combine', async () => {
      expect(await names({ scope: 'write_registry' })).toStrictEqual(['pusher']);
      expect(await names({ expiringWithinDays: 30 })).toStrictEqual(['pusher']);
      expect(await names({ unusedForDays: 90 })).toStrictEqual(['Old Puller']);
      expect(await names({ unusedForDays: 90, status: 'expired' })).toStrictEqual(['Old Puller']);
      expect(await names({ revokedWithinDays: 7 })).toStrictEqual(['forever']);
      expect(await admin.count({ status: 'active' })).toBe(1);
    });

    test('sort and offset page through the sorted matches with the total', async () => {
      expect(await names({ sort: 'name:asc' })).toStrictEqual(['forever', 'Old Puller', 'pusher']);
      const page = await admin.list({ sort: 'name:desc', offset: 1, limit: 1 });
      expect([page.items.map((item) => item.name), page.total, page.offset]).toStrictEqual([['Old Puller'], 3, 1]);
    });

    test.each<[string, Parameters<StoreDeployTokenAdmin['list']>[0], new (...args: never[]) => Error]>([
      ['an unknown sort', { sort: 'secret' }, DeployTokenSortError],
      ['an unknown scope', { scope: 'sudo' }, RegistryScopeError],
      ['zero days', { expiringWithinDays: 0 }, InvalidInputError],
      ['a fraction of a day', { unusedForDays: 1.5 }, InvalidInputError],
      ['a negative offset', { offset: -1 }, InvalidInputError],
      ['a pattern where a repository name belongs', { covers: 'team/*' }, RepositoryPatternError],
      ['a search longer than 255 characters', { search: 'x'.repeat(256) }, InvalidInputError],
    ])('refuses %s', async (_label, input, error) => {
      await expect(admin.list(input)).rejects.toBeInstanceOf(error);
    });
  });

  describe('extend', () => {
    test('sets a later expiry, keeps the secret, and records token.extended with the old and new expiry', async () => {
      const created = await create({ expires: '10d' });
      const extended = await admin.extend('1', { expires: '30d' }, { actor: 'admin-key:bob', clientIp: '10.0.0.1' });
      expect(extended.expiresAt).toBe(new Date(T0.getTime() + 30 * DAY).toISOString());
      expect(extended.secretIssuedAt).toBe(created.token.secretIssuedAt);
      expect(store.tokens[0]?.secretHash).toBe('hash(regauth_secret-1)');
      await audit.flush();
      expect(auditLog.events.at(-1)).toMatchObject({
        event: 'token.extended',
        actor: 'admin-key:bob',
        clientIp: '10.0.0.1',
        deployTokenId: 1,
        details: { previousExpiresAt: created.token.expiresAt, expiresAt: extended.expiresAt },
      });
    });

    test('null removes the expiry, and brings an expired token back', async () => {
      await create({ expires: '1d' });
      clock.advance(2 * DAY);
      expect((await admin.get('1')).status).toBe('expired');
      expect(await admin.extend('1', { expires: null })).toMatchObject({ expiresAt: null, status: 'active' });
    });

    test.each<[string, string | null, string]>([
      ['a date in the past', '2020-01-01', 'not in the future'],
      ['an expiry earlier than the current one', '5d', 'not later than the current expiry'],
      ['the current expiry itself', '10d', 'not later than the current expiry'],
    ])('refuses %s and changes nothing', async (_label, expires, message) => {
      await create({ expires: '10d' });
      const before = await admin.get('1');
      await expect(admin.extend('1', { expires })).rejects.toThrow(message);
      expect(await admin.get('1')).toStrictEqual(before);
    });

    test('refuses a past date with an ExpiryError, a token that never expires, and a revoked token', async () => {
      await create({ expires: '10d' });
      await expect(admin.extend('1', { expires: '2020-01-01' })).rejects.toBeInstanceOf(ExpiryError);
      await create({ name: 'forever' });
      await expect(admin.extend('2', { expires: '30d' })).rejects.toThrow('never expires');
      await admin.revoke('1');
      await expect(admin.extend('1', { expires: '30d' })).rejects.toThrow('revoked');
    });
  });

  test('the secret is issued by the creator, then by whoever rotates it, at that time', async () => {
    const created = await create();
    expect([created.token.secretIssuedAt, created.token.secretIssuedBy]).toStrictEqual([T0.toISOString(), 'admin-key:alice']);
    clock.advance(DAY);
    const rotated = await admin.rotate('1', { actor: 'ui:carol via ui' });
    expect([rotated.token.secretIssuedAt, rotated.token.secretIssuedBy]).toStrictEqual([new Date(T0.getTime() + DAY).toISOString(), 'ui:carol via ui']);
    expect((await admin.get('1')).secretIssuedBy).toBe('ui:carol via ui');
  });

  test('create and rotate answer every credential format for registry.host', async () => {
    const created = await create({ name: 'Prod Cluster' });
    expect(Object.keys(created.credentials).sort()).toStrictEqual(
      ['dockerConfigJson', 'dockerLogin', 'githubActions', 'gitlabCi', 'imagePullSecrets', 'kubernetesSecret', 'podmanLogin'],
    );
    expect(created.credentials.podmanLogin).toBe(
      "printf '%s' 'regauth_secret-1' | podman login registry.example.com:5000 --username deploy-token-1 --password-stdin\n",
    );
    expect(created.credentials.imagePullSecrets).toBe('imagePullSecrets:\n  - name: regauth-prod-cluster\n');
    const rotated = await admin.rotate('1');
    expect(rotated.credentials.dockerConfigJson).toContain('regauth_secret-2');
    expect(rotated.credentials.dockerConfigJson).not.toContain('regauth_secret-1');
  });

  test('testPatterns says which repositories the patterns cover and refuses what is not a pattern or a name', async () => {
    expect(await admin.testPatterns({ patterns: ['team/app'], repositories: ['team/app', 'team/app/cache', 'team/application'] })).toStrictEqual({
      items: [
        { repository: 'team/app', covered: true, pattern: 'team/app' },
        { repository: 'team/app/cache', covered: true, pattern: 'team/app' },
        { repository: 'team/application', covered: false, pattern: null },
      ],
      summary: 'covers team/app and team/app/cache, not team/application',
    });
    await expect(admin.testPatterns({ patterns: ['Team/App'], repositories: ['team/app'] })).rejects.toBeInstanceOf(RepositoryPatternError);
    await expect(admin.testPatterns({ patterns: ['team/**'], repositories: ['team//x'] })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(admin.testPatterns({ patterns: [], repositories: ['team/x'] })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(admin.testPatterns({ patterns: ['team/**'], repositories: [] })).rejects.toBeInstanceOf(InvalidInputError);
  });
});
