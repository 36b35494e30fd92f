import { PGlite, type Transaction } from '@electric-sql/pglite';
import { restrictToOwner } from './owner-only-files.js';
import type { NotificationListener, SqlDatabase, SqlExecutor, SqlParameter } from './sql-database.js';

// PostgreSQL's defaults size buffers for a server; in-process they would double the service's memory. A
// deploy-token database is small, and these keep a running service's peak near 200 MB instead of 350 MB.
const SMALL_FOOTPRINT = ['shared_buffers = 16MB', 'work_mem = 1MB', 'maintenance_work_mem = 8MB', 'temp_buffers = 1MB', 'wal_buffers = 1MB'];

/**
 * PGlite: real PostgreSQL compiled to WebAssembly, in a data folder (or in memory when `dataDir` is null).
 * The folder and its files are its owner's only (0700, 0600): at open, and again at close for the files
 * PGlite added meanwhile.
 */
export async function openEmbeddedDatabase(dataDir: string | null): Promise<SqlDatabase> {
  const options = { postgresqlconf: SMALL_FOOTPRINT };
  if (dataDir !== null) await restrictToOwner(dataDir);
  const db = dataDir === null ? await PGlite.create(options) : await PGlite.create(dataDir, options);

  const executorOf = (client: PGlite | Transaction): SqlExecutor => ({
    async query<Row>(text: string, parameters: readonly SqlParameter[] = []): Promise<Row[]> {
      const result = await client.query<Row>(text, parameters as unknown[]);
      return result.rows;
    },
    async execute(script: string): Promise<void> {
      await client.exec(script);
    },
  });

  return {
    kind: 'embedded',
    ...executorOf(db),
    transaction: <T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> =>
      db.transaction((tx) => work(executorOf(tx))),
    // In-process: the subscription cannot drop, so it is connected for as long as it exists.
    async listen(channel: string, listener: NotificationListener): Promise<() => Promise<void>> {
      const unsubscribe = await db.listen(channel, (payload) => listener.notification(payload));
      listener.connected();
      return unsubscribe;
    },
    close: async () => {
      await db.close();
      if (dataDir !== null) await restrictToOwner(dataDir);
    },
  };
}
