import { openEmbeddedDatabase } from '../../../src/adapters/store/embedded-database.js';
import { migrate } from '../../../src/adapters/store/migrator.js';
import { openPostgresDatabase } from '../../../src/adapters/store/postgres-database.js';
import type { SqlDatabase } from '../../../src/adapters/store/sql-database.js';
import { SqlPendingSsoSignInStore } from '../../../src/adapters/store/sql-pending-sso-sign-in-store.js';
import { missingDependency } from '../../support/missing-dependency.js';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../../support/postgres.js';
import { RecordingLogger } from '../../support/recording-logger.js';

const NOW = new Date('2026-06-01T10:00:00Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const pending = (idHash: string, expiresAt: Date) => ({ idHash, state: `state-${idHash}`, nonce: `nonce-${idHash}`, codeVerifier: `verifier-${idHash}`, expiresAt });

function pendingSsoSignInContract(name: string, openDatabase: () => Promise<SqlDatabase>) {
  describe(`pending single sign-on flows on ${name}`, () => {
    let db: SqlDatabase;
    let store: SqlPendingSsoSignInStore;

    beforeAll(async () => {
      db = await openDatabase();
      await migrate(db);
      store = new SqlPendingSsoSignInStore(db);
    });

    beforeEach(async () => {
      await db.query('DELETE FROM ui_sso_sign_ins');
    });

    afterAll(async () => {
      await db.close();
    });

    test('a flow is taken once: the second take finds nothing', async () => {
      await store.save(pending('a', later(600)));
      expect(await store.take('a', NOW)).toEqual(pending('a', later(600)));
      expect(await store.take('a', NOW)).toBeNull();
      expect(await store.take('unknown', NOW)).toBeNull();
    });

    test('an expired flow is not given out, and is deleted by the take', async () => {
      await store.save(pending('old', later(600)));
      expect(await store.take('old', later(600))).toBeNull();
      expect(await db.query('SELECT id_hash FROM ui_sso_sign_ins')).toEqual([]);
    });

    test('deleteExpired removes only the flows past their end', async () => {
      await store.save(pending('old', later(60)));
      await store.save(pending('new', later(600)));
      expect(await store.deleteExpired(later(60))).toBe(1);
      expect(await store.take('new', later(60))).toEqual(pending('new', later(600)));
    });

    test('of two callbacks racing for one flow, only one gets it', async () => {
      await store.save(pending('race', later(600)));
      const taken = await Promise.all([store.take('race', NOW), store.take('race', NOW)]);
      expect(taken.filter((flow) => flow !== null)).toHaveLength(1);
    });
  });
}

pendingSsoSignInContract('embedded PGlite', () => openEmbeddedDatabase(null));

if (await postgresAvailable()) {
  const schemas: PostgresTestSchema[] = [];
  afterAll(async () => {
    await Promise.all(schemas.map((schema) => schema.drop()));
  });
  pendingSsoSignInContract('PostgreSQL', async () => {
    const schema = await createPostgresTestSchema();
    schemas.push(schema);
    return openPostgresDatabase({ connectionString: schema.url, poolSize: 2, connectTimeoutMs: 3000, queryTimeoutMs: 5000 }, new RecordingLogger());
  });
} else if (!missingDependency('PostgreSQL on 127.0.0.1:5432')) {
  test.skip('pending single sign-on flows on PostgreSQL (no PostgreSQL here)', () => undefined);
}
