import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { CookieBrowser, type BrowsedPage } from '../../support/cookie-browser.js';
import { RecordingLoginThrottle } from '../../support/fake-ports.js';
import { startOidcSignInProvider, type OidcSignInProvider } from '../../support/oidc-sign-in-provider.js';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';

const CLIENT_ID = 'regauth-ui';
const CLIENT_SECRET = 'provider-client-secret-for-tests';
const CALLBACK_PATH = '/ui/sign-in/oidc/callback';
/** Each of the last tests creates its own embedded store, which takes a while on a busy machine. */
const STARTUP_TIMEOUT_MS = 120_000;

let server: Server;
let base: string;
let provider: OidcSignInProvider;
let service: TestRegauth;
const throttle = new RecordingLoginThrottle();

beforeAll(async () => {
  // regauth's port first: the redirect URI registered at the provider is derived from its public URL.
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = await startOidcSignInProvider({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: `${base}${CALLBACK_PATH}`,
    accounts: [
      { login: 'ada', email: 'ada@example.com', groups: ['platform-admins', 'everyone'] },
      { login: 'vic', email: 'vic@example.com', groups: ['auditors'] },
      { login: 'nemo', email: 'nemo@example.com', groups: ['everyone'] },
    ],
  });
  throttle.pendingFailures = false;
  service = await createTestRegauth(
    { loginThrottle: throttle },
    {
      REGAUTH_PUBLIC_URL: base,
      REGAUTH_UI_OIDC_ISSUER: provider.issuer,
      REGAUTH_UI_OIDC_NAME: 'Test IdP',
      REGAUTH_UI_OIDC_CLIENT_ID: CLIENT_ID,
      REGAUTH_UI_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      REGAUTH_UI_OIDC_ADMIN_GROUPS: 'platform-admins',
      REGAUTH_UI_OIDC_VIEWER_GROUPS: 'auditors,readers',
      REGAUTH_UI_OIDC_ALLOW_INSECURE_LOOPBACK_ISSUER: 'true',
    },
  );
  server.on('request', service.regauth.app);
  await service.regauth.admin.create({ name: 'existing', repositories: ['team/app'], scopes: ['read_registry'] });
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await service?.close();
  await provider?.close();
});

const formActionOf = (page: BrowsedPage) => new URL(/<form method="post" action="([^"]+)"/.exec(page.text)?.[1] as string, page.url).href;
const csrfIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;
const formKeyIn = (html: string) => /name="formKey" value="([^"]+)"/.exec(html)?.[1] as string;

/** From regauth's sign-in link through the provider's login and consent forms, stopping before the callback. */
async function throughProvider(login: string): Promise<{ browser: CookieBrowser; callbackUrl: string; flowCookie: string }> {
  const browser = new CookieBrowser();
  const signInPage = await browser.get(`${base}/ui/sign-in`);
  expect(signInPage.text).toContain('href="/ui/sign-in/oidc">Sign in with Test IdP</a>');
  const loginPage = await browser.get(`${base}/ui/sign-in/oidc`);
  expect(loginPage.url.startsWith(`${provider.issuer}/interaction/`)).toBe(true);
  const flowCookie = browser.cookie(base, 'regauth_sso_flow') as string;
  expect(flowCookie).toMatch(/^regauth_sso_[A-Za-z0-9_-]{43}$/);
  const consentPage = await browser.postForm(formActionOf(loginPage), { login, password: 'anything' });
  expect(consentPage.text).toContain('Allow regauth');
  const stopped = await browser.postForm(formActionOf(consentPage), {}, { stopBefore: `${base}${CALLBACK_PATH}` });
  expect(stopped.status).toBe(0);
  return { browser, callbackUrl: stopped.url, flowCookie };
}

async function signInAs(login: string): Promise<{ browser: CookieBrowser; callback: BrowsedPage }> {
  const { browser, callbackUrl } = await throughProvider(login);
  return { browser, callback: await browser.get(callbackUrl) };
}

const sessionOf = (browser: CookieBrowser) => `regauth_session=${browser.cookie(base, 'regauth_session') as string}`;

async function audit(event: string) {
  await service.regauth.flush();
  return (await service.regauth.admin.audit({ event })).items;
}

describe('single sign-on in the web UI through a real OpenID provider on loopback', () => {
  test('the start sets a SameSite=Lax flow cookie scoped to the sign-in paths and sends the browser to the provider with PKCE, state and nonce', async () => {
    const started = await request(service.regauth.app).get('/ui/sign-in/oidc').expect(303);
    const cookie = ([] as string[]).concat(started.headers['set-cookie'] ?? []).find((value) => value.startsWith('regauth_sso_flow=')) as string;
    expect(cookie).toMatch(/^regauth_sso_flow=regauth_sso_[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Lax; Path=\/ui\/sign-in\/oidc; Max-Age=600$/);
    const location = new URL(started.headers.location as string);
    expect(location.origin).toBe(provider.issuer);
    expect(Object.fromEntries(location.searchParams)).toEqual(
      expect.objectContaining({
        client_id: CLIENT_ID,
        redirect_uri: `${base}${CALLBACK_PATH}`,
        response_type: 'code',
        scope: 'openid email profile groups',
        code_challenge_method: 'S256',
      }),
    );
    for (const parameter of ['state', 'nonce', 'code_challenge']) expect(location.searchParams.get(parameter)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('an admin-group member signs in (through a same-origin page, so the Strict cookie is sent) and can create a token', async () => {
    const { browser, callback } = await signInAs('ada');
    expect(callback.status).toBe(200);
    expect(callback.headers.get('cache-control')).toBe('no-store');
    expect(callback.text).toContain('<meta http-equiv="refresh" content="0;url=/ui/"/>');
    expect(callback.text).toContain('<a href="/ui/">Continue to regauth</a>');
    expect(browser.cookie(base, 'regauth_sso_flow')).toBeUndefined();
    const cookie = sessionOf(browser);
    expect(cookie).toMatch(/^regauth_session=regauth_uis_/);

    const overview = await request(service.regauth.app).get('/ui/').set('Cookie', cookie).expect(200);
    expect(overview.text).toContain('Sign out ada@example.com');
    const form = await request(service.regauth.app).get('/ui/tokens/new').set('Cookie', cookie).expect(200);
    const created = await request(service.regauth.app)
      .post('/ui/tokens/new')
      .set('Cookie', cookie)
      .set('Sec-Fetch-Site', 'same-origin')
      .type('form')
      .send({ csrf: csrfIn(form.text), formKey: formKeyIn(form.text), name: 'made by sso', repositories: 'team/sso', scopes: 'read_registry', expiry: '30d', action: 'create' })
      .expect(200);
    expect(created.text).toContain('regauth_');
    const token = (await service.regauth.admin.list()).items.find((item) => item.name === 'made by sso');
    expect(token).toBeDefined();
    const events = (await service.regauth.admin.audit({ token: String(token?.id) })).items;
    expect(events.map((event) => event.actor)).toContain('sso:ada <ada@example.com> via ui');
    expect((await audit('sso.signed_in')).map((event) => [event.actor, event.details])).toContainEqual(['sso:ada <ada@example.com> via ui', { role: 'admin' }]);
  });

  test('a viewer-group member can list tokens but gets 403 on create', async () => {
    const { browser, callback } = await signInAs('vic');
    expect(callback.status).toBe(200);
    const cookie = sessionOf(browser);
    const list = await request(service.regauth.app).get('/ui/tokens').set('Cookie', cookie).expect(200);
    expect(list.text).toContain('existing');
    await request(service.regauth.app).get('/ui/tokens/new').set('Cookie', cookie).expect(403);
    const overview = await request(service.regauth.app).get('/ui/').set('Cookie', cookie).expect(200);
    await request(service.regauth.app)
      .post('/ui/tokens/new')
      .set('Cookie', cookie)
      .set('Sec-Fetch-Site', 'same-origin')
      .type('form')
      .send({ csrf: csrfIn(overview.text), formKey: 'k-viewer', name: 'viewer made', repositories: 'team/x', scopes: 'read_registry', expiry: '30d', action: 'create' })
      .expect(403);
    expect((await service.regauth.admin.list()).items.map((item) => item.name)).not.toContain('viewer made');
    // Nowhere to see a secret: rotating and the admin keys are admin-only too.
    await request(service.regauth.app).get('/ui/tokens/1/rotate').set('Cookie', cookie).expect(403);
    await request(service.regauth.app).get('/ui/admin-keys').set('Cookie', cookie).expect(403);
    expect(overview.text).not.toContain('href="/ui/admin-keys"');
    expect(overview.text).toContain('Sign out vic@example.com');
  });

  test('a person in no regauth group is refused with a page saying so, an audit event and a failed sign-in', async () => {
    const failuresBefore = throttle.calls.filter(([method]) => method === 'recordFailure').length;
    const { browser, callback } = await signInAs('nemo');
    expect(callback.status).toBe(403);
    expect(callback.text).toContain('Test IdP signed you in as nemo@example.com, but you are in none of the groups that may use regauth');
    expect(browser.cookie(base, 'regauth_session')).toBeUndefined();
    const failures = throttle.calls.filter(([method]) => method === 'recordFailure');
    expect(failures).toHaveLength(failuresBefore + 1);
    expect(failures.at(-1)).toEqual(['recordFailure', { username: 'ui-sign-in', clientIp: '127.0.0.1' }, false]);
    expect((await audit('sso.refused')).map((event) => [event.actor, event.details.reason])).toContainEqual(['sso:nemo <nemo@example.com> via ui', 'sso_no_role']);
  });

  test('a wrong or missing state is refused and signs nobody in', async () => {
    for (const tamper of [(url: URL) => url.searchParams.set('state', 'x'.repeat(43)), (url: URL) => url.searchParams.delete('state')]) {
      const { browser, callbackUrl, flowCookie } = await throughProvider('ada');
      const tampered = new URL(callbackUrl);
      tamper(tampered);
      const failuresBefore = throttle.calls.filter(([method]) => method === 'recordFailure').length;
      const page = await browser.get(tampered.href);
      expect(page.status).toBe(400);
      expect(page.text).toContain('The sign-in with Test IdP did not complete');
      expect(browser.cookie(base, 'regauth_session')).toBeUndefined();
      expect(throttle.calls.filter(([method]) => method === 'recordFailure')).toHaveLength(failuresBefore + 1);
      // The flow was used up by the failed attempt: the genuine callback no longer works either.
      browser.setCookie(base, 'regauth_sso_flow', flowCookie, '/ui/sign-in/oidc');
      const genuine = await browser.get(callbackUrl);
      expect(genuine.status).toBe(400);
      expect(genuine.text).toContain('this sign-in has already been used or has expired');
    }
  });

  test('a callback in a browser that did not start the sign-in (login CSRF) is refused', async () => {
    const { callbackUrl } = await throughProvider('ada');
    const other = new CookieBrowser();
    const page = await other.get(callbackUrl);
    expect(page.status).toBe(400);
    expect(page.text).toContain('this browser did not start a sign-in here');
    expect(other.cookie(base, 'regauth_session')).toBeUndefined();
  });

  test('a replayed callback, flow cookie and all, is refused', async () => {
    const { browser, callbackUrl, flowCookie } = await throughProvider('ada');
    expect((await browser.get(callbackUrl)).status).toBe(200);
    const replay = new CookieBrowser();
    replay.setCookie(base, 'regauth_sso_flow', flowCookie, '/ui/sign-in/oidc');
    const page = await replay.get(callbackUrl);
    expect(page.status).toBe(400);
    expect(page.text).toContain('this sign-in has already been used or has expired');
    expect(replay.cookie(base, 'regauth_session')).toBeUndefined();
    expect((await audit('sso.refused')).some((event) => event.actor === null && event.details.reason === 'sso_callback_invalid')).toBe(true);
  });

  test("the provider's error answer (the person cancelled) is shown as text and signs nobody in", async () => {
    const browser = new CookieBrowser();
    const loginPage = await browser.get(`${base}/ui/sign-in/oidc`);
    const state = new URL(loginPage.visited[1] as string).searchParams.get('state') as string;
    const callback = new URL(`${base}${CALLBACK_PATH}`);
    for (const [name, value] of Object.entries({ error: 'access_denied', error_description: '<b>cancelled</b>', state, iss: provider.issuer })) {
      callback.searchParams.set(name, value);
    }
    const page = await browser.get(callback.href);
    expect(page.status).toBe(400);
    expect(page.text).toContain('the identity provider answered access_denied: &lt;b>cancelled&lt;/b>');
    expect(browser.cookie(base, 'regauth_session')).toBeUndefined();
  });

  test('sign-out ends an SSO session', async () => {
    const { browser } = await signInAs('ada');
    const cookie = sessionOf(browser);
    const overview = await request(service.regauth.app).get('/ui/').set('Cookie', cookie).expect(200);
    await request(service.regauth.app).post('/ui/sign-out').set('Cookie', cookie).type('form').send({ csrf: csrfIn(overview.text) }).expect(303);
    await request(service.regauth.app).get('/ui/').set('Cookie', cookie).expect(303).expect('Location', '/ui/sign-in');
  });

  test('the client secret is never logged', () => {
    expect(service.logger.records.length).toBeGreaterThan(0);
    expect(JSON.stringify(service.logger.records)).not.toContain(CLIENT_SECRET);
  });
});

describe('single sign-on when the provider is down or not configured', () => {
  test('an unreachable provider answers 503 and counts no failed sign-in', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const downThrottle = new RecordingLoginThrottle();
    const down = await createTestRegauth(
      { loginThrottle: downThrottle },
      {
        REGAUTH_UI_OIDC_ISSUER: `http://127.0.0.1:${port}`,
        REGAUTH_UI_OIDC_CLIENT_ID: CLIENT_ID,
        REGAUTH_UI_OIDC_ADMIN_GROUPS: 'platform-admins',
        REGAUTH_UI_OIDC_ALLOW_INSECURE_LOOPBACK_ISSUER: 'true',
      },
    );
    try {
      const signInPage = await request(down.regauth.app).get('/ui/sign-in').expect(200);
      expect(signInPage.text).toContain(`Sign in with 127.0.0.1</a>`);
      const page = await request(down.regauth.app).get('/ui/sign-in/oidc').expect(503);
      expect(page.text).toContain('the identity provider is unavailable');
      expect(downThrottle.calls.filter(([method]) => method === 'recordFailure')).toEqual([]);
    } finally {
      await down.close();
    }
  }, STARTUP_TIMEOUT_MS);

  test('without ui.oidc the sign-in page offers only the admin key, and the SSO paths need a session', async () => {
    const plain = await createTestRegauth();
    try {
      const signInPage = await request(plain.regauth.app).get('/ui/sign-in').expect(200);
      expect(signInPage.text).not.toContain('Sign in with');
      expect(signInPage.text).toContain('Admin key');
      await request(plain.regauth.app).get('/ui/sign-in/oidc').expect(303).expect('Location', '/ui/sign-in');
      await request(plain.regauth.app).get('/ui/sign-in/oidc/callback?code=x&state=y').expect(303).expect('Location', '/ui/sign-in');
    } finally {
      await plain.close();
    }
  }, STARTUP_TIMEOUT_MS);
});
