import fc from 'fast-check';
import request from 'supertest';
import type { DeployTokenView } from '../../../src/app/deploy-token-view.js';
import { ADMIN_ROUTES, type AdminRoute } from '../../../src/adapters/http/admin-api/admin-api-routes.js';
import type { CreatedDeployToken, DeployTokenPage } from '../../../src/app/deploy-token-admin.js';
import { createTestRegauth, ManualClock, type TestRegauth } from '../../support/regauth-app.js';
import { API, basic, bearer, bodyOf, expectAdminError, SECRET_SHAPE, urlOf } from './admin-api-support.js';

const NOW = new Date('2026-11-23T10:00:00.000Z');
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const INVALID_ADMIN_KEY = 'a valid admin key is required: Authorization: Bearer <key from regauth admin-keys create>';

describe('admin API: every route, its answer and its errors', () => {
  const clock = new ManualClock(NOW);
  let service: TestRegauth;
  let key: string;
  let revokedKey: string;
  let created: CreatedDeployToken;

  const app = () => service.regauth.app;
  const call = (method: AdminRoute['method'], url: string) => request(app())[method](url).set('Authorization', bearer(key));
  const tokenRequest = (username: string, secret: string) =>
    request(app()).get('/token').query({ service: 'registry', scope: 'repository:team/app:pull' }).set('Authorization', basic(username, secret));

  beforeAll(async () => {
    service = await createTestRegauth({ clock });
    key = (await service.regauth.adminKeys.create('test')).key;
    const old = await service.regauth.adminKeys.create('old');
    await service.regauth.adminKeys.revoke(old.adminKey.id);
    revokedKey = old.key;
  }, 60_000);

  afterAll(async () => {
    await service?.close();
  });

  describe('success', () => {
    test('POST /deploy-tokens creates a token: 201, the view and its secret, not cached', async () => {
      const response = await call('post', `${API}/deploy-tokens`).send({ name: 'ci', repositories: ['team/app'], scopes: ['write_registry'] });

      created = bodyOf<CreatedDeployToken>('createDeployToken', response);
      expect(created).toEqual({
        token: {
          id: 1,
          name: 'ci',
          username: 'deploy-token-1',
          repositories: ['team/app'],
          scopes: ['write_registry'],
          status: 'active',
          expiresAt: null,
          revokedAt: null,
          createdAt: NOW.toISOString(),
          lastUsedAt: null,
          lastUsedIp: null,
          tokenLifetimeSeconds: null,
          updatedAt: null,
          secretIssuedAt: NOW.toISOString(),
          secretIssuedBy: 'admin-key:test',
        },
        secret: expect.stringMatching(SECRET_SHAPE),
        credentials: expect.objectContaining({}),
      });
      expect(created.credentials.dockerConfigJson).toContain(created.secret);
      expect(created.credentials.kubernetesSecret).toContain('kind: Secret');
      expect(response.headers['cache-control']).toBe('no-store');
      await tokenRequest(created.token.username, created.secret).expect(200);
    });

    test('POST /deploy-tokens with every optional field', async () => {
      const response = await call('post', `${API}/deploy-tokens`).send({
        name: 'release',
        repositories: ['team/app', 'shared/**', 'team/app'],
        scopes: ['read_registry', 'write_registry'],
        username: 'release-bot',
        expires: '90d',
        tokenLifetime: '15m',
      });

      expect(bodyOf<CreatedDeployToken>('createDeployToken', response).token).toEqual({
        id: 2,
        name: 'release',
        username: 'release-bot',
        repositories: ['team/app', 'shared/**'],
        scopes: ['read_registry', 'write_registry'],
        status: 'active',
        expiresAt: new Date(NOW.getTime() + 90 * DAY_MS).toISOString(),
        revokedAt: null,
        createdAt: NOW.toISOString(),
        lastUsedAt: null,
        lastUsedIp: null,
        tokenLifetimeSeconds: 900,
        updatedAt: null,
        secretIssuedAt: NOW.toISOString(),
        secretIssuedBy: 'admin-key:test',
      });
    });

    test.each([
      ['id', '1'],
      ['username', 'deploy-token-1'],
    ])('GET /deploy-tokens/{reference} finds a token by %s', async (_what, reference) => {
      const response = await call('get', `${API}/deploy-tokens/${reference}`).expect(200);
      // The token request of the first test shows as its last use.
      expect(bodyOf('getDeployToken', response)).toEqual({ ...created.token, lastUsedAt: NOW.toISOString(), lastUsedIp: '127.0.0.1' });
      expect(JSON.stringify(response.body)).not.toContain(created.secret);
    });

    test.each<[string, Record<string, unknown>, Partial<DeployTokenView>]>([
      ['name', { name: '  ci of team/app  ' }, { name: 'ci of team/app' }],
      ['repositories (replaced)', { repositories: ['team/app', 'team/*-prod'] }, { repositories: ['team/app', 'team/*-prod'] }],
      ['scopes (replaced)', { scopes: ['read_registry', 'delete_registry'] }, { scopes: ['read_registry', 'delete_registry'] }],
      ['expires as a duration', { expires: '30d' }, { expiresAt: new Date(NOW.getTime() + HOUR_MS + 30 * DAY_MS).toISOString() }],
      ['expires as a date', { expires: '2027-01-31' }, { expiresAt: '2027-01-31T00:00:00.000Z' }],
      ['expires null: never', { expires: null }, { expiresAt: null }],
      ['tokenLifetime', { tokenLifetime: '45m' }, { tokenLifetimeSeconds: 2700 }],
      ['tokenLifetime null: the default', { tokenLifetime: null }, { tokenLifetimeSeconds: null }],
      [
        'several fields at once',
        { name: 'ci', repositories: ['team/app'], scopes: ['write_registry'], expires: '1y', tokenLifetime: '600' },
        {
          name: 'ci',
          repositories: ['team/app'],
          scopes: ['write_registry'],
          expiresAt: new Date(NOW.getTime() + HOUR_MS + 365 * DAY_MS).toISOString(),
          tokenLifetimeSeconds: 600,
        },
      ],
    ])('PATCH /deploy-tokens/{reference} changes %s and nothing else', async (_what, body, changed) => {
      clock.set(new Date(NOW.getTime() + HOUR_MS));
      const before = bodyOf<DeployTokenView>('getDeployToken', await call('get', `${API}/deploy-tokens/1`));

      const response = await call('patch', `${API}/deploy-tokens/deploy-token-1`).send(body);

      const updated = bodyOf<DeployTokenView>('updateDeployToken', response);
      expect(updated).toEqual({ ...before, ...changed, updatedAt: clock.now().toISOString() });
      expect(bodyOf('getDeployToken', await call('get', `${API}/deploy-tokens/1`))).toEqual(updated);
      // The secret stays the same.
      await tokenRequest('deploy-token-1', created.secret).expect(200);
    });

    test('POST /deploy-tokens/{reference}/rotate: a new secret; the old one is refused at once', async () => {
      const response = await call('post', `${API}/deploy-tokens/deploy-token-1/rotate`);

      const rotated = bodyOf<CreatedDeployToken>('rotateDeployToken', response);
      expect(rotated.secret).toMatch(SECRET_SHAPE);
      expect(rotated.secret).not.toBe(created.secret);
      expect(rotated.token).toMatchObject({ id: 1, status: 'active', updatedAt: clock.now().toISOString() });
      expect(response.headers['cache-control']).toBe('no-store');
      await tokenRequest('deploy-token-1', created.secret).expect(401);
      await tokenRequest('deploy-token-1', rotated.secret).expect(200);
      created = rotated;
    });

    test('POST /deploy-tokens/{reference}/revoke: revoked at once; again keeps the first time', async () => {
      const first = bodyOf<DeployTokenView>('revokeDeployToken', await call('post', `${API}/deploy-tokens/1/revoke`));
      expect(first).toMatchObject({ id: 1, status: 'revoked', revokedAt: clock.now().toISOString() });
      await tokenRequest('deploy-token-1', created.secret).expect(401);

      clock.advance(HOUR_MS);
      const again = bodyOf<DeployTokenView>('revokeDeployToken', await call('post', `${API}/deploy-tokens/deploy-token-1/revoke`));
      expect(again).toEqual(first);
    });

    test('GET /deploy-tokens lists every token, oldest first, on one page', async () => {
      const page = bodyOf<DeployTokenPage>('listDeployTokens', await call('get', `${API}/deploy-tokens`).expect(200));
      expect(page.items.map((token) => [token.id, token.username, token.status])).toEqual([
        [1, 'deploy-token-1', 'revoked'],
        [2, 'release-bot', 'active'],
      ]);
      expect(page.next).toBeNull();
    });

    test('GET /audit-events answers a page of events, newest first', async () => {
      const page = bodyOf<{ items: { id: number; event: string }[]; next: number | null }>(
        'listAuditEvents',
        await call('get', `${API}/audit-events`).expect(200),
      );
      expect(page.items.length).toBeGreaterThan(0);
      const ids = page.items.map((event) => event.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(page.items[0]?.event).toBe('token.revoked');
    });
  });

  describe('401 invalid_admin_key with a Bearer challenge on every route', () => {
    const CALLERS: readonly [string, (() => string | undefined)][] = [
      ['no Authorization header', () => undefined],
      ['the Basic scheme', () => basic('test', key)],
      ['Bearer without a key', () => 'Bearer '],
      ['a malformed key', () => bearer('regauth_admin_short')],
      ['a deploy-token secret instead of an admin key', () => bearer(created.secret)],
      ['a well-formed key nobody made', () => bearer(`regauth_admin_${'A'.repeat(43)}`)],
      ['a revoked key', () => bearer(revokedKey)],
      ['the key with a character changed', () => bearer(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)],
    ];
    const CASES = ADMIN_ROUTES.flatMap((route) => CALLERS.map(([what, header]) => [`${route.method.toUpperCase()} ${route.path}`, what, route, header] as const));

    test.each(CASES)('%s with %s', async (_route, _what, route, header) => {
      const authorization = header();
      let pending = request(app())[route.method](urlOf(route));
      if (authorization !== undefined) pending = pending.set('Authorization', authorization);
      if (route.body !== undefined) pending = pending.send({ name: 'x', repositories: ['team/app'], scopes: ['read_registry'] });

      const response = await pending;

      expectAdminError(response, 401, 'invalid_admin_key', INVALID_ADMIN_KEY);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="regauth admin API"');
    });

    test('nothing was created, changed or revoked by the refused calls', async () => {
      const page = bodyOf<DeployTokenPage>('listDeployTokens', await call('get', `${API}/deploy-tokens`));
      expect(page.items.map((token) => [token.id, token.name, token.status])).toEqual([
        [1, 'ci', 'revoked'],
        [2, 'release', 'active'],
      ]);
    });

    test("a valid key's last use is recorded; the revoked key stays revoked", async () => {
      const keys = await service.regauth.adminKeys.list();
      expect(keys.map((adminKey) => [adminKey.name, adminKey.status, adminKey.lastUsedAt === null])).toEqual([
        ['test', 'active', false],
        ['old', 'revoked', true],
      ]);
    });
  });

  describe('400 invalid_input when the query or body does not match the schema', () => {
    const list = pathOf('listDeployTokens');
    const audit = pathOf('listAuditEvents');
    test.each<[string, string, RegExp]>([
      ['an unknown parameter', `${list}?colour=red`, /^query: .*colour/s],
      ['an unknown status', `${list}?status=deleted`, /^query: .*status/s],
      ['a repeated status', `${list}?status=active&status=revoked`, /^query: .*status/s],
      ['a limit that is not a number', `${list}?limit=ten`, /^query: .*limit/s],
      ['a limit of 0', `${list}?limit=0`, /^query: .*limit/s],
      ['a limit over 1000', `${list}?limit=1001`, /^query: .*limit/s],
      ['a fractional limit', `${list}?limit=2.5`, /^query: .*limit/s],
      ['a negative after', `${list}?after=-3`, /^query: .*after/s],
      ['an unknown audit event', `${audit}?event=token.deleted`, /^query: .*event/s],
      ['an audit limit over 1000', `${audit}?limit=5000`, /^query: .*limit/s],
      ['a before that is not a number', `${audit}?before=last`, /^query: .*before/s],
      ['an unknown audit parameter', `${audit}?operator=cli`, /^query: .*operator/s],
      ['a query on a route that takes none', `${API}/deploy-tokens/1?verbose=1`, /^query: .*verbose/s],
    ])('GET with %s', async (_what, url, message) => {
      expectAdminError(await call('get', url), 400, 'invalid_input', message);
    });

    test("the message names each parameter in one plain line, without zod's glyphs", async () => {
      expectAdminError(
        await call('get', `${audit}?limit=5000&operator=cli`),
        400,
        'invalid_input',
        'query: limit: Too big: expected number to be <=1000; Unrecognized key: "operator"',
      );
    });

    const VALID = { name: 'x', repositories: ['team/app'], scopes: ['read_registry'] };
    test.each<[string, 'post' | 'patch', string, unknown, RegExp]>([
      ['an unknown field', 'post', '/deploy-tokens', { ...VALID, admin: true }, /^body: .*admin/s],
      ['no name', 'post', '/deploy-tokens', { repositories: ['team/app'], scopes: ['read_registry'] }, /^body: .*name/s],
      ['a numeric name', 'post', '/deploy-tokens', { ...VALID, name: 7 }, /^body: .*name/s],
      ['repositories as a string', 'post', '/deploy-tokens', { ...VALID, repositories: 'team/app' }, /^body: .*repositories/s],
      ['scopes with a number', 'post', '/deploy-tokens', { ...VALID, scopes: ['read_registry', 3] }, /^body: .*scopes/s],
      ['expires null on create', 'post', '/deploy-tokens', { ...VALID, expires: null }, /^body: .*expires/s],
      ['a name over 255 characters', 'post', '/deploy-tokens', { ...VALID, name: 'n'.repeat(256) }, /^body: .*name/s],
      ['101 repositories', 'post', '/deploy-tokens', { ...VALID, repositories: Array.from({ length: 101 }, (_, i) => `r/${i}`) }, /^body: .*repositories/s],
      ['a JSON array', 'post', '/deploy-tokens', [VALID], /^body: /],
      ['an unknown field', 'patch', '/deploy-tokens/2', { username: 'renamed' }, /^body: .*username/s],
      ['expires as a number', 'patch', '/deploy-tokens/2', { expires: 30 }, /^body: .*expires/s],
      ['tokenLifetime as a number', 'patch', '/deploy-tokens/2', { tokenLifetime: 900 }, /^body: .*tokenLifetime/s],
      ['name null', 'patch', '/deploy-tokens/2', { name: null }, /^body: .*name/s],
    ])('%s (%s %s)', async (_what, method, path, body, message) => {
      expectAdminError(await call(method, `${API}${path}`).send(body as object), 400, 'invalid_input', message);
    });

    test('a create without a body', async () => {
      expectAdminError(await call('post', `${API}/deploy-tokens`), 400, 'invalid_input', /^body: /);
    });
  });

  describe("400 with the use case's own code", () => {
    const VALID = { name: 'x', repositories: ['team/app'], scopes: ['read_registry'] };
    test.each<[string, string, Record<string, unknown>, string]>([
      ['invalid_repository', 'an upper-case repository', { ...VALID, repositories: ['Team/App'] }, 'invalid repository "Team/App": use a repository path such as team/app (it also covers team/app/...), a pattern such as team/** or team/*-prod, or * for every repository'],
      ['invalid_token_scope', 'an unknown scope', { ...VALID, scopes: ['admin'] }, 'unknown scope "admin": use read_registry, write_registry, delete_registry, read_catalog'],
      ['invalid_token_scope', 'read_catalog without *', { ...VALID, scopes: ['read_catalog'] }, 'read_catalog lists every repository, so it is only for deploy tokens whose repositories include *'],
      ['invalid_expiry', 'an expiry that is not one', { ...VALID, expires: 'soon' }, 'invalid expiry "soon": use a duration such as 30d, 12h, 2w, 1y or a date such as 2027-01-31'],
      ['invalid_expiry', 'an expiry in the past', { ...VALID, expires: '2020-01-01' }, 'invalid expiry "2020-01-01": it is not in the future'],
      ['invalid_token_lifetime', 'a lifetime under a minute', { ...VALID, tokenLifetime: '30' }, 'invalid token lifetime "30": it must be between 60 and 3600 seconds'],
      ['invalid_token_lifetime', 'a lifetime in days', { ...VALID, tokenLifetime: '2d' }, 'invalid token lifetime "2d": use seconds or a duration such as 900s, 15m or 2h'],
      ['invalid_username', 'a username with $', { ...VALID, username: 'CI$bot' }, 'invalid username "CI$bot": use 1 to 64 characters of a-z 0-9 . _ + -'],
      ['invalid_username', 'a generated-form username', { ...VALID, username: 'deploy-token-9' }, 'invalid username "deploy-token-9": deploy-token-<number> is reserved for generated names'],
      ['invalid_input', 'an empty name', { ...VALID, name: '   ' }, 'name must be 1 to 255 printable characters'],
      ['invalid_input', 'no repositories', { ...VALID, repositories: [] }, 'at least one repository is required'],
      ['invalid_input', 'no scopes', { ...VALID, scopes: [] }, 'at least one scope is required'],
    ])('create: %s for %s', async (code, _what, body, message) => {
      expectAdminError(await call('post', `${API}/deploy-tokens`).send(body), 400, code, message);
    });

    test.each<[string, string, Record<string, unknown>, string | RegExp]>([
      ['invalid_input', 'nothing to change', {}, 'nothing to change'],
      ['invalid_repository', 'a bad repository', { repositories: ['a//b'] }, /^invalid repository "a\/\/b": /],
      ['invalid_token_scope', 'read_catalog on a token without *', { scopes: ['read_catalog'] }, 'read_catalog lists every repository, so it is only for deploy tokens whose repositories include *'],
      ['invalid_expiry', 'a date that does not exist', { expires: '2027-02-31' }, 'invalid expiry "2027-02-31": not a real calendar date'],
      ['invalid_token_lifetime', 'a lifetime over the maximum', { tokenLifetime: '2h' }, 'invalid token lifetime "2h": it must be between 60 and 3600 seconds'],
    ])('update: %s for %s', async (code, _what, body, message) => {
      expectAdminError(await call('patch', `${API}/deploy-tokens/release-bot`).send(body), 400, code, message);
    });

    test.each<[string, string, string]>([
      ['invalid_repository', `${API}/deploy-tokens?repository=Team/App`, 'invalid repository "Team/App"'],
      ['invalid_since', `${API}/audit-events?since=yesterday`, 'invalid since "yesterday": use a duration back from now such as 30m, 24h, 7d, 2w or a date such as 2026-11-01'],
    ])('query: %s', async (code, url, message) => {
      expectAdminError(await call('get', url), 400, code, new RegExp(`^${message.replace(/[/"]/g, '\\$&')}`));
    });

    test('the refused calls created and changed nothing', async () => {
      const page = bodyOf<DeployTokenPage>('listDeployTokens', await call('get', `${API}/deploy-tokens`));
      expect(page.items.map((token) => token.username)).toEqual(['deploy-token-1', 'release-bot']);
      expect(page.items[1]).toMatchObject({ name: 'release', scopes: ['read_registry', 'write_registry'], tokenLifetimeSeconds: 900 });
    });
  });

  describe('404 not_found', () => {
    test.each(ADMIN_ROUTES.filter((route) => route.path.includes(':reference')).flatMap((route) =>
      ['nobody', '99'].map((reference) => [`${route.method.toUpperCase()} ${route.path}`, reference, route] as const),
    ))('%s for the unknown token %s', async (_name, reference, route) => {
      let pending = call(route.method, urlOf(route, reference));
      if (route.body !== undefined) pending = pending.send(route.operationId === 'extendDeployToken' ? { expires: '30d' } : { name: 'x' });
      expectAdminError(await pending, 404, 'not_found', `no deploy token with id or username "${reference}"`);
    });

    test('audit events of an unknown token', async () => {
      expectAdminError(await call('get', `${API}/audit-events?token=ghost`), 404, 'not_found', 'no deploy token with id or username "ghost"');
    });

    test.each<[string, string]>([
      ['get', `${API}/nope`],
      ['get', `${API}/deploy-tokens/1/secret`],
      ['delete', `${API}/deploy-tokens/1`],
      ['put', `${API}/deploy-tokens/1`],
      ['post', `${API}/audit-events`],
      ['get', `${API}/deploy-tokens/1/rotate`],
    ])('%s %s is not a route, with or without a key', async (method, url) => {
      const verb = method as 'get' | 'delete' | 'put' | 'post';
      expectAdminError(await request(app())[verb](url), 404, 'not_found', 'no such admin API route');
      expectAdminError(await call(verb as AdminRoute['method'], url), 404, 'not_found', 'no such admin API route');
    });
  });

  test('409 username_taken, and nothing is created', async () => {
    const response = await call('post', `${API}/deploy-tokens`).send({
      name: 'again',
      repositories: ['team/app'],
      scopes: ['read_registry'],
      username: 'release-bot',
    });
    expectAdminError(response, 409, 'username_taken', 'username "release-bot" is already taken');
    const page = bodyOf<DeployTokenPage>('listDeployTokens', await call('get', `${API}/deploy-tokens`));
    expect(page.items).toHaveLength(2);
  });

  describe('request bodies', () => {
    test.each([
      ['text/plain', 'name=x'],
      ['application/x-www-form-urlencoded', 'name=x&repositories=team/app'],
      ['multipart/form-data; boundary=x', '--x--'],
    ])('415 unsupported_media_type for a %s body', async (type, body) => {
      const response = await call('post', `${API}/deploy-tokens`).set('Content-Type', type).send(body);
      expectAdminError(response, 415, 'unsupported_media_type', 'request bodies must be application/json');
    });

    test('415 for a PATCH whose body is not JSON', async () => {
      expectAdminError(await call('patch', `${API}/deploy-tokens/2`).set('Content-Type', 'text/plain').send('{"name":"x"}'), 415, 'unsupported_media_type');
    });

    test('400 invalid_input for malformed JSON', async () => {
      const response = await call('post', `${API}/deploy-tokens`).set('Content-Type', 'application/json').send('{"name": "x",');
      expectAdminError(response, 400, 'invalid_input', 'request body is not valid JSON');
    });

    test('413 payload_too_large for a body over 64 kB', async () => {
      const response = await call('post', `${API}/deploy-tokens`).send({ name: 'x', repositories: ['team/app'], scopes: ['read_registry'], pad: 'p'.repeat(70_000) });
      expectAdminError(response, 413, 'payload_too_large', 'request body too large');
    });

    test('a body just under 64 kB is read (and judged by the schema)', async () => {
      const response = await call('post', `${API}/deploy-tokens`).send({ name: 'x', repositories: ['team/app'], scopes: ['read_registry'], pad: 'p'.repeat(60_000) });
      expectAdminError(response, 400, 'invalid_input', /^body: .*pad/s);
    });

    test('application/json with a charset is accepted', async () => {
      const response = await call('post', `${API}/deploy-tokens`)
        .set('Content-Type', 'application/json; charset=utf-8')
        .send(JSON.stringify({ name: 'charset', repositories: ['team/app'], scopes: ['read_registry'] }));
      const { token } = bodyOf<CreatedDeployToken>('createDeployToken', response);
      expect(token).toMatchObject({ name: 'charset', username: `deploy-token-${token.id}` });
    });
  });
});

describe('admin API: pages and filters of GET /deploy-tokens', () => {
  const clock = new ManualClock(NOW);
  let service: TestRegauth;
  let key: string;
  /** Repositories of each token, in id order; which are revoked or expire. */
  const TOKENS: readonly { repositories: string[]; revoke?: boolean; expires?: string }[] = [
    { repositories: ['team/app'] },
    { repositories: ['team/application'] },
    { repositories: ['team/**'], revoke: true },
    { repositories: ['*'] },
    { repositories: ['other/x'], expires: '1h' },
    { repositories: ['team/*'], expires: '1h' },
    { repositories: ['team/app/cache'] },
    { repositories: ['other/y', 'team/app'], revoke: true },
    { repositories: ['team/*-prod'] },
  ];
  const list = async (query: string) =>
    bodyOf<DeployTokenPage>('listDeployTokens', await request(service.regauth.app).get(`${API}/deploy-tokens?${query}`).set('Authorization', bearer(key)));

  async function walk(query: string, limit: number): Promise<{ ids: number[]; pages: DeployTokenPage[] }> {
    const pages: DeployTokenPage[] = [];
    let after: number | null = null;
    do {
      const page = await list(`${query}&limit=${limit}${after === null ? '' : `&after=${after}`}`);
      expect(page.items.length).toBeLessThanOrEqual(limit);
      pages.push(page);
      after = page.next;
      expect(pages.length).toBeLessThanOrEqual(TOKENS.length + 1);
    } while (after !== null);
    return { ids: pages.flatMap((page) => page.items.map((token) => token.id)), pages };
  }

  beforeAll(async () => {
    service = await createTestRegauth({ clock });
    key = (await service.regauth.adminKeys.create('test')).key;
    for (const [index, token] of TOKENS.entries()) {
      await service.regauth.admin.create({ name: `t${index + 1}`, repositories: token.repositories, scopes: ['read_registry'], expires: token.expires });
      if (token.revoke) await service.regauth.admin.revoke(String(index + 1));
    }
    clock.advance(2 * HOUR_MS);
  }, 60_000);

  afterAll(async () => {
    await service?.close();
  });

  const ALL = TOKENS.map((_, index) => index + 1);

  test('limit=2 pages through every token in id order; the last page says next: null', async () => {
    const { ids, pages } = await walk('', 2);
    expect(ids).toEqual(ALL);
    expect(pages.map((page) => page.next)).toEqual([2, 4, 6, 8, null]);
  });

  test('any limit from 1 to 12 walks every token exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), async (limit) => {
        expect((await walk('', limit)).ids).toEqual(ALL);
      }),
      { seed: 20261123, numRuns: 12 },
    );
  });

  test.each<[string, number[]]>([
    ['active', [1, 2, 4, 7, 9]],
    ['revoked', [3, 8]],
    ['expired', [5, 6]],
  ])('status=%s', async (status, expected) => {
    const { ids, pages } = await walk(`status=${status}`, 2);
    expect(ids).toEqual(expected);
    for (const page of pages) for (const token of page.items) expect(token.status).toBe(status);
  });

  test.each<[string, number[]]>([
    ['team/app', [1, 3, 4, 6, 8]],
    ['team/app/cache', [1, 3, 4, 7, 8]],
    ['team/application', [2, 3, 4, 6]],
    ['team/web-prod', [3, 4, 6, 9]],
    ['other/y', [4, 8]],
    ['nothing/here', [4]],
  ])('repository=%s keeps the tokens that cover it, across pages', async (repository, expected) => {
    expect((await list(`repository=${repository}`)).items.map((token) => token.id)).toEqual(expected);
    expect((await walk(`repository=${repository}`, 2)).ids).toEqual(expected);
  });

  test('a page filtered by covers is full, counts every match, and points to the next', async () => {
    const first = await list('covers=team/app&limit=2');
    expect(first).toMatchObject({ total: 5, offset: 0, next: 3 });
    expect(first.items.map((token) => token.id)).toEqual([1, 3]);
    const third = await list('covers=team/app&limit=2&offset=4');
    expect([third.items.map((token) => token.id), third.total, third.next]).toEqual([[8], 5, null]);
  });

  test('status and repository together', async () => {
    expect((await walk('status=revoked&repository=team/app', 1)).ids).toEqual([3, 8]);
    expect((await walk('status=active&repository=team/app', 4)).ids).toEqual([1, 4]);
    expect((await walk('status=expired&repository=team/app', 4)).ids).toEqual([6]);
  });

  test('after a token id skips it and everything before', async () => {
    expect((await list('after=7')).items.map((token) => token.id)).toEqual([8, 9]);
    expect(await list('after=9')).toEqual({ items: [], total: 0, offset: 0, next: null });
  });
});

function pathOf(operationId: string): string {
  const route = ADMIN_ROUTES.find((candidate) => candidate.operationId === operationId) as AdminRoute;
  return `${API}${route.path}`;
}
