import request from 'supertest';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';
import { createPostgresBehindProxy, postgresAvailable, type PostgresBehindProxy, type PostgresTestSchema } from '../../support/postgres.js';
import { TcpProxy } from '../../support/tcp-proxy.js';

const available = await postgresAvailable();
const describePostgres = available ? describe : describe.skip;

describePostgres('PostgreSQL outage', () => {
  let schema: PostgresTestSchema;
  let proxy: TcpProxy;
  let database: PostgresBehindProxy;
  let service: TestRegauth;
  let credentials: string;

  beforeAll(async () => {
    database = await createPostgresBehindProxy();
    ({ schema, proxy } = database);
    service = await createTestRegauth({}, { DATABASE_URL: database.url, REGAUTH_DB_CONNECT_TIMEOUT_MS: '1000' });
    const created = await service.regauth.admin.create({ name: 'ci', repositories: ['team/app'], scopes: ['read_registry'] });
    credentials = `Basic ${Buffer.from(`${created.token.username}:${created.secret}`).toString('base64')}`;
  }, 60_000);

  afterAll(async () => {
    await proxy?.start().catch(() => undefined);
    await service?.close();
    await database?.close();
  });

  const tokenRequest = () =>
    request(service.regauth.app)
      .get('/token')
      .query({ service: 'registry', scope: 'repository:team/app:pull' })
      .set('Authorization', credentials);

  test('grants while PostgreSQL answers, answers 503 while it is gone, and recovers without a restart', async () => {
    await tokenRequest().expect(200);

    await proxy.cut();
    const during = await tokenRequest().expect(503);
    expect(during.body.errors[0].detail.reason).toBe('unavailable');
    expect(during.body).not.toHaveProperty('token');
    await request(service.regauth.app).get('/readyz').expect(503);

    await proxy.start();
    await tokenRequest().expect(200);
    await request(service.regauth.app).get('/readyz').expect(200);
  }, 30_000);
});
