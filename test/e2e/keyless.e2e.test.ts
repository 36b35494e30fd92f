import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildCredentialProvider, runCredentialProvider } from '../support/credential-provider.js';
import { OidcTestIssuer } from '../support/oidc-test-issuer.js';
import { selfSignedServerCertificate } from '../support/tls-certificate.js';
import { startContainerd, type RunningContainerd } from './support/containerd.js';
import { criImageService, waitForCri, type CriImageService } from './support/cri.js';
import { docker, startDockerd, type RunningDockerd } from './support/dockerd.js';
import { buildTinyOciImage, type TinyOciImage } from './support/oci-image.js';
import { startRegauthProcess, type RegauthProcess } from './support/regauth-process.js';
import { startRegistry, type RunningRegistry } from './support/registry.js';
import { requireTools } from './support/required-tools.js';
import { assertSucceeded } from './support/run-command.js';
import { skopeo } from './support/skopeo.js';
import { makeWorkDir, removeWorkDir } from './support/work-dir.js';

const ready = requireTools(['docker-registry', 'skopeo', 'containerd', 'dockerd', '/usr/bin/docker']);
const describeE2E = ready ? describe : describe.skip;

const GITHUB = 'https://token.actions.githubusercontent.com';
const CLUSTER = 'https://kubernetes.default.svc.cluster.local';
const AUDIENCE = 'https://regauth.e2e.example';
const OWNER_ID = '4242';

interface Credentials {
  readonly username: string;
  readonly password: string;
}

const now = () => Math.floor(Date.now() / 1000);

/** A GitHub Actions job of octo-org/app on main. */
const githubClaims = (overrides: Record<string, unknown> = {}) => ({
  iss: GITHUB,
  aud: AUDIENCE,
  sub: 'repo:octo-org/app:ref:refs/heads/main',
  jti: randomUUID(),
  iat: now(),
  exp: now() + 300,
  repository: 'octo-org/app',
  repository_id: '99',
  repository_owner: 'octo-org',
  repository_owner_id: OWNER_ID,
  ref: 'refs/heads/main',
  sha: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4',
  run_id: '777',
  event_name: 'push',
  job_workflow_ref: 'octo-org/app/.github/workflows/push.yml@refs/heads/main',
  ...overrides,
});

/** A pod's projected service-account token, as the kubelet gets it for the provider's audience. */
const podClaims = () => ({
  iss: CLUSTER,
  aud: AUDIENCE,
  sub: 'system:serviceaccount:shop:web',
  jti: randomUUID(),
  iat: now(),
  exp: now() + 3600,
  'kubernetes.io': {
    namespace: 'shop',
    serviceaccount: { name: 'web', uid: '0f6a1b2c-0000-4000-8000-000000000001' },
    pod: { name: 'web-5d8f7', uid: '0f6a1b2c-0000-4000-8000-000000000002' },
    node: { name: 'node-1', uid: '0f6a1b2c-0000-4000-8000-000000000003' },
  },
});

describeE2E('keyless access end to end: identity tokens → regauth → a stock registry, with real clients', () => {
  let root: string;
  let image: TinyOciImage;
  let github: OidcTestIssuer | undefined;
  let cluster: OidcTestIssuer | undefined;
  let regauth: RegauthProcess | undefined;
  let registry: RunningRegistry | undefined;
  let containerd: RunningContainerd | undefined;
  let dockerd: RunningDockerd | undefined;
  let cri: CriImageService;
  /** The provider speaks https only: regauth's exchange behind a TLS front with a test CA. */
  let tlsFront: Server | undefined;
  let tlsFrontUrl: string;
  let caFile: string;

  const ref = (repository: string, tag = 'v1') => `docker://${registry?.address}/${repository}:${tag}`;
  const push = (who: Credentials, repository: string, tag = 'v1') =>
    skopeo(['copy', '--dest-creds', `${who.username}:${who.password}`, '--dest-tls-verify=false', `oci:${image.layoutDir}:v1`, ref(repository, tag)]);
  const inspect = (who: Credentials, repository: string) =>
    skopeo(['inspect', '--raw', '--creds', `${who.username}:${who.password}`, '--tls-verify=false', ref(repository)]);

  async function exchange(token: string): Promise<Credentials & { status: number; reason?: string }> {
    const response = await fetch(`${regauth?.url}/federation/exchange`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    const body = (await response.json()) as { username: string; password: string; errors?: { detail: { reason: string } }[] };
    return { status: response.status, username: body.username, password: body.password, ...(body.errors ? { reason: body.errors[0]?.detail.reason } : {}) };
  }

  beforeAll(async () => {
    root = await makeWorkDir();
    image = await buildTinyOciImage(join(root, 'oci'), { tag: 'v1', content: 'pushed without a stored secret\n' });
    github = await OidcTestIssuer.start({ protocol: 'http', issuer: GITHUB });
    cluster = await OidcTestIssuer.start({ protocol: 'http', issuer: CLUSTER });
    regauth = await startRegauthProcess(join(root, 'regauth'));
    await writeFile(join(root, 'github-jwks.json'), JSON.stringify(github.jwks));
    await writeFile(join(root, 'cluster-jwks.json'), JSON.stringify(cluster.jwks));
    const cli = async (args: string[]) => assertSucceeded(await regauth!.cli(args), `regauth ${args.slice(0, 2).join(' ')}`);
    await cli(['issuers', 'add', '--name', 'github', '--kind', 'github', '--url', GITHUB, '--audience', AUDIENCE, '--jwks-file', join(root, 'github-jwks.json')]);
    await cli(['policies', 'add', '--name', 'app-push', '--issuer', 'github', '--github-owner-id', OWNER_ID,
      '--github-repository', 'octo-org/app', '--ref', 'refs/heads/main', '--repository', 'octo-org/app', '--scope', 'write_registry']);
    await cli(['issuers', 'add', '--name', 'cluster', '--kind', 'kubernetes', '--url', CLUSTER, '--audience', AUDIENCE, '--jwks-file', join(root, 'cluster-jwks.json')]);
    await cli(['policies', 'add', '--name', 'shop-web-pull', '--issuer', 'cluster', '--kubernetes-namespace', 'shop',
      '--kubernetes-service-account', 'web', '--repository', 'octo-org/app', '--scope', 'read_registry']);
    registry = await startRegistry({ workDir: join(root, 'registry'), auth: { token: await regauth.registryAuth() } });

    const certificate = selfSignedServerCertificate();
    caFile = join(root, 'front-ca.pem');
    await writeFile(caFile, certificate.certificatePem);
    const upstream = regauth.url;
    tlsFront = createServer({ cert: certificate.certificatePem, key: certificate.privateKeyPem }, (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        void fetch(`${upstream}${request.url}`, {
          method: request.method ?? 'GET',
          headers: { 'Content-Type': request.headers['content-type'] ?? 'application/json' },
          ...(chunks.length === 0 ? {} : { body: Buffer.concat(chunks) }),
        }).then(async (answer) => {
          response.writeHead(answer.status, { 'Content-Type': answer.headers.get('content-type') ?? 'application/json' });
          response.end(Buffer.from(await answer.arrayBuffer()));
        });
      });
    });
    await new Promise<void>((resolve) => tlsFront?.listen(0, '127.0.0.1', resolve));
    tlsFrontUrl = `https://127.0.0.1:${(tlsFront.address() as AddressInfo).port}`;

    containerd = await startContainerd(join(root, 'containerd'));
    cri = criImageService(containerd.socket);
    await waitForCri(cri);
    dockerd = await startDockerd(join(root, 'dockerd'), containerd.socket);
    await buildCredentialProvider();
  }, 240_000);

  afterAll(async () => {
    await dockerd?.stop();
    await containerd?.stop();
    await new Promise<void>((resolve) => (tlsFront === undefined ? resolve() : tlsFront.close(() => resolve())));
    await registry?.stop();
    await regauth?.stop();
    await github?.close();
    await cluster?.close();
    if (root !== undefined) await removeWorkDir(root);
  }, 30_000);

  test('a GitHub job exchanges its token and pushes with skopeo; the credential pulls back the same image', async () => {
    const minted = await exchange(await github!.mint(githubClaims()));
    expect(minted.status).toBe(200);
    assertSucceeded(await push(minted, 'octo-org/app'), 'skopeo push with the minted credential');
    assertSucceeded(await inspect(minted, 'octo-org/app'), 'skopeo inspect with the minted credential');
  }, 90_000);

  test('the minted credential is refused a repository its policy does not grant', async () => {
    const minted = await exchange(await github!.mint(githubClaims()));
    const result = await push(minted, 'octo-org/other');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('denied: requested access to the resource is denied');
  }, 90_000);

  test('a job of another owner gets nothing', async () => {
    const refused = await exchange(await github!.mint(githubClaims({ repository_owner_id: '1' })));
    expect(refused.status).toBe(403);
    expect(refused.reason).toBe('no_matching_policy');
  });

  test('docker login with the identity token as the password of oidc keeps a refresh token, and docker pushes with it', async () => {
    const configDir = join(root, 'docker-config');
    const archive = join(root, 'hello.tar');
    assertSucceeded(await skopeo(['copy', `oci:${image.layoutDir}:v1`, `docker-archive:${archive}:e2e-local/hello:v1`]), 'docker archive');
    assertSucceeded(await docker(dockerd!.host, configDir, ['load', '--input', archive]), 'docker load');
    const login = await docker(dockerd!.host, configDir, ['login', '--username', 'oidc', '--password-stdin', registry!.address], await github!.mint(githubClaims()));
    assertSucceeded(login, 'docker login -u oidc');
    const target = `${registry!.address}/octo-org/app:from-docker`;
    assertSucceeded(await docker(dockerd!.host, configDir, ['tag', 'e2e-local/hello:v1', target]), 'docker tag');
    assertSucceeded(await docker(dockerd!.host, configDir, ['push', target]), 'docker push through the refresh grant');
    const pushes = ((await regauth!.settledLogRecords()) ?? []).filter(
      (record) => record.message === 'audit' && record.event === 'token.issued' && record.grant === 'refresh_token' && /^oidc-[0-9]+$/.test(String(record.username)),
    );
    expect(pushes.some((record) => JSON.stringify(record.granted).includes('"push"'))).toBe(true);
  }, 120_000);

  test('a pod’s service-account token, fed to the built kubelet plugin, gives credentials that pull through containerd’s CRI', async () => {
    const imageRef = `${registry!.address}/octo-org/app:v1`;
    const request = {
      apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
      kind: 'CredentialProviderRequest',
      image: imageRef,
      serviceAccountToken: await cluster!.mint(podClaims()),
      serviceAccountAnnotations: {},
    };
    const result = assertSucceeded(
      await runCredentialProvider(['--regauth-url', tlsFrontUrl, '--registry', registry!.address, '--ca-file', caFile], request),
      'regauth-credential-provider',
    );
    const response = JSON.parse(result.stdout) as {
      apiVersion: string;
      cacheKeyType: string;
      cacheDuration: string;
      auth: Record<string, { username: string; password: string }>;
    };
    expect(response).toMatchObject({ apiVersion: 'credentialprovider.kubelet.k8s.io/v1', cacheKeyType: 'Registry' });
    expect(response.cacheDuration).toMatch(/^(4[0-4][0-9]|450)s$/);
    const auth = response.auth[registry!.address];
    expect(auth?.username).toMatch(/^oidc-[0-9]+$/);
    await cri.removeImage(imageRef);
    const imageId = await cri.pullImage(imageRef, { username: auth!.username, password: auth!.password });
    expect(imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    const pulls = (await regauth!.settledLogRecords()).filter(
      (record) => record.message === 'audit' && record.event === 'token.issued' && record.username === auth!.username,
    );
    expect(pulls.length).toBeGreaterThan(0);
    expect(pulls[0]?.claims).toMatchObject({ 'kubernetes.io/namespace': 'shop', 'kubernetes.io/pod/name': 'web-5d8f7' });
  }, 120_000);

  test('revoking a minted credential stops it at once', async () => {
    const minted = await exchange(await github!.mint(githubClaims()));
    assertSucceeded(await inspect(minted, 'octo-org/app'), 'inspect before the revocation');
    assertSucceeded(await regauth!.cli(['federated-credentials', 'revoke', minted.username]), 'regauth federated-credentials revoke');
    const after = await inspect(minted, 'octo-org/app');
    expect(after.code).not.toBe(0);
  }, 90_000);
});
