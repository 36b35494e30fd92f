import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { startDaemon, type Daemon } from './support/daemon.js';
import { freePort } from './support/free-port.js';
import { findTool, requireTools } from './support/required-tools.js';
import { assertSucceeded, runCommand } from './support/run-command.js';
import { makeWorkDir, removeWorkDir } from './support/work-dir.js';

const ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));
const BIN = join(ROOT, 'bin/regauth.js');
const describeWithTools = requireTools(['npm', 'script']) ? describe : describe.skip;

interface Started {
  readonly daemon: Daemon;
  readonly port: number;
  readonly env: NodeJS.ProcessEnv;
  readonly dataDir: string;
}

/** Polls `condition` until it holds; the deadline only bounds a hang, it is not what is tested. */
async function until(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`still not ${what} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

const lockHolder = async (dataDir: string): Promise<{ pid: number; role: string } | null> =>
  JSON.parse(await readFile(join(dataDir, 'regauth.lock'), 'utf8').catch(() => 'null')) as { pid: number; role: string } | null;

const answers = (port: number): Promise<boolean> =>
  fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
    (response) => response.ok,
    () => false,
  );

describeWithTools('the start commands the README names', () => {
  let root: string;
  const started: Started[] = [];

  async function start(name: string, command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Started> {
    const dir = join(root, name);
    await runCommand('mkdir', ['-p', dir]);
    const port = await freePort();
    const dataDir = join(dir, 'data');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REGAUTH_PORT: String(port),
      REGAUTH_HOST: '127.0.0.1',
      REGAUTH_DATA_DIR: dataDir,
      REGAUTH_KEYS_DIR: join(dir, 'keys'),
      REGAUTH_BCRYPT_COST: '4',
      DATABASE_URL: '',
      ...extraEnv,
    };
    const daemon = await startDaemon({
      name,
      command,
      args,
      env,
      cwd: ROOT,
      logFile: join(dir, 'output.log'),
      ready: () => answers(port),
      readyTimeoutMs: 120_000,
    });
    const entry = { daemon, port, env, dataDir };
    started.push(entry);
    return entry;
  }

  beforeAll(async () => {
    root = await makeWorkDir();
  });

  afterAll(async () => {
    for (const { daemon, dataDir } of started) {
      await daemon.stop();
      // A server left behind by a start command that did not pass the signal on.
      const holder = await lockHolder(dataDir);
      if (holder !== null) process.kill(holder.pid, 'SIGKILL');
    }
    await removeWorkDir(root);
  });

  test('SIGTERM to `npm start` stops the server: the port is closed and the data folder unlocked', async () => {
    const server = await start('npm-start', findTool('npm') as string, ['start']);
    const holder = await lockHolder(server.dataDir);
    expect(holder).toMatchObject({ role: 'server' });

    process.kill(server.daemon.pid, 'SIGTERM');
    await server.daemon.exited();

    await until('stopped', async () => (await lockHolder(server.dataDir)) === null && !(await answers(server.port)));
    expect(() => process.kill(holder?.pid as number, 0)).toThrow();
    expect(server.daemon.logs()).toContain('"message":"stopped: requests finished, database connections closed"');
  }, 180_000);

  describe('`regauth serve`', () => {
    let server: Started;

    beforeAll(async () => {
      server = await start('serve', process.execPath, [BIN, 'serve']);
    }, 180_000);

    test('is the server process itself', async () => {
      expect(await lockHolder(server.dataDir)).toEqual(expect.objectContaining({ pid: server.daemon.pid, role: 'server' }));
    });

    test('without a terminal, logs the registry configuration as JSON', async () => {
      await until('logged', () => server.daemon.logs().includes('give the registry this configuration'));
      const line = server.daemon
        .logs()
        .split('\n')
        .find((text) => text.includes('give the registry this configuration')) as string;
      expect(parseYaml((JSON.parse(line) as { registryConfig: string }).registryConfig)).toMatchObject({
        auth: { token: { realm: `http://127.0.0.1:${server.port}/token` } },
      });
      expect(server.daemon.logs()).not.toContain('Next, in another terminal');
    });

    test("a CLI started without the server's port prints the server's realm", async () => {
      const { REGAUTH_PORT: _port, ...withoutPort } = server.env;
      const printed = assertSucceeded(await runCommand(process.execPath, [BIN, 'registry-config'], { env: withoutPort }), 'registry-config');

      expect(parseYaml(printed.stdout)).toMatchObject({ auth: { token: { realm: `http://127.0.0.1:${server.port}/token` } } });
      expect(printed.stderr).toContain(`realm: http://127.0.0.1:${server.port}/token (this command's own: http://127.0.0.1:5001/token)`);
    });

    test('SIGTERM stops it with exit code 0 and unlocks the data folder', async () => {
      process.kill(server.daemon.pid, 'SIGTERM');

      expect(await server.daemon.exited()).toEqual({ code: 0, signal: null });
      expect(await lockHolder(server.dataDir)).toBeNull();
      expect(await answers(server.port)).toBe(false);
    });
  });

  test('in a terminal, `regauth serve` prints where it listens, the registry configuration as YAML, and the next commands', async () => {
    // script(1) gives the server a pseudo-terminal and copies what it shows into the log.
    const command = `exec ${process.execPath} ${BIN} serve`;
    const server = await start('tty', findTool('script') as string, ['-q', '-e', '-c', command, '/dev/null']);
    await until('printed', () => server.daemon.logs().includes('Next, in another terminal'));
    const shown = server.daemon.logs().replace(/\r\n/g, '\n');
    const holder = await lockHolder(server.dataDir);
    process.kill(holder?.pid as number, 'SIGTERM');
    await server.daemon.exited();

    expect(shown).toContain(
      [
        `regauth is listening on 127.0.0.1:${server.port}, this machine only (loopback).`,
        '',
        "Give the registry this configuration (the auth section of its config.yml; `npx regauth registry-config` prints it again):",
        '',
        'auth:',
        '  token:',
        `    realm: http://127.0.0.1:${server.port}/token`,
        '    service: registry',
        '    issuer: regauth',
        `    rootcertbundle: ${join(root, 'tty', 'keys', 'registry-rootcertbundle.pem')}`,
        '',
        `Web UI: http://127.0.0.1:${server.port}/ui/ (sign in with a key from \`npx regauth admin-keys create --name you\`)`,
        '',
        'Next, in another terminal:',
        '  npx regauth tokens create --name laptop --repo team/app --scope write_registry --registry 127.0.0.1:5000',
        '  then run the docker login line it prints, and: docker push 127.0.0.1:5000/team/app:v1',
      ].join('\n'),
    );
    expect(shown).not.toContain('registryConfig');
    expect(shown).not.toContain('\\n');
  }, 180_000);
});
