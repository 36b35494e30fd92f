import request from 'supertest';
import type { AuditEventView, AuditPage } from '../../../src/app/deploy-token-admin.js';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../../support/postgres.js';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';
import { API, basic, bearer, bodyOf } from './admin-api-support.js';

const SERVICE = 'registry';
const MARKER = '[redacted secret]';
const DEPLOY_TOKEN_SECRET = 'regauth_jZsccjQLwkxHTqzwdi8RxzqQW9qY8Bi82qt4B7';
const REFRESH_TOKEN = 'regauth_rt_Ab-_cD3fGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE';
const ADMIN_KEY = 'regauth_admin_x-Y_z0123456789abcdefghijklmnopqrstuvwxyzABCD';
// Longer than 64 characters: cut to 64 it would no longer have a JWT's two dots.
const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IkFCQ0Q6RUZHSCJ9.eyJzdWIiOiJkZXBsb3ktdG9rZW4tMSJ9.c2lnbmF0dXJlLWJ5dGVz';

interface Store {
  readonly name: string;
  open(): Promise<{ service: TestRegauth; close(): Promise<void> }>;
}

const embedded: Store = {
  name: 'the embedded store',
  async open() {
    const service = await createTestRegauth();
    return { service, close: () => service.close() };
  },
};

const onPostgres: Store = {
  name: 'PostgreSQL',
  async open() {
    const schema: PostgresTestSchema = await createPostgresTestSchema();
    const service = await createTestRegauth({}, { DATABASE_URL: schema.url });
    return {
      service,
      close: async () => {
        await service.close();
        await schema.drop();
      },
    };
  },
};

const STORES: readonly Store[] = (await postgresAvailable()) ? [embedded, onPostgres] : [embedded];

describe.each(STORES)('the username of a failed login, as the audit table keeps it, on $name', (store) => {
  let opened: { service: TestRegauth; close(): Promise<void> };
  let adminKey: string;
  const app = () => opened.service.regauth.app;

  /** The username recorded for one failed password login with this username. */
  async function recordedUsername(username: string): Promise<string | null> {
    await request(app()).get('/token').query({ service: SERVICE }).set('Authorization', basic(username, 'wrong')).expect(401);
    await opened.service.regauth.flush();
    const page = bodyOf<AuditPage>(
      'listAuditEvents',
      await request(app()).get(`${API}/audit-events?event=auth.failed&limit=1`).set('Authorization', bearer(adminKey)),
    );
    return (page.items[0] as AuditEventView).username;
  }

  beforeAll(async () => {
    opened = await store.open();
    adminKey = (await opened.service.regauth.adminKeys.create('test')).key;
  }, 60_000);

  afterAll(async () => {
    await opened?.close();
  });

  test.each([
    ['a deploy-token secret', DEPLOY_TOKEN_SECRET],
    ['a refresh token', REFRESH_TOKEN],
    ['an admin key', ADMIN_KEY],
    ['a registry token (JWT) longer than a username', JWT],
    ['a secret after other text', `ci ${DEPLOY_TOKEN_SECRET}`],
    ['a Bearer header', 'Bearer abcdef0123456789'],
  ])('%s typed into the username field is stored as a marker, and logged masked', async (_what, username) => {
    expect(await recordedUsername(username)).toBe(MARKER);
    const logged = opened.service.logger.records.filter((record) => record.message === 'audit' && record.fields.event === 'auth.failed');
    expect(logged.at(-1)?.fields.username).toBe(MARKER);
  });

  test('the secret is nowhere in the audit table', async () => {
    await opened.service.regauth.flush();
    const page = await request(app()).get(`${API}/audit-events?limit=1000`).set('Authorization', bearer(adminKey));
    const text = JSON.stringify(page.body);
    for (const secret of [DEPLOY_TOKEN_SECRET, REFRESH_TOKEN, ADMIN_KEY, JWT.slice(0, 40)]) expect(text).not.toContain(secret);
  });

  test('a secret sent as the client_id is stored as a marker too, in the audit row and the refresh-token list', async () => {
    const created = await opened.service.regauth.admin.create({ name: 'client-id', repositories: ['team/app'], scopes: ['read_registry'] });
    await request(app())
      .post('/token')
      .type('form')
      .send({ grant_type: 'password', access_type: 'offline', client_id: DEPLOY_TOKEN_SECRET, username: created.token.username, password: created.secret, service: SERVICE })
      .expect(200);
    await opened.service.regauth.flush();
    const page = bodyOf<AuditPage>('listAuditEvents', await request(app()).get(`${API}/audit-events?event=token.issued&limit=1`).set('Authorization', bearer(adminKey)));
    expect(page.items[0]?.details.clientId).toBe(MARKER);
    expect((await opened.service.regauth.admin.listRefreshTokens(created.token.username))[0]?.clientId).toBe(MARKER);
  });

  test('a possible username is kept as it was typed', async () => {
    expect(await recordedUsername('ci.bot+gitlab')).toBe('ci.bot+gitlab');
  });

  test('a username that cannot exist is cut to 64 characters, its control characters escaped', async () => {
    expect(await recordedUsername('A'.repeat(500))).toBe('A'.repeat(64));
    expect(await recordedUsername('x\u001b[2J\ry\u202ez\u0000')).toBe('x\\x1b[2J\\x0dy\\u202ez\\x00');
  });
});
