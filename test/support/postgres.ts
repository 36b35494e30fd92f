import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { missingDependency } from './missing-dependency.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface PostgresTestSchema {
  /** A connection string whose search_path is a fresh schema, so each test file sees an empty database. */
  readonly url: string;
  readonly schema: string;
  drop(): Promise<void>;
}

/** True when the test PostgreSQL answers; outside CI a missing server skips, in CI it fails. */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    return missingDependency(`PostgreSQL at ${TEST_DATABASE_URL} (${String(error)})`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createPostgresTestSchema(): Promise<PostgresTestSchema> {
  const schema = `regauth_test_${randomBytes(6).toString('hex')}`;
  await withClient((client) => client.query(`CREATE SCHEMA ${schema}`));
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    schema,
    drop: () => withClient((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined),
  };
}

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
