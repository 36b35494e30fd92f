import request from 'supertest';
import { AdminKeys } from '../../../src/app/admin-keys.js';
import { AuditTrail } from '../../../src/app/audit-trail.js';
import { StoreDeployTokenAdmin } from '../../../src/app/deploy-token-admin.js';
import { StoreTrustedIssuerAdmin } from '../../../src/app/federation/trusted-issuer-admin.js';
import { StoreTrustPolicyAdmin } from '../../../src/app/federation/trust-policy-admin.js';
import { randomOpaqueTokens } from '../../../src/adapters/crypto/opaque-tokens.js';
import { createControlApp } from '../../../src/adapters/control/control-app.js';
import type { ServerSettings } from '../../../src/adapters/control/server-settings.js';
import { SqlAdminKeyStore } from '../../../src/adapters/store/sql-admin-key-store.js';
import { openEmbeddedDatabase } from '../../../src/adapters/store/embedded-database.js';
import { migrate } from '../../../src/adapters/store/migrator.js';
import type { SqlDatabase } from '../../../src/adapters/store/sql-database.js';
import { InMemoryAuditLog, InMemoryDeployTokenStore, InMemoryRefreshTokenStore, TransparentHasher } from '../../support/fake-ports.js';
import { InMemoryTrustedIssuerStore, InMemoryTrustPolicyStore } from '../../support/in-memory-federation-stores.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { ManualClock } from '../../support/regauth-app.js';

const SETTINGS: ServerSettings = {
  pid: 4242,
  listen: { host: '127.0.0.1', port: 5002 },
  realm: 'http://127.0.0.1:5002/token',
  service: 'registry',
  issuer: 'regauth',
  keysDir: '/srv/regauth/keys',
  registryBundlePath: '/srv/regauth/keys/registry-rootcertbundle.pem',
  registryJwksPath: '/srv/regauth/keys/registry-jwks.json',
};

describe('control API (the CLI’s channel to a server holding the embedded store)', () => {
  const clock = new ManualClock(new Date('2026-11-23T10:00:00.000Z'));
  const logger = new RecordingLogger();
  const auditLog = new InMemoryAuditLog();
  const audit = new AuditTrail(auditLog, logger);
  let db: SqlDatabase;
  let app: ReturnType<typeof createControlApp>;

  beforeAll(async () => {
    db = await openEmbeddedDatabase(null);
    await migrate(db);
    const store = new InMemoryDeployTokenStore();
    const admin = new StoreDeployTokenAdmin({
      store,
      refreshTokens: new InMemoryRefreshTokenStore(store),
      refreshTokenIdleSeconds: 90 * 86_400,
      hasher: new TransparentHasher(),
      secrets: { generate: () => 'regauth_secret' },
      clock,
      audit,
      auditLog,
      maxTokenLifetimeSeconds: 3600,
    });
    const adminKeys = new AdminKeys({ store: new SqlAdminKeyStore(db), tokens: randomOpaqueTokens, clock, audit });
    const issuerStore = new InMemoryTrustedIssuerStore();
    const policyStore = new InMemoryTrustPolicyStore();
    const federation = {
      issuers: new StoreTrustedIssuerAdmin({ store: issuerStore, policies: policyStore, clock, audit, realm: SETTINGS.realm }),
      policies: new StoreTrustPolicyAdmin({ store: policyStore, issuers: issuerStore, clock, audit }),
    };
    app = createControlApp(admin, adminKeys, logger, SETTINGS, federation);
  }, 60_000);

  afterAll(async () => {
    await db?.close();
  });

  test('serves the admin API without an admin key, acting as the local operator', async () => {
    const created = await request(app)
      .post('/api/v1/deploy-tokens')
      .send({ name: 'ci', repositories: ['team/app'], scopes: ['read_registry'] })
      .expect(201);
    expect(created.body).toMatchObject({ secret: 'regauth_secret', token: { id: 1, username: 'deploy-token-1' } });
    expect((await request(app).get('/api/v1/deploy-tokens').expect(200)).body.items).toHaveLength(1);
    const revoked = await request(app).post('/api/v1/deploy-tokens/deploy-token-1/revoke').expect(200);
    expect(revoked.body).toMatchObject({ status: 'revoked' });
    await audit.flush();
    expect(auditLog.events.map((event) => [event.event, event.actor])).toEqual([
      ['token.created', 'cli'],
      ['token.revoked', 'cli'],
    ]);
  });

  test('tells how the server was started: the settings a registry is given, and nothing else', async () => {
    const response = await request(app).get('/control/settings').expect(200);

    expect(response.body).toEqual(SETTINGS);
  });

  test('manages admin keys, which the public admin API does not', async () => {
    const created = await request(app).post('/control/admin-keys').send({ name: 'terraform' }).expect(201);
    expect(created.body.key).toMatch(/^regauth_admin_[A-Za-z0-9_-]{43}$/);
    expect((await request(app).get('/control/admin-keys').expect(200)).body).toMatchObject([{ name: 'terraform', status: 'active' }]);
    await request(app).post(`/control/admin-keys/${created.body.adminKey.id}/revoke`).expect(200);
    await request(app).post('/control/admin-keys/999/revoke').expect(404);
    await request(app).post('/control/admin-keys').send({ name: '' }).expect(400);
  });

  test('errors carry a stable code', async () => {
    const missing = await request(app).post('/api/v1/deploy-tokens/ghost/revoke').expect(404);
    expect(missing.body).toEqual({ error: { code: 'not_found', message: 'no deploy token with id or username "ghost"' } });
    const invalid = await request(app).post('/api/v1/deploy-tokens').send({ name: 'x' }).expect(400);
    expect(invalid.body.error.code).toBe('invalid_input');
  });

  test("a body that does not match says which field and why in one plain line, without zod's glyphs", async () => {
    const invalid = await request(app).post('/control/admin-keys').send({ name: 7, colour: 'red' }).expect(400);

    expect(invalid.body).toEqual({
      error: { code: 'invalid_input', message: 'body: name: Invalid input: expected string, received number; Unrecognized key: "colour"' },
    });
  });

  test('serves the trusted-issuer and trust-policy routes too, acting as the local operator', async () => {
    const created = await request(app)
      .post('/api/v1/trusted-issuers')
      .send({ name: 'github', kind: 'github', issuerUrl: 'https://token.actions.githubusercontent.com' })
      .expect(201);
    expect(created.body).toMatchObject({ id: 1, name: 'github', audience: 'http://127.0.0.1:5002' });
    await request(app)
      .post('/api/v1/trust-policies')
      .send({ name: 'deploy', issuer: 'github', github: { ownerId: '1234' }, repositories: ['acme/app'], scopes: ['read_registry'] })
      .expect(201);
    const policies = await request(app).get('/api/v1/trust-policies?issuer=github').expect(200);
    expect(policies.body.items.map((policy: { name: string }) => policy.name)).toEqual(['deploy']);
    expect(auditLog.events.filter((event) => event.event.startsWith('issuer.') || event.event.startsWith('policy.')).map((event) => [event.event, event.actor])).toEqual([
      ['issuer.created', 'cli'],
      ['policy.created', 'cli'],
    ]);
  });
});
