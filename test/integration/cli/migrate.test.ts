import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { MIGRATIONS_DIR } from '../../../src/adapters/store/migrator.js';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../../support/postgres.js';
import { environmentIn, regauth } from './cli-harness.js';

/** Every migration version in migrations/, oldest first: what a new database gets. */
const ALL_VERSIONS = (await readdir(MIGRATIONS_DIR))
  .filter((file) => file.endsWith('.sql'))
  .sort()
  .map((file) => file.replace(/\.sql$/, ''));
const NO_TOKENS_YET = 'No deploy tokens yet. Create one with: regauth tokens create --help\n';

const migratedText = (database: string) => `Migrated ${database}:\n${ALL_VERSIONS.map((version) => `  applied ${version}\n`).join('')}`;

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rgm-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

test('the repository has migrations to apply', () => {
  expect(ALL_VERSIONS.length).toBeGreaterThan(0);
});

describe('migrate on the embedded store', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const run = (...argv: string[]) => regauth(env, dir, argv);

  beforeAll(async () => {
    dir = join(root, 'embedded');
    env = environmentIn(dir);
  });

  test('on a new store applies every migration and names each', async () => {
    expect(await run('migrate')).toEqual({ code: 0, stdout: migratedText(`the embedded store in ${join(dir, 'data')}`), stderr: '' });
  });

  test('again applies nothing and says the store is up to date', async () => {
    expect(await run('migrate')).toEqual({
      code: 0,
      stdout: `the embedded store in ${join(dir, 'data')} is up to date: no migrations to apply.\n`,
      stderr: '',
    });
  });

  test('with --json prints the store kind and what it applied', async () => {
    expect(await run('migrate', '--json')).toEqual({ code: 0, stdout: '{"database":"embedded","applied":[]}\n', stderr: '' });
  });

  test('leaves a store the token commands can use', async () => {
    expect(await run('tokens', 'list')).toEqual({ code: 0, stdout: NO_TOKENS_YET, stderr: '' });
  });
});

describe('migrate on an unreachable PostgreSQL', () => {
  test('exits 1 and says it could not migrate', async () => {
    const dir = join(root, 'unreachable');
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const result = await regauth(environmentIn(dir, { DATABASE_URL: 'postgres://regauth@127.0.0.1:1/regauth' }), dir, ['migrate']);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('regauth: cannot migrate PostgreSQL: connect ECONNREFUSED 127.0.0.1:1\n');
  });
});

const postgres = await postgresAvailable();

(postgres ? describe : describe.skip)('migrate on PostgreSQL', () => {
  let schema: PostgresTestSchema;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const run = (...argv: string[]) => regauth(env, dir, argv);

  const recordedVersions = async (): Promise<string[]> => {
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      const result = await client.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
      return result.rows.map((row) => row.version);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    schema = await createPostgresTestSchema();
    dir = join(root, 'postgres');
    env = environmentIn(dir, { DATABASE_URL: schema.url });
  });

  afterAll(async () => {
    await schema?.drop();
  });

  test('on an empty database applies every migration and records each in schema_migrations', async () => {
    expect(await run('migrate')).toEqual({ code: 0, stdout: migratedText('PostgreSQL'), stderr: '' });
    expect(await recordedVersions()).toEqual(ALL_VERSIONS);
  });

  test('again applies nothing', async () => {
    expect(await run('migrate')).toEqual({ code: 0, stdout: 'PostgreSQL is up to date: no migrations to apply.\n', stderr: '' });
    expect(await run('migrate', '--json')).toEqual({ code: 0, stdout: '{"database":"postgres","applied":[]}\n', stderr: '' });
    expect(await recordedVersions()).toEqual(ALL_VERSIONS);
  });

  test('leaves a database the token commands can use', async () => {
    expect(await run('tokens', 'list')).toEqual({ code: 0, stdout: NO_TOKENS_YET, stderr: '' });
  });
});
