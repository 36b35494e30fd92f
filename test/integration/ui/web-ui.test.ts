import request from 'supertest';
import type { Response } from 'supertest';
import { ManualClock, createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';

const HOSTILE = '<script>alert(1)</script>';
let service: TestRegauth;
let clock: ManualClock;
let adminKey: string;
let adminKeyId: number;

beforeAll(async () => {
  clock = new ManualClock(new Date('2026-06-01T10:00:00Z'));
  service = await createTestRegauth({ clock });
  const created = await service.regauth.adminKeys.create('alice');
  adminKey = created.key;
  adminKeyId = created.adminKey.id;
  await service.regauth.admin.create({ name: HOSTILE, repositories: ['team/app'], scopes: ['read_registry'] });
});

afterAll(async () => {
  await service.close();
});

const app = () => service.regauth.app;

function cookieOf(response: Response, name: string): string {
  const header = ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((cookie) => cookie.startsWith(`${name}=`));
  if (header === undefined) throw new Error(`no ${name} cookie`);
  return header;
}

const valueOf = (setCookie: string) => setCookie.slice(0, setCookie.indexOf(';'));
const csrfIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;

async function signIn(key = adminKey): Promise<{ cookie: string; csrf: string }> {
  const form = await request(app()).get('/ui/sign-in').expect(200);
  const preSession = valueOf(cookieOf(form, 'regauth_sign_in'));
  const signedIn = await request(app())
    .post('/ui/sign-in')
    .set('Cookie', preSession)
    .set('Sec-Fetch-Site', 'same-origin')
    .type('form')
    .send({ csrf: csrfIn(form.text), key })
    .expect(303);
  const cookie = valueOf(cookieOf(signedIn, 'regauth_session'));
  const overview = await request(app()).get('/ui/').set('Cookie', cookie).expect(200);
  return { cookie, csrf: csrfIn(overview.text) };
}

describe('the web UI', () => {
  test('/ redirects to /ui/, and anonymous pages redirect to the sign-in page', async () => {
    await request(app()).get('/').expect(302).expect('Location', '/ui/');
    for (const path of ['/ui/', '/ui/tokens', '/ui/tokens/1', '/ui/trust-policies']) {
      await request(app()).get(path).expect(303).expect('Location', '/ui/sign-in');
    }
  });

  test('pages carry a strict CSP, no referrer, and the hashed static files are cached for a year', async () => {
    const page = await request(app()).get('/ui/sign-in').expect(200);
    const csp = page.headers['content-security-policy'] as string;
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toMatch(/^<!doctype html><html lang="en">/);
    expect(page.text).not.toMatch(/<script>|<style|style="/);
    const assets = [...page.text.matchAll(/(?:href|src)="(\/ui\/static\/[^"]+)"/g)].map((match) => match[1] as string);
    expect(assets).toHaveLength(2);
    for (const asset of assets) {
      expect(asset).toMatch(/\.[0-9a-f]{12}\.(js|css)$/);
      const served = await request(app()).get(asset).expect(200);
      expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
  });

  test('sign-in sets an HttpOnly, SameSite=Strict session cookie and refuses a wrong key with a message', async () => {
    const form = await request(app()).get('/ui/sign-in').expect(200);
    expect(cookieOf(form, 'regauth_sign_in')).toMatch(/HttpOnly; SameSite=Strict; Path=\/; Max-Age=600/);
    const preSession = valueOf(cookieOf(form, 'regauth_sign_in'));
    const wrong = await request(app())
      .post('/ui/sign-in')
      .set('Cookie', preSession)
      .type('form')
      .send({ csrf: csrfIn(form.text), key: 'regauth_admin_nope' })
      .expect(401);
    expect(wrong.text).toContain('There is a problem');
    expect(wrong.text).toContain('href="#key"');
    const signedIn = await request(app())
      .post('/ui/sign-in')
      .set('Cookie', valueOf(cookieOf(wrong, 'regauth_sign_in')))
      .type('form')
      .send({ csrf: csrfIn(wrong.text), key: adminKey })
      .expect(303);
    expect(cookieOf(signedIn, 'regauth_session')).toMatch(/^regauth_session=regauth_uis_[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
  });

  test('the sign-in form is refused without its pre-session token or from another site', async () => {
    const form = await request(app()).get('/ui/sign-in').expect(200);
    const preSession = valueOf(cookieOf(form, 'regauth_sign_in'));
    await request(app()).post('/ui/sign-in').type('form').send({ csrf: csrfIn(form.text), key: adminKey }).expect(403);
    await request(app()).post('/ui/sign-in').set('Cookie', preSession).type('form').send({ csrf: 'wrong', key: adminKey }).expect(403);
    await request(app())
      .post('/ui/sign-in')
      .set('Cookie', preSession)
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ csrf: csrfIn(form.text), key: adminKey })
      .expect(403);
  });

  test('a hostile token name is shown as text on the overview, the list and the detail page', async () => {
    const { cookie } = await signIn();
    for (const path of ['/ui/tokens', '/ui/tokens/1', '/ui/tokens/1/revoke']) {
      const page = await request(app()).get(path).set('Cookie', cookie).expect(200);
      expect(page.text).toContain('&lt;script>alert(1)&lt;/script>');
      expect(page.text).not.toContain(HOSTILE);
    }
    const overview = await request(app()).get('/ui/').set('Cookie', cookie).expect(200);
    expect(overview.text).toContain('1 active');
    expect(overview.text).toContain('auth:');
  });

  test('the token list filters by status and by a repository the patterns cover', async () => {
    const { cookie } = await signIn();
    await service.regauth.admin.create({ name: 'other-team', repositories: ['other/**'], scopes: ['write_registry'] });
    const covering = await request(app()).get('/ui/tokens?repository=team/app').set('Cookie', cookie).expect(200);
    expect(covering.text).toContain('alert(1)');
    expect(covering.text).not.toContain('other-team');
    const revoked = await request(app()).get('/ui/tokens?status=revoked').set('Cookie', cookie).expect(200);
    expect(revoked.text).toContain('No deploy tokens match.');
  });

  test('revoking needs the synchronizer token and the same origin, then names the UI actor in the audit log', async () => {
    const { cookie, csrf } = await signIn();
    const token = await service.regauth.admin.create({ name: 'doomed', repositories: ['team/doomed'], scopes: ['read_registry'] });
    const path = `/ui/tokens/${token.token.id}/revoke`;
    await request(app()).post(path).set('Cookie', cookie).type('form').send({}).expect(403);
    await request(app()).post(path).set('Cookie', cookie).type('form').send({ csrf: 'x'.repeat(csrf.length) }).expect(403);
    await request(app()).post(path).set('Cookie', cookie).set('Sec-Fetch-Site', 'cross-site').type('form').send({ csrf }).expect(403);
    expect((await service.regauth.admin.get(String(token.token.id))).status).toBe('active');
    await request(app()).post(path).set('Cookie', cookie).set('Sec-Fetch-Site', 'same-origin').type('form').send({ csrf }).expect(303);
    expect((await service.regauth.admin.get(String(token.token.id))).status).toBe('revoked');
    const detail = await request(app()).get(`/ui/tokens/${token.token.id}`).set('Cookie', cookie).expect(200);
    expect(detail.text).toContain('admin-key:alice via ui');
  });

  test('a viewer reads but cannot revoke', async () => {
    const { sessionId, session } = await (service.regauth.uiSessions as NonNullable<typeof service.regauth.uiSessions>).start({
      kind: 'sso',
      subject: 'u-1',
      email: 'viewer@example.com',
      role: 'viewer',
    });
    const cookie = `regauth_session=${sessionId}`;
    const detail = await request(app()).get('/ui/tokens/1').set('Cookie', cookie).expect(200);
    expect(detail.text).not.toContain('Revoke this token');
    await request(app()).get('/ui/tokens/1/revoke').set('Cookie', cookie).expect(403);
    await request(app()).post('/ui/tokens/1/revoke').set('Cookie', cookie).type('form').send({ csrf: session.csrfToken }).expect(403);
    expect((await service.regauth.admin.get('1')).status).toBe('active');
  });

  test('sign-out (POST) ends the session; so do revoking its admin key and the idle timeout', async () => {
    const first = await signIn();
    await request(app()).post('/ui/sign-out').set('Cookie', first.cookie).type('form').send({ csrf: first.csrf }).expect(303);
    await request(app()).get('/ui/').set('Cookie', first.cookie).expect(303);

    const idle = await signIn();
    clock.advance(30 * 60_000);
    await request(app()).get('/ui/').set('Cookie', idle.cookie).expect(303);

    const { key, adminKey: created } = await service.regauth.adminKeys.create('bob');
    const revoked = await signIn(key);
    await service.regauth.adminKeys.revoke(created.id);
    await request(app()).get('/ui/').set('Cookie', revoked.cookie).expect(303);
    expect(adminKeyId).not.toBe(created.id);
  });

  test('/api/v1 never accepts the UI cookie', async () => {
    const { cookie } = await signIn();
    await request(app()).get('/api/v1/deploy-tokens').set('Cookie', cookie).expect(401);
  });
});
