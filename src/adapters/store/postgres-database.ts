import pg from 'pg';
import type { Logger } from '../../app/ports.js';
import { listenOnPostgres } from './postgres-listener.js';
import type { NotificationListener, SqlDatabase, SqlExecutor, SqlParameter, SqlPoolStats } from './sql-database.js';

export interface PostgresOptions {
  readonly connectionString: string;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  /** A query with no answer by then fails, and its connection is dropped: a hung server means 503, not a hang. */
  readonly queryTimeoutMs: number;
}

export function openPostgresDatabase(options: PostgresOptions, logger: Logger): SqlDatabase {
  const connection: pg.ClientConfig = {
    connectionString: options.connectionString,
    connectionTimeoutMillis: options.connectTimeoutMs,
    application_name: 'regauth',
    keepAlive: true,
  };
  const pool = new pg.Pool({ ...connection, max: options.poolSize, query_timeout: options.queryTimeoutMs });
  const stopListening = new Set<() => Promise<void>>();
  // Without a listener an idle client's error (server restart, network cut) would crash the process.
  pool.on('error', (error) => logger.warn('idle PostgreSQL connection failed', { error: error.message }));

  const executorOf = (client: pg.Pool | pg.PoolClient): SqlExecutor => ({
    async query<Row>(text: string, parameters: readonly SqlParameter[] = [], preparedAs?: string): Promise<Row[]> {
      const values = parameters as unknown[];
      const result = await client.query(preparedAs === undefined ? { text, values } : { name: preparedAs, text, values });
      return result.rows as Row[];
    },
    async execute(script: string): Promise<void> {
      await client.query(script);
    },
  });

  return {
    kind: 'postgres',
    ...executorOf(pool),
    async transaction<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(executorOf(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async listen(channel: string, listener: NotificationListener): Promise<() => Promise<void>> {
      const stop = await listenOnPostgres(connection, channel, listener, logger);
      stopListening.add(stop);
      return async () => {
        stopListening.delete(stop);
        await stop();
      };
    },
    async close(): Promise<void> {
      await Promise.all([...stopListening].map((stop) => stop()));
      await pool.end();
    },
    poolStats: (): SqlPoolStats => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: options.poolSize,
    }),
  };
}
