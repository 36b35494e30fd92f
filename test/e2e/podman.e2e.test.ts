import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { containersClient, type ContainersClient } from './support/containers-client.js';
import { startRegauthProcess, type LogRecord, type RegauthProcess } from './support/regauth-process.js';
import { startRegistry, type RunningRegistry } from './support/registry.js';
import { requireTools } from './support/required-tools.js';
import { assertSucceeded, type CommandResult } from './support/run-command.js';
import { makeWorkDir, removeWorkDir } from './support/work-dir.js';

const describeE2E = requireTools(['docker-registry', 'podman', 'buildah']) ? describe : describe.skip;

interface Credentials {
  readonly username: string;
  readonly secret: string;
}

interface AuthFile {
  readonly auths: Record<string, { auth?: string }>;
}

const DENIED = 'denied: requested access to the resource is denied';
/** How long a refusal's audit line may take to reach the log after the client exits (it is written in batches). */
const AUDIT_WAIT_MS = 5_000;

describeE2E('podman and buildah against a stock registry that trusts regauth (embedded store)', () => {
  let root: string;
  let regauth: RegauthProcess | undefined;
  let registry: RunningRegistry | undefined;
  let pushedImageId: string;
  const tokens: Record<'writer' | 'reader' | 'revoked', Credentials> = {} as never;
  const clients: Record<'writer' | 'reader' | 'revoked' | 'builder', ContainersClient> = {} as never;

  const ref = (repository: string, tag = 'v1') => `${registry?.address}/${repository}:${tag}`;
  const tls = '--tls-verify=false';
  const login = (client: ContainersClient, { username, secret }: Credentials) =>
    client.podman(['login', tls, '--authfile', client.authFile, '--username', username, '--password-stdin', registry!.address], secret);
  const push = (client: ContainersClient, local: string, remote: string) =>
    client.podman(['push', tls, '--authfile', client.authFile, '--signature-policy', client.policyFile, local, `docker://${remote}`]);
  const pull = (client: ContainersClient, remote: string) =>
    client.podman(['pull', tls, '--authfile', client.authFile, '--signature-policy', client.policyFile, remote]);
  const imageId = async (client: ContainersClient, image: string) =>
    normalizedId(assertSucceeded(await client.podman(['image', 'inspect', '--format', '{{.Id}}', image]), `podman image inspect ${image}`).stdout.trim());

  /** The audit lines written after `mark` (a count of log records), once one matches `expected` or the wait ends. */
  async function auditedAfter(mark: number, expected: Record<string, unknown>): Promise<LogRecord[]> {
    const matcher = expect.objectContaining(expected);
    const deadline = Date.now() + AUDIT_WAIT_MS;
    for (;;) {
      const audited = (regauth?.logRecords() ?? []).slice(mark).filter((record) => record.message === 'audit');
      if (audited.some((record) => matcher.asymmetricMatch(record)) || Date.now() >= deadline) return audited;
      await sleep(50);
    }
  }

  /** `buildah from scratch`, one file, `buildah commit`: the new image's ID. */
  async function buildFromScratch(client: ContainersClient, name: string, content: string): Promise<string> {
    const file = join(root, `${name.replaceAll(/[/:]/g, '-')}.txt`);
    await writeFile(file, content);
    const container = assertSucceeded(await client.buildah(['from', 'scratch']), 'buildah from scratch').stdout.trim();
    assertSucceeded(await client.buildah(['copy', container, file, '/hello.txt']), 'buildah copy');
    assertSucceeded(await client.buildah(['commit', '--quiet', container, name]), 'buildah commit');
    assertSucceeded(await client.buildah(['rm', container]), 'buildah rm');
    return imageId(client, name);
  }
  const logMark = () => regauth?.logRecords().length ?? 0;

  function expectDenied(result: CommandResult): void {
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(DENIED);
  }

  beforeAll(async () => {
    root = await makeWorkDir();
    regauth = await startRegauthProcess(join(root, 'regauth'));
    tokens.writer = await regauth.createToken({ name: 'ci push', repos: ['team/app'], scopes: ['write_registry'] });
    tokens.reader = await regauth.createToken({ name: 'cluster pull', repos: ['team/app'], scopes: ['read_registry'] });
    tokens.revoked = await regauth.createToken({ name: 'laptop pull', repos: ['team/app'], scopes: ['read_registry'] });
    registry = await startRegistry({ workDir: join(root, 'registry'), auth: { token: await regauth.registryAuth() } });
    for (const name of ['writer', 'reader', 'revoked', 'builder'] as const) clients[name] = await containersClient(join(root, name));
    // podman names an image pulled from an oci: layout after its path, which mkdtemp makes mixed-case and
    // so no valid name: the local image is built with buildah instead, from scratch and offline.
    pushedImageId = await buildFromScratch(clients.writer, 'e2e-local/hello:v1', 'pushed by podman\n');
  }, 180_000);

  afterAll(async () => {
    await registry?.stop();
    await regauth?.stop();
    if (root !== undefined) await removeWorkDir(root);
  }, 30_000);

  test('podman login with a deploy token writes only that login to its --authfile', async () => {
    const result = assertSucceeded(await login(clients.writer, tokens.writer), 'podman login as writer');
    expect(result.stdout).toContain('Login Succeeded');
    const saved = JSON.parse(await readFile(clients.writer.authFile, 'utf8')) as AuthFile;
    expect(Object.keys(saved.auths)).toEqual([registry!.address]);
    expect(saved.auths[registry!.address]?.auth).toBe(Buffer.from(`${tokens.writer.username}:${tokens.writer.secret}`).toString('base64'));
  }, 60_000);

  test('podman login is refused with a wrong secret, and regauth audits why', async () => {
    const mark = logMark();
    const result = await login(clients.reader, { username: tokens.reader.username, secret: 'regauth_wrong' });
    expect(result.code).not.toBe(0);
    // podman shows its own message for any 401 at login, not regauth's.
    expect(result.stderr).toContain('invalid username/password');
    const expected = { event: 'auth.failed', username: tokens.reader.username, reason: 'invalid_credentials' };
    expect(await auditedAfter(mark, expected)).toContainEqual(expect.objectContaining(expected));
  }, 60_000);

  test('a logged-in write_registry token pushes, and the registry records the deploy token as the subject', async () => {
    assertSucceeded(await push(clients.writer, 'e2e-local/hello:v1', ref('team/app')), 'podman push as writer');
    expect(registry?.logs()).toContain(tokens.writer.username);
  }, 60_000);

  test('a read_registry token logs in on another host and pulls the same image', async () => {
    assertSucceeded(await login(clients.reader, tokens.reader), 'podman login as reader');
    assertSucceeded(await pull(clients.reader, ref('team/app')), 'podman pull as reader');
    expect(await imageId(clients.reader, ref('team/app'))).toBe(pushedImageId);
  }, 60_000);

  test('a read_registry token is refused a push, and regauth audits the refused push', async () => {
    assertSucceeded(await clients.reader.podman(['tag', ref('team/app'), ref('team/app', 'from-reader')]), 'podman tag');
    const mark = logMark();
    expectDenied(await push(clients.reader, ref('team/app', 'from-reader'), ref('team/app', 'from-reader')));
    const expected = {
      event: 'token.issued',
      username: tokens.reader.username,
      refused: [{ type: 'repository', name: 'team/app', actions: ['push'] }],
    };
    expect(await auditedAfter(mark, expected)).toContainEqual(expect.objectContaining(expected));
  }, 60_000);

  test('a token for team/app is refused a push to team/other', async () => {
    const mark = logMark();
    expectDenied(await push(clients.writer, 'e2e-local/hello:v1', ref('team/other')));
    const expected = {
      event: 'token.issued',
      username: tokens.writer.username,
      granted: [],
      refused: [{ type: 'repository', name: 'team/other', actions: expect.arrayContaining(['push']) }],
    };
    expect(await auditedAfter(mark, expected)).toContainEqual(expect.objectContaining(expected));
  }, 60_000);

  test('a token for team/app is refused a pull of team/other', async () => {
    const mark = logMark();
    const result = await pull(clients.reader, ref('team/other'));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/denied: requested access to the resource is denied|authentication required/);
    const expected = {
      event: 'token.issued',
      username: tokens.reader.username,
      granted: [],
      refused: [{ type: 'repository', name: 'team/other', actions: ['pull'] }],
    };
    expect(await auditedAfter(mark, expected)).toContainEqual(expect.objectContaining(expected));
  }, 60_000);

  test('a token revoked after podman login cannot pull any more', async () => {
    assertSucceeded(await login(clients.revoked, tokens.revoked), 'podman login before the revocation');
    assertSucceeded(await pull(clients.revoked, ref('team/app')), 'podman pull before the revocation');
    assertSucceeded(await regauth!.cli(['tokens', 'revoke', tokens.revoked.username]), 'regauth tokens revoke');
    assertSucceeded(await clients.revoked.podman(['rmi', ref('team/app')]), 'podman rmi');
    const mark = logMark();
    const result = await pull(clients.revoked, ref('team/app'));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('unauthorized: deploy token has been revoked');
    const expected = { event: 'auth.failed', username: tokens.revoked.username, reason: 'token_revoked' };
    expect(await auditedAfter(mark, expected)).toContainEqual(expect.objectContaining(expected));
  }, 60_000);

  test('buildah builds an image from scratch and pushes it with a write_registry token', async () => {
    const builder = clients.builder;
    const builtId = await buildFromScratch(builder, 'e2e-local/built:v1', 'built by buildah\n');

    const creds = `${tokens.writer.username}:${tokens.writer.secret}`;
    assertSucceeded(
      await builder.buildah(['push', tls, '--creds', creds, '--signature-policy', builder.policyFile, 'e2e-local/built:v1', `docker://${ref('team/app', 'built')}`]),
      'buildah push as writer',
    );
    assertSucceeded(await pull(clients.reader, ref('team/app', 'built')), 'podman pull of what buildah pushed');
    expect(await imageId(clients.reader, ref('team/app', 'built'))).toBe(builtId);
  }, 120_000);

  test('buildah push with a read_registry token is refused', async () => {
    const mark = logMark();
    const creds = `${tokens.reader.username}:${tokens.reader.secret}`;
    const result = await clients.builder.buildah([
      'push', tls, '--creds', creds, '--signature-policy', clients.builder.policyFile, 'e2e-local/built:v1', `docker://${ref('team/app', 'from-buildah')}`,
    ]);
    expectDenied(result);
    const expected = {
      event: 'token.issued',
      username: tokens.reader.username,
      refused: [{ type: 'repository', name: 'team/app', actions: ['push'] }],
    };
    expect(await auditedAfter(mark, expected)).toContainEqual(expect.objectContaining(expected));
  }, 60_000);

  test('no secret, Authorization value or issued token ever reaches regauth’s log', () => {
    const logs = regauth?.logs() ?? '';
    expect(logs).toContain('"event":"token.issued"');
    for (const { username, secret } of Object.values(tokens)) {
      expect(logs).not.toContain(secret);
      expect(logs).not.toContain(Buffer.from(`${username}:${secret}`).toString('base64'));
    }
    expect(logs).not.toMatch(/regauth_[0-9A-Za-z]{10}/);
    expect(logs).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
  });
});

/** podman and buildah print image IDs (config digests) with or without the `sha256:` prefix, by command and version. */
function normalizedId(id: string): string {
  return id.startsWith('sha256:') ? id : `sha256:${id}`;
}
