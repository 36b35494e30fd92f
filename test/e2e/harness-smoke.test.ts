import bcrypt from 'bcryptjs';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startContainerd, ctr, type RunningContainerd } from './support/containerd.js';
import { docker, startDockerd, type RunningDockerd } from './support/dockerd.js';
import { buildTinyOciImage, type TinyOciImage } from './support/oci-image.js';
import { startRegistry, type RunningRegistry } from './support/registry.js';
import { requireTools } from './support/required-tools.js';
import { assertSucceeded } from './support/run-command.js';
import { skopeo } from './support/skopeo.js';
import { makeWorkDir, removeWorkDir } from './support/work-dir.js';

const describeE2E = requireTools(['docker-registry', 'skopeo', 'containerd', 'ctr', 'dockerd', '/usr/bin/docker'])
  ? describe
  : describe.skip;

const USER = 'smoke';
const PASSWORD = 'correct horse battery staple';
const CREDS = `${USER}:${PASSWORD}`;
const REPO = 'e2e/hello';

describeE2E('e2e harness with the registry’s own htpasswd auth', () => {
  let root: string;
  let image: TinyOciImage;
  let registry: RunningRegistry | undefined;
  let containerd: RunningContainerd | undefined;
  let dockerd: RunningDockerd | undefined;

  const ref = (tag: string): string => `${registry!.address}/${REPO}:${tag}`;

  beforeAll(async () => {
    root = await makeWorkDir();
    const htpasswd = join(root, 'htpasswd');
    await writeFile(htpasswd, `${USER}:${await bcrypt.hash(PASSWORD, 4)}\n`);
    image = await buildTinyOciImage(join(root, 'oci'), { tag: 'v1', content: 'hello from the smoke test\n' });
    // One at a time, so a failed start still leaves every started daemon in a variable for afterAll.
    registry = await startRegistry({ workDir: join(root, 'reg'), auth: { htpasswd: { path: htpasswd } } });
    containerd = await startContainerd(join(root, 'ctd'));
    dockerd = await startDockerd(join(root, 'dkd'), containerd.socket);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([dockerd?.stop(), registry?.stop()]);
    await containerd?.stop();
    if (root !== undefined) await removeWorkDir(root);
  }, 30_000);

  test('different content gives a different image', async () => {
    const other = await buildTinyOciImage(join(root, 'oci-other'), { tag: 'v1', content: 'something else\n' });
    expect(other.manifestDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(other.manifestDigest).not.toBe(image.manifestDigest);
  });

  test('skopeo pushes with credentials and reads the same manifest back', async () => {
    assertSucceeded(
      await skopeo(['copy', '--dest-creds', CREDS, '--dest-tls-verify=false', `oci:${image.layoutDir}:v1`, `docker://${ref('v1')}`]),
      'skopeo copy',
    );
    const raw = assertSucceeded(
      await skopeo(['inspect', '--raw', '--creds', CREDS, '--tls-verify=false', `docker://${ref('v1')}`]),
      'skopeo inspect --raw',
    );
    expect(`sha256:${createHash('sha256').update(raw.stdout).digest('hex')}`).toBe(image.manifestDigest);
    const inspected = assertSucceeded(
      await skopeo(['inspect', '--creds', CREDS, '--tls-verify=false', `docker://${ref('v1')}`]),
      'skopeo inspect',
    );
    expect(JSON.parse(inspected.stdout)).toMatchObject({ Digest: image.manifestDigest, Architecture: 'amd64', Os: 'linux' });
  }, 30_000);

  test('the registry refuses a wrong password', async () => {
    const result = await skopeo(['inspect', '--creds', `${USER}:wrong`, '--tls-verify=false', `docker://${ref('v1')}`]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unauthorized|authentication required/i);
    const response = await fetch(`http://${registry!.address}/v2/`, {
      headers: { authorization: `Basic ${Buffer.from(`${USER}:wrong`).toString('base64')}` },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="regauth-e2e"');
  }, 30_000);

  test('ctr pulls and pushes with --plain-http --user', async () => {
    const socket = containerd!.socket;
    assertSucceeded(await ctr(socket, ['images', 'pull', '--plain-http', '--user', CREDS, ref('v1')]), 'ctr pull');
    assertSucceeded(await ctr(socket, ['images', 'tag', ref('v1'), ref('from-ctr')]), 'ctr tag');
    assertSucceeded(await ctr(socket, ['images', 'push', '--plain-http', '--user', CREDS, ref('from-ctr')]), 'ctr push');
    const pushed = assertSucceeded(
      await skopeo(['inspect', '--creds', CREDS, '--tls-verify=false', `docker://${ref('from-ctr')}`]),
      'skopeo inspect',
    );
    expect(JSON.parse(pushed.stdout)).toMatchObject({ Digest: image.manifestDigest });

    const refused = await ctr(socket, ['images', 'pull', '--plain-http', '--user', `${USER}:wrong`, ref('v1')]);
    expect(refused.code).not.toBe(0);
  }, 30_000);

  test('dockerd treats loopback registries as insecure without extra flags', async () => {
    const info = assertSucceeded(
      await docker(dockerd!.host, join(root, 'docker-client'), ['info', '--format', '{{json .RegistryConfig.InsecureRegistryCIDRs}}']),
      'docker info',
    );
    expect(JSON.parse(info.stdout)).toContain('127.0.0.0/8');
  }, 30_000);

  test('docker logs in, loads, pushes and pulls back', async () => {
    const host = dockerd!.host;
    const config = join(root, 'docker-client');
    const archive = join(root, 'hello.tar');
    const local = 'e2e-local/hello:v1';
    assertSucceeded(
      await skopeo(['copy', `oci:${image.layoutDir}:v1`, `docker-archive:${archive}:${local}`]),
      'skopeo copy to docker-archive',
    );
    assertSucceeded(
      await docker(host, config, ['login', '--username', USER, '--password-stdin', registry!.address], PASSWORD),
      'docker login',
    );
    assertSucceeded(await docker(host, config, ['load', '--input', archive]), 'docker load');
    assertSucceeded(await docker(host, config, ['tag', local, ref('from-docker')]), 'docker tag');
    assertSucceeded(await docker(host, config, ['push', ref('from-docker')]), 'docker push');
    assertSucceeded(await docker(host, config, ['image', 'rm', local, ref('from-docker')]), 'docker image rm');
    expect((await docker(host, config, ['image', 'inspect', ref('from-docker')])).code).not.toBe(0);

    assertSucceeded(await docker(host, config, ['pull', ref('from-docker')]), 'docker pull');
    const inspected = assertSucceeded(
      await docker(host, config, ['image', 'inspect', '--format', '{{json .RepoDigests}}', ref('from-docker')]),
      'docker image inspect',
    );
    expect(JSON.parse(inspected.stdout)).toEqual([expect.stringMatching(new RegExp(`^${registry!.address}/${REPO}@sha256:[0-9a-f]{64}$`))]);
  }, 60_000);

  // Last: it changes the password every test above relies on.
  test('the registry restarts on the same address and storage with a new config', async () => {
    const htpasswd = join(root, 'htpasswd-2');
    await writeFile(htpasswd, `${USER}:${await bcrypt.hash('new password', 4)}\n`);
    const address = registry!.address;
    await registry!.restart({ htpasswd: { path: htpasswd } });
    expect(registry!.address).toBe(address);
    const old = await skopeo(['inspect', '--raw', '--creds', CREDS, '--tls-verify=false', `docker://${ref('v1')}`]);
    expect(old.code).not.toBe(0);
    const raw = assertSucceeded(
      await skopeo(['inspect', '--raw', '--creds', `${USER}:new password`, '--tls-verify=false', `docker://${ref('v1')}`]),
      'skopeo inspect after restart',
    );
    expect(`sha256:${createHash('sha256').update(raw.stdout).digest('hex')}`).toBe(image.manifestDigest);
  }, 30_000);
});
