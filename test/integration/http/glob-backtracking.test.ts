import { decodeJwt } from 'jose';
import request from 'supertest';
import { MAX_HEADER_BYTES } from '../../../src/adapters/http/http-server.js';
import { InMemoryDeployTokenStore, inMemoryStores, TransparentHasher } from '../../support/fake-ports.js';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';

const SERVICE = 'registry';
const HOSTILE_PATTERN = 'x/*-*-*-*-*-z';
/** Issue 12: against the pattern above, a backtracking matcher tried every split of these dashes. */
const DASHES = 245;
/** As many of these names as one request line holds within the server's header limit. */
const SCOPES = 52;
/** Generous: the request takes milliseconds; a backtracking matcher took tens of seconds per scope. */
const QUICKLY_MS = 1_000;

const hostileQuery = () =>
  [
    `service=${SERVICE}`,
    ...Array.from({ length: SCOPES }, (_, i) => `scope=repository:x/a${'-'.repeat(DASHES)}b${i}:pull,push`),
  ].join('&');

const basic = (username: string, secret: string) => `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`;

describe('hostile repository names against wildcard patterns at the token endpoint', () => {
  let service: TestRegauth;
  let authorization: string;

  const app = () => service.regauth.app;

  beforeAll(async () => {
    service = await createTestRegauth(
      { stores: inMemoryStores(new InMemoryDeployTokenStore()), hasher: new TransparentHasher() },
      { REGAUTH_PUBLIC_REPOSITORIES: HOSTILE_PATTERN },
    );
    const created = await service.regauth.admin.create({ name: 'ci', repositories: [HOSTILE_PATTERN], scopes: ['write_registry'] });
    authorization = basic(created.token.username, created.secret);
    // The first request pays for loading and compiling the app, not for matching.
    await request(app()).get('/token').query({ service: SERVICE }).expect(200);
  }, 60_000);

  afterAll(async () => {
    await service?.close();
  });

  test('the query fits within the header limit, so the server reads it all', () => {
    expect(`GET /token?${hostileQuery()} HTTP/1.1`.length).toBeLessThan(MAX_HEADER_BYTES - 1_024);
  });

  test.each<[string, () => Record<string, string>]>([
    ['a deploy token holding the pattern', () => ({ Authorization: authorization })],
    ['an anonymous caller, with the pattern as a public repository', () => ({})],
  ])('%s: answered 200 quickly with nothing granted', async (_case, headers) => {
    const started = performance.now();
    const response = await request(app()).get(`/token?${hostileQuery()}`).set(headers());
    const elapsed = performance.now() - started;

    expect(response.status).toBe(200);
    expect(decodeJwt(response.body.token as string).access).toEqual([]);
    expect(elapsed).toBeLessThan(QUICKLY_MS);
  });

  test('the pattern still grants what it covers, so the answers above are not a blanket refusal', async () => {
    const covered = `x/a${'-'.repeat(DASHES)}z`;
    const response = await request(app()).get(`/token?service=${SERVICE}&scope=repository:${covered}:pull,push`).set({ Authorization: authorization });
    expect(response.status).toBe(200);
    expect(decodeJwt(response.body.token as string).access).toEqual([{ type: 'repository', name: covered, actions: ['pull', 'push'] }]);
  });
});
