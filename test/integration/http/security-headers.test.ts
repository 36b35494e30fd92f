import request from 'supertest';
import { InMemoryDeployTokenStore, inMemoryStores, TransparentHasher } from '../../support/fake-ports.js';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';

const SERVICE = 'registry';
const FORM = 'application/x-www-form-urlencoded';

/** What helmet 8 sends by default; the admin API is JSON, so none of it gets in a client's way. */
const HELMET_DEFAULTS = {
  'content-security-policy': expect.stringContaining("default-src 'self'"),
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

describe('security headers', () => {
  let service: TestRegauth;
  let basic: string;
  let adminKey: string;
  const app = () => service.regauth.app;

  beforeAll(async () => {
    service = await createTestRegauth({ stores: inMemoryStores(new InMemoryDeployTokenStore()), hasher: new TransparentHasher() });
    const created = await service.regauth.admin.create({ name: 'ci', repositories: ['team/app'], scopes: ['read_registry'] });
    basic = `Basic ${Buffer.from(`${created.token.username}:${created.secret}`).toString('base64')}`;
    adminKey = (await service.regauth.adminKeys.create('terraform')).key;
  }, 60_000);

  afterAll(async () => {
    await service?.close();
  });

  describe('the admin API carries helmet defaults', () => {
    test.each<[string, () => request.Test, number]>([
      ['the OpenAPI document', () => request(app()).get('/api/v1/openapi.json'), 200],
      ['a listing with a valid key', () => request(app()).get('/api/v1/deploy-tokens').set('Authorization', `Bearer ${adminKey}`), 200],
      ['a call without a key', () => request(app()).get('/api/v1/deploy-tokens'), 401],
      ['a body that is not JSON', () => request(app()).post('/api/v1/deploy-tokens').set('Authorization', `Bearer ${adminKey}`).set('Content-Type', 'text/plain').send('x'), 415],
      ['an unknown admin route', () => request(app()).get('/api/v1/nothing-here').set('Authorization', `Bearer ${adminKey}`), 404],
    ])('%s', async (_name, send, status) => {
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.headers).toMatchObject(HELMET_DEFAULTS);
      expect(response.headers['x-powered-by']).toBeUndefined();
    });
  });

  describe('token responses are never cached', () => {
    test.each<[string, () => request.Test, number]>([
      ['GET with credentials', () => request(app()).get('/token').query({ service: SERVICE, scope: 'repository:team/app:pull' }).set('Authorization', basic), 200],
      ['anonymous GET', () => request(app()).get('/token').query({ service: SERVICE }), 200],
      ['POST with a wrong password', () => request(app()).post('/token').set('Content-Type', FORM).send('grant_type=password&username=deploy-token-1&password=wrong'), 401],
      ['GET with wrong credentials', () => request(app()).get('/token').set('Authorization', 'Basic eDp5'), 401],
      ['GET with a bad scope', () => request(app()).get('/token').query({ scope: 'nonsense' }), 400],
      ['POST with an unknown grant', () => request(app()).post('/token').set('Content-Type', FORM).send('grant_type=magic'), 400],
      ['POST with a body over the limit', () => request(app()).post('/token').set('Content-Type', FORM).send(`a=${'b'.repeat(20_000)}`), 413],
    ])('%s', async (_name, send, status) => {
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers.pragma).toBe('no-cache');
    });

    test('a POST password grant that succeeds is not cached either', async () => {
      const [username, secret] = Buffer.from(basic.slice('Basic '.length), 'base64').toString().split(':') as [string, string];
      const response = await request(app())
        .post('/token')
        .set('Content-Type', FORM)
        .send(`grant_type=password&username=${username}&password=${secret}&service=${SERVICE}`)
        .expect(200);
      expect(response.headers['cache-control']).toBe('no-store');
    });
  });
});
