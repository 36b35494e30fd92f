import { decodeJwt } from 'jose';
import request from 'supertest';
import { createTestRegauth, ManualClock, type TestRegauth } from '../../support/regauth-app.js';

const NOW = new Date('2026-11-23T10:00:00.750Z');
const SERVICE = 'registry';

/** Headers that differ from one answer to the next whoever serves it. */
const VARYING = new Set(['date', 'x-request-id', 'content-length', 'etag', 'connection', 'keep-alive']);

function comparable(response: request.Response): { status: number; headers: Record<string, unknown>; body: unknown } {
  const headers = Object.fromEntries(Object.entries(response.headers).filter(([name]) => !VARYING.has(name)));
  const body = typeof response.body?.token === 'string' ? { ...response.body, token: 'T', access_token: 'T', claims: withoutJti(response.body.token) } : response.body;
  return { status: response.status, headers, body };
}

function withoutJti(token: string): unknown {
  const { jti: _jti, ...claims } = decodeJwt(token);
  return claims;
}

/**
 * `GET /token` is served before express; `/TOKEN` and `/token/` still reach the express route, which must
 * answer the same. Each case is asked both ways and the answers compared, headers included.
 */
describe('the token endpoint served before express answers as the express route does', () => {
  const clock = new ManualClock(NOW);
  let service: TestRegauth;
  let basic: string;
  const app = () => service.regauth.app;

  beforeAll(async () => {
    service = await createTestRegauth({ clock });
    const created = await service.regauth.admin.create({ name: 'ci', repositories: ['team/app'], scopes: ['read_registry'] });
    basic = `Basic ${Buffer.from(`${created.token.username}:${created.secret}`).toString('base64')}`;
  }, 60_000);

  afterAll(async () => {
    await service?.close();
  });

  test.each<[string, Record<string, string>, Record<string, string>]>([
    ['a granted pull', { service: SERVICE, scope: 'repository:team/app:pull' }, { authorization: 'valid' }],
    ['anonymous', { service: SERVICE, scope: 'repository:team/app:pull' }, {}],
    ['a wrong password', { service: SERVICE }, { authorization: `Basic ${Buffer.from('deploy-token-1:wrong').toString('base64')}` }],
    ['another scheme', { service: SERVICE }, { authorization: 'Bearer abc' }],
    ['an unknown service', { service: 'elsewhere' }, {}],
    ['a bad scope', { service: SERVICE, scope: 'repository::pull' }, {}],
  ])('%s', async (_name, query, headers) => {
    const withCredentials = headers.authorization === 'valid' ? { ...headers, authorization: basic } : headers;
    const lean = await request(app()).get('/token').query(query).set(withCredentials);
    const routed = await request(app()).get('/TOKEN/').query(query).set(withCredentials);
    expect(comparable(lean)).toEqual(comparable(routed));
    expect(lean.headers['cache-control']).toBe('no-store');
    expect(lean.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('keeps a well-formed X-Request-Id and replaces a malformed one', async () => {
    const kept = await request(app()).get('/token').query({ service: SERVICE }).set('X-Request-Id', 'build-42.a_b');
    expect(kept.headers['x-request-id']).toBe('build-42.a_b');
    const replaced = await request(app()).get('/token').query({ service: SERVICE }).set('X-Request-Id', 'no spaces allowed');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('other methods on the token path still reach express: POST is read, DELETE is 405', async () => {
    await request(app()).post('/token').type('form').send({ grant_type: 'nonsense' }).expect(400);
    const refused = await request(app()).delete('/token').expect(405);
    expect(refused.headers.allow).toBe('GET, POST');
  });
});
