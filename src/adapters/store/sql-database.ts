export type SqlParameter = string | number | boolean | Date | null | readonly string[];

export interface SqlExecutor {
  query<Row>(text: string, parameters?: readonly SqlParameter[]): Promise<Row[]>;
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
  close(): Promise<void>;
  /** PostgreSQL only: the embedded store has one connection and no pool. */
  poolStats?(): SqlPoolStats;
}

/** The SQLSTATE of a PostgreSQL error, from either driver. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';
