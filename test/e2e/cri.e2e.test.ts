import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startContainerd, type RunningContainerd } from './support/containerd.js';
import { criImageService, GrpcError, waitForCri, type CriAuthConfig, type CriImageService } from './support/cri.js';
import { buildTinyOciImage, type TinyOciImage } from './support/oci-image.js';
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

interface AuditEvent {
  readonly id: number;
  readonly event: string;
  readonly username: string | null;
  readonly details: {
    grant?: string;
    reason?: string;
    clientId?: string;
    granted?: { type: string; name: string; actions: string[] }[];
  };
}

/** Token endpoint requests in regauth's request log, in order. */
function tokenRequests(records: readonly LogRecord[]): string[] {
  return records
    .filter((record) => record.message === 'request' && record.path === '/token')
    .map(({ method, status }) => `${String(method)} ${String(status)}`);
}

/**
 * Kubernetes pulls images by calling PullImage on the runtime's CRI image service with an AuthConfig: from an
 * imagePullSecret the kubelet sends username and password (it decodes an `auth` field into the two); CRI
 * clients such as `crictl --auth` send `auth`; an identity token (a refresh token, as `docker login` stores
 * it) comes in `identity_token` or from the node's containerd config (`registry.configs."HOST".auth`).
 * These tests call containerd's built-in CRI plugin over its gRPC socket, as the kubelet does, so the token
 * requests are those of containerd's own resolver and authorizer (no cri-tools package on Debian 12).
 */
describeE2E('containerd’s CRI image service (the kubelet’s path) against a registry that trusts regauth', () => {
  let root: string;
  let image: TinyOciImage;
  let regauth: RegauthProcess | undefined;
  let registry: RunningRegistry | undefined;
  /** A node with no registry credentials of its own: only the request's AuthConfig counts. */
  let kubelet: RunningContainerd | undefined;
  /** A node whose containerd config holds an identity token for the registry. */
  let configuredNode: RunningContainerd | undefined;
  let kubeletCri: CriImageService;
  let configuredNodeCri: CriImageService;
  let writer: Credentials;
  let reader: Credentials;
  let readerIdentityToken: string;
  let nodeToken: Credentials;
  let pullSecret: { username: string; password: string; auth: string };

  const ref = (repository: string, tag = 'v1') => `${registry?.address}/${repository}:${tag}`;
  const basic = ({ username, secret }: Credentials) => `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`;

  /** What `docker login` asks for and stores as `identitytoken`: a refresh token. */
  async function identityTokenOf(who: Credentials): Promise<string> {
    const query = new URLSearchParams({ account: who.username, client_id: 'docker', offline_token: 'true', service: SERVICE });
    const response = await fetch(`${regauth?.url}/token?${query}`, { headers: { Authorization: basic(who) } });
    expect(response.status).toBe(200);
    const refreshToken = ((await response.json()) as { refresh_token?: string }).refresh_token;
    expect(refreshToken).toMatch(/^regauth_rt_/);
    return refreshToken as string;
  }

  /** The persisted token.issued events of `username` (anonymous ones for null) after event id `afterId`, oldest first. */
  async function issuedSince(afterId: number, username: string | null): Promise<AuditEvent[]> {
    // On the embedded store the CLI asks the server, which writes its pending audit batch first.
    const args = ['audit', '--event', 'token.issued', '--limit', '1000', '--json'];
    if (username !== null) args.push('--token', username);
    const events = JSON.parse(assertSucceeded(await regauth!.cli(args), 'regauth audit').stdout) as AuditEvent[];
    return events.filter((event) => event.id > afterId && event.username === username).reverse();
  }

  /** The persisted auth.failed events after event id `afterId`, oldest first, as "grant reason". */
  async function failuresSince(afterId: number): Promise<string[]> {
    const printed = assertSucceeded(await regauth!.cli(['audit', '--event', 'auth.failed', '--limit', '1000', '--json']), 'regauth audit');
    return (JSON.parse(printed.stdout) as AuditEvent[])
      .filter((event) => event.id > afterId)
      .reverse()
      .map((event) => `${event.details.grant} ${event.details.reason}`);
  }

  async function lastAuditId(): Promise<number> {
    const printed = assertSucceeded(await regauth!.cli(['audit', '--limit', '1', '--json']), 'regauth audit');
    return (JSON.parse(printed.stdout) as AuditEvent[])[0]?.id ?? 0;
  }

  /** Removes the image from the node first, so that the pull has to go to the registry. */
  async function pullAfresh(cri: CriImageService, imageRef: string, auth?: CriAuthConfig) {
    await cri.removeImage(imageRef);
    expect(await cri.imageStatus(imageRef)).toBeNull();
    const auditBefore = await lastAuditId();
    const requestsBefore = tokenRequests(regauth!.logRecords()).length;
    const outcome = await cri.pullImage(imageRef, auth).then(
      (imageId) => ({ imageId, error: null }),
      (error: unknown) => ({ imageId: null, error: error as Error }),
    );
    return { ...outcome, auditBefore, requests: (await settledTokenRequests()).slice(requestsBefore) };
  }

  /** The request log line is written when a response finishes, maybe after the pull returns: wait for quiet. */
  async function settledTokenRequests(): Promise<string[]> {
    let seen = tokenRequests(regauth!.logRecords());
    for (let quiet = 0; quiet < 4; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = tokenRequests(regauth!.logRecords());
      quiet = now.length === seen.length ? quiet + 1 : 0;
      seen = now;
    }
    return seen;
  }

  /** The pull succeeded and the node now holds exactly the pushed manifest. */
  async function expectPulled(cri: CriImageService, imageRef: string, imageId: string | null) {
    expect(imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    const status = await cri.imageStatus(imageRef);
    expect(status?.id).toBe(imageId);
    expect(status?.repoTags).toContain(imageRef);
    expect(status?.repoDigests).toContain(`${imageRef.slice(0, imageRef.lastIndexOf(':'))}@${image.manifestDigest}`);
  }

  beforeAll(async () => {
    root = await makeWorkDir();
    image = await buildTinyOciImage(join(root, 'oci'), { tag: 'v1', content: 'pulled through the CRI\n' });
    regauth = await startRegauthProcess(join(root, 'regauth'), { env: { REGAUTH_PUBLIC_REPOSITORIES: 'public/**' } });
    writer = await regauth.createToken({ name: 'ci push', repos: ['team/**', 'public/**'], scopes: ['write_registry'] });
    reader = await regauth.createToken({ name: 'laptop pull', repos: ['team/app'], scopes: ['read_registry'] });
    nodeToken = await regauth.createToken({ name: 'node pull', repos: ['team/app'], scopes: ['read_registry'] });
    registry = await startRegistry({ workDir: join(root, 'registry'), auth: { token: await regauth.registryAuth() } });
    for (const repository of ['team/app', 'public/tools']) {
      assertSucceeded(
        await skopeo([
          'copy', '--dest-creds', `${writer.username}:${writer.secret}`, '--dest-tls-verify=false',
          `oci:${image.layoutDir}:v1`, `docker://${ref(repository)}`,
        ]),
        `seed ${repository}`,
      );
    }

    // An imagePullSecret as regauth prints it, read the way the kubelet reads .dockerconfigjson.
    const printed = assertSucceeded(
      await regauth.cli(['tokens', 'create', '--name', 'cluster pull', '--repo', 'team/app', '--scope', 'read_registry',
        '--format', 'k8s-secret', '--registry', registry.address]),
      'regauth tokens create --format k8s-secret',
    ).stdout;
    const secret = parseYaml(printed) as { data: { '.dockerconfigjson': string } };
    const dockerConfig = JSON.parse(Buffer.from(secret.data['.dockerconfigjson'], 'base64').toString('utf8')) as {
      auths: Record<string, { username: string; password: string; auth: string }>;
    };
    pullSecret = dockerConfig.auths[registry.address] as typeof pullSecret;
    expect(pullSecret.username).toMatch(/^deploy-token-\d+$/);

    readerIdentityToken = await identityTokenOf(reader);
    kubelet = await startContainerd(join(root, 'kubelet'));
    configuredNode = await startContainerd(join(root, 'node'), {
      criRegistryAuth: { [registry.address]: { identitytoken: await identityTokenOf(nodeToken) } },
    });
    kubeletCri = criImageService(kubelet.socket);
    configuredNodeCri = criImageService(configuredNode.socket);
    await waitForCri(kubeletCri);
    await waitForCri(configuredNodeCri);
  }, 120_000);

  afterAll(async () => {
    await kubelet?.stop();
    await configuredNode?.stop();
    await registry?.stop();
    await regauth?.stop();
    if (root !== undefined) await removeWorkDir(root);
  }, 30_000);

  test('the CRI plugin of the installed containerd serves runtime.v1', async () => {
    expect(await kubeletCri.version()).toMatchObject({ runtimeName: 'containerd', runtimeApiVersion: 'v1' });
  });

  const authForms: { form: string; auth: () => CriAuthConfig; username: () => string; grant: string }[] = [
    {
      form: 'identity_token (the refresh token docker login stores)',
      auth: () => ({ identityToken: readerIdentityToken }),
      username: () => reader.username,
      grant: 'refresh_token',
    },
    {
      form: 'username and password (an imagePullSecret from `regauth tokens create --format k8s-secret`)',
      auth: () => ({ username: pullSecret.username, password: pullSecret.password }),
      username: () => pullSecret.username,
      grant: 'password',
    },
    {
      form: 'auth (base64 "username:secret", as crictl --auth sends it)',
      auth: () => ({ auth: pullSecret.auth }),
      username: () => pullSecret.username,
      grant: 'password',
    },
  ];

  test.each(authForms)('PullImage with AuthConfig.$form pulls, with the OAuth2 POST grant_type=$grant', async ({ auth, username, grant }) => {
    const imageRef = ref('team/app');
    const pulled = await pullAfresh(kubeletCri, imageRef, auth());
    expect(pulled.error).toBeNull();
    await expectPulled(kubeletCri, imageRef, pulled.imageId);
    expect(pulled.requests.length).toBeGreaterThan(0);
    expect(new Set(pulled.requests)).toEqual(new Set(['POST 200']));
    const issued = await issuedSince(pulled.auditBefore, username());
    expect(issued.length).toBe(pulled.requests.length);
    for (const event of issued) {
      expect(event.details).toMatchObject({ grant, clientId: 'containerd-client' });
      expect(event.details.granted).toEqual([{ type: 'repository', name: 'team/app', actions: ['pull'] }]);
    }
  }, 60_000);

  test('a node whose containerd config holds an identity token pulls with grant_type=refresh_token', async () => {
    const imageRef = ref('team/app');
    const pulled = await pullAfresh(configuredNodeCri, imageRef);
    expect(pulled.error).toBeNull();
    await expectPulled(configuredNodeCri, imageRef, pulled.imageId);
    expect(new Set(pulled.requests)).toEqual(new Set(['POST 200']));
    const issued = await issuedSince(pulled.auditBefore, nodeToken.username);
    expect(issued.length).toBeGreaterThan(0);
    expect(new Set(issued.map((event) => event.details.grant))).toEqual(new Set(['refresh_token']));
  }, 60_000);

  test('a public repository pulls with no AuthConfig at all; a private one does not', async () => {
    const publicRef = ref('public/tools');
    const anonymous = await pullAfresh(kubeletCri, publicRef);
    expect(anonymous.error).toBeNull();
    await expectPulled(kubeletCri, publicRef, anonymous.imageId);
    // Without credentials containerd skips the POST and asks with a plain GET.
    expect(new Set(anonymous.requests)).toEqual(new Set(['GET 200']));
    const issued = await issuedSince(anonymous.auditBefore, null);
    expect(issued.length).toBeGreaterThan(0);
    for (const event of issued) {
      expect(event.details.grant).toBe('anonymous');
      expect(event.details.granted).toEqual([{ type: 'repository', name: 'public/tools', actions: ['pull'] }]);
    }

    const privateRef = ref('team/app');
    const refused = await pullAfresh(kubeletCri, privateRef);
    expect(refused.error).toBeInstanceOf(GrpcError);
    // regauth answers an anonymous token without access; the registry then refuses the manifest.
    expect(refused.requests).toEqual(['GET 200']);
    expect(refused.error?.message).toContain('insufficient_scope: authorization failed');
    expect(await kubeletCri.imageStatus(privateRef)).toBeNull();
  }, 60_000);

  test('an unknown identity token: the POST is refused, containerd falls back to GET, which is refused too', async () => {
    const unknown = `regauth_rt_${randomBytes(32).toString('base64url')}`;
    const imageRef = ref('team/app');
    const refused = await pullAfresh(kubeletCri, imageRef, { identityToken: unknown });
    expect(refused.error).toBeInstanceOf(GrpcError);
    expect(refused.requests).toEqual(['POST 401', 'GET 401']);
    expect(refused.error?.message).toContain('failed to fetch oauth token: unexpected status: 401 Unauthorized');
    // The GET fallback sends the token as the password of an empty username: a password grant, refused.
    expect(await failuresSince(refused.auditBefore)).toEqual(['refresh_token invalid_refresh_token', 'password invalid_credentials']);
    expect(await kubeletCri.imageStatus(imageRef)).toBeNull();
  }, 60_000);

  test('identity tokens survive a restart of regauth (embedded store)', async () => {
    const port = regauth!.port;
    await regauth!.stop();
    regauth = await startRegauthProcess(join(root, 'regauth'), { port, env: { REGAUTH_PUBLIC_REPOSITORIES: 'public/**' } });
    for (const [cri, auth, username] of [
      [kubeletCri, { identityToken: readerIdentityToken }, reader.username],
      [configuredNodeCri, undefined, nodeToken.username],
    ] as const) {
      const imageRef = ref('team/app');
      const pulled = await pullAfresh(cri, imageRef, auth);
      expect(pulled.error).toBeNull();
      await expectPulled(cri, imageRef, pulled.imageId);
      const issued = await issuedSince(pulled.auditBefore, username);
      expect(issued.length).toBeGreaterThan(0);
      expect(new Set(issued.map((event) => event.details.grant))).toEqual(new Set(['refresh_token']));
    }
  }, 120_000);

  test('revoking the deploy token ends its identity tokens, in a request and in the node config alike', async () => {
    assertSucceeded(await regauth!.cli(['tokens', 'revoke', reader.username]), 'regauth tokens revoke');
    assertSucceeded(await regauth!.cli(['tokens', 'revoke', nodeToken.username]), 'regauth tokens revoke');
    const imageRef = ref('team/app');
    for (const [cri, auth] of [
      [kubeletCri, { identityToken: readerIdentityToken }],
      [configuredNodeCri, undefined],
    ] as const) {
      const refused = await pullAfresh(cri, imageRef, auth);
      expect(refused.error).toBeInstanceOf(GrpcError);
      expect(refused.requests).toEqual(['POST 401', 'GET 401']);
      expect(refused.error?.message).toContain('failed to fetch oauth token: unexpected status: 401 Unauthorized');
      expect(await failuresSince(refused.auditBefore)).toEqual(['refresh_token token_revoked', 'password invalid_credentials']);
      expect(await cri.imageStatus(imageRef)).toBeNull();
    }
    // The other deploy tokens are untouched.
    const pulled = await pullAfresh(kubeletCri, imageRef, { username: pullSecret.username, password: pullSecret.password });
    expect(pulled.error).toBeNull();
  }, 60_000);
});
