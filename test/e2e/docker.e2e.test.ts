import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../support/postgres.js';
import { startContainerd, type RunningContainerd } from './support/containerd.js';
import { docker, startDockerd, type RunningDockerd } from './support/dockerd.js';
import { buildTinyOciImage } from './support/oci-image.js';
import { startRegauthProcess, type RegauthProcess } from './support/regauth-process.js';
import { startRegistry, type RunningRegistry } from './support/registry.js';
import { requireTools } from './support/required-tools.js';
import { assertSucceeded } from './support/run-command.js';
import { skopeo } from './support/skopeo.js';
import { makeWorkDir, removeWorkDir } from './support/work-dir.js';

const ready =
  requireTools(['docker-registry', 'skopeo', 'containerd', 'dockerd', '/usr/bin/docker']) && (await postgresAvailable());
const describeE2E = ready ? describe : describe.skip;

interface Credentials {
  readonly username: string;
  readonly secret: string;
}

interface AuditEvent {
  readonly event: string;
  readonly username: string | null;
  readonly details: { grant?: string; granted?: { name: string; actions: string[] }[] };
}

interface DockerConfig {
  readonly auths: Record<string, { auth?: string; identitytoken?: string; password?: string }>;
}

describeE2E('the Docker engine against a registry that trusts regauth (PostgreSQL store)', () => {
  let root: string;
  let schema: PostgresTestSchema | undefined;
  let regauth: RegauthProcess | undefined;
  let registry: RunningRegistry | undefined;
  let containerd: RunningContainerd | undefined;
  let dockerd: RunningDockerd | undefined;
  let writer: Credentials;
  let reader: Credentials;
  const localImage = 'e2e-local/hello:v1';

  const ref = (tag: string) => `${registry?.address}/team/app:${tag}`;
  const dockerAs = (configDir: string, args: string[], input?: string) =>
    docker(dockerd!.host, join(root, configDir), args, input);
  const login = (configDir: string, { username, secret }: Credentials) =>
    dockerAs(configDir, ['login', '--username', username, '--password-stdin', registry!.address], secret);

  beforeAll(async () => {
    root = await makeWorkDir();
    schema = await createPostgresTestSchema();
    const image = await buildTinyOciImage(join(root, 'oci'), { tag: 'v1', content: 'pushed by docker\n' });
    regauth = await startRegauthProcess(join(root, 'regauth'), { databaseUrl: schema.url });
    writer = await regauth.createToken({ name: 'ci push', repos: ['team'], scopes: ['write_registry'] });
    reader = await regauth.createToken({ name: 'laptop pull', repos: ['team/app'], scopes: ['read_registry'] });
    registry = await startRegistry({ workDir: join(root, 'registry'), auth: { token: await regauth.registryAuth() } });
    containerd = await startContainerd(join(root, 'containerd'));
    dockerd = await startDockerd(join(root, 'dockerd'), containerd.socket);
    const archive = join(root, 'hello.tar');
    assertSucceeded(await skopeo(['copy', `oci:${image.layoutDir}:v1`, `docker-archive:${archive}:${localImage}`]), 'make a docker archive');
    assertSucceeded(await dockerAs('writer', ['load', '--input', archive]), 'docker load');
  }, 120_000);

  afterAll(async () => {
    await dockerd?.stop();
    await registry?.stop();
    await containerd?.stop();
    await regauth?.stop();
    await schema?.drop();
    if (root !== undefined) await removeWorkDir(root);
  }, 30_000);

  const readConfig = async (configDir: string) => {
    const text = await readFile(join(root, configDir, 'config.json'), 'utf8');
    return { text, config: JSON.parse(text) as DockerConfig };
  };
  /** Token issues of `username`, oldest first, from the audit events regauth writes to its log at once. */
  const tokenIssues = async (username: string): Promise<AuditEvent[]> =>
    ((await regauth?.settledLogRecords()) ?? [])
      .filter((record) => record.message === 'audit' && record.event === 'token.issued')
      .map((record) => record as { username: string | null; grant?: string; granted?: AuditEvent['details']['granted'] })
      .filter((event) => event.username === username)
      .map((event) => ({ event: 'token.issued', username: event.username, details: { grant: event.grant, granted: event.granted } }));

  test('docker login receives an identity token and keeps no password', async () => {
    const result = assertSucceeded(await login('writer', writer), 'docker login');
    expect(result.stdout).toContain('Login Succeeded');
    const { text, config } = await readConfig('writer');
    expect(Object.keys(config.auths)).toEqual([registry!.address]);
    const entry = config.auths[registry!.address];
    expect(entry?.identitytoken).toMatch(/^regauth_rt_[A-Za-z0-9_-]{43}$/);
    expect(entry?.password).toBeUndefined();
    // The file holds neither the secret nor any encoding of it: `auth` is only "username:".
    expect(text).not.toContain(writer.secret);
    expect(Buffer.from(entry?.auth ?? '', 'base64').toString('utf8')).toBe(`${writer.username}:`);
    expect((await tokenIssues(writer.username)).at(-1)?.details.grant).toBe('password');
  }, 60_000);

  test('docker push and pull work through grant_type=refresh_token', async () => {
    const before = (await tokenIssues(writer.username)).length;
    assertSucceeded(await dockerAs('writer', ['tag', localImage, ref('v1')]), 'docker tag');
    assertSucceeded(await dockerAs('writer', ['push', ref('v1')]), 'docker push');
    assertSucceeded(await dockerAs('writer', ['image', 'rm', ref('v1')]), 'docker image rm');
    assertSucceeded(await dockerAs('writer', ['pull', ref('v1')]), 'docker pull');
    const digests = assertSucceeded(
      await dockerAs('writer', ['image', 'inspect', '--format', '{{json .RepoDigests}}', ref('v1')]),
      'docker image inspect',
    );
    expect(JSON.parse(digests.stdout)).toEqual([expect.stringMatching(/\/team\/app@sha256:[0-9a-f]{64}$/)]);
    const issued = (await tokenIssues(writer.username)).slice(before);
    expect(issued.length).toBeGreaterThan(0);
    expect(issued.map((event) => event.details.grant)).toEqual(issued.map(() => 'refresh_token'));
    expect(issued.flatMap((event) => event.details.granted ?? []).map((entry) => entry.actions.join(','))).toContain('push,pull');
  }, 60_000);

  test('after regauth restarts, the stored identity token still pushes and pulls', async () => {
    const port = regauth!.port;
    await regauth!.stop();
    regauth = await startRegauthProcess(join(root, 'regauth'), { databaseUrl: schema!.url, port });
    const before = (await tokenIssues(writer.username)).length;
    assertSucceeded(await dockerAs('writer', ['image', 'rm', ref('v1')]), 'docker image rm');
    assertSucceeded(await dockerAs('writer', ['pull', ref('v1')]), 'docker pull after the restart');
    assertSucceeded(await dockerAs('writer', ['tag', localImage, ref('after-restart')]), 'docker tag');
    assertSucceeded(await dockerAs('writer', ['push', ref('after-restart')]), 'docker push after the restart');
    const issued = (await tokenIssues(writer.username)).slice(before);
    expect(issued.length).toBeGreaterThan(0);
    expect(new Set(issued.map((event) => event.details.grant))).toEqual(new Set(['refresh_token']));
  }, 90_000);

  test('docker login is refused with a wrong secret, with regauth’s reason', async () => {
    const result = await login('wrong', { username: reader.username, secret: 'regauth_wrong' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('invalid username or secret');
  }, 60_000);

  test('a read_registry token logs in and pulls, and its push is denied', async () => {
    assertSucceeded(await login('reader', reader), 'docker login as reader');
    assertSucceeded(await dockerAs('reader', ['pull', ref('v1')]), 'docker pull as reader');
    assertSucceeded(await dockerAs('reader', ['tag', localImage, ref('from-reader')]), 'docker tag');
    const result = await dockerAs('reader', ['push', ref('from-reader')]);
    expect(result.code).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain('denied: requested access to the resource is denied');
  }, 60_000);

  test('a revoked token cannot pull any more, although docker still holds its identity token', async () => {
    expect((await readConfig('reader')).config.auths[registry!.address]?.identitytoken).toMatch(/^regauth_rt_/);
    assertSucceeded(await regauth!.cli(['tokens', 'revoke', reader.username]), 'regauth tokens revoke');
    assertSucceeded(await dockerAs('reader', ['image', 'rm', ref('v1')]), 'docker image rm');
    const result = await dockerAs('reader', ['pull', ref('v1')]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('deploy token has been revoked');
  }, 60_000);

  test('rotating a deploy token ends the docker logins made with its old secret', async () => {
    assertSucceeded(await regauth!.cli(['tokens', 'rotate', writer.username]), 'regauth tokens rotate');
    assertSucceeded(await dockerAs('writer', ['image', 'rm', ref('after-restart')]), 'docker image rm');
    const result = await dockerAs('writer', ['pull', ref('after-restart')]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('unknown refresh token: log in again');
  }, 60_000);
});
