import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeProtectedHeader } from 'jose';
import { JoseRegistryTokenSigner } from '../../src/adapters/keys/jose-token-signer.js';
import { listSigningKeys } from '../../src/adapters/keys/key-directory.js';
import { buildRegistryClaims } from '../../src/core/registry-claims.js';
import { buildTinyOciImage, type TinyOciImage } from './support/oci-image.js';
import { ISSUER, SERVICE, startRegauthProcess, type RegauthProcess } from './support/regauth-process.js';
import { startRegistry, type RunningRegistry } from './support/registry.js';
import { requireTools } from './support/required-tools.js';
import { assertSucceeded } from './support/run-command.js';
import { skopeo } from './support/skopeo.js';
import { makeWorkDir, removeWorkDir } from './support/work-dir.js';

const describeE2E = requireTools(['docker-registry', 'skopeo']) ? describe : describe.skip;

interface ListedKey {
  status: string;
  keyId: string;
  algorithm: string;
}

describeE2E('key rotation against a stock registry 2.8 (Debian docker-registry)', () => {
  let root: string;
  let regauth: RegauthProcess | undefined;
  let registry: RunningRegistry | undefined;
  let image: TinyOciImage;
  let writer: { username: string; secret: string };

  const keysDir = () => join(root, 'regauth', 'keys');
  const listKeys = async () => JSON.parse(assertSucceeded(await regauth!.cli(['keys', 'list', '--json']), 'keys list').stdout) as ListedKey[];

  /** A registry token from regauth's token endpoint, as skopeo would ask for it. */
  async function registryToken(): Promise<string> {
    const url = `${regauth!.url}/token?service=${SERVICE}&scope=repository:team/app:pull,push`;
    const basic = Buffer.from(`${writer.username}:${writer.secret}`).toString('base64');
    const response = await fetch(url, { headers: { Authorization: `Basic ${basic}` } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { token: string }).token;
  }

  /** What the registry answers a request that carries `token`. */
  async function tagsWith(token: string): Promise<{ status: number; tags?: string[] }> {
    const response = await fetch(`http://${registry!.address}/v2/team/app/tags/list`, { headers: { Authorization: `Bearer ${token}` } });
    return response.status === 200 ? { status: 200, tags: ((await response.json()) as { tags: string[] }).tags } : { status: response.status };
  }

  /** SIGHUP, then wait for the service to log that it saw the change (no fixed delay to race). */
  async function reloadKeys(): Promise<void> {
    const seen = (regauth!.logs().match(/"message":"keys folder changed"/g) ?? []).length;
    regauth!.signal('SIGHUP');
    for (let waited = 0; (regauth!.logs().match(/"message":"keys folder changed"/g) ?? []).length === seen; waited += 50) {
      if (waited > 15_000) throw new Error(`regauth did not reload its keys:\n${regauth!.logs()}`);
      await sleep(50);
    }
  }

  const push = (tag: string) =>
    skopeo([
      'copy',
      '--dest-creds',
      `${writer.username}:${writer.secret}`,
      '--dest-tls-verify=false',
      `oci:${image.layoutDir}:v1`,
      `docker://${registry!.address}/team/app:${tag}`,
    ]);

  beforeAll(async () => {
    root = await makeWorkDir();
    image = await buildTinyOciImage(join(root, 'oci'), { tag: 'v1', content: 'rotated\n' });
    // Reload on SIGHUP only: the test decides when the service sees new keys.
    regauth = await startRegauthProcess(join(root, 'regauth'), { env: { REGAUTH_KEYS_RELOAD_SECONDS: '0' } });
    writer = await regauth.createToken({ name: 'ci push', repos: ['team/app'], scopes: ['write_registry'] });
    registry = await startRegistry({ workDir: join(root, 'registry'), auth: { token: await regauth.registryAuth() } });
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
    await regauth?.stop();
    if (root !== undefined) await removeWorkDir(root);
  }, 30_000);

  test('rotate to an ES256 key: the registry reloaded with the new bundle takes old and new tokens', async () => {
    assertSucceeded(await push('v1'), 'push before rotation');
    const [first] = await listKeys();
    const oldToken = await registryToken();
    expect(decodeProtectedHeader(oldToken)).toMatchObject({ alg: 'RS256', kid: first?.keyId });

    const rotated = assertSucceeded(await regauth!.cli(['keys', 'rotate', '--activate-in', '0', '--algorithm', 'ES256']), 'keys rotate');
    expect(rotated.stdout).toMatch(/^Added signing key [A-Z2-7:]{59} \(ES256\)\n/);
    await registry!.restart({ token: await regauth!.registryAuth() });
    await reloadKeys();

    const keys = await listKeys();
    expect(keys.map(({ status, algorithm }) => [status, algorithm])).toEqual([
      ['retired', 'RS256'],
      ['signing', 'ES256'],
    ]);
    const newToken = await registryToken();
    expect(decodeProtectedHeader(newToken)).toMatchObject({ alg: 'ES256', kid: keys[1]?.keyId });

    // Obtained before the rotation and still unexpired: the retired key's certificate is in the new bundle.
    expect(await tagsWith(oldToken)).toEqual({ status: 200, tags: ['v1'] });
    expect(await tagsWith(newToken)).toEqual({ status: 200, tags: ['v1'] });
    assertSucceeded(await push('v2'), 'push after rotation, signed by the ES256 key');
  }, 120_000);

  test('a staged key is published at once but does not sign before its activation time', async () => {
    const signingBefore = (await listKeys()).find((key) => key.status === 'signing');
    assertSucceeded(await regauth!.cli(['keys', 'rotate', '--activate-in', '1h']), 'keys rotate --activate-in 1h');
    await reloadKeys();

    expect((await listKeys()).map(({ status }) => status)).toEqual(['retired', 'signing', 'next']);
    expect(decodeProtectedHeader(await registryToken()).kid).toBe(signingBefore?.keyId);
  }, 60_000);

  test('a token of a key the registry was not given is refused', async () => {
    // The staged key is in the bundle on disk, but this registry was restarted before it was added.
    const staged = (await listSigningKeys(keysDir())).at(-1)!;
    const at = new Date();
    const claims = buildRegistryClaims({
      issuer: ISSUER,
      service: SERVICE,
      subject: writer.username,
      access: [{ type: 'repository', name: 'team/app', actions: ['pull'] }],
      issuedAt: at,
      lifetimeSeconds: 300,
      jwtId: 'e2e-staged',
    });
    const token = await new JoseRegistryTokenSigner(staged).sign(claims);
    expect((await tagsWith(token)).status).toBe(401);
    // logrus text format escapes the quotes around the kid.
    expect(registry!.logs()).toContain(`token signed by untrusted key with ID: \\"${staged.keyId}\\"`);

    // Given the new bundle, the registry trusts it: the point of publishing a key before it signs.
    await registry!.restart({ token: await regauth!.registryAuth() });
    expect(await tagsWith(token)).toEqual({ status: 200, tags: ['v1', 'v2'] });

    // The x5c header, verified by registry 2.8 against the bundle: also accepted.
    const x5c = await new JoseRegistryTokenSigner(staged, 'x5c').sign(claims);
    expect(await tagsWith(x5c)).toEqual({ status: 200, tags: ['v1', 'v2'] });
  }, 60_000);
});
