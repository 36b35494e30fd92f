import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { composeSecret, SECRET_RANDOM_LENGTH } from '../../src/core/deploy-token-secret.js';
import { buildTinyOciImage, type TinyOciImage } from './support/oci-image.js';
import { startRegauthProcess, type RegauthProcess } from './support/regauth-process.js';
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

describeE2E('skopeo against a stock registry that trusts regauth (embedded store)', () => {
  let root: string;
  let regauth: RegauthProcess | undefined;
  let registry: RunningRegistry | undefined;
  let image: TinyOciImage;
  const tokens: Record<'writer' | 'reader' | 'revoked' | 'expiring', Credentials> = {} as never;

  const ref = (repository: string, tag = 'v1') => `docker://${registry?.address}/${repository}:${tag}`;
  const creds = ({ username, secret }: Credentials) => `${username}:${secret}`;
  const push = (who: Credentials, repository: string, tag = 'v1') =>
    skopeo(['copy', '--dest-creds', creds(who), '--dest-tls-verify=false', `oci:${image.layoutDir}:v1`, ref(repository, tag)]);
  const inspect = (who: Credentials, repository: string, tag = 'v1') =>
    skopeo(['inspect', '--raw', '--creds', creds(who), '--tls-verify=false', ref(repository, tag)]);
  const pull = (who: Credentials, repository: string, into: string) =>
    skopeo(['copy', '--src-creds', creds(who), '--src-tls-verify=false', ref(repository), `oci:${join(root, into)}:v1`]);

  beforeAll(async () => {
    root = await makeWorkDir();
    image = await buildTinyOciImage(join(root, 'oci'), { tag: 'v1', content: 'pushed through regauth\n' });
    regauth = await startRegauthProcess(join(root, 'regauth'));
    // While the server holds the embedded store, the CLI goes through its control socket.
    tokens.writer = await regauth.createToken({ name: 'ci push', repos: ['team/app'], scopes: ['write_registry'] });
    tokens.reader = await regauth.createToken({ name: 'cluster pull', repos: ['team/app'], scopes: ['read_registry'] });
    tokens.revoked = await regauth.createToken({ name: 'leaked', repos: ['team/app'], scopes: ['write_registry'] });
    tokens.expiring = await regauth.createToken({ name: 'short', repos: ['team/app'], scopes: ['read_registry'], expires: '3s' });
    assertSucceeded(await regauth.cli(['tokens', 'revoke', tokens.revoked.username]), 'regauth tokens revoke');
    registry = await startRegistry({ workDir: join(root, 'registry'), auth: { token: await regauth.registryAuth() } });
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
    await regauth?.stop();
    if (root !== undefined) await removeWorkDir(root);
  }, 30_000);

  test('a write_registry token pushes an image and reads back the same manifest', async () => {
    assertSucceeded(await push(tokens.writer, 'team/app'), 'push with the writer token');
    const manifest = assertSucceeded(await inspect(tokens.writer, 'team/app'), 'inspect').stdout;
    expect(`sha256:${sha256(manifest)}`).toBe(image.manifestDigest);
  }, 60_000);

  test('a write_registry token for team/app also covers repositories below it', async () => {
    assertSucceeded(await push(tokens.writer, 'team/app/worker'), 'push below team/app');
  }, 60_000);

  test('a read_registry token pulls the image', async () => {
    assertSucceeded(await pull(tokens.reader, 'team/app', 'pulled'), 'pull with the reader token');
    const manifest = assertSucceeded(await inspect(tokens.reader, 'team/app'), 'inspect').stdout;
    expect(`sha256:${sha256(manifest)}`).toBe(image.manifestDigest);
  }, 60_000);

  test('a read_registry token is refused a push', async () => {
    const result = await push(tokens.reader, 'team/app', 'from-reader');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('denied: requested access to the resource is denied');
    const audited = ((await regauth?.settledLogRecords()) ?? []).filter((record) => record.message === 'audit');
    expect(audited).toContainEqual(
      expect.objectContaining({ username: tokens.reader.username, refused: [{ type: 'repository', name: 'team/app', actions: ['push'] }] }),
    );
  }, 60_000);

  test('a token for team/app is refused team/other, for pull and for push', async () => {
    assertSucceeded(await push(tokens.writer, 'team/app', 'v2'), 'sanity push');
    const pushed = await push(tokens.writer, 'team/other');
    expect(pushed.code).not.toBe(0);
    expect(pushed.stderr).toContain('denied: requested access to the resource is denied');
    const inspected = await inspect(tokens.reader, 'team/other');
    expect(inspected.code).not.toBe(0);
    expect(inspected.stderr).toMatch(/denied: requested access to the resource is denied|authentication required/);
  }, 60_000);

  test('a revoked token is refused', async () => {
    const result = await inspect(tokens.revoked, 'team/app');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('unauthorized: deploy token has been revoked');
  }, 60_000);

  test('an expired token is refused', async () => {
    await sleep(3_500);
    const result = await inspect(tokens.expiring, 'team/app');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('unauthorized: deploy token expired at');
  }, 60_000);

  test('a wrong secret is refused', async () => {
    const wellFormedButWrong = composeSecret(randomBytes(SECRET_RANDOM_LENGTH));
    const result = await inspect({ username: tokens.reader.username, secret: wellFormedButWrong }, 'team/app');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('unauthorized: invalid username or secret');
  }, 60_000);

  test('the registry logs the deploy token as the subject of the pushes it accepted', () => {
    expect(registry?.logs()).toContain(tokens.writer.username);
  });

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

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
