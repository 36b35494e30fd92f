import request from 'supertest';
import { ADMIN_ROUTES, type AdminRoute } from '../../../src/adapters/http/admin-api/admin-api-routes.js';
import { openEmbeddedDatabase } from '../../../src/adapters/store/embedded-database.js';
import { migrate } from '../../../src/adapters/store/migrator.js';
import type { SqlDatabase } from '../../../src/adapters/store/sql-database.js';
import { breakableStoresOver, type BreakableStores } from '../../support/breakable-stores.js';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';
import { bearer, bodyOf, expectAdminError, urlOf } from './admin-api-support.js';

const BODIES: Partial<Record<string, object>> = {
  createDeployToken: { name: 'x', repositories: ['team/app'], scopes: ['read_registry'] },
  updateDeployToken: { name: 'y' },
  extendDeployToken: { expires: '30d' },
  testPatterns: { patterns: ['team/**'], repositories: ['team/app'] },
};
const NAMED = ADMIN_ROUTES.map((route) => [`${route.method.toUpperCase()} ${route.path}`, route] as const);
/** Testing patterns reads no store: it answers whatever state the deploy tokens' database is in. */
const READING_TOKENS = NAMED.filter(([, route]) => route.operationId !== 'testPatterns');

describe('admin API when the database fails', () => {
  let db: SqlDatabase;
  let breakable: BreakableStores;
  let service: TestRegauth;
  let key: string;

  const call = (route: AdminRoute) => {
    const pending = request(service.regauth.app)[route.method](urlOf(route, 'deploy-token-1')).set('Authorization', bearer(key));
    const body = BODIES[route.operationId];
    return body === undefined ? pending : pending.send(body);
  };

  beforeAll(async () => {
    db = await openEmbeddedDatabase(null);
    await migrate(db);
    breakable = breakableStoresOver(db);
    service = await createTestRegauth({ stores: breakable.stores });
    key = (await service.regauth.adminKeys.create('test')).key;
    await service.regauth.admin.create({ name: 'ci', repositories: ['team/app'], scopes: ['read_registry'] });
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    await db?.close();
  });

  afterEach(() => breakable.setBroken(false));

  test.each(NAMED)('%s: 503 unavailable with Retry-After when the admin keys cannot be read', async (_name, route) => {
    breakable.switches.adminKeys.broken = true;
    const response = await call(route);
    expectAdminError(response, 503, 'unavailable', 'store is unavailable');
    expect(response.headers['retry-after']).toBe('5');
    expect(response.headers['www-authenticate']).toBeUndefined();
  });

  test('a broken store refuses rather than lets a caller in: not even a 401 reveals whether the key exists', async () => {
    breakable.setBroken(true);
    expectAdminError(await request(service.regauth.app).get('/api/v1/deploy-tokens').set('Authorization', bearer(`regauth_admin_${'A'.repeat(43)}`)), 503, 'unavailable');
  });

  test.each(READING_TOKENS)('%s: 503 unavailable with Retry-After when the deploy tokens or audit log cannot be read', async (_name, route) => {
    breakable.switches.store.broken = true;
    breakable.switches.auditLog.broken = true;
    breakable.switches.refreshTokens.broken = true;
    const response = await call(route);
    expectAdminError(response, 503, 'unavailable', 'store is unavailable');
    expect(response.headers['retry-after']).toBe('5');
  });

  test.each(READING_TOKENS)('%s: never a success while the deploy-token store is down', async (_name, route) => {
    breakable.switches.store.broken = true;
    breakable.switches.auditLog.broken = true;
    const response = await call(route);
    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(Object.keys(response.body)).toEqual(['error']);
    expect(JSON.stringify(response.body)).not.toContain('ECONNREFUSED');
  });

  test('testing patterns answers while the deploy-token store is down: it stores and reads nothing', async () => {
    breakable.switches.store.broken = true;
    const route = ADMIN_ROUTES.find((candidate) => candidate.operationId === 'testPatterns') as AdminRoute;
    expect(bodyOf<{ summary: string }>('testPatterns', await call(route)).summary).toBe('covers team/app');
  });

  test('answers again once the database is back, without a restart', async () => {
    breakable.setBroken(true);
    await call(ADMIN_ROUTES[0] as AdminRoute).expect(503);
    breakable.setBroken(false);
    const page = bodyOf<{ items: { username: string }[] }>('listDeployTokens', await call(ADMIN_ROUTES[0] as AdminRoute));
    expect(page.items.map((token) => token.username)).toEqual(['deploy-token-1']);
  });
});
