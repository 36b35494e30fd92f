import { AuditTrail } from '../../../../src/app/audit-trail.js';
import { StoreTrustedIssuerAdmin } from '../../../../src/app/federation/trusted-issuer-admin.js';
import { StoreTrustPolicyAdmin } from '../../../../src/app/federation/trust-policy-admin.js';
import { InMemoryAuditLog } from '../../../support/fake-ports.js';
import { InMemoryTrustedIssuerStore, InMemoryTrustPolicyStore } from '../../../support/in-memory-federation-stores.js';
import { RecordingLogger } from '../../../support/recording-logger.js';
import { ManualClock } from '../../../support/regauth-app.js';

const NOW = new Date('2026-12-03T12:00:00.000Z');
const GITHUB_URL = 'https://token.actions.githubusercontent.com';
const OWNER = { claim: 'repository_owner_id', operator: 'eq', values: ['1234'] } as const;

function setUp() {
  const issuerStore = new InMemoryTrustedIssuerStore();
  const policyStore = new InMemoryTrustPolicyStore();
  const auditLog = new InMemoryAuditLog();
  const audit = new AuditTrail(auditLog, new RecordingLogger());
  const clock = new ManualClock(NOW);
  const issuers = new StoreTrustedIssuerAdmin({ store: issuerStore, policies: policyStore, clock, audit, realm: 'https://auth.example.com/token' });
  const policies = new StoreTrustPolicyAdmin({ store: policyStore, issuers: issuerStore, clock, audit });
  return { issuers, policies, issuerStore, policyStore, auditLog };
}

describe('trusted issuers', () => {
  test('defaults: audience from the realm origin, RS256, leeway 60, once, multi-tenant for GitHub, discovery', async () => {
    const { issuers, auditLog } = setUp();
    const created = await issuers.create({ name: 'github', kind: 'github', issuerUrl: `${GITHUB_URL}/` }, { actor: 'admin-key:ops' });
    expect(created).toEqual({
      id: 1,
      name: 'github',
      kind: 'github',
      issuerUrl: GITHUB_URL,
      audience: 'https://auth.example.com',
      keySource: { kind: 'discovery' },
      algorithms: ['RS256'],
      leewaySeconds: 60,
      maxTokenAgeSeconds: null,
      replayMode: 'once',
      multiTenant: true,
      enabled: true,
      createdAt: NOW.toISOString(),
      updatedAt: null,
    });
    expect(auditLog.events).toMatchObject([{ event: 'issuer.created', actor: 'admin-key:ops', deployTokenId: null, details: { issuerId: 1, issuer: 'github', issuerUrl: GITHUB_URL } }]);
  });

  test('kubernetes defaults to idempotent replay; an inline JWKS is kept, and audited by its key ids only', async () => {
    const { issuers, auditLog } = setUp();
    const jwks = { keys: [{ kid: 'k1', kty: 'RSA', n: 'xyz', e: 'AQAB' }] };
    const created = await issuers.create({ name: 'cluster', kind: 'kubernetes', issuerUrl: 'https://kubernetes.default.svc', jwks: JSON.stringify(jwks) });
    expect(created).toMatchObject({ replayMode: 'idempotent', multiTenant: false, keySource: { kind: 'inline', jwks } });
    expect(auditLog.events[0]?.details.keySource).toEqual({ kind: 'inline', keyIds: ['k1'] });
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['plain http', { issuerUrl: 'http://issuer.example.com' }, /use https/],
    ['a query', { issuerUrl: 'https://issuer.example.com/?x=1' }, /query/],
    ['userinfo', { issuerUrl: 'https://user:pw@issuer.example.com' }, /username or password/],
    ['an unknown kind', { kind: 'azure' }, /unknown issuer kind "azure"/],
    ['an HMAC algorithm', { algorithms: ['HS256'] }, /unsupported signature algorithm "HS256"/],
    ['alg none', { algorithms: ['none'] }, /unsupported signature algorithm/],
    ['a leeway over 300 s', { leewaySeconds: 301 }, /leeway/],
    ['a private key in the JWKS', { jwks: { keys: [{ kid: 'k', kty: 'RSA', d: 'secret' }] } }, /private material \("d"\)/],
    ['a JWKS key without kid', { jwks: { keys: [{ kty: 'RSA' }] } }, /"kid" and a "kty"/],
    ['a JWKS without keys', { jwks: { keys: [] } }, /non-empty "keys"/],
    ['a JWKS over 64 KiB', { jwks: { keys: [{ kid: 'k', kty: 'RSA', n: 'x'.repeat(70_000) }] } }, /larger than 64 KiB/],
    ['both a jwks_uri and a JWKS', { jwksUri: 'https://x.example.com/jwks', jwks: { keys: [{ kid: 'k', kty: 'RSA' }] } }, /not both/],
    ['an all-digit name', { name: '123' }, /not only digits/],
  ])('refuses %s and stores nothing', async (_label, overrides, message) => {
    const { issuers, issuerStore, auditLog } = setUp();
    await expect(issuers.create({ name: 'example', kind: 'generic', issuerUrl: 'https://issuer.example.com', ...overrides })).rejects.toThrow(message);
    expect(issuerStore.issuers).toEqual([]);
    expect(auditLog.events).toEqual([]);
  });

  test('loopback http only with the test setting', async () => {
    const { issuerStore } = setUp();
    const audit = new AuditTrail(new InMemoryAuditLog(), new RecordingLogger());
    const admin = new StoreTrustedIssuerAdmin({ store: issuerStore, policies: new InMemoryTrustPolicyStore(), clock: new ManualClock(NOW), audit, realm: 'https://a.example.com', allowInsecureLoopback: true });
    expect((await admin.create({ name: 'local', kind: 'generic', issuerUrl: 'http://127.0.0.1:8080/' })).issuerUrl).toBe('http://127.0.0.1:8080');
  });

  test('update disables by name, audits the change, and cannot make GitHub single-tenant', async () => {
    const { issuers, auditLog } = setUp();
    await issuers.create({ name: 'github', kind: 'github', issuerUrl: GITHUB_URL });
    expect(await issuers.update('github', { enabled: false })).toMatchObject({ enabled: false, updatedAt: NOW.toISOString() });
    expect(auditLog.events[1]).toMatchObject({ event: 'issuer.updated', details: { issuer: 'github', enabled: false } });
    await expect(issuers.update('1', { multiTenant: false })).rejects.toThrow(/multi-tenant by its kind/);
    await expect(issuers.update('github', {})).rejects.toThrow('nothing to change');
    await expect(issuers.get('nope')).rejects.toThrow('no trusted issuer with id or name "nope"');
  });
});

describe('trust policies', () => {
  async function withGithub() {
    const context = setUp();
    await context.issuers.create({ name: 'github', kind: 'github', issuerUrl: GITHUB_URL });
    await context.issuers.create({ name: 'cluster', kind: 'kubernetes', issuerUrl: 'https://kubernetes.default.svc' });
    return context;
  }

  test('a GitHub preset compiles to conditions on discrete claims; lifetime 15m by default', async () => {
    const { policies, auditLog } = await withGithub();
    const created = await policies.create({
      name: 'deploy-app',
      issuer: 'github',
      github: { ownerId: '1234', repository: 'acme/app', workflow: 'deploy.yml', environment: 'prod', ref: 'refs/heads/main' },
      repositories: ['acme/app'],
      scopes: ['write_registry'],
    });
    expect(created).toMatchObject({
      issuerId: 1,
      conditions: [
        { claim: 'repository_owner_id', operator: 'eq', values: ['1234'] },
        { claim: 'repository', operator: 'eq', values: ['acme/app'] },
        { claim: 'job_workflow_ref', operator: 'glob', values: expect.arrayContaining([expect.stringMatching(/^acme\/app\/\.github\/workflows\/deploy\.yml@/)]) },
        { claim: 'environment', operator: 'eq', values: ['prod'] },
        { claim: 'ref', operator: 'eq', values: ['refs/heads/main'] },
      ],
      credentialLifetimeSeconds: 900,
      allowForkTriggers: false,
      enabled: true,
    });
    expect(auditLog.events.at(-1)).toMatchObject({ event: 'policy.created', details: { policy: 'deploy-app', issuer: 'github' } });
  });

  test('on a multi-tenant issuer a policy without an owner ID is refused, saying why', async () => {
    const { policies, policyStore } = await withGithub();
    await expect(
      policies.create({ name: 'p', issuer: 'github', github: { repository: 'acme/app' }, repositories: ['acme/app'], scopes: ['read_registry'] }),
    ).rejects.toThrow(/eq or in condition on an owner ID .*names can be re-registered by someone else/);
    await expect(
      policies.create({ name: 'p', issuer: 'github', conditions: [{ claim: 'repository_owner_id', operator: 'glob', values: ['12*'] }], repositories: ['a'], scopes: ['read_registry'] }),
    ).rejects.toThrow(/owner ID/);
    expect(policyStore.policies).toEqual([]);
  });

  test('a policy with no conditions at all is refused: an issuer is never trusted as a whole', async () => {
    const { policies } = await withGithub();
    await expect(policies.create({ name: 'all', issuer: 'cluster', repositories: ['*'], scopes: ['read_registry'] })).rejects.toThrow(/at least one condition/);
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['no repository', { repositories: [] }, /at least one repository/],
    ['no scope', { scopes: [] }, /at least one scope/],
    ['a bad repository pattern', { repositories: ['Team/App'] }, /invalid repository "Team\/App"/],
    ['an unknown scope', { scopes: ['admin'] }, /unknown scope "admin"/],
    ['a lifetime over an hour', { credentialLifetime: '2h' }, /from 60 to 3600 seconds/],
    ['an unknown operator', { conditions: [{ claim: 'x', operator: 'regex', values: ['.*'] }] }, /unknown condition operator "regex"/],
    ['eq with two values', { conditions: [{ claim: 'x', operator: 'eq', values: ['a', 'b'] }] }, /takes one value/],
    ['an unknown issuer', { issuer: 'nope' }, /no trusted issuer with id or name "nope"/],
  ])('refuses %s', async (_label, overrides, message) => {
    const { policies, policyStore } = await withGithub();
    await expect(
      policies.create({ name: 'k8s', issuer: 'cluster', kubernetes: { namespace: 'ci', serviceAccount: 'builder' }, repositories: ['team/app'], scopes: ['read_registry'], ...overrides }),
    ).rejects.toThrow(message);
    expect(policyStore.policies).toEqual([]);
  });

  test('a Kubernetes policy, its lifetime as a duration; update replaces conditions and disables', async () => {
    const { policies, auditLog } = await withGithub();
    const created = await policies.create({
      name: 'k8s',
      issuer: 'cluster',
      kubernetes: { namespace: 'ci', serviceAccount: 'builder' },
      repositories: ['team/app'],
      scopes: ['read_registry'],
      credentialLifetime: '30m',
    });
    expect(created).toMatchObject({ credentialLifetimeSeconds: 1800, conditions: [{ claim: 'kubernetes.io/namespace' }, { claim: 'kubernetes.io/serviceaccount/name' }] });
    const updated = await policies.update('k8s', { conditions: [{ claim: 'kubernetes.io/namespace', operator: 'in', values: ['ci', 'ci2'] }], enabled: false });
    expect(updated).toMatchObject({ enabled: false, conditions: [{ claim: 'kubernetes.io/namespace', operator: 'in', values: ['ci', 'ci2'] }] });
    expect(auditLog.events.at(-1)).toMatchObject({ event: 'policy.updated', details: { policy: 'k8s', enabled: false } });
    expect((await policies.list('cluster')).map((policy) => policy.name)).toEqual(['k8s']);
    expect(await policies.list('github')).toEqual([]);
  });

  test('an issuer cannot become multi-tenant while one of its policies pins no owner ID', async () => {
    const { issuers, policies } = await withGithub();
    await issuers.create({ name: 'buildkite', kind: 'generic', issuerUrl: 'https://agent.buildkite.com' });
    await policies.create({ name: 'bk', issuer: 'buildkite', conditions: [{ claim: 'pipeline_slug', operator: 'eq', values: ['app'] }], repositories: ['a'], scopes: ['read_registry'] });
    await expect(issuers.update('buildkite', { multiTenant: true })).rejects.toThrow(/policy "bk" would then be refused: .*owner ID/);
    expect(await issuers.get('buildkite')).toMatchObject({ multiTenant: false });
    await policies.update('bk', { conditions: [{ claim: 'organization_id', operator: 'eq', values: ['9'] }] });
    expect(await issuers.update('buildkite', { multiTenant: true })).toMatchObject({ multiTenant: true });
  });
});
