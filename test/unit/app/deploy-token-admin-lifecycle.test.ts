import { AuditTrail } from '../../../src/app/audit-trail.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, StoreDeployTokenAdmin, type Actor } from '../../../src/app/deploy-token-admin.js';
import { DeployTokenNotFoundError, InvalidInputError, ServiceUnavailableError } from '../../../src/app/errors.js';
import type { AuditEvent, AuditQuery, RecordedAuditEvent } from '../../../src/app/ports.js';
import { CatalogScopeError, RegistryScopeError } from '../../../src/core/deploy-token.js';
import { ExpiryError, SinceError } from '../../../src/core/expiry.js';
import { RepositoryPatternError } from '../../../src/core/repository-pattern.js';
import { TokenLifetimeError } from '../../../src/core/token-lifetime.js';
import { InMemoryAuditLog, InMemoryDeployTokenStore,
  InMemoryRefreshTokenStore, TransparentHasher } from '../../support/fake-ports.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { ManualClock } from '../../support/regauth-app.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');
const MAX_LIFETIME = 3600;

/** An in-memory audit log that also keeps the queries it was asked. */
class SpyAuditLog extends InMemoryAuditLog {
  readonly queries: AuditQuery[] = [];

  override async query(query: AuditQuery): Promise<RecordedAuditEvent[]> {
    this.queries.push(query);
    return super.query(query);
  }
}

describe('StoreDeployTokenAdmin: update, rotate, revoke, list and audit', () => {
  let store: InMemoryDeployTokenStore;
  let clock: ManualClock;
  let auditLog: SpyAuditLog;
  let refreshTokens: InMemoryRefreshTokenStore;
  let audit: AuditTrail;
  let admin: StoreDeployTokenAdmin;
  let secrets: string[];
  let flushedUses: number;

  const auditEvents = async (): Promise<AuditEvent[]> => {
    await audit.flush();
    return auditLog.events;
  };

  const create = (overrides: Partial<Parameters<StoreDeployTokenAdmin['create']>[0]> = {}, by?: Actor) =>
    admin.create({ name: 'ci', repositories: ['team/app'], scopes: ['read_registry'], ...overrides }, by);

  beforeEach(() => {
    store = new InMemoryDeployTokenStore();
    clock = new ManualClock(T0);
    auditLog = new SpyAuditLog();
    refreshTokens = new InMemoryRefreshTokenStore(store);
    audit = new AuditTrail(auditLog, new RecordingLogger());
    let counter = 0;
    secrets = [];
    flushedUses = 0;
    admin = new StoreDeployTokenAdmin({
      store,
      refreshTokens,
      refreshTokenIdleSeconds: 90 * 86_400,
      hasher: new TransparentHasher(),
      secrets: {
        generate: () => {
          counter += 1;
          const secret = `regauth_secret-${counter}`;
          secrets.push(secret);
          return secret;
        },
      },
      clock,
      audit,
      auditLog,
      maxTokenLifetimeSeconds: MAX_LIFETIME,
      pendingUses: { flush: async () => void (flushedUses += 1) },
    });
  });

  describe('update', () => {
    beforeEach(async () => {
      await create({ expires: '30d', tokenLifetime: '900' });
      clock.advance(60_000);
    });

    const LATER = new Date(T0.getTime() + 60_000);

    test.each<[string, Parameters<StoreDeployTokenAdmin['update']>[1], Record<string, unknown>]>([
      ['the name', { name: '  renamed  ' }, { name: 'renamed' }],
      ['the repositories (replaced, de-duplicated)', { repositories: ['a/**', 'b', 'a/**'] }, { repositories: ['a/**', 'b'] }],
      ['the scopes (replaced, de-duplicated)', { scopes: ['write_registry', 'delete_registry', 'write_registry'] }, { scopes: ['write_registry', 'delete_registry'] }],
      ['the expiry, as a duration from now', { expires: '1h' }, { expiresAt: new Date(LATER.getTime() + 3_600_000).toISOString(), status: 'active' }],
      ['the expiry, as a date', { expires: '2027-01-31' }, { expiresAt: '2027-01-31T00:00:00.000Z' }],
      ['the expiry cleared with null', { expires: null }, { expiresAt: null }],
      ['the token lifetime', { tokenLifetime: '15m' }, { tokenLifetimeSeconds: 900 }],
      ['the token lifetime in hours', { tokenLifetime: '1h' }, { tokenLifetimeSeconds: 3600 }],
      ['the token lifetime cleared with null', { tokenLifetime: null }, { tokenLifetimeSeconds: null }],
    ])('changes %s, stamps updatedAt and leaves the rest', async (_label, input, changed) => {
      const before = (await admin.get('1')) as unknown as Record<string, unknown>;
      const updated = await admin.update('1', input);
      expect(updated).toStrictEqual({ ...before, ...changed, updatedAt: LATER.toISOString() });
      expect(await admin.get('deploy-token-1')).toStrictEqual(updated);
    });

    test('several fields at once, and the audit event names what changed and who changed it', async () => {
      await admin.update('1', { name: 'n2', expires: null, tokenLifetime: null }, { actor: 'admin-key:terraform', clientIp: '10.0.0.5' });
      const events = await auditEvents();
      expect(events.at(-1)).toStrictEqual({
        id: 2,
        occurredAt: LATER,
        event: 'token.updated',
        actor: 'admin-key:terraform',
        deployTokenId: 1,
        username: 'deploy-token-1',
        clientIp: '10.0.0.5',
        details: { name: 'n2', expiresAt: null, tokenLifetimeSeconds: null },
      });
    });

    test('the secret stays the same', async () => {
      const hash = store.tokens[0]?.secretHash;
      await admin.update('1', { name: 'n2' });
      expect(store.tokens[0]?.secretHash).toBe(hash);
    });

    test.each<[string, Parameters<StoreDeployTokenAdmin['update']>[1]]>([
      ['an empty input', {}],
      ['every field undefined', { name: undefined, repositories: undefined, scopes: undefined, expires: undefined, tokenLifetime: undefined }],
    ])('%s is refused with "nothing to change"', async (_label, input) => {
      await expect(admin.update('1', input)).rejects.toEqual(new InvalidInputError('nothing to change'));
      expect(store.tokens[0]?.updatedAt).toBeNull();
    });

    test.each<[string, Parameters<StoreDeployTokenAdmin['update']>[1], new (...args: never[]) => Error]>([
      ['an empty name', { name: '  ' }, InvalidInputError],
      ['no repository', { repositories: [] }, InvalidInputError],
      ['a bad repository', { repositories: ['team/'] }, RepositoryPatternError],
      ['no scope', { scopes: [] }, InvalidInputError],
      ['an unknown scope', { scopes: ['admin'] }, RegistryScopeError],
      ['an expiry in the past', { expires: '2020-01-01' }, ExpiryError],
      ['a lifetime above the maximum', { tokenLifetime: '2h' }, TokenLifetimeError],
      ['a lifetime below a minute', { tokenLifetime: '59' }, TokenLifetimeError],
      ['read_catalog on a token without *', { scopes: ['read_catalog'] }, CatalogScopeError],
    ])('refuses %s and changes nothing', async (_label, input, errorType) => {
      const before = structuredClone(store.tokens);
      await expect(admin.update('1', input)).rejects.toBeInstanceOf(errorType);
      expect(store.tokens).toStrictEqual(before);
      expect((await auditEvents()).map((event) => event.event)).toStrictEqual(['token.created']);
    });

    test('an unknown reference is not found', async () => {
      await expect(admin.update('99', { name: 'x' })).rejects.toEqual(new DeployTokenNotFoundError('99'));
      await expect(admin.update('ghost', { name: 'x' })).rejects.toBeInstanceOf(DeployTokenNotFoundError);
    });

    test('the catalog rule holds on the token as it would be after the update', async () => {
      await admin.update('1', { repositories: ['*'], scopes: ['read_catalog', 'read_registry'] });
      await expect(admin.update('1', { repositories: ['team/app'] })).rejects.toBeInstanceOf(CatalogScopeError);
      await expect(admin.update('1', { repositories: ['team/app'], scopes: ['read_registry'] })).resolves.toMatchObject({
        repositories: ['team/app'],
        scopes: ['read_registry'],
      });
      await expect(admin.update('1', { scopes: ['read_catalog'] })).rejects.toBeInstanceOf(CatalogScopeError);
    });
  });

  describe('create', () => {
    test('read_catalog needs *', async () => {
      await expect(create({ repositories: ['team/**'], scopes: ['read_catalog'] })).rejects.toBeInstanceOf(CatalogScopeError);
      expect(store.tokens).toStrictEqual([]);
      await expect(create({ repositories: ['*'], scopes: ['read_catalog'] })).resolves.toMatchObject({
        token: { repositories: ['*'], scopes: ['read_catalog'] },
      });
    });

    test.each([['3601'], ['61m'], ['2h']])('a token lifetime above the maximum (%s) is refused', async (tokenLifetime) => {
      await expect(create({ tokenLifetime })).rejects.toBeInstanceOf(TokenLifetimeError);
      expect(store.tokens).toStrictEqual([]);
    });

    test('a token lifetime at the maximum is kept', async () => {
      expect((await create({ tokenLifetime: '1h' })).token.tokenLifetimeSeconds).toBe(3600);
      expect(store.tokens[0]?.tokenLifetimeSeconds).toBe(3600);
    });

    test('the audit event names the actor and what was created, never the secret', async () => {
      const { secret } = await create({ expires: '2027-01-31', tokenLifetime: '15m' }, { actor: 'admin-key:portal', clientIp: '10.0.0.7' });
      const events = await auditEvents();
      expect(events).toStrictEqual([
        {
          id: 1,
          occurredAt: T0,
          event: 'token.created',
          actor: 'admin-key:portal',
          deployTokenId: 1,
          username: 'deploy-token-1',
          clientIp: '10.0.0.7',
          details: {
            name: 'ci',
            repositories: ['team/app'],
            scopes: ['read_registry'],
            expiresAt: new Date('2027-01-31T00:00:00.000Z'),
            tokenLifetimeSeconds: 900,
          },
        },
      ]);
      expect(JSON.stringify(events)).not.toContain(secret);
    });

    test('the actor defaults to cli', async () => {
      await create();
      expect((await auditEvents())[0]).toMatchObject({ actor: 'cli', clientIp: null });
    });
  });

  describe('rotate', () => {
    test('stores a new hash, returns the new secret once, and audits token.rotated with the actor', async () => {
      const { secret: first } = await create({ username: 'k8s.pull' });
      clock.advance(5_000);
      const rotated = await admin.rotate('k8s.pull', { actor: 'admin-key:terraform' });
      expect(rotated.secret).not.toBe(first);
      expect(rotated.secret).toBe(secrets.at(-1));
      expect(store.tokens[0]?.secretHash).toBe(`hash(${rotated.secret})`);
      expect(rotated.token).toMatchObject({ id: 1, username: 'k8s.pull', status: 'active', updatedAt: '2026-11-23T10:00:05.000Z' });
      const events = await auditEvents();
      expect(events.at(-1)).toStrictEqual({
        id: 2,
        occurredAt: new Date('2026-11-23T10:00:05.000Z'),
        event: 'token.rotated',
        actor: 'admin-key:terraform',
        deployTokenId: 1,
        username: 'k8s.pull',
        clientIp: null,
        details: {},
      });
      expect(JSON.stringify(events)).not.toContain(rotated.secret);
    });

    test('keeps everything but the secret', async () => {
      await create({ repositories: ['a', 'b/**'], scopes: ['write_registry'], expires: '30d', tokenLifetime: '600' });
      const before = await admin.get('1');
      const rotated = await admin.rotate('1');
      expect({ ...rotated.token, updatedAt: null }).toStrictEqual({ ...before, updatedAt: null });
    });

    test('an unknown token is not found and nothing is generated', async () => {
      await expect(admin.rotate('5')).rejects.toEqual(new DeployTokenNotFoundError('5'));
      expect(secrets).toStrictEqual([]);
    });
  });

  describe('revoke', () => {
    test('audits token.revoked with the actor', async () => {
      await create();
      await admin.revoke('1', { actor: 'admin-key:cleanup', clientIp: '10.0.0.9' });
      expect((await auditEvents()).at(-1)).toStrictEqual({
        id: 2,
        occurredAt: T0,
        event: 'token.revoked',
        actor: 'admin-key:cleanup',
        deployTokenId: 1,
        username: 'deploy-token-1',
        clientIp: '10.0.0.9',
        details: {},
      });
    });
  });

  describe('revokeRefreshToken', () => {
    test('is answered only once its refresh_token.revoked row is written, and fails closed when it cannot be', async () => {
      await create();
      for (const tokenHash of ['first', 'second']) {
        await refreshTokens.create({ deployTokenId: 1, secretGeneration: 1, tokenHash, clientId: 'docker', createdAt: T0 });
      }

      await admin.revokeRefreshToken('1', '1', { actor: 'admin-key:cleanup' });
      // No flush: a durable record is in the log by the time the call returns.
      expect(auditLog.events.at(-1)).toMatchObject({ event: 'refresh_token.revoked', actor: 'admin-key:cleanup', details: { refreshTokenId: 1, clientId: 'docker' } });

      auditLog.record = async () => {
        throw new Error('connection refused');
      };
      await expect(admin.revokeRefreshToken('1', '2')).rejects.toBeInstanceOf(ServiceUnavailableError);
    });
  });

  describe('list', () => {
    test('pages in id order: next is the last id of a full page, null after a short one', async () => {
      for (let i = 0; i < 5; i += 1) await create({ name: `t${i + 1}` });
      const pages: [number[], number | null][] = [];
      let after: number | undefined;
      do {
        const page = await admin.list({ limit: 2, ...(after === undefined ? {} : { after }) });
        pages.push([page.items.map((item) => item.id), page.next]);
        after = page.next ?? undefined;
      } while (after !== undefined);
      expect(pages).toStrictEqual([
        [[1, 2], 2],
        [[3, 4], 4],
        [[5], null],
      ]);
    });

    test('a last page that is exactly full already says next: null (the total is known)', async () => {
      for (let i = 0; i < 4; i += 1) await create();
      expect((await admin.list({ limit: 2 })).next).toBe(2);
      expect((await admin.list({ limit: 2, after: 2 })).next).toBeNull();
      expect(await admin.list({ limit: 2, after: 4 })).toStrictEqual({ items: [], total: 0, offset: 0, next: null });
    });

    test(`without a limit a page holds up to ${DEFAULT_PAGE_SIZE}`, async () => {
      for (let i = 0; i < DEFAULT_PAGE_SIZE + 1; i += 1) await create();
      const page = await admin.list();
      expect(page.items).toHaveLength(DEFAULT_PAGE_SIZE);
      expect(page.next).toBe(DEFAULT_PAGE_SIZE);
    });

    test.each([0, -1, 1.5, MAX_PAGE_SIZE + 1, Number.NaN])('a limit of %d is refused', async (limit) => {
      await expect(admin.list({ limit })).rejects.toBeInstanceOf(InvalidInputError);
    });

    test('a status filter is evaluated at the current time', async () => {
      await create({ name: 'active' });
      await create({ name: 'expiring', expires: '1h' });
      await create({ name: 'revoked' });
      await admin.revoke('3');
      const names = async (status: 'active' | 'expired' | 'revoked') =>
        (await admin.list({ status })).items.map((item) => item.name);
      expect([await names('active'), await names('expired'), await names('revoked')]).toStrictEqual([
        ['active', 'expiring'],
        [],
        ['revoked'],
      ]);
      clock.advance(3_600_000);
      expect([await names('active'), await names('expired'), await names('revoked')]).toStrictEqual([
        ['active'],
        ['expiring'],
        ['revoked'],
      ]);
    });

    test('a repository filter keeps the tokens whose patterns cover it', async () => {
      await create({ name: 'exact', repositories: ['team/app'] });
      await create({ name: 'glob', repositories: ['team/*'] });
      await create({ name: 'deep', repositories: ['team/**'] });
      await create({ name: 'other', repositories: ['other/app'] });
      await create({ name: 'all', repositories: ['*'] });
      await create({ name: 'below', repositories: ['team/app/cache'] });
      const names = async (repository: string) => (await admin.list({ covers: repository })).items.map((item) => item.name);
      expect(await names('team/app')).toStrictEqual(['exact', 'glob', 'deep', 'all']);
      expect(await names('team/app/cache')).toStrictEqual(['exact', 'deep', 'all', 'below']);
      expect(await names('other/app')).toStrictEqual(['other', 'all']);
    });

    test('with a covers filter pages are full and the total counts only the tokens that cover it', async () => {
      await create({ name: 'x1', repositories: ['x'] });
      await create({ name: 'y1', repositories: ['y'] });
      await create({ name: 'x2', repositories: ['x/*'] });
      await create({ name: 'x3', repositories: ['x'] });
      const first = await admin.list({ covers: 'x/a', limit: 2 });
      expect([first.items.map((item) => item.name), first.total, first.next]).toStrictEqual([['x1', 'x2'], 3, 3]);
      const second = await admin.list({ covers: 'x/a', limit: 2, offset: 2 });
      expect([second.items.map((item) => item.name), second.total, second.next]).toStrictEqual([['x3'], 3, null]);
      expect(await admin.count({ covers: 'x/a' })).toBe(3);
    });

    test('status and repository filters combine', async () => {
      await create({ name: 'a', repositories: ['team/app'] });
      await create({ name: 'b', repositories: ['team/app'] });
      await create({ name: 'c', repositories: ['other'] });
      await admin.revoke('2');
      await admin.revoke('3');
      expect((await admin.list({ status: 'revoked', covers: 'team/app' })).items.map((item) => item.name)).toStrictEqual(['b']);
    });

    test('an invalid repository filter is refused', async () => {
      await expect(admin.list({ covers: 'Team/App' })).rejects.toBeInstanceOf(RepositoryPatternError);
    });

    test('pending last-use times are written before tokens are read', async () => {
      await create();
      await admin.list();
      await admin.get('1');
      expect(flushedUses).toBe(2);
    });
  });

  describe('audit', () => {
    test('an unknown event is refused before anything is queried', async () => {
      await expect(admin.audit({ event: 'token.exploded' })).rejects.toBeInstanceOf(InvalidInputError);
      await expect(admin.audit({ event: 'token.exploded' })).rejects.toThrow(/unknown audit event "token.exploded"/);
      expect(auditLog.queries).toStrictEqual([]);
    });

    test('since as a duration means that long before now', async () => {
      await admin.audit({ since: '24h' });
      await admin.audit({ since: '7d' });
      await admin.audit({ since: '90s' });
      expect(auditLog.queries.map((query) => query.since)).toStrictEqual([
        new Date(T0.getTime() - 86_400_000),
        new Date(T0.getTime() - 7 * 86_400_000),
        new Date(T0.getTime() - 90_000),
      ]);
    });

    test('since as a date or an RFC 3339 time is that instant', async () => {
      await admin.audit({ since: '2026-11-01' });
      await admin.audit({ since: '2026-11-20T08:30:00Z' });
      expect(auditLog.queries.map((query) => query.since)).toStrictEqual([
        new Date('2026-11-01T00:00:00.000Z'),
        new Date('2026-11-20T08:30:00.000Z'),
      ]);
    });

    test('an unreadable since is refused', async () => {
      await expect(admin.audit({ since: 'yesterday' })).rejects.toBeInstanceOf(SinceError);
      expect(auditLog.queries).toStrictEqual([]);
    });

    test('a token reference is resolved to its id, by id or username', async () => {
      await create({ username: 'k8s.pull' });
      await admin.audit({ token: 'k8s.pull' });
      await admin.audit({ token: '1' });
      expect(auditLog.queries.map((query) => query.deployTokenId)).toStrictEqual([1, 1]);
      await expect(admin.audit({ token: 'ghost' })).rejects.toBeInstanceOf(DeployTokenNotFoundError);
    });

    test('event, before and limit are passed on; the default limit is the page size', async () => {
      await admin.audit({ event: 'auth.failed', before: 40, limit: 5 });
      await admin.audit();
      expect(auditLog.queries).toStrictEqual([{ limit: 5, event: 'auth.failed', beforeId: 40 }, { limit: DEFAULT_PAGE_SIZE }]);
    });

    test('pages newest first with next as a cursor for before; events not yet written are flushed first', async () => {
      for (let i = 0; i < 5; i += 1) await create({ name: `t${i + 1}` });
      // Not flushed: audit() must write them before it reads.
      const first = await admin.audit({ limit: 2 });
      expect([first.items.map((item) => item.id), first.next]).toStrictEqual([[5, 4], 4]);
      const second = await admin.audit({ limit: 2, before: 4 });
      expect([second.items.map((item) => item.id), second.next]).toStrictEqual([[3, 2], 2]);
      const third = await admin.audit({ limit: 2, before: 2 });
      expect([third.items.map((item) => item.id), third.next]).toStrictEqual([[1], null]);
    });

    test('events are shown with ISO times and tokenId', async () => {
      await create();
      const { items } = await admin.audit({ event: 'token.created', token: '1' });
      expect(items).toStrictEqual([
        {
          id: 1,
          occurredAt: T0.toISOString(),
          event: 'token.created',
          actor: 'cli',
          tokenId: 1,
          username: 'deploy-token-1',
          clientIp: null,
          details: expect.objectContaining({ name: 'ci' }),
        },
      ]);
    });

    test.each([0, MAX_PAGE_SIZE + 1])('a limit of %d is refused', async (limit) => {
      await expect(admin.audit({ limit })).rejects.toBeInstanceOf(InvalidInputError);
    });
  });
});
