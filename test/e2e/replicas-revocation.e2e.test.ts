import { join } from 'node:path';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../support/postgres.js';
import { assertSucceeded } from './support/run-command.js';
import { startRegauthProcess, SERVICE, type RegauthProcess } from './support/regauth-process.js';
import { makeWorkDir, removeWorkDir } from './support/work-dir.js';

const available = await postgresAvailable();
const PROPAGATION_BOUND_MS = 1_000;

function basic(username: string, secret: string): string {
  return `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`;
}

(available ? describe : describe.skip)('two regauth replicas on one PostgreSQL', () => {
  let schema: PostgresTestSchema;
  let workDir: string;
  let first: RegauthProcess;
  let second: RegauthProcess;
  let adminKey: string;

  beforeAll(async () => {
    schema = await createPostgresTestSchema();
    workDir = await makeWorkDir();
    // One keys folder, as replicas share a Secret; the first start generates the key.
    const shared = { databaseUrl: schema.url, env: { REGAUTH_KEYS_DIR: join(workDir, 'keys') } };
    first = await startRegauthProcess(join(workDir, 'first'), shared);
    second = await startRegauthProcess(join(workDir, 'second'), shared);
    const created = JSON.parse(
      assertSucceeded(await first.cli(['admin-keys', 'create', '--name', 'replica test', '--json']), 'admin-keys create').stdout,
    ) as { key: string };
    adminKey = created.key;
  }, 120_000);

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await schema?.drop();
    await removeWorkDir(workDir);
  });

  const pull = (replica: RegauthProcess, username: string, secret: string) =>
    fetch(`${replica.url}/token?service=${SERVICE}&scope=repository:team/app:pull`, {
      headers: { Authorization: basic(username, secret) },
    });

  const adminPost = (replica: RegauthProcess, path: string, body?: unknown) =>
    fetch(`${replica.url}/api/v1${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  /** Asks until refused; returns how long that took, and fails if it is still granted after the bound. */
  async function untilRefused(replica: RegauthProcess, username: string, secret: string): Promise<number> {
    const started = Date.now();
    for (;;) {
      const response = await pull(replica, username, secret);
      const elapsed = Date.now() - started;
      if (response.status === 401) return elapsed;
      expect(response.status).toBe(200);
      if (elapsed > PROPAGATION_BOUND_MS) throw new Error(`still granted ${elapsed} ms after the change on the other replica`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  test('a token revoked on one replica is refused on the other within a second, though the other had it cached', async () => {
    const created = (await (await adminPost(first, '/deploy-tokens', { name: 'ci', repositories: ['team/app'], scopes: ['read_registry'] })).json()) as {
      token: { id: number; username: string };
      secret: string;
    };
    // Warm the second replica's cache: the first check costs bcrypt, the rest are HMAC hits.
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await pull(second, created.token.username, created.secret)).status).toBe(200);

    expect((await adminPost(first, `/deploy-tokens/${created.token.id}/revoke`)).status).toBe(200);
    expect((await pull(first, created.token.username, created.secret)).status).toBe(401);
    const elapsed = await untilRefused(second, created.token.username, created.secret);
    process.stdout.write(`revocation reached the other replica after ${elapsed} ms\n`);
  });

  test('a secret rotated on one replica stops working on the other within a second', async () => {
    const created = (await (await adminPost(first, '/deploy-tokens', { name: 'rotating', repositories: ['team/app'], scopes: ['read_registry'] })).json()) as {
      token: { id: number; username: string };
      secret: string;
    };
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await pull(second, created.token.username, created.secret)).status).toBe(200);

    const rotated = (await (await adminPost(first, `/deploy-tokens/${created.token.id}/rotate`)).json()) as { secret: string };
    await untilRefused(second, created.token.username, created.secret);
    expect((await pull(second, created.token.username, rotated.secret)).status).toBe(200);
  });

  test('a change made with the CLI straight on PostgreSQL reaches both replicas', async () => {
    const created = (await (await adminPost(first, '/deploy-tokens', { name: 'cli-revoked', repositories: ['team/app'], scopes: ['read_registry'] })).json()) as {
      token: { id: number; username: string };
      secret: string;
    };
    for (const replica of [first, second]) expect((await pull(replica, created.token.username, created.secret)).status).toBe(200);

    assertSucceeded(await first.cli(['tokens', 'revoke', String(created.token.id)]), 'tokens revoke');
    for (const replica of [first, second]) await untilRefused(replica, created.token.username, created.secret);
  });
});
