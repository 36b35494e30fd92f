import request from 'supertest';
import type { z } from 'zod';
import { FEDERATED_CREDENTIAL_ROUTES } from '../../../src/adapters/http/admin-api/federated-credential-routes.js';
import { openEmbeddedDatabase } from '../../../src/adapters/store/embedded-database.js';
import { migrate } from '../../../src/adapters/store/migrator.js';
import type { SqlDatabase } from '../../../src/adapters/store/sql-database.js';
import { SqlFederatedCredentialStore } from '../../../src/adapters/store/sql-federated-credential-store.js';
import { SqlServiceSecretStore } from '../../../src/adapters/store/sql-service-secret-store.js';
import type { FederatedCredentialPage } from '../../../src/app/federation/federated-credential-admin.js';
import type { FederatedCredentialView } from '../../../src/app/federation/federated-credential-view.js';
import type { Federation } from '../../../src/composition-root.js';
import { breakable, breakableStoresOver, StoreSwitch } from '../../support/breakable-stores.js';
import { FIXTURE_T0, trustPolicy, verifiedToken } from '../../support/federation-fixtures.js';
import { createTestRegauth, ManualClock, type TestRegauth } from '../../support/regauth-app.js';
import { API, basic, bearer, expectAdminError } from './admin-api-support.js';

const routeOf = (operationId: string) => {
  const route = FEDERATED_CREDENTIAL_ROUTES.find((candidate) => candidate.operationId === operationId);
  if (route === undefined) throw new Error(`no route ${operationId}`);
  return route;
};
const parsed = <T>(operationId: string, response: request.Response): T => {
  const route = routeOf(operationId);
  expect([operationId, response.status]).toEqual([operationId, route.status]);
  return (route.response as z.ZodType<T>).parse(response.body);
};

describe('admin API: minted credentials', () => {
  const clock = new ManualClock(FIXTURE_T0);
  const federatedSwitch = new StoreSwitch();
  let db: SqlDatabase;
  let service: TestRegauth;
  let federation: Federation;
  let key: string;

  const app = () => service.regauth.app;
  const call = (method: 'get' | 'post', path: string) => request(app())[method](`${API}${path}`).set('Authorization', bearer(key));
  const mint = (jwtId: string, lifetimeSeconds = 900) =>
    federation.credentials.mint({
      verified: verifiedToken({ jwtId }),
      policy: trustPolicy({ credentialLifetimeSeconds: lifetimeSeconds }),
      claims: { repository: 'octo-org/app', run_id: jwtId },
    });

  beforeAll(async () => {
    db = await openEmbeddedDatabase(null);
    await migrate(db);
    const stores = {
      ...breakableStoresOver(db).stores,
      federatedCredentials: breakable(new SqlFederatedCredentialStore(db), federatedSwitch),
      serviceSecrets: new SqlServiceSecretStore(db),
    };
    service = await createTestRegauth({ clock, stores });
    federation = service.regauth.federation as Federation;
    key = (await service.regauth.adminKeys.create('test')).key;
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    await db?.close();
  });

  afterEach(() => {
    federatedSwitch.broken = false;
    clock.set(FIXTURE_T0);
  });

  test.each(FEDERATED_CREDENTIAL_ROUTES.map((route) => [`${route.method.toUpperCase()} ${route.path}`, route] as const))(
    '%s needs an admin key',
    async (_name, route) => {
      for (const authorization of [undefined, basic('test', key), bearer(`regauth_admin_${'A'.repeat(43)}`)]) {
        let pending = request(app())[route.method](`${API}${route.path.replace(':credential', '1')}`);
        if (authorization !== undefined) pending = pending.set('Authorization', authorization);
        expectAdminError(await pending, 401, 'invalid_admin_key');
      }
    },
  );

  test('lists credentials with their status, claims and no password or digest; filters by status and pages', async () => {
    const active = await mint('list-active');
    const expiring = await mint('list-expiring', 60);
    clock.advance(120_000);
    const all = parsed<FederatedCredentialPage>('listFederatedCredentials', await call('get', '/federated-credentials'));
    const mine = all.items.filter((item) => [active.credential.id, expiring.credential.id].includes(item.id));
    expect(mine).toEqual([
      {
        id: active.credential.id,
        username: active.username,
        issuerId: 7,
        policyId: 3,
        subject: 'repo:octo-org/app:ref:refs/heads/main',
        repositories: ['octo-org/app'],
        scopes: ['write_registry'],
        claims: { repository: 'octo-org/app', run_id: 'list-active' },
        status: 'active',
        createdAt: FIXTURE_T0.toISOString(),
        expiresAt: active.expiresAt.toISOString(),
        revokedAt: null,
        lastUsedAt: null,
      },
      expect.objectContaining({ id: expiring.credential.id, status: 'expired' }),
    ]);
    expect(JSON.stringify(all)).not.toContain(active.password);
    const expired = parsed<FederatedCredentialPage>('listFederatedCredentials', await call('get', '/federated-credentials?status=expired'));
    expect(expired.items.map((item) => item.id)).toContain(expiring.credential.id);
    expect(expired.items.map((item) => item.id)).not.toContain(active.credential.id);
    const firstPage = parsed<FederatedCredentialPage>('listFederatedCredentials', await call('get', '/federated-credentials?limit=1'));
    expect(firstPage.items).toHaveLength(1);
    expect(firstPage.next).toBe(firstPage.items[0]?.id);
  });

  test('bad queries are 400 invalid_input and change nothing', async () => {
    expectAdminError(await call('get', '/federated-credentials?status=bogus'), 400, 'invalid_input');
    expectAdminError(await call('get', '/federated-credentials?limit=0'), 400, 'invalid_input');
    expectAdminError(await call('get', '/federated-credentials?unknown=1'), 400, 'invalid_input');
  });

  test('gets and revokes by id or username; a second revoke keeps the first time; unknown is 404 not_found', async () => {
    const minted = await mint('revoke');
    const byName = parsed<FederatedCredentialView>('getFederatedCredential', await call('get', `/federated-credentials/${minted.username}`));
    expect(byName.id).toBe(minted.credential.id);
    const revoked = parsed<FederatedCredentialView>(
      'revokeFederatedCredential',
      await call('post', `/federated-credentials/${minted.credential.id}/revoke`),
    );
    expect([revoked.status, revoked.revokedAt]).toEqual(['revoked', FIXTURE_T0.toISOString()]);
    clock.advance(60_000);
    const again = parsed<FederatedCredentialView>('revokeFederatedCredential', await call('post', `/federated-credentials/${minted.username}/revoke`));
    expect(again.revokedAt).toBe(FIXTURE_T0.toISOString());

    const audit = await service.regauth.admin.audit({ event: 'federated_credential.revoked' });
    expect(audit.items[0]).toMatchObject({ actor: 'admin-key:test', username: minted.username, details: { federatedCredentialId: minted.credential.id } });

    expectAdminError(await call('get', '/federated-credentials/oidc-999999'), 404, 'not_found', 'no minted credential with id or username "oidc-999999"');
    expectAdminError(await call('post', '/federated-credentials/999999/revoke'), 404, 'not_found');
  });

  test('a revoked credential is refused at the token endpoint at the next request', async () => {
    const minted = await mint('stops');
    const login = () => request(app()).get('/token').query({ service: 'registry' }).set('Authorization', basic(minted.username, minted.password));
    await login().expect(200);
    await call('post', `/federated-credentials/${minted.username}/revoke`).expect(200);
    expect((await login().expect(401)).body.errors[0].detail.reason).toBe('token_revoked');
  });

  test('503 unavailable when the minted-credential store fails, at the admin API and the token endpoint', async () => {
    const minted = await mint('outage');
    federatedSwitch.broken = true;
    for (const path of ['/federated-credentials', `/federated-credentials/${minted.username}`]) {
      expectAdminError(await call('get', path), 503, 'unavailable', 'store is unavailable');
    }
    expectAdminError(await call('post', `/federated-credentials/${minted.username}/revoke`), 503, 'unavailable');
    const response = await request(app()).get('/token').query({ service: 'registry' }).set('Authorization', basic(minted.username, minted.password));
    expect(response.status).toBe(503);
    expect(response.body).not.toHaveProperty('token');
    federatedSwitch.broken = false;
    expect((await federation.admin.get(minted.username)).status).toBe('active');
  });
});
