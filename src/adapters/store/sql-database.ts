export type SqlParameter = string | number | boolean | Date | null | readonly string[];

export interface SqlExecutor {
  /** `preparedAs` names a hot statement so PostgreSQL parses and plans it once per connection. */
  query<Row>(text: string, parameters?: readonly SqlParameter[], preparedAs?: string): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations). */
  execute(script: string): Promise<void>;
}

/** Connection counts of a pool, for metrics. */
export interface SqlPoolStats {
  readonly total: number;
  readonly idle: number;
  /** Queries waiting for a free connection. */
  readonly waiting: number;
  readonly max: number;
}

/** The part of PostgreSQL this service needs; PostgreSQL (pg) and the embedded PGlite both provide it. */
export interface SqlDatabase extends SqlExecutor {
  readonly kind: 'postgres' | 'embedded';
  /** Runs `work` on one connection inside a transaction, committing when it resolves. */
  transaction<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T>;
  /** Delivers NOTIFY payloads on `channel` until the returned function is called. */
  listen(channel: string, listener: NotificationListener): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /** PostgreSQL only: the embedded store has one connection and no pool. */
  poolStats?(): SqlPoolStats;
}

/**
 * A NOTIFY subscription. Notifications sent while the listening connection is down are lost, so a
 * listener must treat `disconnected` as "anything may have changed" until `connected` is called again.
 */
export interface NotificationListener {
  notification(payload: string): void;
  connected(): void;
  disconnected(error: Error): void;
}

/** The SQLSTATE of a PostgreSQL error, from either driver. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';
