import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/adapters/config/load-config.js';
import type { TrustedIssuerView } from '../../../src/app/federation/trusted-issuer-view.js';
import type { TrustPolicyView } from '../../../src/app/federation/trust-policy-view.js';
import { startRegauth, type RunningRegauth } from '../../../src/composition-root.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { environmentIn, regauth } from './cli-harness.js';

const GITHUB_URL = 'https://token.actions.githubusercontent.com';

/** The same commands, run directly on the store and through a running server's control socket. */
describe.each(['on the store directly', 'through the running server'] as const)('regauth issuers and policies %s', (mode) => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let running: RunningRegauth | null = null;
  const run = (...argv: string[]) => regauth(env, dir, argv);
  const json = async <T>(...argv: string[]): Promise<T> => {
    const result = await run(...argv, '--json');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(result.stdout) as T;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rgf-'));
    env = environmentIn(dir, { REGAUTH_PORT: '0', REGAUTH_HOST: '127.0.0.1', REGAUTH_PUBLIC_URL: 'https://auth.example.com' });
    if (mode === 'through the running server') running = await startRegauth(loadConfig(env, dir), { logger: new RecordingLogger() });
  }, 60_000);

  afterAll(async () => {
    await running?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('issuers add trusts GitHub with its defaults; list shows it as a table', async () => {
    const issuer = await json<TrustedIssuerView>('issuers', 'add', '--name', 'github', '--kind', 'github', '--url', `${GITHUB_URL}/`);
    expect(issuer).toMatchObject({ id: 1, issuerUrl: GITHUB_URL, audience: 'https://auth.example.com', algorithms: ['RS256'], multiTenant: true });
    const table = await run('issuers', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+KIND\s+ISSUER\s+AUDIENCE\s+KEYS\s+REPLAY\s+ENABLED$/);
    expect(table.stdout).toContain(`github  github  ${GITHUB_URL}`);
  });

  test('a Kubernetes issuer with an inline JWKS file is idempotent by default', async () => {
    const file = join(dir, 'jwks.json');
    await writeFile(file, JSON.stringify({ keys: [{ kid: 'k1', kty: 'RSA', n: 'abc', e: 'AQAB' }] }));
    const issuer = await json<TrustedIssuerView>('issuers', 'add', '--name', 'cluster', '--kind', 'kubernetes', '--url', 'https://kubernetes.default.svc', '--jwks-file', file);
    expect(issuer).toMatchObject({ replayMode: 'idempotent', keySource: { kind: 'inline' } });
    expect((await run('issuers', 'show', 'cluster')).stdout).toContain('keys:          inline (k1)');
  });

  test('issuers update with only a new JWKS file replaces the keys and leaves the rest; --no-max-token-age drops the maximum age', async () => {
    const file = join(dir, 'rotated-jwks.json');
    await writeFile(file, JSON.stringify({ keys: [{ kid: 'k2', kty: 'RSA', n: 'abd', e: 'AQAB' }] }));
    expect(await json<TrustedIssuerView>('issuers', 'update', 'cluster', '--max-token-age', '10m')).toMatchObject({ maxTokenAgeSeconds: 600 });
    const rotated = await json<TrustedIssuerView>('issuers', 'update', 'cluster', '--jwks-file', file);
    expect(rotated).toMatchObject({ keySource: { kind: 'inline', jwks: { keys: [{ kid: 'k2' }] } }, maxTokenAgeSeconds: 600, replayMode: 'idempotent' });
    expect(await json<TrustedIssuerView>('issuers', 'update', 'cluster', '--no-max-token-age')).toMatchObject({ maxTokenAgeSeconds: null });
  });

  test('a refused issuer exits 1 with the reason and adds nothing', async () => {
    const result = await run('issuers', 'add', '--name', 'evil', '--kind', 'generic', '--url', 'http://issuer.example.com');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^regauth: invalid issuer URL "http:\/\/issuer.example.com": .*https/);
    expect((await json<TrustedIssuerView[]>('issuers', 'list')).map((issuer) => issuer.name)).toEqual(['github', 'cluster']);
  });

  test('policies add with the GitHub preset options', async () => {
    const policy = await json<TrustPolicyView>(
      'policies', 'add', '--name', 'deploy-app', '--issuer', 'github',
      '--github-owner-id', '1234', '--github-repository', 'acme/app', '--github-workflow', 'deploy.yml',
      '--environment', 'prod', '--ref', 'refs/heads/main',
      '--repository', 'acme/app', '--scope', 'write_registry', '--lifetime', '10m',
    );
    expect(policy).toMatchObject({ name: 'deploy-app', issuerId: 1, credentialLifetimeSeconds: 600, repositories: ['acme/app'], scopes: ['write_registry'] });
    expect(policy.conditions.map((condition) => condition.claim)).toEqual(['repository_owner_id', 'repository', 'job_workflow_ref', 'environment', 'ref']);
  });

  test('a policy on GitHub without an owner ID is refused, saying why', async () => {
    const result = await run('policies', 'add', '--name', 'loose', '--issuer', 'github', '--github-repository', 'acme/app', '--repository', 'acme/app', '--scope', 'read_registry');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/owner ID.*re-registered/);
  });

  test('Kubernetes preset and generic conditions; update, disable and enable', async () => {
    const policy = await json<TrustPolicyView>(
      'policies', 'add', '--name', 'pull', '--issuer', 'cluster',
      '--kubernetes-namespace', 'ci', '--kubernetes-service-account', 'builder',
      '--condition', 'kubernetes.io/pod/name glob builder-*', '--condition', 'aud in a,b',
      '--repository', 'team/*', '--scope', 'read_registry',
    );
    expect(policy.conditions).toEqual([
      { claim: 'kubernetes.io/namespace', operator: 'eq', values: ['ci'] },
      { claim: 'kubernetes.io/serviceaccount/name', operator: 'eq', values: ['builder'] },
      { claim: 'kubernetes.io/pod/name', operator: 'glob', values: ['builder-*'] },
      { claim: 'aud', operator: 'in', values: ['a', 'b'] },
    ]);
    expect(await json<TrustPolicyView>('policies', 'update', 'pull', '--lifetime', '1h')).toMatchObject({ credentialLifetimeSeconds: 3600 });
    expect(await json<TrustPolicyView>('policies', 'disable', 'pull')).toMatchObject({ enabled: false });
    expect(await json<TrustPolicyView>('policies', 'enable', 'pull')).toMatchObject({ enabled: true });
    expect(await json<TrustedIssuerView>('issuers', 'disable', 'cluster')).toMatchObject({ enabled: false });
    expect((await json<TrustPolicyView[]>('policies', 'list', '--issuer', 'cluster')).map((each) => each.name)).toEqual(['pull']);
    const table = await run('policies', 'list');
    expect(table.stdout).toContain('kubernetes.io/namespace=ci & kubernetes.io/serviceaccount/name=builder');
  });

  test('the changes are in the audit log with the CLI as actor', async () => {
    const events = await json<{ event: string; actor: string }[]>('audit');
    const federation = events.filter((event) => /^(issuer|policy)\./.test(event.event)).map((event) => `${event.event} ${event.actor}`);
    expect(federation.sort()).toEqual(
      [
        'issuer.created cli',
        'issuer.created cli',
        ...Array<string>(4).fill('issuer.updated cli'),
        'policy.created cli',
        'policy.created cli',
        ...Array<string>(3).fill('policy.updated cli'),
      ].sort(),
    );
  });
});
