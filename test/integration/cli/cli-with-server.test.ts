import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../../src/adapters/config/load-config.js';
import { EmbeddedStoreBusyError, lockEmbeddedStore } from '../../../src/adapters/store/embedded-store-lock.js';
import type { DeployTokenView } from '../../../src/app/deploy-token-view.js';
import { startRegauth, type RunningRegauth } from '../../../src/composition-root.js';
import { freePort } from '../../e2e/support/free-port.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { environmentIn, exists, ISO_TIME, REFUSED_CREATIONS, regauth, SECRET_SHAPE, type CreatedJson } from './cli-harness.js';

const basicAuth = (username: string, secret: string) => `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`;

/** A pid that belonged to a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}

/**
 * Puts the lock the CLI takes on `dataDir` in place as if process `pid` had taken it. A lock taken by this
 * very process would not do: a lock whose pid is our own is taken over, as after a container restart.
 */
async function lockAsProcess(dataDir: string, pid: number): Promise<{ since: string }> {
  await lockEmbeddedStore(dataDir, 'cli');
  const path = join(dataDir, 'regauth.lock');
  const holder = JSON.parse(await readFile(path, 'utf8')) as { pid: number; role: string; since: string };
  await writeFile(path, JSON.stringify({ ...holder, pid }));
  return { since: holder.since };
}

describe('next to a running server on the embedded store', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let dataDir: string;
  let running: RunningRegauth | null = null;
  let created: CreatedJson;
  let ciBot: DeployTokenView;
  let serverLogger: RecordingLogger;
  const run = (...argv: string[]) => regauth(env, dir, argv);
  const lockFile = () => join(dataDir, 'regauth.lock');

  async function listJson(): Promise<DeployTokenView[]> {
    const result = await run('tokens', 'list', '--json');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(result.stdout) as DeployTokenView[];
  }

  const requestToken = (username: string, secret: string) =>
    fetch(`${running?.url}/token?service=registry&scope=repository:team/app:pull`, {
      headers: { authorization: basicAuth(username, secret) },
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rgs-'));
    env = environmentIn(dir, { REGAUTH_PORT: '0', REGAUTH_HOST: '127.0.0.1' });
    dataDir = join(dir, 'data');
    serverLogger = new RecordingLogger();
    running = await startRegauth(loadConfig(env, dir), { logger: serverLogger });
  });

  afterAll(async () => {
    await running?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the server holds the data folder', async () => {
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({ pid: process.pid, role: 'server' });
  });

  test('tokens create is carried out by the server, leaving its lock in place', async () => {
    const result = await run('tokens', 'create', '--name', 'ci', '--repo', 'team/app', '--scope', 'read_registry', '--json');

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    created = JSON.parse(result.stdout) as CreatedJson;
    expect(created.token).toMatchObject({ id: 1, name: 'ci', username: 'deploy-token-1', status: 'active', lastUsedAt: null });
    expect(created.secret).toMatch(SECRET_SHAPE);
    // Had the CLI opened the store itself it would have taken over the lock (same pid) and removed it after.
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({ pid: process.pid, role: 'server' });
    expect(serverLogger.records).toContainEqual({
      level: 'info',
      message: 'audit',
      fields: {
        event: 'token.created',
        actor: 'cli',
        clientIp: null,
        tokenId: 1,
        username: 'deploy-token-1',
        name: 'ci',
        repositories: ['team/app'],
        scopes: ['read_registry'],
        expiresAt: null,
        tokenLifetimeSeconds: null,
      },
    });
    expect(JSON.stringify(serverLogger.records)).not.toContain(created.secret);
  });

  test("the server's token endpoint grants the new token pull", async () => {
    const response = await requestToken(created.token.username, created.secret);

    expect(response.status).toBe(200);
    const body = (await response.json()) as { token: string };
    const signingKey = running?.regauth.signingKey;
    const certificate = new X509Certificate(signingKey?.certificatePem as string);
    const { payload, protectedHeader } = await jwtVerify(body.token, certificate.publicKey, { issuer: 'regauth', audience: 'registry' });
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', kid: signingKey?.keyId });
    expect(payload.sub).toBe('deploy-token-1');
    expect(payload.access).toEqual([{ type: 'repository', name: 'team/app', actions: ['pull'] }]);
  });

  describe('a refused creation through the server exits 1, says why, and creates nothing', () => {
    let tokensBefore: DeployTokenView[];

    beforeAll(async () => {
      const result = await run('tokens', 'create', '--name', 'bot', '--username', 'ci-bot', '--repo', 'team/app', '--scope', 'read_registry', '--json');
      expect(result.code).toBe(0);
      ciBot = (JSON.parse(result.stdout) as CreatedJson).token;
      tokensBefore = await listJson();
    });

    test.each(REFUSED_CREATIONS)('%s', async (_what, argv, message) => {
      expect(await run('tokens', 'create', '--name', 'refused', ...argv)).toEqual({ code: 1, stdout: '', stderr: `regauth: ${message}\n` });
    });

    test('the tokens are as they were', async () => {
      expect(await listJson()).toEqual(tokensBefore);
    });
  });

  test('tokens list goes through the server and shows the last use', async () => {
    const result = await run('tokens', 'list', '--json');

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([{ ...created.token, lastUsedAt: expect.stringMatching(ISO_TIME), lastUsedIp: '127.0.0.1' }, ciBot]);
    expect(result.stdout).not.toContain(created.secret);
  });

  test('tokens revoke goes through the server, which then refuses the token', async () => {
    const result = await run('tokens', 'revoke', 'deploy-token-1', '--json');

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: 1, status: 'revoked', revokedAt: expect.stringMatching(ISO_TIME) });
    expect(serverLogger.records).toContainEqual({
      level: 'info',
      message: 'audit',
      fields: { event: 'token.revoked', actor: 'cli', clientIp: null, tokenId: 1, username: 'deploy-token-1' },
    });
    expect((await requestToken(created.token.username, created.secret)).status).toBe(401);
  });

  test('revoking an unknown token through the server exits 1', async () => {
    expect(await run('tokens', 'revoke', 'nobody')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'regauth: no deploy token with id or username "nobody"\n',
    });
  });

  test('after the server stops, the CLI opens the store itself and sees the same tokens', async () => {
    const throughServer = JSON.parse((await run('tokens', 'list', '--json')).stdout) as DeployTokenView[];
    await running?.close();
    running = null;

    expect(await exists(lockFile())).toBe(false);
    const direct = await run('tokens', 'list', '--json');
    expect(direct.code).toBe(0);
    expect(JSON.parse(direct.stdout)).toEqual(throughServer);
    expect(await exists(lockFile())).toBe(false);
  });

  test('while another process holds the store, the server does not start and the CLI exits 1', async () => {
    const holder = process.ppid;
    const { since } = await lockAsProcess(dataDir, holder);
    const busy =
      `the embedded store in ${dataDir} is in use by a regauth cli (pid ${holder}) since ${since}. ` +
      `PGlite serves one process at a time; if no regauth is running, delete ${lockFile()}`;
    try {
      const starting = startRegauth(loadConfig(env, dir), { logger: new RecordingLogger() });
      await expect(starting).rejects.toBeInstanceOf(EmbeddedStoreBusyError);
      await expect(starting).rejects.toMatchObject({ name: 'EmbeddedStoreBusyError', message: busy });
      expect(await run('tokens', 'list')).toEqual({ code: 1, stdout: '', stderr: `regauth: ${busy}\n` });
    } finally {
      await rm(lockFile(), { force: true });
    }
  });

  test('a lock left by a process that has exited is taken over', async () => {
    await lockAsProcess(dataDir, await deadPid());

    running = await startRegauth(loadConfig(env, dir), { logger: new RecordingLogger() });
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({ pid: process.pid, role: 'server' });
    const listed = await run('tokens', 'list', '--json');
    expect((JSON.parse(listed.stdout) as DeployTokenView[]).map((token) => token.username)).toEqual(['deploy-token-1', 'ci-bot']);
  });
});

describe('registry-config next to a server started with other settings than the CLI', () => {
  let dir: string;
  let port: number;
  let serverKeys: string;
  let running: RunningRegauth | null = null;
  let cliEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rgp-'));
    port = await freePort();
    serverKeys = join(dir, 'server-keys');
    // As with `REGAUTH_PORT=5002 npm start` in one terminal and a plain `npx regauth registry-config` in another.
    const serverEnv = environmentIn(dir, {
      REGAUTH_PORT: String(port),
      REGAUTH_HOST: '127.0.0.1',
      REGAUTH_SERVICE: 'registry.example.com',
      REGAUTH_KEYS_DIR: serverKeys,
    });
    cliEnv = environmentIn(dir);
    running = await startRegauth(loadConfig(serverEnv, dir), { logger: new RecordingLogger() });
  });

  afterAll(async () => {
    await running?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("prints the running server's realm, service and bundle, and says on stderr where the CLI's own differ", async () => {
    const result = await regauth(cliEnv, dir, ['registry-config']);

    expect(result).toEqual({
      code: 0,
      stdout:
        'auth:\n' +
        '  token:\n' +
        `    realm: http://127.0.0.1:${port}/token\n` +
        '    service: registry.example.com\n' +
        '    issuer: regauth\n' +
        `    rootcertbundle: ${join(serverKeys, 'registry-rootcertbundle.pem')}\n`,
      stderr:
        `regauth: the running server (pid ${process.pid}, port ${port}) was started with other settings than this command; printing the server's:\n` +
        `  realm: http://127.0.0.1:${port}/token (this command's own: http://127.0.0.1:5001/token)\n` +
        "  service: registry.example.com (this command's own: registry)\n" +
        `  keys folder: ${serverKeys} (this command's own: ${join(dir, 'keys')})\n`,
    });
    expect(await exists(join(dir, 'keys'))).toBe(false);
    const bundle = await readFile(join(serverKeys, 'registry-rootcertbundle.pem'), 'utf8');
    expect(bundle).toBe(`${running?.regauth.signingKey.certificatePem.trimEnd()}\n`);
  });

  test('given the same settings as the server, it prints them without a notice', async () => {
    const sameEnv = { ...cliEnv, REGAUTH_PORT: String(port), REGAUTH_SERVICE: 'registry.example.com', REGAUTH_KEYS_DIR: serverKeys };

    const result = await regauth(sameEnv, dir, ['registry-config']);

    expect(result.stderr).toBe('');
    expect(parseYaml(result.stdout)).toMatchObject({ auth: { token: { realm: `http://127.0.0.1:${port}/token` } } });
  });

  test.each([['keys', 'rotate'], ['keys', 'generate', '--force']])(
    '%s %s refuses to add a key to a folder the running server does not read',
    async (...argv) => {
      expect(await regauth(cliEnv, dir, argv)).toEqual({
        code: 1,
        stdout: '',
        stderr:
          `regauth: the running server (pid ${process.pid}) reads its keys from ${serverKeys}, not ${join(dir, 'keys')}; ` +
          'give this command the same keys folder (REGAUTH_KEYS_DIR or keys.dir)\n',
      });
      expect(await exists(join(dir, 'keys'))).toBe(false);
    },
  );

  test('once the server has stopped, it prints its own settings again', async () => {
    await running?.close();
    running = null;

    const result = await regauth(cliEnv, dir, ['registry-config']);

    expect(result.stderr).toBe('');
    expect(parseYaml(result.stdout)).toMatchObject({ auth: { token: { realm: 'http://127.0.0.1:5001/token', service: 'registry' } } });
  });
});
