import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import request from 'supertest';
import type { AuditEventView } from '../../../src/app/deploy-token-admin.js';
import { OidcTestIssuer } from '../../support/oidc-test-issuer.js';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';

const SERVICE = 'registry';
const GITHUB = 'https://token.actions.githubusercontent.com';
const AUDIENCE = 'https://regauth.example.com';
const OWNER_ID = '4242';
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** The claims of a push to main in octo-org/app, as GitHub Actions writes them. */
function githubClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: GITHUB,
    aud: AUDIENCE,
    sub: 'repo:octo-org/app:ref:refs/heads/main',
    jti: randomUUID(),
    iat: now,
    nbf: now,
    exp: now + 300,
    repository: 'octo-org/app',
    repository_id: '99',
    repository_owner: 'octo-org',
    repository_owner_id: OWNER_ID,
    ref: 'refs/heads/main',
    ref_type: 'branch',
    sha: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4',
    run_id: '1234567',
    event_name: 'push',
    workflow_ref: 'octo-org/app/.github/workflows/push.yml@refs/heads/main',
    job_workflow_ref: 'octo-org/app/.github/workflows/push.yml@refs/heads/main',
    runner_environment: 'github-hosted',
    ...overrides,
  };
}

describe('the exchange endpoint: a GitHub identity token for a registry credential', () => {
  let service: TestRegauth;
  let issuer: OidcTestIssuer;

  const app = () => service.regauth.app;
  const exchange = (token: string, extra: Record<string, unknown> = {}) =>
    request(app()).post('/federation/exchange').send({ token, ...extra });
  const tokenFor = (username: string, password: string, scope: string) =>
    request(app()).get('/token').query({ service: SERVICE, scope }).set('Authorization', basic(username, password));
  const auditEvents = async (event: string): Promise<AuditEventView[]> => {
    await service.regauth.flush();
    return (await service.regauth.admin.audit({ event, limit: 100 })).items;
  };

  beforeAll(async () => {
    issuer = await OidcTestIssuer.start({ protocol: 'http', issuer: GITHUB });
    service = await createTestRegauth();
    await service.regauth.federationAdmin.issuers.create({
      name: 'github',
      kind: 'github',
      issuerUrl: GITHUB,
      audience: AUDIENCE,
      jwks: issuer.jwks,
    });
    await service.regauth.federationAdmin.policies.create({
      name: 'app-main',
      issuer: 'github',
      github: { ownerId: OWNER_ID, repository: 'octo-org/app' },
      conditions: [{ claim: 'ref', operator: 'eq', values: ['refs/heads/main'] }],
      repositories: ['octo-org/app'],
      scopes: ['write_registry'],
    });
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    await issuer?.close();
  });

  test('a matching token gets a username and password that push to its repository and nothing else', async () => {
    const answer = await exchange(await issuer.mint(githubClaims()));
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.body).toEqual({
      username: expect.stringMatching(/^oidc-[0-9]+$/),
      password: expect.stringMatching(/^regauth_fed_/),
      expires_at: expect.any(String),
      expires_in: expect.any(Number),
      policy: 'app-main',
    });
    expect(answer.body.expires_in).toBeGreaterThan(890);
    expect(answer.body.expires_in).toBeLessThanOrEqual(900);

    const pushed = await tokenFor(answer.body.username, answer.body.password, 'repository:octo-org/app:pull,push');
    expect(pushed.status).toBe(200);
    expect(decodeJwt(pushed.body.token).access).toEqual([{ type: 'repository', name: 'octo-org/app', actions: ['pull', 'push'] }]);
    const elsewhere = await tokenFor(answer.body.username, answer.body.password, 'repository:octo-org/other:pull,push');
    expect(elsewhere.status).toBe(200);
    expect(decodeJwt(elsewhere.body.token).access).toEqual([]);
  });

  test('the RFC 8693 token-exchange form is accepted too', async () => {
    const answer = await request(app())
      .post('/federation/exchange')
      .type('form')
      .send({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: await issuer.mint(githubClaims()),
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      });
    expect(answer.status).toBe(200);
    expect(answer.body.policy).toBe('app-main');
  });

  test('the same token a second time is a replay (GitHub issuers are once-only)', async () => {
    const token = await issuer.mint(githubClaims());
    expect((await exchange(token)).status).toBe(200);
    const again = await exchange(token);
    expect(again.status).toBe(401);
    expect(again.body.errors[0].detail.reason).toBe('identity_token_replayed');
  });

  test('another owner ID is refused with no_matching_policy, and the audit event names the failed condition, not the token', async () => {
    const token = await issuer.mint(githubClaims({ repository_owner_id: '666' }));
    const answer = await exchange(token);
    expect(answer.status).toBe(403);
    expect(answer.body.errors[0].detail.reason).toBe('no_matching_policy');
    expect(JSON.stringify(answer.body)).not.toContain('repository_owner_id');
    const refused = (await auditEvents('federation.refused')).find((event) => JSON.stringify(event.details).includes('666'));
    expect(refused?.details).toMatchObject({
      reason: 'no_matching_policy',
      issuer: 'github',
      detail: { failures: [{ policy: 'app-main', failed: { claim: 'repository_owner_id', got: '666' } }] },
    });
    expect(JSON.stringify(refused)).not.toContain(token);
  });

  test('a privileged fork trigger is refused unless the policy allows it', async () => {
    const answer = await exchange(await issuer.mint(githubClaims({ event_name: 'pull_request_target' })));
    expect(answer.status).toBe(403);
    expect(answer.body.errors[0].detail.reason).toBe('no_matching_policy');
  });

  test('a lookalike issuer is untrusted, and no key is fetched for it', async () => {
    const before = issuer.requests;
    const answer = await exchange(await issuer.mint(githubClaims({ iss: `${GITHUB}.evil.com` })));
    expect(answer.status).toBe(401);
    expect(answer.body.errors[0].detail.reason).toBe('untrusted_issuer');
    expect(issuer.requests).toBe(before);
  });

  test('bad input is a 400 in the protocol format and mints nothing', async () => {
    const answer = await request(app()).post('/federation/exchange').send({ token: 42 });
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].detail.reason).toBe('invalid_request');
    expect((await request(app()).get('/federation/exchange')).status).toBe(405);
    const garbage = await exchange('not.a.jwt');
    expect(garbage.status).toBe(401);
    expect(garbage.body.errors[0].detail.reason).toBe('invalid_identity_token');
  });

  test('docker login with the identity token as the password of `oidc` gets a refresh token that pushes', async () => {
    const login = await request(app())
      .get('/token')
      .query({ service: SERVICE, offline_token: 'true', client_id: 'docker', account: 'oidc' })
      .set('Authorization', basic('oidc', await issuer.mint(githubClaims())));
    expect(login.status).toBe(200);
    expect(login.body.refresh_token).toMatch(/^regauth_fedrt_/);
    const pushed = await request(app())
      .post('/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: login.body.refresh_token, client_id: 'docker', service: SERVICE, scope: 'repository:octo-org/app:pull,push' });
    expect(pushed.status).toBe(200);
    expect(decodeJwt(pushed.body.access_token).access).toEqual([{ type: 'repository', name: 'octo-org/app', actions: ['pull', 'push'] }]);
  });

  test('revoking the minted credential stops it at once', async () => {
    const answer = await exchange(await issuer.mint(githubClaims()));
    expect((await tokenFor(answer.body.username, answer.body.password, 'repository:octo-org/app:pull')).status).toBe(200);
    await service.regauth.federation?.admin.revoke(answer.body.username);
    const after = await tokenFor(answer.body.username, answer.body.password, 'repository:octo-org/app:pull');
    expect(after.status).toBe(401);
    expect(after.body.errors[0].detail.reason).toBe('token_revoked');
  });

  test('exchanges are counted by outcome and issuer', async () => {
    const metrics = await request(app()).get('/metrics');
    expect(metrics.text).toMatch(/regauth_federation_exchanges_total\{outcome="minted",issuer="github"\} [1-9]/);
    expect(metrics.text).toMatch(/regauth_federation_exchanges_total\{outcome="no_matching_policy",issuer="github"\} [1-9]/);
    expect(metrics.text).toMatch(/regauth_federation_exchanges_total\{outcome="untrusted_issuer",issuer="none"\} [1-9]/);
  });
});
