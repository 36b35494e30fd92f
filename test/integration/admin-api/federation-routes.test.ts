import request from 'supertest';
import { FEDERATION_ADMIN_ROUTES } from '../../../src/adapters/http/admin-api/federation-admin-routes.js';
import { trustedIssuerSchema, trustPolicySchema } from '../../../src/adapters/http/admin-api/federation-admin-schemas.js';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';
import { API, bearer, expectAdminError } from './admin-api-support.js';

const GITHUB = { name: 'github', kind: 'github', issuerUrl: 'https://token.actions.githubusercontent.com/' };
const POLICY = {
  name: 'deploy-app',
  issuer: 'github',
  github: { ownerId: '1234', repository: 'acme/app', workflow: 'deploy.yml' },
  repositories: ['acme/app'],
  scopes: ['write_registry'],
  credentialLifetime: '10m',
};

describe('admin API: trusted issuers and trust policies', () => {
  let service: TestRegauth;
  let key: string;
  const api = () => request(service.regauth.app);

  beforeAll(async () => {
    service = await createTestRegauth({}, { REGAUTH_PUBLIC_URL: 'https://auth.example.com' });
    key = (await service.regauth.adminKeys.create('ops')).key;
  }, 60_000);

  afterAll(async () => {
    await service?.close();
  });

  test.each(FEDERATION_ADMIN_ROUTES.map((route) => [`${route.method.toUpperCase()} ${route.path}`, route] as const))(
    '%s needs an admin key',
    async (_name, route) => {
      const response = await api()[route.method](`${API}${route.path.replace(':issuer', 'github').replace(':policy', 'p')}`);
      expectAdminError(response, 401, 'invalid_admin_key');
    },
  );

  test('create an issuer: normalised URL, defaults, audited with the admin key as actor', async () => {
    const response = await api().post(`${API}/trusted-issuers`).set('Authorization', bearer(key)).send(GITHUB).expect(201);
    expect(trustedIssuerSchema.parse(response.body)).toMatchObject({
      name: 'github',
      issuerUrl: 'https://token.actions.githubusercontent.com',
      audience: 'https://auth.example.com',
      algorithms: ['RS256'],
      replayMode: 'once',
      multiTenant: true,
    });
    const audit = await service.regauth.admin.audit({ event: 'issuer.created' });
    expect(audit.items).toMatchObject([{ actor: 'admin-key:ops', details: { issuer: 'github' } }]);
  });

  test('the same name or URL again is 409 name_taken; bad input is 400 and saves nothing', async () => {
    expectAdminError(await api().post(`${API}/trusted-issuers`).set('Authorization', bearer(key)).send({ ...GITHUB, name: 'other' }), 409, 'name_taken');
    expectAdminError(
      await api().post(`${API}/trusted-issuers`).set('Authorization', bearer(key)).send({ ...GITHUB, name: 'x', issuerUrl: 'http://evil.example.com' }),
      400,
      'invalid_input',
      /use https/,
    );
    expectAdminError(await api().post(`${API}/trusted-issuers`).set('Authorization', bearer(key)).send({ ...GITHUB, extra: 1 }), 400, 'invalid_input', /body: /);
    const list = await api().get(`${API}/trusted-issuers`).set('Authorization', bearer(key)).expect(200);
    expect(list.body.items.map((issuer: { name: string }) => issuer.name)).toEqual(['github']);
  });

  test('a policy from the GitHub preset; one without an owner ID is refused with the reason', async () => {
    const created = await api().post(`${API}/trust-policies`).set('Authorization', bearer(key)).send(POLICY).expect(201);
    expect(trustPolicySchema.parse(created.body)).toMatchObject({ name: 'deploy-app', issuerId: 1, credentialLifetimeSeconds: 600, enabled: true });
    const refused = await api()
      .post(`${API}/trust-policies`)
      .set('Authorization', bearer(key))
      .send({ ...POLICY, name: 'no-owner', github: { repository: 'acme/app' } });
    expectAdminError(refused, 400, 'invalid_input', /owner ID.*re-registered/);
    expectAdminError(await api().get(`${API}/trust-policies/no-owner`).set('Authorization', bearer(key)), 404, 'not_found');
  });

  test('PATCH disables an issuer and a policy; unknown ones are 404', async () => {
    const issuer = await api().patch(`${API}/trusted-issuers/github`).set('Authorization', bearer(key)).send({ enabled: false }).expect(200);
    expect(issuer.body).toMatchObject({ enabled: false });
    const policy = await api().patch(`${API}/trust-policies/deploy-app`).set('Authorization', bearer(key)).send({ enabled: false }).expect(200);
    expect(policy.body).toMatchObject({ enabled: false });
    expect((await api().get(`${API}/trust-policies/1`).set('Authorization', bearer(key)).expect(200)).body).toMatchObject({ name: 'deploy-app', enabled: false });
    expectAdminError(await api().patch(`${API}/trusted-issuers/nope`).set('Authorization', bearer(key)).send({ enabled: true }), 404, 'not_found');
    expectAdminError(await api().patch(`${API}/trust-policies/nope`).set('Authorization', bearer(key)).send({ enabled: true }), 404, 'not_found');
    const events = await service.regauth.admin.audit({ event: 'policy.updated' });
    expect(events.items).toMatchObject([{ actor: 'admin-key:ops', details: { policy: 'deploy-app', enabled: false } }]);
  });
});
