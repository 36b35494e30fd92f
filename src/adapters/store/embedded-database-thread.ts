import { parentPort, workerData } from 'node:worker_threads';
import { openEmbeddedDatabase } from './embedded-database.js';
import type { SqlExecutor } from './sql-database.js';
import type { EmbeddedRequest, EmbeddedReply, WireError } from './embedded-database-protocol.js';

/**
 * The thread that holds the embedded store (see embedded-database-worker.ts): PGlite runs here, so its
 * queries take this thread's time, never the event loop's.
 */
const port = parentPort;
if (port === null) throw new Error('embedded-database-thread runs as a worker thread');
const { dataDir } = workerData as { dataDir: string | null };

const reply = (message: EmbeddedReply) => port.postMessage(message);
const fail = (id: number, error: unknown) => reply({ id, ok: false, error: wireError(error) });

const db = await openEmbeddedDatabase(dataDir).catch((error: unknown) => {
  reply({ id: 0, ok: false, error: wireError(error) });
  return null;
});
if (db !== null) {
  reply({ id: 0, ok: true });
  const transactions = new Map<number, { executor: SqlExecutor; end: (commit: boolean) => void }>();
  const subscriptions = new Map<number, () => Promise<void>>();
  /** By transaction, the `end` request waiting for its commit or rollback. */
  const endings = new Map<number, number>();
  let nextHandle = 1;
  const executorFor = (transaction: number | undefined): SqlExecutor => {
    if (transaction === undefined) return db;
    const open = transactions.get(transaction);
    if (open === undefined) throw new Error(`no open transaction ${transaction}`);
    return open.executor;
  };

  port.on('message', (request: EmbeddedRequest) => {
    const { id } = request;
    switch (request.kind) {
      case 'query':
        Promise.resolve()
          .then(() => executorFor(request.transaction).query(request.text, request.parameters, request.preparedAs))
          .then((rows) => reply({ id, ok: true, value: rows }), (error: unknown) => fail(id, error));
        return;
      case 'execute':
        Promise.resolve()
          .then(() => executorFor(request.transaction).execute(request.script))
          .then(() => reply({ id, ok: true }), (error: unknown) => fail(id, error));
        return;
      case 'begin': {
        const transaction = nextHandle++;
        let begun = false;
        db.transaction(
          (executor) =>
            new Promise<void>((resolve, reject) => {
              begun = true;
              transactions.set(transaction, { executor, end: (commit) => (commit ? resolve() : reject(ROLLBACK)) });
              reply({ id, ok: true, value: transaction });
            }),
        ).then(
          () => settle(transaction, null),
          (error: unknown) => (begun ? settle(transaction, error) : fail(id, error)),
        );
        return;
      }
      case 'end': {
        const open = transactions.get(request.transaction);
        if (open === undefined) {
          fail(id, new Error(`no open transaction ${request.transaction}`));
          return;
        }
        endings.set(request.transaction, id);
        open.end(request.commit);
        return;
      }
      case 'listen':
        db.listen(request.channel, {
          notification: (payload) => reply({ id: -1, ok: true, notification: { subscription: id, payload } }),
          connected: () => undefined,
          disconnected: () => undefined,
        }).then((unsubscribe) => {
          subscriptions.set(id, unsubscribe);
          reply({ id, ok: true });
        }, (error: unknown) => fail(id, error));
        return;
      case 'unlisten': {
        const unsubscribe = subscriptions.get(request.subscription);
        subscriptions.delete(request.subscription);
        (unsubscribe?.() ?? Promise.resolve()).then(() => reply({ id, ok: true }), (error: unknown) => fail(id, error));
        return;
      }
      case 'close':
        db.close().then(() => {
          reply({ id, ok: true });
          port.close();
        }, (error: unknown) => fail(id, error));
        return;
    }
  });

  const settle = (transaction: number, error: unknown): void => {
    transactions.delete(transaction);
    const id = endings.get(transaction);
    endings.delete(transaction);
    if (id === undefined) return;
    if (error === null || error === ROLLBACK) reply({ id, ok: true });
    else fail(id, error);
  };
}

const ROLLBACK = new Error('rolled back');

/** What a PostgreSQL error carries across the thread boundary: its message and fields (code: the SQLSTATE). */
function wireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string' || typeof value === 'number') fields[key] = value;
  }
  return { name: error.name, message: error.message, fields };
}
