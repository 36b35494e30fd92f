import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestListener } from 'node:http';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../../src/adapters/config/load-config.js';
import type { AdminKeyView, CreatedAdminKey } from '../../../src/app/admin-keys.js';
import type { AuditEventView } from '../../../src/app/deploy-token-admin.js';
import type { DeployTokenView } from '../../../src/app/deploy-token-view.js';
import { createRegauthApp, startRegauth, type RunningRegauth } from '../../../src/composition-root.js';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../../support/postgres.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { environmentIn, ISO_TIME, regauth, SECRET_SHAPE, type CreatedJson } from './cli-harness.js';

const DAY_MS = 86_400_000;
const REGISTRY = 'reg.example:5000';
const ADMIN_KEY_SHAPE = /^regauth_admin_[A-Za-z0-9_-]{43}$/;

const basic = (username: string, secret: string) => `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`;
const decode = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');

interface DockerConfig {
  auths: Record<string, { username: string; password: string; auth: string }>;
}

/** Where the CLI's store lives, and a way to reach the service on the same store. */
interface Setup {
  readonly env: NodeJS.ProcessEnv;
  /** The HTTP app over the same store: the running server's, or one opened for the call and closed after. */
  withApp<T>(work: (app: RequestListener) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

type Mode = readonly [name: string, start: (dir: string) => Promise<Setup>];

/** Opens the whole service on the store the CLI uses, for one piece of work, then closes it (and its lock). */
function openedPerCall(env: NodeJS.ProcessEnv, dir: string): Setup['withApp'] {
  return async (work) => {
    const service = await createRegauthApp(loadConfig(env, dir), { logger: new RecordingLogger() });
    try {
      return await work(service.app);
    } finally {
      await service.close();
    }
  };
}

const embedded: Mode = [
  'the embedded store, opened by the CLI itself',
  async (dir) => {
    const env = environmentIn(dir);
    return { env, withApp: openedPerCall(env, dir), close: async () => undefined };
  },
];

const throughServer: Mode = [
  'a running server holding the embedded store (control socket)',
  async (dir) => {
    const env = environmentIn(dir, { REGAUTH_PORT: '0', REGAUTH_HOST: '127.0.0.1' });
    const running: RunningRegauth = await startRegauth(loadConfig(env, dir), { logger: new RecordingLogger() });
    return { env, withApp: (work) => work(running.regauth.app), close: () => running.close() };
  },
];

const postgres = await postgresAvailable();
const onPostgres: Mode = [
  'PostgreSQL',
  async (dir) => {
    const schema: PostgresTestSchema = await createPostgresTestSchema();
    const env = environmentIn(dir, { DATABASE_URL: schema.url });
    return { env, withApp: openedPerCall(env, dir), close: () => schema.drop() };
  },
];

const MODES: readonly Mode[] = postgres ? [embedded, throughServer, onPostgres] : [embedded, throughServer];

/** Runs `bash`, evaluating `script` (the env output), and prints the four variables NUL-separated. */
function sourceInBash(script: string): Record<string, string> {
  const names = ['REGISTRY_HOST', 'REGISTRY_USERNAME', 'REGISTRY_PASSWORD', 'DOCKER_AUTH_CONFIG'];
  // --norc: bash reads ~/.bashrc when its stdin is a socket (as node's pipes are), taking it for rshd.
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', `eval "$(cat)"; printf '%s\\0' ${names.map((name) => `"$${name}"`).join(' ')}`], {
    input: script,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  const values = result.stdout.split('\0');
  return Object.fromEntries(names.map((name, index) => [name, values[index] as string]));
}

describe.each(MODES)('CLI admin commands on %s', (_name, start) => {
  let dir: string;
  let setup: Setup;
  const secrets: Record<string, string> = {};
  const run = (...argv: string[]) => regauth(setup.env, dir, argv);

  async function runJson<T>(...argv: string[]): Promise<T> {
    const result = await run(...argv);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(result.stdout) as T;
  }

  const listJson = (...filters: string[]) => runJson<DeployTokenView[]>('tokens', 'list', '--json', ...filters);

  /** Status of a token request with these credentials, at the service on the same store. */
  const tokenStatus = (app: RequestListener, username: string, secret: string) =>
    request(app).get('/token?service=registry&scope=repository:team/app:pull').set('Authorization', basic(username, secret)).then((response) => response.status);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rgcli-'));
    setup = await start(dir);
  }, 60_000);

  afterAll(async () => {
    await setup?.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('tokens create --format', () => {
    test('k8s-secret prints a kubernetes.io/dockerconfigjson Secret with --secret-name and --namespace', async () => {
      const result = await run(
        'tokens', 'create', '--name', 'kube pulls', '--repo', 'team/app', '--scope', 'read_registry', '--expires', '90d',
        '--format', 'k8s-secret', '--registry', REGISTRY, '--secret-name', 'regauth-pull', '--namespace', 'team-app',
      );

      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      const manifest = parseYaml(result.stdout) as { data: Record<string, string>; metadata: { annotations: Record<string, string> } };
      expect(manifest).toEqual({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: 'regauth-pull',
          namespace: 'team-app',
          labels: { 'app.kubernetes.io/managed-by': 'regauth' },
          annotations: {
            'regauth.dev/deploy-token-id': '1',
            'regauth.dev/deploy-token-username': 'deploy-token-1',
            'regauth.dev/expires-at': expect.stringMatching(ISO_TIME),
          },
        },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': expect.any(String) },
      });
      const config = JSON.parse(decode(manifest.data['.dockerconfigjson'] as string)) as DockerConfig;
      const entry = config.auths[REGISTRY];
      expect(Object.keys(config.auths)).toEqual([REGISTRY]);
      expect(entry).toEqual({ username: 'deploy-token-1', password: expect.stringMatching(SECRET_SHAPE), auth: expect.any(String) });
      expect(decode(entry?.auth as string)).toBe(`deploy-token-1:${entry?.password}`);
      secrets['deploy-token-1'] = entry?.password as string;
      const token = (await listJson())[0] as DeployTokenView;
      expect(manifest.metadata.annotations['regauth.dev/expires-at']).toBe(token.expiresAt);
      expect(Date.parse(token.expiresAt as string) - Date.parse(token.createdAt)).toBe(90 * DAY_MS);
    });

    test('dockerconfigjson prints the auths of ~/.docker/config.json, and the secret in it works', async () => {
      const result = await run('tokens', 'create', '--name', 'kaniko', '--repo', 'team/app', '--scope', 'write_registry', '--format', 'dockerconfigjson', '--registry', REGISTRY);

      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      expect(result.stdout.endsWith('}\n')).toBe(true);
      const config = JSON.parse(result.stdout) as DockerConfig;
      const entry = config.auths[REGISTRY];
      expect(config).toEqual({ auths: { [REGISTRY]: { username: 'deploy-token-2', password: expect.stringMatching(SECRET_SHAPE), auth: expect.any(String) } } });
      expect(decode(entry?.auth as string)).toBe(`deploy-token-2:${entry?.password}`);
      secrets['deploy-token-2'] = entry?.password as string;
      expect(await setup.withApp((app) => tokenStatus(app, 'deploy-token-2', secrets['deploy-token-2'] as string))).toBe(200);
    });

    test('env prints shell-quoted CI variables that bash reads back exactly', async () => {
      const result = await run(
        'tokens', 'create', '--name', "o'brien's ci", '--username', 'ci.bot+gitlab', '--repo', 'team/**', '--scope', 'write_registry',
        '--format', 'env', '--registry', REGISTRY,
      );

      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      expect(result.stdout.split('\n').map((line) => line.split('=')[0])).toEqual(['REGISTRY_HOST', 'REGISTRY_USERNAME', 'REGISTRY_PASSWORD', 'DOCKER_AUTH_CONFIG', '']);
      const variables = sourceInBash(result.stdout);
      expect(variables).toEqual({
        REGISTRY_HOST: REGISTRY,
        REGISTRY_USERNAME: 'ci.bot+gitlab',
        REGISTRY_PASSWORD: expect.stringMatching(SECRET_SHAPE),
        DOCKER_AUTH_CONFIG: expect.any(String),
      });
      const password = variables.REGISTRY_PASSWORD as string;
      expect(JSON.parse(variables.DOCKER_AUTH_CONFIG as string)).toEqual({
        auths: { [REGISTRY]: { username: 'ci.bot+gitlab', password, auth: Buffer.from(`ci.bot+gitlab:${password}`).toString('base64') } },
      });
      secrets['ci.bot+gitlab'] = password;
    });

    test('k8s-secret names the Secret after the token by default and takes the host from REGAUTH_REGISTRY_HOST', async () => {
      const result = await regauth({ ...setup.env, REGAUTH_REGISTRY_HOST: 'registry.example.com' }, dir, [
        'tokens', 'create', '--name', 'Prod Cluster!', '--repo', 'other/app', '--scope', 'read_registry', '--format', 'k8s-secret',
      ]);

      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      const manifest = parseYaml(result.stdout) as { metadata: Record<string, unknown>; data: Record<string, string> };
      expect(manifest.metadata).toEqual({
        name: 'regauth-prod-cluster',
        labels: { 'app.kubernetes.io/managed-by': 'regauth' },
        annotations: { 'regauth.dev/deploy-token-id': '4', 'regauth.dev/deploy-token-username': 'deploy-token-4' },
      });
      const config = JSON.parse(decode(manifest.data['.dockerconfigjson'] as string)) as DockerConfig;
      expect(Object.keys(config.auths)).toEqual(['registry.example.com']);
      secrets['deploy-token-4'] = config.auths['registry.example.com']?.password as string;
    });

    describe('a format that names the registry, without a registry host, exits 1 and creates nothing', () => {
      let before: DeployTokenView[];

      beforeAll(async () => {
        before = await listJson();
        expect(before).toHaveLength(4);
      });

      test.each(['k8s-secret', 'dockerconfigjson', 'env'])('--format %s', async (format) => {
        expect(await run('tokens', 'create', '--name', 'no host', '--repo', 'team/app', '--scope', 'read_registry', '--format', format)).toEqual({
          code: 1,
          stdout: '',
          stderr: `regauth: --format ${format} needs the registry host: pass --registry <host> or set registry.host\n`,
        });
      });

      test('tokens rotate --format k8s-secret without a host changes nothing either', async () => {
        expect(await run('tokens', 'rotate', '1', '--format', 'k8s-secret')).toEqual({
          code: 1,
          stdout: '',
          stderr: 'regauth: --format k8s-secret needs the registry host: pass --registry <host> or set registry.host\n',
        });
        expect(await setup.withApp((app) => tokenStatus(app, 'deploy-token-1', secrets['deploy-token-1'] as string))).toBe(200);
      });

      test('an unknown format is a usage error', async () => {
        const result = await run('tokens', 'create', '--name', 'x', '--repo', 'team/app', '--scope', 'read_registry', '--format', 'yaml');
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(/^error: option '--format <format>' argument 'yaml' is invalid/);
      });

      test('tokens list --json is unchanged', async () => {
        const after = await listJson();
        expect(after.map(({ lastUsedAt: _a, lastUsedIp: _b, ...token }) => token)).toEqual(before.map(({ lastUsedAt: _a, lastUsedIp: _b, ...token }) => token));
      });
    });
  });

  describe('tokens show', () => {
    test('--json by id and by username is the token as listed', async () => {
      const listed = await listJson();
      expect(await runJson('tokens', 'show', '3', '--json')).toEqual(listed[2]);
      expect(await runJson('tokens', 'show', 'ci.bot+gitlab', '--json')).toEqual(listed[2]);
    });

    test('text shows every field and never the secret', async () => {
      const token = (await listJson())[0] as DeployTokenView;
      const result = await run('tokens', 'show', 'deploy-token-1');
      expect(result).toEqual({
        code: 0,
        stderr: '',
        stdout:
          '  id:             1\n' +
          '  name:           kube pulls\n' +
          '  username:       deploy-token-1\n' +
          '  status:         active\n' +
          '  repositories:   team/app\n' +
          '  scopes:         read_registry\n' +
          `  expires:        ${token.expiresAt}\n` +
          '  token lifetime: service default\n' +
          `  created:        ${token.createdAt}\n` +
          `  secret issued:  ${token.secretIssuedAt} by cli\n` +
          '  updated:        never\n' +
          '  last used:      ' + (token.lastUsedAt === null ? 'never' : `${token.lastUsedAt} from ${token.lastUsedIp}`) + '\n',
      });
      for (const secret of Object.values(secrets)) expect(result.stdout).not.toContain(secret);
    });

    test('an unknown token exits 1', async () => {
      expect(await run('tokens', 'show', 'nobody')).toEqual({ code: 1, stdout: '', stderr: 'regauth: no deploy token with id or username "nobody"\n' });
    });
  });

  describe('tokens update', () => {
    test.each<[string, string[], Partial<DeployTokenView>]>([
      ['--name', ['--name', 'kaniko builds'], { name: 'kaniko builds' }],
      ['--repo (replaces the list)', ['--repo', 'team/app', '--repo', 'team/cache'], { repositories: ['team/app', 'team/cache'] }],
      ['--scope (replaces the list)', ['--scope', 'read_registry', '--scope', 'delete_registry'], { scopes: ['read_registry', 'delete_registry'] }],
      ['--expires', ['--expires', '30d'], { expiresAt: 'in 30 days' }],
      ['--never-expires', ['--never-expires'], { expiresAt: null }],
      ['--token-lifetime', ['--token-lifetime', '15m'], { tokenLifetimeSeconds: 900 }],
      ['--default-token-lifetime', ['--default-token-lifetime'], { tokenLifetimeSeconds: null }],
    ])('%s changes that and nothing else', async (_what, options, expected) => {
      const before = await runJson<DeployTokenView>('tokens', 'show', '2', '--json');
      const started = Date.now();
      const updated = await runJson<DeployTokenView>('tokens', 'update', 'deploy-token-2', ...options, '--json');
      const finished = Date.now();

      const changed = Object.fromEntries(
        Object.entries(updated).filter(([field, value]) => field !== 'updatedAt' && JSON.stringify(value) !== JSON.stringify(before[field as keyof DeployTokenView])),
      );
      if (expected.expiresAt === 'in 30 days') {
        expect(Object.keys(changed)).toEqual(['expiresAt']);
        expect(Date.parse(updated.expiresAt as string) - Date.parse(updated.updatedAt as string)).toBe(30 * DAY_MS);
      } else {
        expect(changed).toEqual(expected);
      }
      expect(Date.parse(updated.updatedAt as string)).toBeGreaterThanOrEqual(started);
      expect(Date.parse(updated.updatedAt as string)).toBeLessThanOrEqual(finished);
      expect(await runJson('tokens', 'show', '2', '--json')).toEqual(updated);
    });

    test('the options took effect together: the token is as the table left it', async () => {
      expect(await runJson('tokens', 'show', '2', '--json')).toMatchObject({
        name: 'kaniko builds',
        repositories: ['team/app', 'team/cache'],
        scopes: ['read_registry', 'delete_registry'],
        expiresAt: null,
        tokenLifetimeSeconds: null,
      });
      expect(await setup.withApp((app) => tokenStatus(app, 'deploy-token-2', secrets['deploy-token-2'] as string))).toBe(200);
    });

    test('text output says what it updated', async () => {
      const result = await run('tokens', 'update', '2', '--token-lifetime', '600');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Updated deploy token 2\.\n {2}id: {13}2\n/);
      expect(result.stdout).toContain('\n  token lifetime: 600s\n');
    });

    test.each<[string, string[], string]>([
      ['--expires with --never-expires', ['--expires', '30d', '--never-expires'], 'give --expires or --never-expires, not both'],
      ['--token-lifetime with --default-token-lifetime', ['--token-lifetime', '15m', '--default-token-lifetime'], 'give --token-lifetime or --default-token-lifetime, not both'],
      ['no option', [], 'nothing to change'],
      ['an expiry in the past', ['--expires', '2020-01-01'], 'invalid expiry "2020-01-01": it is not in the future'],
      ['a lifetime over the maximum', ['--token-lifetime', '2h'], 'invalid token lifetime "2h": it must be between 60 and 3600 seconds'],
      ['read_catalog without *', ['--scope', 'read_catalog'], 'read_catalog lists every repository, so it is only for deploy tokens whose repositories include *'],
    ])('%s exits 1 and changes nothing', async (_what, options, message) => {
      const before = await runJson<DeployTokenView>('tokens', 'show', '2', '--json');
      expect(await run('tokens', 'update', '2', ...options)).toEqual({ code: 1, stdout: '', stderr: `regauth: ${message}\n` });
      expect(await runJson('tokens', 'show', '2', '--json')).toEqual(before);
    });

    test('an unknown token exits 1', async () => {
      expect(await run('tokens', 'update', 'nobody', '--name', 'x')).toEqual({ code: 1, stdout: '', stderr: 'regauth: no deploy token with id or username "nobody"\n' });
    });
  });

  describe('tokens rotate', () => {
    test('--json: a new secret for the same token; the new one works at the token endpoint and the old one is refused', async () => {
      const before = await runJson<DeployTokenView>('tokens', 'show', '2', '--json');
      const rotated = await runJson<CreatedJson>('tokens', 'rotate', 'deploy-token-2', '--json', '--registry', REGISTRY);

      expect(rotated.secret).toMatch(SECRET_SHAPE);
      expect(rotated.secret).not.toBe(secrets['deploy-token-2']);
      expect(rotated.token).toEqual({ ...before, updatedAt: expect.stringMatching(ISO_TIME), secretIssuedAt: rotated.token.updatedAt, secretIssuedBy: 'cli' });
      expect(rotated.dockerLogin).toBe(`printf '%s' '${rotated.secret}' | docker login ${REGISTRY} --username deploy-token-2 --password-stdin`);
      const statuses = await setup.withApp(async (app) => [
        await tokenStatus(app, 'deploy-token-2', secrets['deploy-token-2'] as string),
        await tokenStatus(app, 'deploy-token-2', rotated.secret),
      ]);
      expect(statuses).toEqual([401, 200]);
      secrets['deploy-token-2'] = rotated.secret;
    });

    test('--format k8s-secret prints the same Secret with the new secret', async () => {
      const result = await run('tokens', 'rotate', '1', '--format', 'k8s-secret', '--registry', REGISTRY, '--secret-name', 'regauth-pull', '--namespace', 'team-app');
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      const manifest = parseYaml(result.stdout) as { metadata: { name: string; namespace: string }; data: Record<string, string> };
      expect(manifest.metadata).toMatchObject({ name: 'regauth-pull', namespace: 'team-app' });
      const password = (JSON.parse(decode(manifest.data['.dockerconfigjson'] as string)) as DockerConfig).auths[REGISTRY]?.password as string;
      expect(password).toMatch(SECRET_SHAPE);
      expect(password).not.toBe(secrets['deploy-token-1']);
      const statuses = await setup.withApp(async (app) => [
        await tokenStatus(app, 'deploy-token-1', secrets['deploy-token-1'] as string),
        await tokenStatus(app, 'deploy-token-1', password),
      ]);
      expect(statuses).toEqual([401, 200]);
      secrets['deploy-token-1'] = password;
    });

    test('text output says Rotated, and an unknown token exits 1', async () => {
      const result = await run('tokens', 'rotate', '4', '--registry', REGISTRY);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Rotated deploy token 4 \(Prod Cluster!\)\.\n/);
      expect(await run('tokens', 'rotate', '99')).toEqual({ code: 1, stdout: '', stderr: 'regauth: no deploy token with id or username "99"\n' });
    });
  });

  describe('tokens list --status / --repository', () => {
    beforeAll(async () => {
      for (const reference of ['1', 'deploy-token-4']) expect((await run('tokens', 'revoke', reference)).code).toBe(0);
    });

    test.each<[string[], string[]]>([
      [['--status', 'revoked'], ['deploy-token-1', 'deploy-token-4']],
      [['--status', 'revoked', '--repository', 'team/app'], ['deploy-token-1']],
      [['--status', 'active'], ['deploy-token-2', 'ci.bot+gitlab']],
      [['--status', 'active', '--repository', 'team/app'], ['deploy-token-2', 'ci.bot+gitlab']],
      [['--status', 'expired'], []],
      [['--repository', 'team/app/sub'], ['deploy-token-1', 'deploy-token-2', 'ci.bot+gitlab']],
      [['--repository', 'team/cache'], ['deploy-token-2', 'ci.bot+gitlab']],
      [['--repository', 'other/app'], ['deploy-token-4']],
      [['--repository', 'nothing/here'], []],
    ])('tokens list %j', async (filters, usernames) => {
      const listed = await listJson(...filters);
      expect(listed.map((token) => token.username)).toEqual(usernames);
    });

    test('the text table honours the filters too', async () => {
      const result = await run('tokens', 'list', '--status', 'revoked', '--repository', 'team/app');
      expect(result.code).toBe(0);
      const rows = result.stdout.trimEnd().split('\n');
      expect(rows).toHaveLength(2);
      expect(rows[1]?.split(/ {2,}/).slice(0, 3)).toEqual(['1', 'kube pulls', 'deploy-token-1']);
    });

    test.each<[string[], number, RegExp]>([
      [['--status', 'gone'], 2, /^error: option '--status <status>' argument 'gone' is invalid/],
      [['--repository', 'Team/App'], 1, /^regauth: invalid repository "Team\/App"/],
    ])('tokens list %j is refused', async (filters, code, message) => {
      const result = await run('tokens', 'list', ...filters);
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code, stdout: '' });
      expect(result.stderr).toMatch(message);
    });
  });

  describe('admin-keys', () => {
    let terraform: CreatedAdminKey;

    test('create --json prints the key once; list never shows it', async () => {
      terraform = await runJson<CreatedAdminKey>('admin-keys', 'create', '--name', 'terraform', '--json');
      expect(terraform).toEqual({
        adminKey: { id: 1, name: 'terraform', status: 'active', createdAt: expect.stringMatching(ISO_TIME), revokedAt: null, lastUsedAt: null },
        key: expect.stringMatching(ADMIN_KEY_SHAPE),
      });
      const listed = await run('admin-keys', 'list', '--json');
      expect(JSON.parse(listed.stdout)).toEqual([terraform.adminKey]);
      expect(listed.stdout).not.toContain(terraform.key);
    });

    test('create in text says how to send the key', async () => {
      const result = await run('admin-keys', 'create', '--name', 'portal');
      const key = /^ {2}key: (\S+)$/m.exec(result.stdout)?.[1] as string;
      expect(key).toMatch(ADMIN_KEY_SHAPE);
      expect(result).toEqual({
        code: 0,
        stderr: '',
        stdout: `Created admin key 2 (portal).\n\n  key: ${key}\n\nThe key is shown only now: regauth keeps just its digest. Send it as: Authorization: Bearer <key>\n`,
      });
    });

    test('the key opens the admin API', async () => {
      const status = await setup.withApp(async (app) => (await request(app).get('/api/v1/deploy-tokens').set('Authorization', `Bearer ${terraform.key}`)).status);
      expect(status).toBe(200);
    });

    test('revoke refuses the key at once; list shows it revoked', async () => {
      const result = await run('admin-keys', 'revoke', '1');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Admin key 1 \(terraform\) is revoked since \d{4}-\d{2}-\d{2}T[\d:.]+Z\.\n$/);

      const response = await setup.withApp(async (app) => request(app).get('/api/v1/deploy-tokens').set('Authorization', `Bearer ${terraform.key}`));
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: { code: 'invalid_admin_key', message: expect.any(String) } });

      const listed = await runJson<AdminKeyView[]>('admin-keys', 'list', '--json');
      expect(listed.map((key) => [key.id, key.name, key.status])).toEqual([
        [1, 'terraform', 'revoked'],
        [2, 'portal', 'active'],
      ]);
      expect(listed[0]?.lastUsedAt).toMatch(ISO_TIME);
    });

    test('list in text: one line per key', async () => {
      const result = await run('admin-keys', 'list');
      expect(result.code).toBe(0);
      expect(result.stdout.trimEnd().split('\n').map((line) => line.split('\t').slice(0, 3))).toEqual([
        ['1', 'terraform', 'revoked'],
        ['2', 'portal', 'active'],
      ]);
    });

    test.each<[string, string]>([
      ['abc', 'regauth: "abc" is not an admin key id\n'],
      ['0', 'regauth: "0" is not an admin key id\n'],
      ['99', 'regauth: no admin key with id 99\n'],
    ])('revoke %s exits 1', async (id, stderr) => {
      expect(await run('admin-keys', 'revoke', id)).toEqual({ code: 1, stdout: '', stderr });
    });

    test('create with an empty name exits 1', async () => {
      expect(await run('admin-keys', 'create', '--name', '  ')).toEqual({ code: 1, stdout: '', stderr: 'regauth: name must be 1 to 255 printable characters\n' });
    });
  });

  describe('audit', () => {
    test('--event token.created --json: who created which token, newest first', async () => {
      const events = await runJson<AuditEventView[]>('audit', '--event', 'token.created', '--json');
      expect(events.map((event) => [event.event, event.actor, event.tokenId, event.username, event.clientIp])).toEqual([
        ['token.created', 'cli', 4, 'deploy-token-4', null],
        ['token.created', 'cli', 3, 'ci.bot+gitlab', null],
        ['token.created', 'cli', 2, 'deploy-token-2', null],
        ['token.created', 'cli', 1, 'deploy-token-1', null],
      ]);
      expect(events[3]?.details).toEqual({
        name: 'kube pulls',
        repositories: ['team/app'],
        scopes: ['read_registry'],
        expiresAt: expect.stringMatching(ISO_TIME),
        tokenLifetimeSeconds: null,
      });
    });

    test('--token: the events of one deploy token, including its token requests', async () => {
      const events = await runJson<AuditEventView[]>('audit', '--token', 'deploy-token-2', '--json');
      expect(events.every((event) => event.tokenId === 2)).toBe(true);
      // Oldest first: created, its dockerconfigjson secret used, seven updates, used, one more update, rotated, used.
      expect(events.map((event) => event.event).reverse()).toEqual([
        'token.created',
        'token.issued',
        ...Array(7).fill('token.updated'),
        'token.issued',
        'token.updated',
        'token.rotated',
        'token.issued',
      ]);
      expect(events[0]).toMatchObject({ actor: 'deploy-token-2', details: { grant: 'password', granted: [{ type: 'repository', name: 'team/app', actions: ['pull'] }] } });
      expect(await runJson('audit', '--token', '2', '--json')).toEqual(events);
    });

    test('failed logins are there, with the reason, and no secret anywhere', async () => {
      const failed = await runJson<AuditEventView[]>('audit', '--event', 'auth.failed', '--json');
      expect(failed.map((event) => [event.username, event.details.reason])).toEqual([
        ['deploy-token-1', 'invalid_credentials'],
        ['deploy-token-2', 'invalid_credentials'],
      ]);
      const everything = await run('audit', '--json', '--limit', '1000');
      for (const secret of Object.values(secrets)) expect(everything.stdout).not.toContain(secret);
      expect(everything.stdout).not.toMatch(/regauth_[A-Za-z0-9_]{20,}/);
    });

    test('admin key events', async () => {
      const events = await runJson<AuditEventView[]>('audit', '--json', '--event', 'admin_key.created');
      expect(events.map((event) => [event.actor, event.details])).toEqual([
        ['cli', { adminKeyId: 2, name: 'portal' }],
        ['cli', { adminKeyId: 1, name: 'terraform' }],
      ]);
      const revoked = await runJson<AuditEventView[]>('audit', '--json', '--event', 'admin_key.revoked');
      expect(revoked.map((event) => event.details)).toEqual([{ adminKeyId: 1, name: 'terraform' }]);
    });

    test('--since 1h keeps everything that just happened; --since a future date nothing', async () => {
      const all = await runJson<AuditEventView[]>('audit', '--json', '--limit', '1000');
      expect(all.length).toBeGreaterThan(20);
      expect(await runJson('audit', '--json', '--limit', '1000', '--since', '1h')).toEqual(all);
      expect(await runJson('audit', '--json', '--since', '2099-01-01')).toEqual([]);
      expect(await run('audit', '--since', '2099-01-01')).toEqual({ code: 0, stdout: 'No audit events.\n', stderr: '' });
      expect(await runJson<AuditEventView[]>('audit', '--json', '--limit', '3')).toEqual(all.slice(0, 3));
    });

    test('text output: one line per event, newest first', async () => {
      const result = await run('audit', '--event', 'token.revoked', '--token', '1');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z {2}token\.revoked {5}by cli token deploy-token-1 {2}\{\}\n$/);
    });

    test.each<[string[], number, RegExp]>([
      [['--event', 'token.deleted'], 2, /^error: option '--event <event>' argument 'token.deleted' is invalid/],
      [['--since', 'soon'], 1, /^regauth: invalid since "soon": use a duration back from now such as 30m, 24h, 7d, 2w or a date/],
      [['--token', 'nobody'], 1, /^regauth: no deploy token with id or username "nobody"\n$/],
      // Directly the use case says it; through the server the admin API's query schema does.
      [['--limit', '0'], 1, /^regauth: (limit must be an integer from 1 to 1000|query: limit: Too small: expected number to be >=1)\n$/s],
    ])('audit %j is refused', async (options, code, message) => {
      const result = await run('audit', ...options);
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code, stdout: '' });
      expect(result.stderr).toMatch(message);
    });
  });
  describe('refresh-tokens list / revoke', () => {
    const offlineLogin = (app: RequestListener, username: string, secret: string, clientId: string) =>
      request(app)
        .post('/token')
        .type('form')
        .send({ grant_type: 'password', access_type: 'offline', client_id: clientId, username, password: secret, service: 'registry' })
        .then((response) => response.body.refresh_token as string);
    const refreshStatus = (app: RequestListener, refreshToken: string) =>
      request(app)
        .post('/token')
        .type('form')
        .send({ grant_type: 'refresh_token', refresh_token: refreshToken, service: 'registry' })
        .then((response) => response.status);

    test('lists the logins of a token, revokes one by one, and only that one stops working', async () => {
      const created = await runJson<CreatedJson>('tokens', 'create', '--name', 'sessions', '--repo', 'team/app', '--scope', 'read_registry', '--json');
      const { username } = created.token;
      const [docker, containerd] = await setup.withApp(async (app) => [
        await offlineLogin(app, username, created.secret, 'docker'),
        await offlineLogin(app, username, created.secret, 'containerd-client'),
      ]);

      const listed = await runJson<{ id: number; clientId: string; idleExpiresAt: string }[]>('refresh-tokens', 'list', username, '--json');
      expect(listed.map((token) => token.clientId)).toEqual(['docker', 'containerd-client']);
      const idleDays = (Date.parse(listed[0]?.idleExpiresAt as string) - Date.now()) / DAY_MS;
      expect(idleDays).toBeGreaterThan(89.9);
      expect(idleDays).toBeLessThanOrEqual(90);
      const text = await run('refresh-tokens', 'list', username);
      expect(text.stdout).toMatch(/^ID\s+CLIENT\s+CREATED\s+LAST USED\s+IDLE EXPIRY\n/);
      expect(text.stdout).toContain('containerd-client');

      const revoked = await runJson<{ id: number; clientId: string }>('refresh-tokens', 'revoke', username, String(listed[0]?.id), '--json');
      expect(revoked).toMatchObject({ id: listed[0]?.id, clientId: 'docker' });
      const statuses = await setup.withApp(async (app) => [await refreshStatus(app, docker as string), await refreshStatus(app, containerd as string)]);
      expect(statuses).toEqual([401, 200]);
      expect((await runJson<unknown[]>('refresh-tokens', 'list', username, '--json')).length).toBe(1);

      const audit = await runJson<AuditEventView[]>('audit', '--event', 'refresh_token.revoked', '--json');
      expect(audit[0]).toMatchObject({ event: 'refresh_token.revoked', actor: 'cli', username, details: { refreshTokenId: listed[0]?.id, clientId: 'docker' } });
    });

    test('an unknown refresh token id, one of another token, and a malformed id exit 1 and change nothing', async () => {
      const created = await runJson<CreatedJson>('tokens', 'create', '--name', 'other sessions', '--repo', 'team/app', '--scope', 'read_registry', '--json');
      const refreshToken = await setup.withApp((app) => offlineLogin(app, created.token.username, created.secret, 'docker'));
      const [mine] = await runJson<{ id: number }[]>('refresh-tokens', 'list', created.token.username, '--json');

      for (const argv of [
        ['refresh-tokens', 'revoke', created.token.username, '987654'],
        ['refresh-tokens', 'revoke', 'deploy-token-1', String(mine?.id)],
        ['refresh-tokens', 'revoke', created.token.username, 'abc'],
        ['refresh-tokens', 'list', 'no-such-token'],
      ]) {
        const result = await run(...argv);
        expect({ argv, code: result.code }).toEqual({ argv, code: 1 });
        expect(result.stderr).toMatch(/^regauth: /);
      }
      expect(await setup.withApp((app) => refreshStatus(app, refreshToken))).toBe(200);
    });
  });
});
