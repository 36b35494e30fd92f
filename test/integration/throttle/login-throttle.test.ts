import { openEmbeddedDatabase } from '../../../src/adapters/store/embedded-database.js';
import { migrate } from '../../../src/adapters/store/migrator.js';
import { openPostgresDatabase } from '../../../src/adapters/store/postgres-database.js';
import type { SqlDatabase } from '../../../src/adapters/store/sql-database.js';
import { LOGIN_FAILURES_TABLE, sqlLoginFailureLimiters } from '../../../src/adapters/store/sql-login-failure-limiters.js';
import { memoryLimiters } from '../../../src/adapters/throttle/rate-limiter-login-throttle.js';
import { createPostgresTestSchema, postgresAvailable } from '../../support/postgres.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { loginThrottleContract, sharedLoginThrottleContract } from './login-throttle-contract.js';

/** Closing twice (after breakStorage) is fine. */
function sqlBackend(db: SqlDatabase, cleanup: () => Promise<void> = async () => undefined) {
  let closed = false;
  const close = async () => {
    if (!closed) await db.close();
    closed = true;
  };
  return {
    limiters: sqlLoginFailureLimiters(db),
    reset: async () => void (await db.query(`DELETE FROM ${LOGIN_FAILURES_TABLE}`)),
    breakStorage: close,
    close: async () => {
      await close();
      await cleanup();
    },
  };
}

loginThrottleContract('memory (tests, and stores handed in without a database)', async () => ({
  limiters: memoryLimiters,
  reset: async () => undefined,
  breakStorage: null,
  close: async () => undefined,
}));

const openPglite = async () => {
  const db = await openEmbeddedDatabase(null);
  await migrate(db);
  return sqlBackend(db);
};
loginThrottleContract('embedded PGlite', openPglite);
// PGlite is one session in one process: a second "replica" is a second throttle on the same instance.
sharedLoginThrottleContract('embedded PGlite', openPglite, async (backend) => ({ limiters: backend.limiters, close: async () => undefined }));

const available = await postgresAvailable();
if (available) {
  const openPool = (url: string) => openPostgresDatabase({ connectionString: url, poolSize: 4, connectTimeoutMs: 3000, queryTimeoutMs: 5000 }, new RecordingLogger());
  const urls = new WeakMap<object, string>();
  const openPostgres = async () => {
    const schema = await createPostgresTestSchema();
    const db = openPool(schema.url);
    await migrate(db);
    const backend = sqlBackend(db, () => schema.drop());
    urls.set(backend, schema.url);
    return backend;
  };
  loginThrottleContract('PostgreSQL', openPostgres);
  sharedLoginThrottleContract('PostgreSQL', openPostgres, async (backend) => {
    const replica = openPool(urls.get(backend) as string);
    return { limiters: sqlLoginFailureLimiters(replica), close: () => replica.close() };
  });
} else {
  test.skip('brute-force protection on PostgreSQL (no PostgreSQL here)', () => undefined);
}
