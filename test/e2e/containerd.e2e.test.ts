import { join } from 'node:path';
import { ctr, startContainerd, type RunningContainerd } from './support/containerd.js';
import { buildTinyOciImage } from './support/oci-image.js';
import { SERVICE, startRegauthProcess, type LogRecord, type RegauthProcess } from './support/regauth-process.js';
import { startRegistry, type RunningRegistry } from './support/registry.js';
import { requireTools } from './support/required-tools.js';
import { assertSucceeded } from './support/run-command.js';
import { skopeo } from './support/skopeo.js';
import { makeWorkDir, removeWorkDir } from './support/work-dir.js';

const describeE2E = requireTools(['docker-registry', 'skopeo', 'containerd', 'ctr']) ? describe : describe.skip;

interface Credentials {
  readonly username: string;
  readonly secret: string;
}

/** Audit events regauth wrote to its structured log, in order. */
function auditLines(records: readonly LogRecord[]): { event: string; username: string | null; grant?: string; granted?: unknown }[] {
  return records
    .filter((record) => record.message === 'audit')
    .map((record) => record as { event: string; username: string | null });
}

/** Request log lines regauth wrote for the token endpoint, in order. */
function tokenRequests(records: readonly LogRecord[]): { method: string; status: number; userAgent?: string }[] {
  return records
    .filter((record) => record.message === 'request' && record.path === '/token')
    .map((record) => record as { method: string; status: number; userAgent?: string });
}

/** The token requests logged since `before`, once the log has gone quiet (see settledLogRecords). */
async function settledTokenRequests(regauth: RegauthProcess | undefined, before: number): Promise<ReturnType<typeof tokenRequests>> {
  return tokenRequests((await regauth?.settledLogRecords()) ?? []).slice(before);
}

describeE2E('containerd (the Kubernetes imagePullSecrets path) against a registry that trusts regauth', () => {
  let root: string;
  let regauth: RegauthProcess | undefined;
  let registry: RunningRegistry | undefined;
  let containerd: RunningContainerd | undefined;
  let writer: Credentials;
  let reader: Credentials;

  const ref = (tag: string) => `${registry?.address}/team/app:${tag}`;
  const user = ({ username, secret }: Credentials) => `${username}:${secret}`;

  beforeAll(async () => {
    root = await makeWorkDir();
    const image = await buildTinyOciImage(join(root, 'oci'), { tag: 'v1', content: 'pulled by containerd\n' });
    regauth = await startRegauthProcess(join(root, 'regauth'));
    writer = await regauth.createToken({ name: 'ci push', repos: ['team/app'], scopes: ['write_registry'] });
    reader = await regauth.createToken({ name: 'k8s pull', repos: ['team/app'], scopes: ['read_registry'] });
    registry = await startRegistry({ workDir: join(root, 'registry'), auth: { token: await regauth.registryAuth() } });
    containerd = await startContainerd(join(root, 'containerd'));
    assertSucceeded(
      await skopeo(['copy', '--dest-creds', user(writer), '--dest-tls-verify=false', `oci:${image.layoutDir}:v1`, `docker://${ref('v1')}`]),
      'seed the registry with skopeo',
    );
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
    await containerd?.stop();
    await regauth?.stop();
    if (root !== undefined) await removeWorkDir(root);
  }, 30_000);

  test('ctr pulls with --user, fetching its token with the OAuth2 POST (no GET fallback needed)', async () => {
    const before = tokenRequests(regauth?.logRecords() ?? []).length;
    assertSucceeded(await ctr(containerd!.socket, ['images', 'pull', '--plain-http', '--user', user(reader), ref('v1')]), 'ctr pull');
    const requests = await settledTokenRequests(regauth, before);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((request) => request.method === 'POST' && request.status === 200)).toBe(true);
    expect(requests[0]?.userAgent).toMatch(/containerd/);
  }, 60_000);

  test('ctr pushes with a write_registry token', async () => {
    const socket = containerd!.socket;
    assertSucceeded(await ctr(socket, ['images', 'tag', '--force', ref('v1'), ref('from-ctr')]), 'ctr tag');
    assertSucceeded(await ctr(socket, ['images', 'push', '--plain-http', '--user', user(writer), ref('from-ctr')]), 'ctr push');
    assertSucceeded(
      await skopeo(['inspect', '--raw', '--creds', user(reader), '--tls-verify=false', `docker://${ref('from-ctr')}`]),
      'the pushed tag is there',
    );
  }, 60_000);

  test('ctr is refused a push with a read_registry token', async () => {
    const socket = containerd!.socket;
    assertSucceeded(await ctr(socket, ['images', 'tag', '--force', ref('v1'), ref('from-reader')]), 'ctr tag');
    const result = await ctr(socket, ['images', 'push', '--plain-http', '--user', user(reader), ref('from-reader')]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('insufficient_scope: authorization failed');
  }, 60_000);

  test('a wrong secret costs containerd a POST and its GET fallback, both refused', async () => {
    const before = tokenRequests(regauth?.logRecords() ?? []).length;
    const result = await ctr(containerd!.socket, [
      'images', 'pull', '--plain-http', '--user', `${reader.username}:regauth_wrong`, ref('v1'),
    ]);
    expect(result.code).not.toBe(0);
    const requests = await settledTokenRequests(regauth, before);
    expect(requests.map(({ method, status }) => `${method} ${status}`)).toEqual(['POST 401', 'GET 401']);
  }, 60_000);

  /**
   * containerd's CRI plugin turns an AuthConfig `identity_token` (or a node's `registry.configs` identitytoken)
   * into credentials with an empty username, and its docker authorizer then asks for
   * `grant_type=refresh_token`. `ctr --refresh TOKEN` hands the same credentials to the same authorizer.
   * (The kubelet itself reads only username/password/auth from imagePullSecrets.) cri.e2e.test.ts drives
   * the CRI PullImage call itself.
   */
  test('ctr pulls with an identity token (the CRI path), through grant_type=refresh_token', async () => {
    const login = await fetch(`${regauth?.url}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        access_type: 'offline',
        client_id: 'kubelet-test',
        username: reader.username,
        password: reader.secret,
        service: SERVICE,
      }),
    });
    expect(login.status).toBe(200);
    const refreshToken = ((await login.json()) as { refresh_token: string }).refresh_token;
    expect(refreshToken).toMatch(/^regauth_rt_/);

    const socket = containerd!.socket;
    assertSucceeded(await ctr(socket, ['images', 'rm', ref('v1')]), 'ctr images rm');
    const before = tokenRequests(regauth?.logRecords() ?? []).length;
    assertSucceeded(await ctr(socket, ['images', 'pull', '--plain-http', '--refresh', refreshToken, ref('v1')]), 'ctr pull with an identity token');
    const requests = await settledTokenRequests(regauth, before);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((request) => request.method === 'POST' && request.status === 200)).toBe(true);
    const grants = auditLines(regauth?.logRecords() ?? []).filter((event) => event.event === 'token.issued' && event.username === reader.username);
    expect(grants.at(-1)).toMatchObject({ grant: 'refresh_token', granted: [{ type: 'repository', name: 'team/app', actions: ['pull'] }] });
  }, 60_000);

  test('an identity token of a revoked deploy token is refused, after containerd’s GET fallback too', async () => {
    const login = await fetch(`${regauth?.url}/token?${new URLSearchParams({ service: SERVICE, offline_token: 'true' })}`, {
      headers: { Authorization: `Basic ${Buffer.from(user(writer)).toString('base64')}` },
    });
    const refreshToken = ((await login.json()) as { refresh_token: string }).refresh_token;
    assertSucceeded(await regauth!.cli(['tokens', 'revoke', writer.username]), 'regauth tokens revoke');
    const before = tokenRequests(regauth?.logRecords() ?? []).length;
    const result = await ctr(containerd!.socket, ['images', 'pull', '--plain-http', '--refresh', refreshToken, ref('from-ctr')]);
    expect(result.code).not.toBe(0);
    const requests = await settledTokenRequests(regauth, before);
    expect(requests.map(({ method, status }) => `${method} ${status}`)).toEqual(['POST 401', 'GET 401']);
  }, 60_000);
});
