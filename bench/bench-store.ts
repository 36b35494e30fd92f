import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from '#regauth/app/ports.js';
import { openStore, type DatabaseSettings } from '#regauth/adapters/store/open-store.js';

/** The one token the warm scenarios use, in every store size. */
export const WARM_USERNAME = 'bench-warm';
export const BENCH_REPOSITORY = 'bench/app';
const INSERT_CHUNK = 10_000;

/** Usernames of the other tokens: bench-1 … bench-(count-1). */
export function poolUsername(index: number): string {
  return `bench-${index}`;
}

const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export interface BenchStore {
  /** What regauth is given as DATABASE_URL; empty for the embedded store. */
  readonly databaseUrl: string;
  readonly kind: 'postgres' | 'embedded';
  readonly settings: DatabaseSettings;
  /** Drops the PostgreSQL schema made for the bench (the embedded data folder goes with the work folder). */
  dispose(): Promise<void>;
}

/** The embedded store in the work folder, or a fresh schema in the given PostgreSQL. */
export async function prepareBenchStore(workDir: string, databaseUrl: string | null): Promise<BenchStore> {
  const dataDir = join(workDir, 'data');
  if (databaseUrl === null) {
    return {
      databaseUrl: '',
      kind: 'embedded',
      settings: { url: null, dataDir, poolSize: 10, connectTimeoutMs: 3000, queryTimeoutMs: 60_000 },
      dispose: async () => undefined,
    };
  }
  const schema = `regauth_bench_${randomBytes(6).toString('hex')}`;
  await withClient(databaseUrl, (client) => client.query(`CREATE SCHEMA ${schema}`));
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    databaseUrl: url.toString(),
    kind: 'postgres',
    settings: { url: url.toString(), dataDir, poolSize: 10, connectTimeoutMs: 3000, queryTimeoutMs: 60_000 },
    dispose: () => withClient(databaseUrl, (client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined),
  };
}

/**
 * Makes the store hold `total` deploy tokens: the warm one and bench-1 … bench-(total-1), adding only the
 * missing ones. All share one bcrypt hash: regauth finds a token by username, so the cost of a check is the
 * same as with distinct hashes, and 100 000 rows take seconds instead of hours. Run while regauth is
 * stopped: the embedded store serves one process at a time.
 */
export async function seedDeployTokens(settings: DatabaseSettings, secretHash: string, total: number): Promise<void> {
  const opened = await openStore(settings, 'cli', silentLogger);
  try {
    await opened.db.query(
      `INSERT INTO deploy_tokens (name, username, secret_hash, repositories, scopes, created_at)
       VALUES ('bench warm', $1, $2, ARRAY[$3]::text[], ARRAY['write_registry']::text[], now())
       ON CONFLICT (username) DO NOTHING`,
      [WARM_USERNAME, secretHash, BENCH_REPOSITORY],
    );
    for (let first = 1; first < total; first += INSERT_CHUNK) {
      const last = Math.min(first + INSERT_CHUNK, total) - 1;
      await opened.db.query(
        `INSERT INTO deploy_tokens (name, username, secret_hash, repositories, scopes, created_at)
         SELECT 'bench ' || n, 'bench-' || n, $1, ARRAY[$2]::text[], ARRAY['write_registry']::text[], now()
         FROM generate_series($3::integer, $4::integer) AS n
         ON CONFLICT (username) DO NOTHING`,
        [secretHash, BENCH_REPOSITORY, first, last],
      );
    }
    // Leave nothing for autovacuum to do while the scenarios run: it would share the cores with them.
    await opened.db.execute('VACUUM (ANALYZE) deploy_tokens');
    const [row] = await opened.db.query<{ count: string | number }>('SELECT count(*) AS count FROM deploy_tokens');
    if (Number(row?.count) !== total) throw new Error(`expected ${total} deploy tokens in the store, found ${String(row?.count)}`);
  } finally {
    await opened.close();
  }
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
