import request from 'supertest';
import { openEmbeddedDatabase } from '../../../src/adapters/store/embedded-database.js';
import { migrate } from '../../../src/adapters/store/migrator.js';
import type { SqlDatabase } from '../../../src/adapters/store/sql-database.js';
import { breakableStoresOver, type BreakableStores } from '../../support/breakable-stores.js';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';

describe('token requests and admin changes when the audit table cannot be written', () => {
  let db: SqlDatabase;
  let breakable: BreakableStores;
  let credentials: string;

  beforeAll(async () => {
    db = await openEmbeddedDatabase(null);
    await migrate(db);
    breakable = breakableStoresOver(db);
  }, 60_000);

  afterAll(async () => {
    await db?.close();
  });

  afterEach(() => breakable.setBroken(false));

  async function serviceWith(env: NodeJS.ProcessEnv): Promise<TestRegauth> {
    const service = await createTestRegauth({ stores: breakable.stores }, env);
    const created = await service.regauth.admin.create({ name: 'ci', repositories: ['team/app'], scopes: ['read_registry'] });
    credentials = `Basic ${Buffer.from(`${created.token.username}:${created.secret}`).toString('base64')}`;
    return service;
  }

  const tokenRequest = (service: TestRegauth) =>
    request(service.regauth.app).get('/token').query({ service: 'registry', scope: 'repository:team/app:pull' }).set('Authorization', credentials);

  test('durable (the default): 503 unavailable, and no token is sent', async () => {
    const service = await serviceWith({});
    try {
      breakable.switches.auditLog.broken = true;
      const response = await tokenRequest(service).expect(503);
      expect(response.body.errors[0].detail.reason).toBe('unavailable');
      expect(response.body).not.toHaveProperty('token');
      expect(response.text).not.toMatch(/eyJ/);

      breakable.switches.auditLog.broken = false;
      await tokenRequest(service).expect(200);
    } finally {
      await service.close();
    }
  }, 60_000);

  test('durable: an admin change whose row cannot be written fails with unavailable', async () => {
    const service = await serviceWith({});
    try {
      breakable.switches.auditLog.broken = true;
      await expect(service.regauth.admin.revoke('deploy-token-1')).rejects.toMatchObject({ code: 'unavailable' });
    } finally {
      await service.close();
    }
  }, 60_000);

  test('batched: the token is sent, and its row is written once the table is back', async () => {
    const service = await serviceWith({ REGAUTH_AUDIT_DURABILITY: 'batched' });
    try {
      breakable.switches.auditLog.broken = true;
      const response = await tokenRequest(service).expect(200);
      const jti = JSON.parse(Buffer.from((response.body.token as string).split('.')[1] as string, 'base64url').toString()).jti as string;
      await service.regauth.flush();
      breakable.switches.auditLog.broken = false;
      await service.regauth.flush();
      const rows = (await service.regauth.admin.audit({ event: 'token.issued' })).items;
      expect(rows.map((row) => row.details.jti)).toContain(jti);
    } finally {
      await service.close();
    }
  }, 60_000);
});
