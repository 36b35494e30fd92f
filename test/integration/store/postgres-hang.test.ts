import request from 'supertest';
import { openPostgresDatabase } from '../../../src/adapters/store/postgres-database.js';
import { migrate } from '../../../src/adapters/store/migrator.js';
import { createPostgresBehindProxy, postgresAvailable, type PostgresBehindProxy } from '../../support/postgres.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { createTestRegauth } from '../../support/regauth-app.js';

const available = await postgresAvailable();

(available ? describe : describe.skip)('a PostgreSQL that hangs rather than refuses', () => {
  let database: PostgresBehindProxy;

  beforeAll(async () => {
    database = await createPostgresBehindProxy();
  });

  afterEach(() => database.proxy.thaw());

  afterAll(() => database?.close());

  test('a query with no answer fails after the query timeout, and a later one succeeds once it answers again', async () => {
    const db = openPostgresDatabase({ connectionString: database.url, poolSize: 2, connectTimeoutMs: 2000, queryTimeoutMs: 300 }, new RecordingLogger());
    try {
      await expect(db.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
      database.proxy.freeze();
      await expect(db.query('SELECT 1 AS one')).rejects.toThrow(/timeout/i);
      database.proxy.thaw();
      await expect(db.query('SELECT 2 AS two')).resolves.toEqual([{ two: 2 }]);
    } finally {
      await db.close();
    }
  });

  test('the token endpoint answers 503 and grants nothing while PostgreSQL hangs, then serves again', async () => {
    const direct = openPostgresDatabase({ connectionString: database.schema.url, poolSize: 1, connectTimeoutMs: 2000, queryTimeoutMs: 5000 }, new RecordingLogger());
    await migrate(direct);
    await direct.close();
    const service = await createTestRegauth({}, { DATABASE_URL: database.url, REGAUTH_DB_QUERY_TIMEOUT_MS: '300', REGAUTH_CREDENTIAL_CACHE_TTL: '0' });
    try {
      const created = await service.regauth.admin.create({ name: 'ci', repositories: ['team/app'], scopes: ['read_registry'] });
      const authorization = `Basic ${Buffer.from(`${created.token.username}:${created.secret}`).toString('base64')}`;
      const pull = () => request(service.regauth.app).get('/token').query({ service: 'registry', scope: 'repository:team/app:pull' }).set('Authorization', authorization);
      expect((await pull()).status).toBe(200);

      database.proxy.freeze();
      const hung = await pull();
      expect(hung.status).toBe(503);
      expect(hung.headers['retry-after']).toBeDefined();
      expect(hung.body.token).toBeUndefined();
      expect(hung.body.errors[0].detail.reason).toBe('unavailable');

      database.proxy.thaw();
      expect((await pull()).status).toBe(200);
    } finally {
      database.proxy.thaw();
      await service.close();
    }
  }, 60_000);
});
