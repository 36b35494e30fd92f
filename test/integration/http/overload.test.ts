import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { composeSecret, SECRET_RANDOM_LENGTH } from '../../../src/core/deploy-token-secret.js';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';

const basic = (username: string, secret: string) => `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`;

describe('secret checks beyond the bcrypt queue', () => {
  let service: TestRegauth;
  let username: string;
  let secret: string;

  beforeAll(async () => {
    // One thread, room for one waiting check, and a cost that keeps a check busy for a while.
    service = await createTestRegauth({}, { REGAUTH_BCRYPT_THREADS: '1', REGAUTH_BCRYPT_QUEUE_LIMIT: '1', REGAUTH_BCRYPT_COST: '11' });
    const created = await service.regauth.admin.create({ name: 'ci', repositories: ['team/app'], scopes: ['read_registry'] });
    username = created.token.username;
    secret = created.secret;
  }, 60_000);

  afterAll(() => service?.close());

  test('are answered 503 with Retry-After: 1 in the token error format, the rest as usual, and nothing is granted', async () => {
    // Well-formed wrong secrets that differ: none is refused by its shape or remembered, so each needs bcrypt.
    const wrongSecrets = Array.from({ length: 8 }, () => composeSecret(randomBytes(SECRET_RANDOM_LENGTH)));
    const responses = await Promise.all(
      wrongSecrets.map((wrong) =>
        request(service.regauth.app).get('/token').query({ service: 'registry', scope: 'repository:team/app:pull' }).set('Authorization', basic(username, wrong)),
      ),
    );
    const overloaded = responses.filter((response) => response.status === 503);

    expect(overloaded.length).toBeGreaterThanOrEqual(1);
    for (const response of overloaded) {
      expect(response.headers['retry-after']).toBe('1');
      expect(response.body).toMatchObject({ error: 'temporarily_unavailable', errors: [{ code: 'UNAVAILABLE', detail: { reason: 'overloaded' } }] });
      expect(response.body.token).toBeUndefined();
    }
    for (const response of responses) expect([401, 503]).toContain(response.status);
  }, 60_000);

  test('once the queue drains, the right secret is granted', async () => {
    const response = await request(service.regauth.app)
      .get('/token')
      .query({ service: 'registry', scope: 'repository:team/app:pull' })
      .set('Authorization', basic(username, secret));
    expect(response.status).toBe(200);
  }, 30_000);
});
