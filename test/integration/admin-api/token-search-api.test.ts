import request from 'supertest';
import type { CreatedDeployToken, DeployTokenPage } from '../../../src/app/deploy-token-admin.js';
import type { DeployTokenView } from '../../../src/app/deploy-token-view.js';
import type { PatternTestResult } from '../../../src/app/pattern-test.js';
import { createTestRegauth, ManualClock, type TestRegauth } from '../../support/regauth-app.js';
import { API, bearer, bodyOf, expectAdminError } from './admin-api-support.js';

const NOW = new Date('2026-11-23T10:00:00.000Z');
const DAY_MS = 86_400_000;

describe('admin API: searching, extending, testing patterns, credential formats', () => {
  const clock = new ManualClock(NOW);
  let service: TestRegauth;
  let key: string;

  const call = (method: 'get' | 'post', url: string) => request(service.regauth.app)[method](url).set('Authorization', bearer(key));
  const list = async (query: string) => bodyOf<DeployTokenPage>('listDeployTokens', await call('get', `${API}/deploy-tokens?${query}`));
  const names = async (query: string) => (await list(query)).items.map((token) => token.name);

  beforeAll(async () => {
    service = await createTestRegauth({ clock }, { REGAUTH_REGISTRY_HOST: 'registry.example.com' });
    key = (await service.regauth.adminKeys.create('ops')).key;
    const admin = service.regauth.admin;
    await admin.create({ name: 'Old Puller', repositories: ['team/app'], scopes: ['read_registry'], expires: '120d' });
    clock.advance(100 * DAY_MS);
    await admin.create({ name: 'pusher', username: 'ci-push', repositories: ['team/*'], scopes: ['write_registry'], expires: '10d' });
    await admin.create({ name: 'cleaner', repositories: ['team/**'], scopes: ['delete_registry'] });
    await admin.create({ name: 'gone', repositories: ['other/x'], scopes: ['read_registry'] });
    await admin.revoke('4');
  }, 60_000);

  afterAll(async () => {
    await service?.close();
  });

  test('search, status, scope, expiringWithinDays, unusedForDays, revokedWithinDays and covers filter in the store', async () => {
    expect(await names('search=OLD')).toStrictEqual(['Old Puller']);
    expect(await names('search=ci-push')).toStrictEqual(['pusher']);
    expect(await names('search=team/*')).toStrictEqual(['pusher', 'cleaner']);
    expect(await names('status=active&scope=write_registry')).toStrictEqual(['pusher']);
    expect(await names('expiringWithinDays=30')).toStrictEqual(['Old Puller', 'pusher']);
    expect(await names('expiringWithinDays=15')).toStrictEqual(['pusher']);
    expect(await names('unusedForDays=90')).toStrictEqual(['Old Puller']);
    expect(await names('revokedWithinDays=7')).toStrictEqual(['gone']);
    expect(await names('covers=team/app/cache')).toStrictEqual(['Old Puller', 'cleaner']);
    expect(await names('covers=team/web&status=active')).toStrictEqual(['pusher', 'cleaner']);
  });

  test('sort and offset paging with the total', async () => {
    expect(await names('sort=name:asc')).toStrictEqual(['cleaner', 'gone', 'Old Puller', 'pusher']);
    expect(await names('sort=expires:asc')).toStrictEqual(['pusher', 'Old Puller', 'cleaner', 'gone']);
    const page = await list('sort=created:desc&limit=2&offset=2');
    expect([page.items.map((token) => token.name), page.total, page.offset, page.next]).toStrictEqual([['pusher', 'Old Puller'], 4, 2, null]);
    const covering = await list('covers=team/app&limit=1&offset=1');
    expect([covering.items.map((token) => token.name), covering.total]).toStrictEqual([['pusher'], 3]);
  });

  test.each<[string, string, string | RegExp]>([
    ['sort=secret', 'invalid_sort', /^invalid sort "secret": use name, created, expires, lastUsed/],
    ['scope=sudo', 'invalid_input', /^query: scope/],
    ['expiringWithinDays=0', 'invalid_input', /^query: expiringWithinDays/],
    ['offset=-1', 'invalid_input', /^query: offset/],
    ['covers=team/*', 'invalid_repository', /^invalid repository "team\/\*"/],
  ])('refuses %s', async (query, code, message) => {
    expectAdminError(await call('get', `${API}/deploy-tokens?${query}`), 400, code, message);
  });

  describe('POST /deploy-tokens/{reference}/extend', () => {
    test('moves the expiry later, keeps the secret, and audits token.extended by the key', async () => {
      const before = bodyOf<DeployTokenView>('getDeployToken', await call('get', `${API}/deploy-tokens/ci-push`));
      const extended = bodyOf<DeployTokenView>('extendDeployToken', await call('post', `${API}/deploy-tokens/ci-push/extend`).send({ expires: '90d' }));
      expect(extended).toStrictEqual({ ...before, expiresAt: new Date(clock.now().getTime() + 90 * DAY_MS).toISOString(), updatedAt: clock.now().toISOString() });
      const events = bodyOf<{ items: { event: string; actor: string; details: Record<string, unknown> }[] }>(
        'listAuditEvents',
        await call('get', `${API}/audit-events?token=ci-push&event=token.extended`),
      );
      expect(events.items).toMatchObject([{ event: 'token.extended', actor: 'admin-key:ops', details: { previousExpiresAt: before.expiresAt, expiresAt: extended.expiresAt } }]);
    });

    test('null: never expires', async () => {
      const extended = bodyOf<DeployTokenView>('extendDeployToken', await call('post', `${API}/deploy-tokens/1/extend`).send({ expires: null }));
      expect(extended.expiresAt).toBeNull();
    });

    test.each<[string, object, number, string, string | RegExp]>([
      ['a date in the past', { expires: '2020-01-01' }, 400, 'invalid_expiry', 'invalid expiry "2020-01-01": it is not in the future'],
      ['an earlier expiry', { expires: '1d' }, 400, 'invalid_input', /is not later than the current expiry/],
      ['a revoked token', { expires: '30d' }, 400, 'invalid_input', /revoked/],
      ['no expires field', {}, 400, 'invalid_input', /^body: expires/],
      ['an unknown field', { expires: '30d', secret: 'x' }, 400, 'invalid_input', /^body/],
    ])('refuses %s and changes nothing', async (label, body, status, code, message) => {
      const reference = label === 'a revoked token' ? '4' : 'ci-push';
      const before = bodyOf<DeployTokenView>('getDeployToken', await call('get', `${API}/deploy-tokens/${reference}`));
      expectAdminError(await call('post', `${API}/deploy-tokens/${reference}/extend`).send(body), status, code, message);
      expect(bodyOf<DeployTokenView>('getDeployToken', await call('get', `${API}/deploy-tokens/${reference}`))).toStrictEqual(before);
    });
  });

  describe('POST /patterns/test', () => {
    test('says which repositories the patterns cover and by which pattern', async () => {
      const response = await call('post', `${API}/patterns/test`).send({ patterns: ['team/app', 'shared/*'], repositories: ['team/app', 'team/app/cache', 'team/application', 'shared/base'] });
      expect(bodyOf<PatternTestResult>('testPatterns', response)).toStrictEqual({
        items: [
          { repository: 'team/app', covered: true, pattern: 'team/app' },
          { repository: 'team/app/cache', covered: true, pattern: 'team/app' },
          { repository: 'team/application', covered: false, pattern: null },
          { repository: 'shared/base', covered: true, pattern: 'shared/*' },
        ],
        summary: 'covers team/app, team/app/cache and shared/base, not team/application',
      });
    });

    test.each<[string, object, string]>([
      ['a bad pattern', { patterns: ['Team/App'], repositories: ['team/app'] }, 'invalid_repository'],
      ['a bad repository name', { patterns: ['team/**'], repositories: ['team//app'] }, 'invalid_input'],
      ['no patterns', { patterns: [], repositories: ['team/app'] }, 'invalid_input'],
      ['too many repositories', { patterns: ['team/**'], repositories: Array.from({ length: 101 }, (_, i) => `team/r${i}`) }, 'invalid_input'],
    ])('refuses %s', async (_label, body, code) => {
      expectAdminError(await call('post', `${API}/patterns/test`).send(body), 400, code);
    });
  });

  test('create and rotate answer every credential format for registry.host, the same text the CLI prints', async () => {
    const created = bodyOf<CreatedDeployToken>(
      'createDeployToken',
      await call('post', `${API}/deploy-tokens`).send({ name: 'Prod Cluster', repositories: ['team/app'], scopes: ['read_registry'] }),
    );
    const { credentials, secret, token } = created;
    expect(credentials.dockerLogin).toBe(`printf '%s' '${secret}' | docker login registry.example.com --username ${token.username} --password-stdin\n`);
    expect(credentials.podmanLogin).toBe(`printf '%s' '${secret}' | podman login registry.example.com --username ${token.username} --password-stdin\n`);
    expect(JSON.parse(credentials.dockerConfigJson)).toStrictEqual({
      auths: { 'registry.example.com': { username: token.username, password: secret, auth: Buffer.from(`${token.username}:${secret}`).toString('base64') } },
    });
    expect(credentials.kubernetesSecret).toContain('name: regauth-prod-cluster');
    expect(credentials.imagePullSecrets).toBe('imagePullSecrets:\n  - name: regauth-prod-cluster\n');
    expect(credentials.githubActions).toContain('docker/login-action');
    expect(credentials.gitlabCi).toContain(`REGISTRY_PASSWORD='${secret}'`);
    const rotated = bodyOf<CreatedDeployToken>('rotateDeployToken', await call('post', `${API}/deploy-tokens/${token.id}/rotate`));
    expect(rotated.credentials.dockerLogin).toContain(rotated.secret);
    expect(rotated.token.secretIssuedBy).toBe('admin-key:ops');
    expect(JSON.stringify(rotated.credentials)).not.toContain(secret);
  });
});
