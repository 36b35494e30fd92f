import request from 'supertest';
import type { Response } from 'supertest';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';

const HOSTILE = '<script>alert(1)</script>';
let service: TestRegauth;
let cookie: string;
let csrf: string;

const app = () => service.regauth.app;
const csrfIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;

function cookieValue(response: Response, name: string): string {
  const header = ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((value) => value.startsWith(`${name}=`)) as string;
  return header.slice(0, header.indexOf(';'));
}

beforeAll(async () => {
  service = await createTestRegauth();
  const { key } = await service.regauth.adminKeys.create('alice');
  const form = await request(app()).get('/ui/sign-in');
  const signedIn = await request(app())
    .post('/ui/sign-in')
    .set('Cookie', cookieValue(form, 'regauth_sign_in'))
    .type('form')
    .send({ csrf: csrfIn(form.text), key });
  cookie = cookieValue(signedIn, 'regauth_session');
  csrf = csrfIn((await request(app()).get('/ui/audit').set('Cookie', cookie).expect(200)).text);
  await service.regauth.admin.create({ name: HOSTILE, username: 'hostile', repositories: ['team/app'], scopes: ['read_registry'] });
});

afterAll(async () => {
  await service.close();
});

describe('the audit page', () => {
  test('filters by event and token, links rows to their token, and explains a bad filter', async () => {
    const page = await request(app()).get('/ui/audit?event=token.created&token=hostile').set('Cookie', cookie).expect(200);
    expect(page.text).toContain('<a href="/ui/tokens/1">hostile</a>');
    expect(page.text).toContain('token.created');
    expect(page.text).not.toContain(HOSTILE);
    const none = await request(app()).get('/ui/audit?event=token.revoked').set('Cookie', cookie).expect(200);
    expect(none.text).toContain('No events match.');
    const bad = await request(app()).get('/ui/audit?since=yesterday-ish').set('Cookie', cookie).expect(200);
    expect(bad.text).toContain('There is a problem');
    const unknown = await request(app()).get('/ui/audit?token=nobody').set('Cookie', cookie).expect(200);
    expect(unknown.text).toContain('href="#token"');
  });
});

describe('the admin keys page', () => {
  test('creates a key shown once (no-store), named in the audit log as the UI actor, then revokes it', async () => {
    const created = await request(app())
      .post('/ui/admin-keys')
      .set('Cookie', cookie)
      .set('Sec-Fetch-Site', 'same-origin')
      .type('form')
      .send({ csrf, name: HOSTILE })
      .expect(200);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.text).toMatch(/<pre id="admin-key">regauth_admin_[A-Za-z0-9_-]{43}<\/pre>/);
    expect(created.text).not.toContain(HOSTILE);
    const keys = await service.regauth.adminKeys.list();
    const made = keys.find((key) => key.name === HOSTILE) as (typeof keys)[number];
    const list = await request(app()).get('/ui/admin-keys').set('Cookie', cookie).expect(200);
    expect(list.text).not.toContain(HOSTILE);
    expect(list.text).toContain(`/ui/admin-keys/${made.id}/revoke`);
    await request(app()).post(`/ui/admin-keys/${made.id}/revoke`).set('Cookie', cookie).type('form').send({ csrf: 'wrong' }).expect(403);
    await request(app()).post(`/ui/admin-keys/${made.id}/revoke`).set('Cookie', cookie).type('form').send({ csrf }).expect(303);
    expect((await service.regauth.adminKeys.list()).find((key) => key.id === made.id)?.status).toBe('revoked');
    const audit = await service.regauth.admin.audit({ event: 'admin_key.revoked' });
    expect(audit.items.map((event) => event.actor)).toEqual(['admin-key:alice via ui']);
  });

  test('an empty name is refused with a message; a viewer sees neither the page nor its link', async () => {
    const refused = await request(app()).post('/ui/admin-keys').set('Cookie', cookie).type('form').send({ csrf, name: ' ' }).expect(400);
    expect(refused.text).toContain('There is a problem');
    const { sessionId } = await service.regauth.uiSessions!.start({ kind: 'sso', subject: 'v', email: null, role: 'viewer' });
    const viewer = `regauth_session=${sessionId}`;
    await request(app()).get('/ui/admin-keys').set('Cookie', viewer).expect(403);
    const overview = await request(app()).get('/ui/').set('Cookie', viewer).expect(200);
    expect(overview.text).not.toContain('Admin keys');
    const policies = await request(app()).get('/ui/trust-policies').set('Cookie', viewer).expect(200);
    expect(policies.text).toContain('No trust policies yet.');
  });
});

describe('the signing keys page', () => {
  test('lists the keys, offers the bundle and JWKS file, and rotates with a chosen activation delay', async () => {
    const page = await request(app()).get('/ui/signing-keys').set('Cookie', cookie).expect(200);
    expect(page.text).toContain('<td>signing</td>');
    const bundle = await request(app()).get('/ui/signing-keys/registry-rootcertbundle.pem').set('Cookie', cookie).expect(200);
    expect(bundle.text).toContain('-----BEGIN CERTIFICATE-----');
    const jwks = await request(app()).get('/ui/signing-keys/registry-jwks.json').set('Cookie', cookie).expect(200);
    expect((JSON.parse(jwks.text) as { keys: unknown[] }).keys).toHaveLength(1);
    const bad = await request(app()).post('/ui/signing-keys/rotate').set('Cookie', cookie).type('form').send({ csrf, activateIn: 'soon' }).expect(400);
    expect(bad.text).toContain('<a href="#activateIn">');
    const rotated = await request(app()).post('/ui/signing-keys/rotate').set('Cookie', cookie).type('form').send({ csrf, activateIn: '2h' }).expect(200);
    expect(rotated.text).toContain('it signs in 2h');
    expect(rotated.text).toContain('<td>next</td>');
    const after = await request(app()).get('/ui/signing-keys/registry-jwks.json').set('Cookie', cookie).expect(200);
    expect((JSON.parse(after.text) as { keys: unknown[] }).keys).toHaveLength(2);
  });

  test('a viewer sees the keys but cannot rotate', async () => {
    const { sessionId, session } = await service.regauth.uiSessions!.start({ kind: 'sso', subject: 'v2', email: null, role: 'viewer' });
    const viewer = `regauth_session=${sessionId}`;
    const page = await request(app()).get('/ui/signing-keys').set('Cookie', viewer).expect(200);
    expect(page.text).not.toContain('Add the next signing key');
    await request(app()).post('/ui/signing-keys/rotate').set('Cookie', viewer).type('form').send({ csrf: session.csrfToken, activateIn: '0' }).expect(403);
  });
});
