import { join } from 'node:path';
import { ctr, startContainerd, type RunningContainerd } from './support/containerd.js';
import { buildTinyOciImage } from './support/oci-image.js';
import { startRegauthProcess, type RegauthProcess } from './support/regauth-process.js';
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

/** Request log lines regauth wrote for the token endpoint, in order. */
function tokenRequests(logs: string): { method: string; status: number; userAgent?: string }[] {
  return logs
    .split('\n')
    .filter((line) => line.includes('"message":"request"') && line.includes('"path":"/token"'))
    .map((line) => JSON.parse(line) as { method: string; status: number; userAgent?: string });
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
    const before = tokenRequests(regauth?.logs() ?? '').length;
    assertSucceeded(await ctr(containerd!.socket, ['images', 'pull', '--plain-http', '--user', user(reader), ref('v1')]), 'ctr pull');
    const requests = tokenRequests(regauth?.logs() ?? '').slice(before);
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
    const before = tokenRequests(regauth?.logs() ?? '').length;
    const result = await ctr(containerd!.socket, [
      'images', 'pull', '--plain-http', '--user', `${reader.username}:regauth_wrong`, ref('v1'),
    ]);
    expect(result.code).not.toBe(0);
    const requests = tokenRequests(regauth?.logs() ?? '').slice(before);
    expect(requests.map(({ method, status }) => `${method} ${status}`)).toEqual(['POST 401', 'GET 401']);
  }, 60_000);
});
