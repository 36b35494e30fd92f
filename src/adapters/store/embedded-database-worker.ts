import { Worker } from 'node:worker_threads';
import { compiledSibling } from '../runtime/compiled-module.js';
import type { EmbeddedReply, EmbeddedRequest, WireError } from './embedded-database-protocol.js';
import type { NotificationListener, SqlDatabase, SqlExecutor, SqlParameter } from './sql-database.js';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
type Unsent<T> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * The embedded store (PGlite) on a thread of its own. PGlite is PostgreSQL compiled to WebAssembly and runs
 * where it is called: on the event loop, every audit INSERT (about 0.5 ms, plus 50 µs a row) and every lookup
 * and lockout counter of a wrong password stalled every other request for its duration. Here the event loop
 * only posts the query and reads the rows; the thread runs one query at a time, as PGlite does anyway.
 */
export async function openEmbeddedDatabaseThread(dataDir: string | null): Promise<SqlDatabase> {
  const worker = new Worker(compiledSibling(import.meta.url, 'embedded-database-thread.js'), {
    workerData: { dataDir },
    // As the main thread's --max-semi-space-size=4 (embedded-store-runtime.ts): V8's default young generation
    // would grow by tens of MB under load beside PGlite's own memory.
    resourceLimits: { maxYoungGenerationSizeMb: 12 },
  });
  const pending = new Map<number, Pending>();
  const listeners = new Map<number, NotificationListener>();
  let nextId = 1;
  let ended: Error | null = null;

  const opened = new Promise<void>((resolve, reject) => pending.set(0, { resolve: () => resolve(), reject }));
  worker.on('message', (reply: EmbeddedReply) => {
    if (reply.ok && reply.notification !== undefined) {
      listeners.get(reply.notification.subscription)?.notification(reply.notification.payload);
      return;
    }
    const waiting = pending.get(reply.id);
    if (waiting === undefined) return;
    pending.delete(reply.id);
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(errorFrom(reply.error));
  });
  const endAll = (error: Error) => {
    ended ??= error;
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
    for (const listener of listeners.values()) listener.disconnected(error);
    listeners.clear();
  };
  worker.on('error', (error) => endAll(error));
  worker.on('exit', (code) => endAll(new Error(`the embedded database thread exited (code ${code})`)));

  const send = <T>(request: Unsent<EmbeddedRequest>): Promise<T> => {
    if (ended !== null) return Promise.reject(ended);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  };

  const executor = (transaction?: number): SqlExecutor => ({
    query: <Row>(text: string, parameters: readonly SqlParameter[] = [], preparedAs?: string) =>
      send<Row[]>({
        kind: 'query',
        text,
        parameters,
        ...(preparedAs === undefined ? {} : { preparedAs }),
        ...(transaction === undefined ? {} : { transaction }),
      }),
    execute: (script: string) => send<void>({ kind: 'execute', script, ...(transaction === undefined ? {} : { transaction }) }),
  });

  try {
    await opened;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return {
    kind: 'embedded',
    ...executor(),
    async transaction<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> {
      const transaction = await send<number>({ kind: 'begin' });
      let result: T;
      try {
        result = await work(executor(transaction));
      } catch (error) {
        await send<void>({ kind: 'end', transaction, commit: false }).catch(() => undefined);
        throw error;
      }
      await send<void>({ kind: 'end', transaction, commit: true });
      return result;
    },
    async listen(channel: string, listener: NotificationListener): Promise<() => Promise<void>> {
      // The id `send` gives the request names the subscription; set first, so no notification finds it missing.
      const id = nextId;
      listeners.set(id, listener);
      await send<void>({ kind: 'listen', channel }).catch((error: unknown) => {
        listeners.delete(id);
        throw error;
      });
      // In-process: the subscription cannot drop while the thread lives, so it is connected until then.
      listener.connected();
      return async () => {
        listeners.delete(id);
        await send<void>({ kind: 'unlisten', subscription: id });
      };
    },
    async close(): Promise<void> {
      if (ended === null) await send<void>({ kind: 'close' });
      await worker.terminate();
    },
  };
}

/** The error as thrown in the thread: message, name and PostgreSQL's fields (so sqlState reads its code). */
function errorFrom(wire: WireError): Error {
  const error = new Error(wire.message);
  Object.assign(error, wire.fields);
  error.name = wire.name;
  return error;
}
