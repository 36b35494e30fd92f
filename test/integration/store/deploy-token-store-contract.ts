import { UsernameTakenError } from '../../../src/app/errors.js';
import type { NewDeployToken } from '../../../src/app/ports.js';
import { readdirSync } from 'node:fs';
import { migrate, MIGRATIONS_DIR } from '../../../src/adapters/store/migrator.js';
import type { SqlDatabase } from '../../../src/adapters/store/sql-database.js';
import { SqlDeployTokenStore } from '../../../src/adapters/store/sql-deploy-token-store.js';
import { DEFAULT_DEPLOY_TOKEN_SORT } from '../../../src/core/deploy-token-sort.js';

const ALL_MIGRATIONS = readdirSync(MIGRATIONS_DIR)
  .filter((file) => file.endsWith('.sql'))
  .map((file) => file.replace(/\.sql$/, ''))
  .sort();

export interface StoreFixture {
  readonly db: SqlDatabase;
  /** Two connections (two replicas) to a new, empty database; `close` ends both and drops it. */
  openEmptyPair(): Promise<{ first: SqlDatabase; second: SqlDatabase; close(): Promise<void> }>;
}

const T0 = new Date('2026-11-23T10:00:00.000Z');

function draft(overrides: Partial<NewDeployToken> = {}): NewDeployToken {
  return {
    name: 'ci pipeline',
    username: null,
    secretHash: '$2b$04$abcdefghijklmnopqrstuuN3Vj0mGJq9GzQm3QWZ4m5WmYh0Z9q1y',
    repositories: ['team/app', 'team/other'],
    scopes: ['read_registry', 'write_registry'],
    expiresAt: null,
    tokenLifetimeSeconds: null,
    createdAt: T0,
    ...overrides,
  };
}

/** The behaviour every DeployTokenStore backend must show; run once per backend. */
export function deployTokenStoreContract(backend: string, open: () => Promise<StoreFixture>): void {
  describe(`SqlDeployTokenStore on ${backend}`, () => {
    let fixture: StoreFixture;
    let store: SqlDeployTokenStore;

    beforeAll(async () => {
      fixture = await open();
      await migrate(fixture.db);
      store = new SqlDeployTokenStore(fixture.db);
    }, 60_000);

    afterAll(async () => {
      await fixture?.db.close();
    });

    test('migrations are recorded and not applied twice', async () => {
      expect(await migrate(fixture.db)).toEqual([]);
      const rows = await fixture.db.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((row) => row.version)).toEqual(ALL_MIGRATIONS);
    });

    test('two replicas migrating an empty database at once apply each migration once', async () => {
      const pair = await fixture.openEmptyPair();
      try {
        const results = await Promise.all([migrate(pair.first), migrate(pair.second)]);
        expect(results.flat().sort()).toEqual(ALL_MIGRATIONS);
        const rows = await pair.first.query<{ count: string | number }>('SELECT count(*) AS count FROM schema_migrations');
        expect(Number(rows[0]?.count)).toBe(ALL_MIGRATIONS.length);
      } finally {
        await pair.close();
      }
    });

    test('create generates deploy-token-<id> when no username is given and keeps every field', async () => {
      const expiresAt = new Date('2027-01-31T00:00:00.000Z');
      const token = await store.create(draft({ expiresAt }));
      expect(token).toEqual({
        id: expect.any(Number),
        name: 'ci pipeline',
        username: `deploy-token-${token.id}`,
        secretHash: draft().secretHash,
        repositories: ['team/app', 'team/other'],
        scopes: ['read_registry', 'write_registry'],
        expiresAt,
        revokedAt: null,
        createdAt: T0,
        lastUsedAt: null,
        lastUsedIp: null,
        tokenLifetimeSeconds: null,
        updatedAt: null,
        secretGeneration: 1,
        secretIssuedAt: T0,
        secretIssuedBy: null,
      });
      expect(await store.findById(token.id)).toEqual(token);
      expect(await store.findByUsername(token.username)).toEqual(token);
    });

    test('create keeps a chosen username and refuses a taken one', async () => {
      const token = await store.create(draft({ username: 'k8s-prod.pull' }));
      expect(token.username).toBe('k8s-prod.pull');
      await expect(store.create(draft({ username: 'k8s-prod.pull' }))).rejects.toBeInstanceOf(UsernameTakenError);
    });

    test('the database refuses a scope it does not know', async () => {
      await expect(store.create(draft({ scopes: ['admin' as never] }))).rejects.toThrow();
    });

    test('lookups of unknown tokens return null', async () => {
      expect(await store.findById(987_654)).toBeNull();
      expect(await store.findByUsername('nobody')).toBeNull();
      expect(await store.revoke(987_654, T0)).toBeNull();
    });

    test('list returns every token in creation order', async () => {
      const first = await store.create(draft({ name: 'first' }));
      const second = await store.create(draft({ name: 'second' }));
      const ids = (await store.search({ now: T0, sort: DEFAULT_DEPLOY_TOKEN_SORT, offset: 0, limit: 1_000 })).tokens.map((token) => token.id);
      expect(ids.indexOf(first.id)).toBeLessThan(ids.indexOf(second.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    });

    test('revoke stamps the first revocation time and keeps it', async () => {
      const token = await store.create(draft());
      const firstRevocation = new Date('2026-11-24T00:00:00.000Z');
      expect((await store.revoke(token.id, firstRevocation))?.revokedAt).toEqual(firstRevocation);
      expect((await store.revoke(token.id, new Date('2026-12-01T00:00:00.000Z')))?.revokedAt).toEqual(firstRevocation);
      expect((await store.findById(token.id))?.revokedAt).toEqual(firstRevocation);
    });

    test('recordUses records the latest use and address, and never moves them back', async () => {
      const token = await store.create(draft());
      const other = await store.create(draft());
      const later = new Date('2026-11-23T12:00:00.000Z');
      await store.recordUses([
        { id: token.id, at: later, clientIp: '10.0.0.2' },
        { id: other.id, at: later, clientIp: null },
      ]);
      await store.recordUses([{ id: token.id, at: new Date('2026-11-23T11:00:00.000Z'), clientIp: '10.0.0.9' }]);
      expect(await store.findById(token.id)).toMatchObject({ lastUsedAt: later, lastUsedIp: '10.0.0.2' });
      expect(await store.findById(other.id)).toMatchObject({ lastUsedAt: later, lastUsedIp: null });
    });

    test('ping answers', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
