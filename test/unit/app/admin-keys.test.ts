import { randomOpaqueTokens } from '../../../src/adapters/crypto/opaque-tokens.js';
import { AdminKeys } from '../../../src/app/admin-keys.js';
import { AuditTrail } from '../../../src/app/audit-trail.js';
import { AdminKeyNotFoundError, InvalidAdminKeyError, InvalidInputError, ServiceUnavailableError } from '../../../src/app/errors.js';
import type { AdminKey } from '../../../src/app/ports.js';
import { ADMIN_KEY_PREFIX, isWellFormedOpaqueToken, REFRESH_TOKEN_PREFIX } from '../../../src/core/opaque-token.js';
import { InMemoryAdminKeyStore, InMemoryAuditLog } from '../../support/fake-ports.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { ManualClock } from '../../support/regauth-app.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');

/** Counts lookups and last-use writes; can fail on demand. */
class SpyAdminKeyStore extends InMemoryAdminKeyStore {
  lookups = 0;
  readonly marked: [number, Date][] = [];
  failLookups = false;
  failMarks = false;

  override async findByHash(keyHash: string): Promise<AdminKey | null> {
    this.lookups += 1;
    if (this.failLookups) throw new Error('connection refused');
    return super.findByHash(keyHash);
  }

  override async markUsed(id: number, at: Date): Promise<void> {
    if (this.failMarks) throw new Error('connection refused');
    this.marked.push([id, at]);
    return super.markUsed(id, at);
  }
}

describe('AdminKeys', () => {
  let store: SpyAdminKeyStore;
  let clock: ManualClock;
  let auditLog: InMemoryAuditLog;
  let audit: AuditTrail;
  let logger: RecordingLogger;
  let adminKeys: AdminKeys;

  beforeEach(() => {
    store = new SpyAdminKeyStore();
    clock = new ManualClock(T0);
    auditLog = new InMemoryAuditLog();
    logger = new RecordingLogger();
    audit = new AuditTrail(auditLog, logger);
    adminKeys = new AdminKeys({ store, tokens: randomOpaqueTokens, clock, audit });
  });

  test('create returns the key once and stores only its digest', async () => {
    const created = await adminKeys.create('  terraform ');
    expect(isWellFormedOpaqueToken(created.key, ADMIN_KEY_PREFIX)).toBe(true);
    expect(created.adminKey).toStrictEqual({
      id: 1,
      name: 'terraform',
      status: 'active',
      createdAt: T0.toISOString(),
      revokedAt: null,
      lastUsedAt: null,
    });
    expect(store.keys).toStrictEqual([
      { id: 1, name: 'terraform', keyHash: randomOpaqueTokens.digest(created.key), createdAt: T0, revokedAt: null, lastUsedAt: null },
    ]);
    expect(JSON.stringify(store.keys)).not.toContain(created.key.slice(ADMIN_KEY_PREFIX.length));
    expect(JSON.stringify(await adminKeys.list())).not.toContain(created.key);
  });

  test.each([
    ['empty', ''],
    ['blank', '   '],
    ['too long', 'k'.repeat(256)],
    ['a control character', 'a\nb'],
    ['DEL', 'a\u007fb'],
  ])('create refuses a name that is %s', async (_label, name) => {
    await expect(adminKeys.create(name)).rejects.toBeInstanceOf(InvalidInputError);
    expect(store.keys).toStrictEqual([]);
  });

  test('a name of 255 characters is accepted', async () => {
    expect((await adminKeys.create('k'.repeat(255))).adminKey.name).toHaveLength(255);
  });

  test('authenticate accepts an active key and returns it', async () => {
    const { key } = await adminKeys.create('terraform');
    await expect(adminKeys.authenticate(key)).resolves.toMatchObject({ id: 1, name: 'terraform' });
  });

  test('a revoked key is refused like an unknown one', async () => {
    const { key } = await adminKeys.create('terraform');
    await adminKeys.revoke(1);
    await expect(adminKeys.authenticate(key)).rejects.toBeInstanceOf(InvalidAdminKeyError);
  });

  test('an unknown well-formed key is refused after one lookup', async () => {
    await expect(adminKeys.authenticate(randomOpaqueTokens.generate(ADMIN_KEY_PREFIX))).rejects.toBeInstanceOf(InvalidAdminKeyError);
    expect(store.lookups).toBe(1);
  });

  test.each([
    ['empty', ''],
    ['a refresh token', randomOpaqueTokens.generate(REFRESH_TOKEN_PREFIX)],
    ['a truncated admin key', randomOpaqueTokens.generate(ADMIN_KEY_PREFIX).slice(0, -1)],
    ['a deploy-token secret', 'regauth_0123456789abcdefghijABCDEFGHIJ0123ABCDEF'],
    ['Bearer and a key', `Bearer ${randomOpaqueTokens.generate(ADMIN_KEY_PREFIX)}`],
  ])('a malformed key (%s) is refused without a lookup', async (_label, text) => {
    await expect(adminKeys.authenticate(text)).rejects.toBeInstanceOf(InvalidAdminKeyError);
    expect(store.lookups).toBe(0);
  });

  test('the last use is written at most once a minute', async () => {
    const { key } = await adminKeys.create('terraform');
    await adminKeys.authenticate(key);
    clock.advance(30_000);
    await adminKeys.authenticate(key);
    clock.advance(29_999);
    await adminKeys.authenticate(key);
    clock.advance(1);
    await adminKeys.authenticate(key);
    expect(store.marked).toStrictEqual([
      [1, T0],
      [1, new Date(T0.getTime() + 60_000)],
    ]);
    expect((await adminKeys.list())[0]?.lastUsedAt).toBe(new Date(T0.getTime() + 60_000).toISOString());
  });

  test('a failing last-use write does not refuse the key', async () => {
    const { key } = await adminKeys.create('terraform');
    store.failMarks = true;
    await expect(adminKeys.authenticate(key)).resolves.toMatchObject({ id: 1 });
  });

  test('a failing lookup makes authentication unavailable, not a refusal', async () => {
    const { key } = await adminKeys.create('terraform');
    store.failLookups = true;
    await expect(adminKeys.authenticate(key)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  test('revoke keeps the first revocation time; an unknown id is not_found', async () => {
    await adminKeys.create('terraform');
    expect(await adminKeys.revoke(1)).toMatchObject({ status: 'revoked', revokedAt: T0.toISOString() });
    clock.advance(1000);
    expect((await adminKeys.revoke(1)).revokedAt).toBe(T0.toISOString());
    const error = await adminKeys.revoke(2).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AdminKeyNotFoundError);
    expect((error as AdminKeyNotFoundError).code).toBe('not_found');
  });

  test('list shows every key with its status', async () => {
    await adminKeys.create('a');
    await adminKeys.create('b');
    await adminKeys.revoke(1);
    expect((await adminKeys.list()).map((key) => [key.id, key.name, key.status])).toStrictEqual([
      [1, 'a', 'revoked'],
      [2, 'b', 'active'],
    ]);
  });

  test('creating and revoking are audited as admin_key.created / admin_key.revoked, without the key', async () => {
    const { key } = await adminKeys.create('terraform');
    clock.advance(1000);
    await adminKeys.revoke(1);
    await expect(adminKeys.revoke(7)).rejects.toBeInstanceOf(AdminKeyNotFoundError);
    await audit.flush();
    expect(auditLog.events).toStrictEqual([
      {
        id: 1,
        occurredAt: T0,
        event: 'admin_key.created',
        actor: 'cli',
        deployTokenId: null,
        username: null,
        clientIp: null,
        details: { adminKeyId: 1, name: 'terraform' },
      },
      {
        id: 2,
        occurredAt: new Date(T0.getTime() + 1000),
        event: 'admin_key.revoked',
        actor: 'cli',
        deployTokenId: null,
        username: null,
        clientIp: null,
        details: { adminKeyId: 1, name: 'terraform' },
      },
    ]);
    expect(JSON.stringify(auditLog.events)).not.toContain(key);
    expect(JSON.stringify(logger.records)).not.toContain(key);
  });
});
