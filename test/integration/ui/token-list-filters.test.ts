import request from 'supertest';
import type { Response } from 'supertest';
import { createTestRegauth, ManualClock, type TestRegauth } from '../../support/regauth-app.js';

const NOW = new Date('2026-06-01T10:00:00Z');
const DAY_MS = 86_400_000;
let service: TestRegauth;
let clock: ManualClock;
let cookie: string;
let csrf: string;

const app = () => service.regauth.app;
const csrfIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;
const get = (path: string) => request(app()).get(path).set('Cookie', cookie);
const namesIn = (html: string) => [...html.matchAll(/<a href="\/ui\/tokens\/\d+">([^<]*)<\/a>/g)].map((match) => match[1]);

function sessionCookie(response: Response, name: string): string {
  const header = ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((value) => value.startsWith(`${name}=`)) as string;
  return header.slice(0, header.indexOf(';'));
}

beforeAll(async () => {
  clock = new ManualClock(NOW);
  service = await createTestRegauth({ clock });
  const admin = service.regauth.admin;
  await admin.create({ name: 'stale puller', repositories: ['team/app'], scopes: ['read_registry'], expires: '120d' });
  clock.advance(100 * DAY_MS);
  await admin.create({ name: 'ci pusher', username: 'ci-push', repositories: ['team/*'], scopes: ['write_registry'], expires: '10d' });
  await admin.create({ name: 'cleanup', repositories: ['team/**'], scopes: ['delete_registry'] });
  await admin.create({ name: 'retired', repositories: ['other/x'], scopes: ['read_registry'] });
  await admin.revoke('4');
  // 120 more, so the list has several pages.
  for (let i = 0; i < 120; i += 1) await admin.create({ name: `bulk ${String(i).padStart(3, '0')}`, repositories: ['bulk/app'], scopes: ['read_registry'] });
  // Signed in last: the clock moved 100 days, longer than a session lives.
  const { key } = await service.regauth.adminKeys.create('alice');
  const form = await request(app()).get('/ui/sign-in');
  const signedIn = await request(app()).post('/ui/sign-in').set('Cookie', sessionCookie(form, 'regauth_sign_in')).type('form').send({ csrf: csrfIn(form.text), key });
  cookie = sessionCookie(signedIn, 'regauth_session');
  csrf = csrfIn((await get('/ui/').expect(200)).text);
}, 120_000);

afterAll(async () => {
  await service.close();
});

describe('the token list in the web UI', () => {
  test('has a search box, every filter and the sort, each keeping what was chosen', async () => {
    const page = await get('/ui/tokens?search=pull&status=active&scope=read_registry&expiringWithin=30&unusedFor=90&covers=team/app&sort=name:desc').expect(200);
    for (const field of [
      '<input id="search" name="search" type="search" value="pull"',
      '<option value="active" selected>active</option>',
      '<option value="read_registry" selected>pull images</option>',
      'name="expiringWithin" inputmode="numeric" pattern="[0-9]*" value="30"',
      'name="unusedFor" inputmode="numeric" pattern="[0-9]*" value="90"',
      '<input id="covers" name="covers" value="team/app"',
      '<option value="name:desc" selected>Name, Z to A</option>',
    ]) {
      expect(page.text).toContain(field);
    }
    for (const label of ['for="search"', 'for="status"', 'for="scope"', 'for="expiringWithin"', 'for="unusedFor"', 'for="covers"', 'for="sort"']) {
      expect(page.text).toContain(label);
    }
  });

  test.each<[string, string[]]>([
    ['search=PUSH', ['ci pusher']],
    ['search=ci-push', ['ci pusher']],
    ['status=revoked', ['retired']],
    ['scope=delete_registry', ['cleanup']],
    ['expiringWithin=30', ['stale puller', 'ci pusher']],
    ['unusedFor=90', ['stale puller']],
    ['revokedWithin=7', ['retired']],
    ['covers=team/app/cache', ['stale puller', 'cleanup']],
    ['covers=team/web&status=active&sort=name:asc', ['ci pusher', 'cleanup']],
    ['repository=team/app&search=p', ['stale puller', 'ci pusher', 'cleanup']],
  ])('?%s', async (query, expected) => {
    const page = await get(`/ui/tokens?${query}`).expect(200);
    expect(namesIn(page.text)).toStrictEqual(expected);
    expect(page.text).toContain(`1–${expected.length} of ${expected.length}`);
  });

  test('numbered pages with the range and the total; the links keep the filters', async () => {
    const first = await get('/ui/tokens?covers=bulk/app').expect(200);
    expect(first.text).toContain('<p id="token-range">1–50 of 120</p>');
    expect(first.text).toContain('<a href="/ui/tokens?covers=bulk%2Fapp" aria-current="page">1</a>');
    expect(first.text).toContain('<a href="/ui/tokens?covers=bulk%2Fapp&amp;page=2" aria-label="Page 2">2</a>');
    expect(first.text).toContain('<a href="/ui/tokens?covers=bulk%2Fapp&amp;page=3" aria-label="Page 3">3</a>');
    expect(first.text).toContain('rel="next"');
    expect(first.text).not.toContain('rel="prev"');
    const second = await get('/ui/tokens?covers=bulk/app&page=2').expect(200);
    expect(second.text).toContain('51–100 of 120');
    expect(namesIn(second.text)[0]).toBe('bulk 050');
    const last = await get('/ui/tokens?covers=bulk/app&page=3&sort=name:desc').expect(200);
    expect(last.text).toContain('101–120 of 120');
    expect(namesIn(last.text).at(-1)).toBe('bulk 000');
    expect(last.text).not.toContain('rel="next"');
  });

  test('values that are not a choice or a number are ignored; a bad repository name is a message, not a 500', async () => {
    const ignored = await get('/ui/tokens?status=zombie&scope=sudo&expiringWithin=soon&sort=secret&page=x').expect(200);
    expect(ignored.text).toContain('1–50 of 124');
    const refused = await get('/ui/tokens?covers=Team/App').expect(400);
    expect(refused.text).toContain('There is a problem');
    expect(refused.text).toContain('<a href="#covers">invalid repository &quot;Team/App&quot;');
  });

  test('a hostile search is shown as text', async () => {
    const page = await get(`/ui/tokens?search=${encodeURIComponent('"><script>alert(1)</script>')}`).expect(200);
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).toContain('No deploy tokens match.');
  });
});

describe('the overview counts come from the store and link to the filtered list', () => {
  test('active, expiring within 30 days, unused for 90 days, revoked in the last 7 days', async () => {
    const overview = await get('/ui/').expect(200);
    expect(overview.text).toContain('<a href="/ui/tokens?status=active">123 active</a>');
    expect(overview.text).toContain('<a href="/ui/tokens?status=active&amp;expiringWithin=30">2 expiring within 30 days</a>');
    expect(overview.text).toContain('<a href="/ui/tokens?status=active&amp;unusedFor=90">1 unused for 90 days</a>');
    expect(overview.text).toContain('<a href="/ui/tokens?revokedWithin=7">1 revoked in the last 7 days</a>');
    const linked = await get('/ui/tokens?status=active&expiringWithin=30').expect(200);
    expect(namesIn(linked.text)).toStrictEqual(['stale puller', 'ci pusher']);
  });
});

describe('the detail page: secret issued at and by, and extending the expiry', () => {
  const extend = (reference: string, fields: Record<string, string>, headers: Record<string, string> = { 'Sec-Fetch-Site': 'same-origin' }) =>
    request(app()).post(`/ui/tokens/${reference}/extend`).set('Cookie', cookie).set(headers).type('form').send(fields);

  test('shows when and by whom the secret was issued, and the extend form to an admin', async () => {
    const detail = await get('/ui/tokens/2').expect(200);
    expect(detail.text).toMatch(/<dt>Secret issued<\/dt><dd id="secret-issued"><time datetime="[^"]+">[^<]+<\/time> by cli<\/dd>/);
    expect(detail.text).toContain('<form method="post" action="/ui/tokens/2/extend">');
    expect(detail.text).toContain('Extend expiry of ci pusher');
    const neverExpires = await get('/ui/tokens/3').expect(200);
    expect(neverExpires.text).not.toContain('/extend');
  });

  test('a viewer sees the secret issued line but no extend form, and cannot post one', async () => {
    const { sessionId, session } = await service.regauth.uiSessions!.start({ kind: 'sso', subject: 'v', email: null, role: 'viewer' });
    const viewer = `regauth_session=${sessionId}`;
    const detail = await request(app()).get('/ui/tokens/2').set('Cookie', viewer).expect(200);
    expect(detail.text).toContain('Secret issued');
    expect(detail.text).not.toContain('/extend');
    await request(app()).post('/ui/tokens/2/extend').set('Cookie', viewer).type('form').send({ csrf: session.csrfToken, expiry: '90d' }).expect(403);
  });

  test('CSRF: a missing or wrong token, or a cross-site request, is refused and changes nothing', async () => {
    const before = await service.regauth.admin.get('2');
    await extend('2', { expiry: '90d' }).expect(403);
    await extend('2', { expiry: '90d', csrf: 'x'.repeat(csrf.length) }).expect(403);
    await extend('2', { expiry: '90d', csrf }, { 'Sec-Fetch-Site': 'cross-site' }).expect(403);
    expect(await service.regauth.admin.get('2')).toStrictEqual(before);
  });

  test('extends, keeps the secret, and audits the UI actor', async () => {
    const before = await service.regauth.admin.get('2');
    await extend('2', { expiry: '90d', csrf }).expect(303).expect('Location', '/ui/tokens/2');
    const after = await service.regauth.admin.get('2');
    expect(after.expiresAt).toBe(new Date(clock.now().getTime() + 90 * DAY_MS).toISOString());
    expect(after.secretIssuedAt).toBe(before.secretIssuedAt);
    const events = await service.regauth.admin.audit({ event: 'token.extended', token: '2' });
    expect(events.items.map((event) => event.actor)).toStrictEqual(['admin-key:alice via ui']);
    const detail = await get('/ui/tokens/2').expect(200);
    expect(detail.text).toContain('token.extended');
  });

  test('a date in the past or a missing date comes back with the reason and changes nothing', async () => {
    const before = await service.regauth.admin.get('1');
    const past = await extend('1', { expiry: 'date', expiryDate: '2020-01-01', csrf }).expect(400);
    expect(past.text).toContain('<a href="#extend-expiryDate">invalid expiry &quot;2020-01-01&quot;: it is not in the future</a>');
    const missing = await extend('1', { expiry: 'date', expiryDate: '', csrf }).expect(400);
    expect(missing.text).toContain('Enter the new expiry date');
    expect(await service.regauth.admin.get('1')).toStrictEqual(before);
  });
});
