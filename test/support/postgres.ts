import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { missingDependency } from './missing-dependency.js';
import { TcpProxy } from './tcp-proxy.js';

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

export interface PostgresBehindProxy {
  readonly schema: PostgresTestSchema;
  readonly proxy: TcpProxy;
  /** The schema's connection string through the proxy. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A fresh schema reached through a TCP proxy the test can cut, freeze or restore: PostgreSQL taken away
 * without stopping the shared server other suites use.
 */
export async function createPostgresBehindProxy(): Promise<PostgresBehindProxy> {
  const schema = await createPostgresTestSchema();
  const target = new URL(TEST_DATABASE_URL);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.start();
  const viaProxy = new URL(schema.url);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  return {
    schema,
    proxy,
    url: viaProxy.toString(),
    close: async () => {
      proxy.thaw();
      await proxy.cut();
      await schema.drop();
    },
  };
}
