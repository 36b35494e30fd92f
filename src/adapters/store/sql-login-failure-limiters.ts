import { RateLimiterPostgres } from 'rate-limiter-flexible';
import type { LimiterFactory } from '../throttle/rate-limiter-login-throttle.js';
import type { SqlExecutor, SqlParameter } from './sql-database.js';

/** Made by migration 004; every counter of the brute-force protection lives in it, under its own key prefix. */
export const LOGIN_FAILURES_TABLE = 'login_failures';

/**
 * rate-limiter-flexible's PostgreSQL counters on our database, pg or PGlite alike: the library calls
 * `query({ text, values })` and reads `rows` and `rowCount`, which this client answers from SqlExecutor.
 */
export function sqlLoginFailureLimiters(db: SqlExecutor): LimiterFactory {
  const storeClient = rateLimiterStoreClient(db);
  let first = true;
  return (options) => {
    const limiter = new RateLimiterPostgres({
      ...options,
      storeClient,
      storeType: 'client',
      tableName: LOGIN_FAILURES_TABLE,
      tableCreated: true,
      // The counters share one table; one sweep of expired rows (every 5 minutes) serves them all.
      clearExpiredByTimeout: first,
    });
    first = false;
    return limiter;
  };
}

interface StoreQuery {
  readonly text: string;
  readonly values?: readonly SqlParameter[];
}

function rateLimiterStoreClient(db: SqlExecutor) {
  return {
    async query(query: StoreQuery): Promise<{ rows: Record<string, unknown>[]; rowCount: number }> {
      const rows = await db.query<Record<string, unknown>>(query.text, query.values ?? []);
      // pg reads bigint as a string; the library computes with `expire`.
      const normalised = rows.map((row) => ('expire' in row && row.expire !== null ? { ...row, expire: Number(row.expire) } : row));
      // Only SELECT and RETURNING rows are counted; the library reads rowCount of a DELETE only for delete()'s
      // result, which the throttle ignores.
      return { rows: normalised, rowCount: rows.length };
    },
  };
}
