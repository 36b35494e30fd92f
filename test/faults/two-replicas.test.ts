import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { generateSigningKey } from '../../src/adapters/keys/key-directory.js';
import { MIGRATIONS_DIR } from '../../src/adapters/store/migrator.js';
import { startRegauthProcess, type RegauthProcess } from '../e2e/support/regauth-process.js';
import { makeWorkDir, removeWorkDir } from '../e2e/support/work-dir.js';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../support/postgres.js';

const describePostgres = (await postgresAvailable()) ? describe : describe.skip;

const ALL_VERSIONS = (await readdir(MIGRATIONS_DIR))
  .filter((file) => /^\d{3,}_[a-z0-9_]+\.sql$/.test(file))
  .sort()
  .map((file) => file.replace(/\.sql$/, ''));

const migratedLines = (service: RegauthProcess) =>
  service
    .logRecords()
    .filter((record) => record.message === 'database migrated')
    .map((record) => record.applied as string[]);

describePostgres('two replicas started at once against an empty database', () => {
  let dir: string;
  let schema: PostgresTestSchema;
  let replicas: RegauthProcess[] = [];

  beforeAll(async () => {
    dir = await makeWorkDir();
    schema = await createPostgresTestSchema();
    // Replicas share their key as they would from one Kubernetes Secret.
    const keysDir = join(dir, 'keys');
    await generateSigningKey(keysDir, new Date());
    replicas = await Promise.all(
      ['a', 'b'].map((name) => startRegauthProcess(join(dir, name), { databaseUrl: schema.url, env: { REGAUTH_KEYS_DIR: keysDir } })),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await schema?.drop();
    if (dir !== undefined) await removeWorkDir(dir);
  });

  test('both start, and the migrations run once: by exactly one of them, each version recorded once', async () => {
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      const rows = (await client.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')).rows;
      expect(rows.map((row) => row.version)).toEqual(ALL_VERSIONS);
    } finally {
      await client.end();
    }
    expect(replicas.map(migratedLines).sort((a, b) => b.length - a.length)).toEqual([[ALL_VERSIONS], []]);
  });

  test('a token created through one is honoured by both', async () => {
    const [first, second] = replicas as [RegauthProcess, RegauthProcess];
    const { username, secret } = await first.createToken({ name: 'ci', repos: ['team/app'], scopes: ['read_registry'] });
    const authorization = `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`;
    for (const replica of [first, second]) {
      const response = await fetch(`${replica.url}/token?service=e2e-registry&scope=repository:team/app:pull`, { headers: { authorization } });
      expect(response.status).toBe(200);
    }
  });
});
