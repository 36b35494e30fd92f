import request from 'supertest';
import type { AuditEventView, AuditPage, CreatedDeployToken } from '../../../src/app/deploy-token-admin.js';
import { createTestRegauth, ManualClock, type TestRegauth } from '../../support/regauth-app.js';
import { API, basic, bearer, bodyOf, expectAdminError } from './admin-api-support.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');
const T1 = new Date('2026-11-23T12:00:00.000Z');
const HOUR_MS = 3_600_000;
const CLIENT_IP = '127.0.0.1';
const SERVICE = 'registry';

describe('audit rows for admin actions and token requests', () => {
  const clock = new ManualClock(T0);
  let service: TestRegauth;
  let key: string;
  let otherKey: { id: number; key: string };
  let created: CreatedDeployToken;
  let rotated: CreatedDeployToken;
  let refreshToken: string;
  const wrongSecret = `regauth_${'W'.repeat(38)}`;
  /** Every event, newest first, as read at the end of the scenario. */
  let all: AuditEventView[];

  const app = () => service.regauth.app;
  const admin = (method: 'get' | 'post' | 'patch', path: string) => request(app())[method](`${API}${path}`).set('Authorization', bearer(key));
  const audit = async (query = '') => {
    await service.regauth.flush();
    return bodyOf<AuditPage>('listAuditEvents', await admin('get', `/audit-events${query}`));
  };

  beforeAll(async () => {
    service = await createTestRegauth({ clock });
    key = (await service.regauth.adminKeys.create('test')).key;
    const other = await service.regauth.adminKeys.create('short-lived');
    otherKey = { id: other.adminKey.id, key: other.key };

    // At T0, through the admin API: create, update, rotate.
    created = bodyOf('createDeployToken', await admin('post', '/deploy-tokens').send({ name: 'ci', repositories: ['team/app'], scopes: ['read_registry'] }));
    await admin('patch', '/deploy-tokens/deploy-token-1').send({ name: 'ci of team/app', expires: '30d' }).expect(200);
    rotated = bodyOf('rotateDeployToken', await admin('post', '/deploy-tokens/1/rotate'));

    // At T1, token requests: granted and refused scopes, failed logins, a refresh grant, anonymous.
    clock.set(T1);
    await request(app())
      .get(`/token?service=${SERVICE}&scope=repository:team/app:pull,push&scope=repository:other/x:pull&offline_token=true&client_id=docker`)
      .set('Authorization', basic('deploy-token-1', rotated.secret))
      .expect(200)
      .then((response) => {
        refreshToken = (response.body as { refresh_token: string }).refresh_token;
      });
    await request(app()).get('/token').query({ service: SERVICE }).set('Authorization', basic('deploy-token-1', wrongSecret)).expect(401);
    await request(app()).get('/token').query({ service: SERVICE }).set('Authorization', basic('deploy-token-1', created.secret)).expect(401);
    await request(app()).get('/token').query({ service: SERVICE }).set('Authorization', basic('nobody', wrongSecret)).expect(401);
    await request(app())
      .post('/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: refreshToken, service: SERVICE, scope: 'repository:team/app:pull', client_id: 'docker' })
      .expect(200);
    await request(app()).get('/token').query({ service: SERVICE, scope: 'repository:team/app:pull' }).expect(200);
    await admin('post', '/deploy-tokens/deploy-token-1/revoke').expect(200);
    await request(app()).get('/token').query({ service: SERVICE }).set('Authorization', basic('deploy-token-1', rotated.secret)).expect(401);
    await service.regauth.adminKeys.revoke(otherKey.id);
    all = (await audit()).items;
  }, 60_000);

  afterAll(async () => {
    await service?.close();
  });

  test('every event is in the table, newest first, with who, from where and what', () => {
    const tokenDetails = { name: 'ci', repositories: ['team/app'], scopes: ['read_registry'], expiresAt: null, tokenLifetimeSeconds: null };
    const byAdminKey = { actor: 'admin-key:test', tokenId: 1, username: 'deploy-token-1', clientIp: CLIENT_IP };
    const failed = (username: string, reason: string) => ({
      event: 'auth.failed',
      occurredAt: T1.toISOString(),
      actor: null,
      tokenId: null,
      username,
      clientIp: CLIENT_IP,
      details: { reason, grant: 'password' },
    });
    expect([...all].reverse()).toEqual(
      [
        { event: 'admin_key.created', occurredAt: T0.toISOString(), actor: 'cli', tokenId: null, username: null, clientIp: null, details: { adminKeyId: 1, name: 'test' } },
        { event: 'admin_key.created', occurredAt: T0.toISOString(), actor: 'cli', tokenId: null, username: null, clientIp: null, details: { adminKeyId: 2, name: 'short-lived' } },
        { event: 'token.created', occurredAt: T0.toISOString(), ...byAdminKey, details: tokenDetails },
        {
          event: 'token.updated',
          occurredAt: T0.toISOString(),
          ...byAdminKey,
          details: { name: 'ci of team/app', expiresAt: new Date(T0.getTime() + 30 * 24 * HOUR_MS).toISOString() },
        },
        { event: 'token.rotated', occurredAt: T0.toISOString(), ...byAdminKey, details: {} },
        {
          event: 'token.issued',
          occurredAt: T1.toISOString(),
          actor: 'deploy-token-1',
          tokenId: 1,
          username: 'deploy-token-1',
          clientIp: CLIENT_IP,
          details: {
            grant: 'password',
            granted: [{ type: 'repository', name: 'team/app', actions: ['pull'] }],
            refused: [
              { type: 'repository', name: 'team/app', actions: ['push'] },
              { type: 'repository', name: 'other/x', actions: ['pull'] },
            ],
            jti: expect.any(String),
            refreshTokenIssued: true,
            clientId: 'docker',
          },
        },
        failed('deploy-token-1', 'invalid_credentials'),
        failed('deploy-token-1', 'invalid_credentials'),
        failed('nobody', 'invalid_credentials'),
        {
          event: 'token.issued',
          occurredAt: T1.toISOString(),
          actor: 'deploy-token-1',
          tokenId: 1,
          username: 'deploy-token-1',
          clientIp: CLIENT_IP,
          details: {
            grant: 'refresh_token',
            granted: [{ type: 'repository', name: 'team/app', actions: ['pull'] }],
            refused: [],
            jti: expect.any(String),
            clientId: 'docker',
          },
        },
        {
          event: 'token.issued',
          occurredAt: T1.toISOString(),
          actor: null,
          tokenId: null,
          username: null,
          clientIp: CLIENT_IP,
          details: { grant: 'anonymous', granted: [], refused: [{ type: 'repository', name: 'team/app', actions: ['pull'] }], jti: expect.any(String) },
        },
        { event: 'token.revoked', occurredAt: T1.toISOString(), ...byAdminKey, details: {} },
        failed('deploy-token-1', 'token_revoked'),
        { event: 'admin_key.revoked', occurredAt: T1.toISOString(), actor: 'cli', tokenId: null, username: null, clientIp: null, details: { adminKeyId: 2, name: 'short-lived' } },
      ].map((event) => ({ id: expect.any(Number), ...event })),
    );
    const ids = all.map((event) => event.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  test('the same events went to the structured log at once, failed logins as warnings', () => {
    const logged = service.logger.records.filter((record) => record.message === 'audit');
    expect(logged.map((record) => record.fields.event)).toEqual([...all].reverse().map((event) => event.event));
    for (const record of logged) expect(record.level).toBe(record.fields.event === 'auth.failed' ? 'warn' : 'info');
    expect(logged.find((record) => record.fields.event === 'token.issued')?.fields).toMatchObject({
      actor: 'deploy-token-1',
      clientIp: CLIENT_IP,
      granted: [{ type: 'repository', name: 'team/app', actions: ['pull'] }],
      refused: [{ type: 'repository', name: 'team/app', actions: ['push'] }, { type: 'repository', name: 'other/x', actions: ['pull'] }],
    });
  });

  test('no secret, refresh token, admin key or Authorization header is in the audit rows or the log', () => {
    const leaks = [created.secret, rotated.secret, refreshToken, key, otherKey.key, wrongSecret];
    const basics = [basic('deploy-token-1', rotated.secret), basic('deploy-token-1', wrongSecret)].map((header) => header.slice(6));
    const rows = JSON.stringify(all);
    const logs = JSON.stringify(service.logger.records);
    for (const leak of [...leaks, ...basics]) {
      expect(rows).not.toContain(leak);
      expect(logs).not.toContain(leak);
    }
    expect(`${rows}${logs}`).not.toMatch(/regauth_(admin_|rt_)?[A-Za-z0-9_-]{20,}/);
  });

  test.each([
    ['auth.failed', 4],
    ['token.issued', 3],
    ['token.created', 1],
    ['token.updated', 1],
    ['token.rotated', 1],
    ['token.revoked', 1],
    ['admin_key.created', 2],
    ['admin_key.revoked', 1],
  ])('event=%s keeps only those events', async (event, count) => {
    const page = await audit(`?event=${event}`);
    expect(page.items.map((item) => item.event)).toEqual(Array(count).fill(event));
    expect(page.items).toEqual(all.filter((item) => item.event === event));
  });

  test.each(['1', 'deploy-token-1'])('token=%s keeps the events recorded against that deploy token', async (reference) => {
    const page = await audit(`?token=${reference}`);
    expect(page.items).toEqual(all.filter((item) => item.tokenId === 1));
    expect(page.items.map((item) => item.event)).toEqual(['token.revoked', 'token.issued', 'token.issued', 'token.rotated', 'token.updated', 'token.created']);
  });

  test.each<[string, Date]>([
    ['1h', T1],
    ['3h', T0],
    ['2026-11-23T11:00:00Z', T1],
    ['2026-11-23', T0],
  ])('since=%s keeps the events from that time on', async (since, from) => {
    clock.set(new Date(T1.getTime() + 10 * 60_000));
    const page = await audit(`?since=${encodeURIComponent(since)}`);
    expect(page.items).toEqual(all.filter((item) => Date.parse(item.occurredAt) >= from.getTime()));
    expect(page.items.length).toBeGreaterThan(0);
  });

  test('event, token and since together', async () => {
    clock.set(new Date(T1.getTime() + 10 * 60_000));
    const page = await audit('?event=token.issued&token=deploy-token-1&since=1h');
    expect(page.items.map((item) => item.details.grant)).toEqual(['refresh_token', 'password']);
  });

  test.each([1, 2, 3, 5, 14, 15])('limit=%i with before=next walks every event once, newest first', async (limit) => {
    const walked: AuditEventView[] = [];
    let before: number | null = null;
    let pages = 0;
    do {
      const page: AuditPage = await audit(`?limit=${limit}${before === null ? '' : `&before=${before}`}`);
      expect(page.items.length).toBeLessThanOrEqual(limit);
      walked.push(...page.items);
      before = page.next;
      pages += 1;
      expect(pages).toBeLessThanOrEqual(all.length + 1);
    } while (before !== null);
    expect(walked).toEqual(all);
  });

  test('a revoked admin key is refused, and its refusal is not an audit row', async () => {
    const before = all.length;
    expectAdminError(await request(app()).get(`${API}/audit-events`).set('Authorization', bearer(otherKey.key)), 401, 'invalid_admin_key');
    expect((await audit()).items).toHaveLength(before);
  });
});
