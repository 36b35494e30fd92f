import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../support/postgres.js';
import { freePort } from './support/free-port.js';
import { assertSucceeded, runCommand } from './support/run-command.js';
import { makeWorkDir, removeWorkDir } from './support/work-dir.js';

const ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));
const available = await postgresAvailable();

function regauthEnv(workDir: string, port: number, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...process.env,
    REGAUTH_HOST: '127.0.0.1',
    REGAUTH_PORT: String(port),
    REGAUTH_DATA_DIR: join(workDir, 'data'),
    REGAUTH_KEYS_DIR: join(workDir, 'keys'),
    REGAUTH_BCRYPT_COST: '4',
    REGAUTH_LOG_FORMAT: 'json',
    DATABASE_URL: '',
    ...extra,
  };
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`regauth exited with ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  throw new Error('regauth did not become ready');
}

describe('several processes on one port (server.processes)', () => {
  let workDir: string;

  beforeEach(async () => {
    workDir = await makeWorkDir();
  });

  afterEach(() => removeWorkDir(workDir));

  test('are refused on the embedded store, with a message saying PostgreSQL is needed', async () => {
    const result = await runCommand(process.execPath, [join(ROOT, 'dist/main.js')], {
      env: regauthEnv(workDir, await freePort(), { REGAUTH_PROCESSES: '2' }),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('more than one process needs PostgreSQL (DATABASE_URL)');
  });

  (available ? test : test.skip)(
    'serve tokens from every worker on PostgreSQL, and stop cleanly with exit code 0 on SIGTERM',
    async () => {
      const schema: PostgresTestSchema = await createPostgresTestSchema();
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const env = regauthEnv(workDir, port, { REGAUTH_PROCESSES: '2', DATABASE_URL: schema.url });
      const child = spawn(process.execPath, [join(ROOT, 'dist/main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
      try {
        await waitReady(url, child);
        const created = JSON.parse(
          assertSucceeded(
            await runCommand(process.execPath, [join(ROOT, 'bin/regauth.js'), 'tokens', 'create', '--json', '--name', 'ci', '--repo', 'team/app', '--scope', 'read_registry'], { env }),
            'tokens create',
          ).stdout,
        ) as { token: { username: string }; secret: string };
        const authorization = `Basic ${Buffer.from(`${created.token.username}:${created.secret}`).toString('base64')}`;
        const statuses = await Promise.all(
          Array.from({ length: 20 }, () =>
            fetch(`${url}/token?service=registry&scope=repository:team/app:pull`, { headers: { Authorization: authorization } }).then((response) => response.status),
          ),
        );
        expect(statuses).toEqual(Array.from({ length: 20 }, () => 200));
        const listening = output.split('\n').filter((line) => line.includes('"message":"regauth listening"'));
        expect(listening).toHaveLength(2);

        child.kill('SIGTERM');
        expect(await exited).toBe(0);
        expect(output).toContain('stopping workers');
      } finally {
        child.kill('SIGKILL');
        await schema.drop();
      }
    },
    120_000,
  );
});
