import request from 'supertest';
import type { DeployTokenStore, RegistryTokenSigner } from '../../../src/app/ports.js';
import { SqlAdminKeyStore } from '../../../src/adapters/store/sql-admin-key-store.js';
import { SqlAuditLog } from '../../../src/adapters/store/sql-audit-log.js';
import { SqlDeployTokenStore } from '../../../src/adapters/store/sql-deploy-token-store.js';
import { SqlRefreshTokenStore } from '../../../src/adapters/store/sql-refresh-token-store.js';
import { SqlTrustedIssuerStore } from '../../../src/adapters/store/sql-trusted-issuer-store.js';
import { SqlTrustPolicyStore } from '../../../src/adapters/store/sql-trust-policy-store.js';
import type { Stores } from '../../../src/composition-root.js';
import { openEmbeddedDatabase } from '../../../src/adapters/store/embedded-database.js';
import { migrate } from '../../../src/adapters/store/migrator.js';
import type { SqlDatabase } from '../../../src/adapters/store/sql-database.js';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';

const SERVICE = 'registry';

function storesOver(db: SqlDatabase, store: DeployTokenStore): Stores {
  return {
    store,
    refreshTokens: new SqlRefreshTokenStore(db),
    adminKeys: new SqlAdminKeyStore(db),
    auditLog: new SqlAuditLog(db),
    trustedIssuers: new SqlTrustedIssuerStore(db),
    trustPolicies: new SqlTrustPolicyStore(db),
  };
}

/** A real store whose every call can be made to fail, as when PostgreSQL goes away. */
class BreakableStore implements DeployTokenStore {
  broken = false;

  constructor(private readonly inner: DeployTokenStore) {}

  private guard<T>(call: () => Promise<T>): Promise<T> {
    return this.broken ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) : call();
  }

  create: DeployTokenStore['create'] = (token) => this.guard(() => this.inner.create(token));
  findById: DeployTokenStore['findById'] = (id) => this.guard(() => this.inner.findById(id));
  findByUsername: DeployTokenStore['findByUsername'] = (username) => this.guard(() => this.inner.findByUsername(username));
  search: DeployTokenStore['search'] = (query) => this.guard(() => this.inner.search(query));
  listPatterns: DeployTokenStore['listPatterns'] = (filter, sort) => this.guard(() => this.inner.listPatterns(filter, sort));
  update: DeployTokenStore['update'] = (id, changes, at) => this.guard(() => this.inner.update(id, changes, at));
  rotateSecret: DeployTokenStore['rotateSecret'] = (id, hash, at, by) => this.guard(() => this.inner.rotateSecret(id, hash, at, by));
  revoke: DeployTokenStore['revoke'] = (id, at) => this.guard(() => this.inner.revoke(id, at));
  recordUses: DeployTokenStore['recordUses'] = (uses) => this.guard(() => this.inner.recordUses(uses));
  ping: DeployTokenStore['ping'] = () => this.guard(() => this.inner.ping());
}

const UNAVAILABLE = (what: string) => ({
  error: 'temporarily_unavailable',
  error_description: `${what} is unavailable`,
  errors: [{ code: 'UNAVAILABLE', message: `${what} is unavailable`, detail: { reason: 'unavailable' } }],
});

describe('fail closed', () => {
  let db: SqlDatabase;
  let store: BreakableStore;
  let service: TestRegauth;
  let credentials: string;

  beforeAll(async () => {
    db = await openEmbeddedDatabase(null);
    await migrate(db);
    store = new BreakableStore(new SqlDeployTokenStore(db));
    service = await createTestRegauth({ stores: storesOver(db, store) });
    const created = await service.regauth.admin.create({ name: 'ci', repositories: ['team/app'], scopes: ['write_registry'] });
    credentials = `Basic ${Buffer.from(`${created.token.username}:${created.secret}`).toString('base64')}`;
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    await db?.close();
  });

  afterEach(() => {
    store.broken = false;
  });

  test('when the store fails, a token request is a 503 with Retry-After and no token', async () => {
    store.broken = true;
    const response = await request(service.regauth.app)
      .get('/token')
      .query({ service: SERVICE, scope: 'repository:team/app:pull' })
      .set('Authorization', credentials)
      .expect(503);
    expect(response.body).toEqual(UNAVAILABLE('store'));
    expect(response.headers['retry-after']).toBe('5');
    expect(response.headers['cache-control']).toBe('no-store');
    const logged = service.logger.records.find((record) => record.message === 'dependency unavailable: nothing granted');
    expect(logged?.fields).toMatchObject({ cause: 'Error: connect ECONNREFUSED 127.0.0.1:5432' });
  });

  test('the POST grant fails closed the same way', async () => {
    store.broken = true;
    const [username, secret] = Buffer.from(credentials.slice(6), 'base64').toString().split(':');
    const response = await request(service.regauth.app)
      .post('/token')
      .type('form')
      .send({ grant_type: 'password', username, password: secret, service: SERVICE })
      .expect(503);
    expect(response.body).toEqual(UNAVAILABLE('store'));
  });

  test('readiness reports the store down, and recovers without a restart', async () => {
    store.broken = true;
    expect((await request(service.regauth.app).get('/readyz').expect(503)).body).toEqual({
      status: 'unavailable',
      checks: { store: 'unavailable', signingKey: 'ok' },
    });
    expect((await request(service.regauth.app).get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
    store.broken = false;
    await request(service.regauth.app).get('/readyz').expect(200);
    await request(service.regauth.app).get('/token').query({ service: SERVICE }).set('Authorization', credentials).expect(200);
  });

  test('when the signing key cannot sign, a token request is a 503 and nothing is issued', async () => {
    const failingSigner: RegistryTokenSigner = {
      keyId: 'ABCD',
      sign: () => Promise.reject(new Error('key is gone')),
    };
    const keyless = await createTestRegauth({ stores: storesOver(db, store), signer: failingSigner });
    try {
      const response = await request(keyless.regauth.app)
        .get('/token')
        .query({ service: SERVICE })
        .set('Authorization', credentials)
        .expect(503);
      expect(response.body).toEqual(UNAVAILABLE('signing key'));
      // Anonymous requests need no store but still need a signature: also refused.
      await request(keyless.regauth.app).get('/token').query({ service: SERVICE }).expect(503);
    } finally {
      await keyless.close();
    }
  });
});
