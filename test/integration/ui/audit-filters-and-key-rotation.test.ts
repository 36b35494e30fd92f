import request from 'supertest';
import type { AuditPage } from '../../../src/app/deploy-token-admin.js';
import { createPostgresTestSchema, postgresAvailable } from '../../support/postgres.js';
import { ManualClock, createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';
import { API, bearer, bodyOf } from '../admin-api/admin-api-support.js';

const HOSTILE = '<script>alert(1)</script>';
const START = new Date('2026-06-01T10:00:00Z');
const DAY = 86_400_000;

interface Store {
  readonly name: string;
  open(clock: ManualClock): Promise<{ service: TestRegauth; close(): Promise<void> }>;
}

const embedded: Store = {
  name: 'the embedded store',
  async open(clock) {
    const service = await createTestRegauth({ clock });
    return { service, close: () => service.close() };
  },
};

const onPostgres: Store = {
  name: 'PostgreSQL',
  async open(clock) {
    const schema = await createPostgresTestSchema();
    const service = await createTestRegauth({ clock }, { DATABASE_URL: schema.url });
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

describe.each(STORES)('the audit page filters and the signing-key rotation event on $name', (store) => {
  const clock = new ManualClock(START);
  let opened: { service: TestRegauth; close(): Promise<void> };
  let admin: { cookie: string; csrf: string };
  let viewer: { cookie: string; csrf: string };
  let adminKey: string;
  const app = () => opened.service.regauth.app;
  const rows = (html: string) => (html.match(/<tr>/g) ?? []).length - 1;

  beforeAll(async () => {
    opened = await store.open(clock);
    const sessions = opened.service.regauth.uiSessions!;
    const created = await opened.service.regauth.adminKeys.create('Alice');
    adminKey = created.key;
    // Day 0: the CLI makes a token; day 2: the UI (Alice) makes one with a hostile name; day 4: the tests.
    await opened.service.regauth.admin.create({ name: 'from-cli', username: 'cli-made', repositories: ['team/app'], scopes: ['read_registry'] });
    clock.advance(2 * DAY);
    await opened.service.regauth.admin.create(
      { name: HOSTILE, username: 'ui-made', repositories: ['team/app'], scopes: ['read_registry'] },
      { actor: 'admin-key:Alice via ui', clientIp: '127.0.0.1' },
    );
    clock.advance(2 * DAY);
    // Signed in now: sessions started before the clock moved would have idled out.
    const signedIn = await sessions.start({ kind: 'admin-key', adminKeyId: created.adminKey.id, name: created.adminKey.name });
    admin = { cookie: `regauth_session=${signedIn.sessionId}`, csrf: signedIn.session.csrfToken };
    const watching = await sessions.start({ kind: 'sso', subject: 'vera', email: 'vera@example.com', role: 'viewer' });
    viewer = { cookie: `regauth_session=${watching.sessionId}`, csrf: watching.session.csrfToken };
  });

  afterAll(async () => {
    await opened.close();
  });

  test('the filter form offers event, token, actor and a time range', async () => {
    const page = await request(app()).get('/ui/audit').set('Cookie', viewer.cookie).expect(200);
    for (const field of ['event', 'token', 'actor', 'since', 'until']) {
      expect(page.text).toMatch(new RegExp(`<label for="${field}">[^<]+</label>`));
      expect(page.text).toContain(`name="${field}"`);
    }
  });

  test('the actor filter matches part of the actor in any case; each row links to its token', async () => {
    const alice = await request(app()).get('/ui/audit?actor=alice').set('Cookie', viewer.cookie).expect(200);
    expect(rows(alice.text)).toBe(1);
    expect(alice.text).toContain('<td>admin-key:Alice via ui</td>');
    expect(alice.text).toContain('<a href="/ui/tokens/2">ui-made</a>');
    expect(alice.text).not.toContain(HOSTILE);
    expect(alice.text).toContain('value="alice"');
    const cli = await request(app()).get('/ui/audit?actor=CLI&event=token.created').set('Cookie', viewer.cookie).expect(200);
    expect(rows(cli.text)).toBe(1);
    expect(cli.text).toContain('<a href="/ui/tokens/1">cli-made</a>');
    const nobody = await request(app()).get(`/ui/audit?actor=${encodeURIComponent(HOSTILE)}`).set('Cookie', viewer.cookie).expect(200);
    expect(nobody.text).toContain('No events match.');
    expect(nobody.text).not.toContain(HOSTILE);
  });

  test('since and until bound the time range, with durations or dates, and combine with the other filters', async () => {
    const beforeThreeDaysAgo = await request(app()).get('/ui/audit?until=3d').set('Cookie', viewer.cookie).expect(200);
    expect(beforeThreeDaysAgo.text).toContain('cli-made');
    expect(beforeThreeDaysAgo.text).not.toContain('ui-made');
    const window = await request(app()).get('/ui/audit?since=2026-06-02&until=2026-06-04&event=token.created').set('Cookie', viewer.cookie).expect(200);
    expect(rows(window.text)).toBe(1);
    expect(window.text).toContain('ui-made');
    const byToken = await request(app()).get('/ui/audit?token=cli-made&since=1d').set('Cookie', viewer.cookie).expect(200);
    expect(byToken.text).toContain('No events match.');
  });

  test('a bad actor, until or empty range is explained in the error summary, linked to its field', async () => {
    const badUntil = await request(app()).get('/ui/audit?until=soonish').set('Cookie', viewer.cookie).expect(200);
    expect(badUntil.text).toContain('<a href="#until">invalid until');
    const empty = await request(app()).get('/ui/audit?since=2026-06-04&until=2026-06-02').set('Cookie', viewer.cookie).expect(200);
    expect(empty.text).toContain('<a href="#until">the time range is empty');
    const long = await request(app()).get(`/ui/audit?actor=${'a'.repeat(201)}`).set('Cookie', viewer.cookie).expect(200);
    expect(long.text).toContain('<a href="#actor">an actor filter is 1 to 200 characters</a>');
  });

  test('the admin API filters by actor and until too', async () => {
    const page = bodyOf<AuditPage>(
      'listAuditEvents',
      await request(app()).get(`${API}/audit-events?actor=via%20ui&until=1d`).set('Authorization', bearer(adminKey)),
    );
    expect(page.items.map((item) => [item.event, item.username])).toEqual([['token.created', 'ui-made']]);
  });

  test('rotating the signing key in the UI records key.rotated with the kid, activation and UI actor', async () => {
    await request(app())
      .post('/ui/signing-keys/rotate')
      .set('Cookie', viewer.cookie)
      .type('form')
      .send({ csrf: viewer.csrf, activateIn: '0' })
      .expect(403);
    await request(app()).post('/ui/signing-keys/rotate').set('Cookie', admin.cookie).type('form').send({ csrf: 'wrong', activateIn: '2h' }).expect(403);
    await request(app()).post('/ui/signing-keys/rotate').set('Cookie', admin.cookie).type('form').send({ csrf: admin.csrf, activateIn: 'soon' }).expect(400);
    expect((await opened.service.regauth.admin.audit({ event: 'key.rotated' })).items).toEqual([]);
    const before = await request(app()).get('/ui/').set('Cookie', viewer.cookie).expect(200);
    expect(before.text).toContain('No key is waiting to sign');
    const rotated = await request(app()).post('/ui/signing-keys/rotate').set('Cookie', admin.cookie).type('form').send({ csrf: admin.csrf, activateIn: '2h' }).expect(200);
    const keyId = /Added ([A-Z2-7:]+):/.exec(rotated.text)?.[1];
    expect(keyId).toMatch(/^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
    const overview = await request(app()).get('/ui/').set('Cookie', viewer.cookie).expect(200);
    expect(overview.text).toContain(`The registry's bundle needs updating: key <code>${keyId}</code> signs from`);
    const events = await opened.service.regauth.admin.audit({ event: 'key.rotated' });
    expect(events.items).toHaveLength(1);
    expect(events.items[0]).toMatchObject({
      actor: 'admin-key:Alice via ui',
      tokenId: null,
      details: { keyId, activatesAt: new Date(clock.now().getTime() + 2 * 3_600_000).toISOString(), algorithm: 'RS256' },
    });
    const page = await request(app()).get('/ui/audit?event=key.rotated').set('Cookie', viewer.cookie).expect(200);
    expect(page.text).toContain('<option value="key.rotated" selected>key.rotated</option>');
    expect(page.text).toContain('<td>admin-key:Alice via ui</td>');
    expect(rows(page.text)).toBe(1);
  });
});
