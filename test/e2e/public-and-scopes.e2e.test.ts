import { join } from 'node:path';
import { buildTinyOciImage, type TinyOciImage } from './support/oci-image.js';
import { SERVICE, startRegauthProcess, type RegauthProcess } from './support/regauth-process.js';
import { startRegistry, type RunningRegistry } from './support/registry.js';
import { requireTools } from './support/required-tools.js';
import { assertSucceeded } from './support/run-command.js';
import { skopeo } from './support/skopeo.js';
import { makeWorkDir, removeWorkDir } from './support/work-dir.js';

const describeE2E = requireTools(['docker-registry', 'skopeo']) ? describe : describe.skip;

interface Credentials {
  readonly username: string;
  readonly secret: string;
}

const MANIFEST_TYPES = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';

describeE2E('public repositories, the catalog and deletes, against a stock registry', () => {
  let root: string;
  let regauth: RegauthProcess | undefined;
  let registry: RunningRegistry | undefined;
  let image: TinyOciImage;
  let writer: Credentials;
  let cataloguer: Credentials;
  let cleaner: Credentials;

  const ref = (repository: string, tag = 'v1') => `docker://${registry?.address}/${repository}:${tag}`;
  const creds = ({ username, secret }: Credentials) => `${username}:${secret}`;
  const registryUrl = (path: string) => `http://${registry?.address}${path}`;

  /** A registry token from regauth for `scope`, as a client would fetch it (anonymous without credentials). */
  async function registryToken(scope: string, who?: Credentials): Promise<string> {
    const query = new URLSearchParams({ service: SERVICE, scope });
    const headers: Record<string, string> =
      who === undefined ? {} : { Authorization: `Basic ${Buffer.from(creds(who)).toString('base64')}` };
    const response = await fetch(`${regauth?.url}/token?${query}`, { headers });
    expect(response.status).toBe(200);
    return ((await response.json()) as { token: string }).token;
  }

  beforeAll(async () => {
    root = await makeWorkDir();
    image = await buildTinyOciImage(join(root, 'oci'), { tag: 'v1', content: 'public and private\n' });
    regauth = await startRegauthProcess(join(root, 'regauth'), { env: { REGAUTH_PUBLIC_REPOSITORIES: 'public/**' } });
    writer = await regauth.createToken({ name: 'ci push', repos: ['public/**', 'team/**'], scopes: ['write_registry'] });
    cataloguer = await regauth.createToken({ name: 'inventory', repos: ['*'], scopes: ['read_registry', 'read_catalog'] });
    cleaner = await regauth.createToken({ name: 'cleanup job', repos: ['team/**'], scopes: ['delete_registry'] });
    registry = await startRegistry({ workDir: join(root, 'registry'), auth: { token: await regauth.registryAuth() } });
    for (const repository of ['public/tools/app', 'team/private']) {
      assertSucceeded(
        await skopeo(['copy', '--dest-creds', creds(writer), '--dest-tls-verify=false', `oci:${image.layoutDir}:v1`, ref(repository)]),
        `push ${repository}`,
      );
    }
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
    await regauth?.stop();
    if (root !== undefined) await removeWorkDir(root);
  }, 30_000);

  test('skopeo pulls a public repository without credentials', async () => {
    const pulled = await skopeo(['copy', '--src-no-creds', '--src-tls-verify=false', ref('public/tools/app'), `oci:${join(root, 'anonymous')}:v1`]);
    assertSucceeded(pulled, 'anonymous pull of a public repository');
  }, 60_000);

  test('an anonymous push to a public repository is refused', async () => {
    const pushed = await skopeo([
      'copy', '--dest-no-creds', '--dest-tls-verify=false', `oci:${image.layoutDir}:v1`, ref('public/tools/app', 'anonymous'),
    ]);
    expect(pushed.code).not.toBe(0);
    expect(pushed.stderr).toMatch(/denied|unauthorized/);
    const tags = await skopeo(['list-tags', '--no-creds', '--tls-verify=false', `docker://${registry?.address}/public/tools/app`]);
    expect(JSON.parse(assertSucceeded(tags, 'list tags').stdout).Tags).toEqual(['v1']);
  }, 60_000);

  test('a repository outside the public patterns is not readable without credentials', async () => {
    const result = await skopeo(['inspect', '--raw', '--no-creds', '--tls-verify=false', ref('team/private')]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unauthorized|denied|authentication required/);
  }, 60_000);

  test('a read_catalog token lists the registry’s repositories; a token without it is refused', async () => {
    const allowed = await fetch(registryUrl('/v2/_catalog'), {
      headers: { Authorization: `Bearer ${await registryToken('registry:catalog:*', cataloguer)}` },
    });
    expect(allowed.status).toBe(200);
    expect(((await allowed.json()) as { repositories: string[] }).repositories).toEqual(['public/tools/app', 'team/private']);

    const refused = await fetch(registryUrl('/v2/_catalog'), {
      headers: { Authorization: `Bearer ${await registryToken('registry:catalog:*', writer)}` },
    });
    expect(refused.status).toBe(401);
  }, 60_000);

  test('a delete_registry token deletes a manifest; a write_registry token may not', async () => {
    const manifestUrl = registryUrl('/v2/team/private/manifests/v1');
    const head = await fetch(manifestUrl, {
      method: 'HEAD',
      headers: { Accept: MANIFEST_TYPES, Authorization: `Bearer ${await registryToken('repository:team/private:pull', cleaner)}` },
    });
    expect(head.status).toBe(200);
    const digest = head.headers.get('docker-content-digest') as string;
    expect(digest).toBe(image.manifestDigest);
    const byDigest = registryUrl(`/v2/team/private/manifests/${digest}`);

    const notAllowed = await fetch(byDigest, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${await registryToken('repository:team/private:delete', writer)}` },
    });
    expect(notAllowed.status).toBe(401);

    const deleted = await fetch(byDigest, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${await registryToken('repository:team/private:delete', cleaner)}` },
    });
    expect(deleted.status).toBe(202);
    const gone = await skopeo(['inspect', '--raw', '--creds', creds(writer), '--tls-verify=false', ref('team/private')]);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toMatch(/manifest unknown/);
  }, 60_000);
});
