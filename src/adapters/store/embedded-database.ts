import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { NotificationListener, SqlDatabase, SqlExecutor, SqlParameter } from './sql-database.js';

/** PGlite: real PostgreSQL compiled to WebAssembly, in a data folder (or in memory when `dataDir` is null). */
export async function openEmbeddedDatabase(dataDir: string | null): Promise<SqlDatabase> {
  const db = dataDir === null ? await PGlite.create() : await PGlite.create(dataDir);

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
    close: () => db.close(),
  };
}
